"""Shared fixtures for the policy pack and evaluator tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphs import mixed_graph  # noqa: E402

from imekit.graph import Graph  # noqa: E402
from imekit.paths import policies_dir  # noqa: E402
from imekit.policy import Evaluation, Pack, evaluate, load_pack  # noqa: E402


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack()


@pytest.fixture(scope="session")
def mixed() -> Graph:
    return mixed_graph()


@pytest.fixture(scope="session")
def mixed_eval(pack: Pack, mixed: Graph) -> Evaluation:
    return evaluate(pack, mixed, workers=1)


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the kit's pack."""
    target = tmp_path / "policies"
    shutil.copytree(policies_dir(), target)
    return target
