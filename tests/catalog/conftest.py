"""Fixtures for catalog tests: a writable copy of the kit's controls/ and a consistent kit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from imekit.catalog import Catalog, load_catalog
from imekit.paths import controls_dir


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The kit's own catalog."""
    return load_catalog()


class CatalogCopy:
    """A copy of controls/ in a temporary folder whose files a test may edit as data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, name: str) -> dict[str, Any]:
        return yaml.safe_load((self.folder / name).read_text(encoding="utf-8"))

    def write(self, name: str, doc: dict[str, Any]) -> None:
        (self.folder / name).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    def edit(self, name: str, change: Callable[[dict[str, Any]], None]) -> None:
        doc = self.read(name)
        change(doc)
        self.write(name, doc)

    def control(self, doc: dict[str, Any], control_id: str) -> dict[str, Any]:
        return next(c for c in doc["controls"] if c["id"] == control_id)

    def requirement(self, doc: dict[str, Any], citation: str) -> dict[str, Any]:
        return next(r for r in doc["requirements"] if r["citation"] == citation)

    def load(self) -> Catalog:
        return load_catalog(self.folder)


@pytest.fixture()
def catalog_copy(tmp_path: Path) -> CatalogCopy:
    folder = tmp_path / "controls"
    shutil.copytree(controls_dir(), folder)
    return CatalogCopy(folder)


@pytest.fixture()
def consistent_kit(tmp_path: Path, catalog_copy: CatalogCopy) -> Path:
    """A kit root (controls/, policies/, runbooks/, infra/) in which every reference holds."""
    _write_consistent_kit(tmp_path, catalog_copy.load())
    return tmp_path


def _write_consistent_kit(root: Path, catalog: Catalog) -> None:
    """policies/, runbooks/ and infra/ that agree with `catalog` in every direction."""
    policies = root / "policies"
    policies.mkdir(parents=True, exist_ok=True)
    lines = ["package imekit_hipaa", "", "import rego.v1", ""]
    for control in catalog.controls.values():
        for rule in control.rego:
            lines += [
                "# METADATA",
                f"# title: {rule}",
                "# custom:",
                f"#   control: {control.id}",
                f"{rule} contains msg if {{",
                "\tsome r in input.resources",
                f'\tmsg := sprintf("[{control.id}] %s is wrong", [r.__name])',
                "}",
                "",
            ]
    (policies / "pack.rego").write_text("\n".join(lines), encoding="utf-8")

    runbooks = root / "runbooks"
    runbooks.mkdir(parents=True, exist_ok=True)
    for drill, control_ids in catalog.drills().items():
        doc = {"name": drill, "controls": control_ids}
        (runbooks / f"{drill}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")

    infra = root / "infra"
    infra.mkdir(parents=True, exist_ok=True)
    components = sorted(
        {
            component
            for control in catalog.controls.values()
            if control.implementation
            for component in control.implementation.components
        }
    )
    body = "".join(
        f'class C{i}:\n    COMPONENT = "{name}"\n\n\n' for i, name in enumerate(components)
    )
    (infra / "components.py").write_text(body, encoding="utf-8")
