"""Shared fixtures for the evidence tests: an isolated store, keys, drill journals shaped
exactly as `imekit drill run` writes them, and one exported bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_helpers import build_bundle

from imekit.evidence.catalog_view import CatalogView, load_catalog_view
from imekit.evidence.signing import Signer, generate_keypair, load_signer
from imekit.evidence.stores import FolderStore

_ENV = (
    "IMEKIT_EVIDENCE_DIR",
    "IMEKIT_EVIDENCE_KEY",
    "IMEKIT_NO_RECORD",
    "IMEKIT_EVIDENCE_RETENTION_DAYS",
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the developer's evidence or keys."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "evidence")


@pytest.fixture(scope="session")
def real_catalog() -> CatalogView:
    return load_catalog_view()


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    owner = generate_keypair(folder / "owner")
    attacker = generate_keypair(folder / "attacker")
    return {
        "private": owner.private_path,
        "public": owner.public_path,
        "attacker_private": attacker.private_path,
        "attacker_public": attacker.public_path,
    }


@pytest.fixture(scope="session")
def signer(keys: dict[str, Path]) -> Signer:
    loaded = load_signer(keys["private"])
    assert loaded is not None
    return loaded


@pytest.fixture(scope="session")
def attacker(keys: dict[str, Path]) -> Signer:
    loaded = load_signer(keys["attacker_private"])
    assert loaded is not None
    return loaded


@pytest.fixture
def signing_key_env(monkeypatch: pytest.MonkeyPatch, keys: dict[str, Path]) -> Path:
    monkeypatch.setenv("IMEKIT_EVIDENCE_KEY", str(keys["private"]))
    return keys["private"]


@pytest.fixture(scope="session")
def bundle(
    tmp_path_factory: pytest.TempPathFactory,
    signer: Signer,
    real_catalog: CatalogView,
    keys: dict[str, Path],
) -> Path:
    return build_bundle(tmp_path_factory.mktemp("bundle"), signer, real_catalog, keys["private"])
