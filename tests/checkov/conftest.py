"""Shared fixtures: the real reference platform and insecure program as graphs, the isolated
checkov environment, and one checkov run per program for the whole session.

Tests that need checkov are marked `needs_checkov`. They provision checkov on first use (CI
runs `imekit checkov setup` beforehand) and skip only when IMEKIT_SKIP_CHECKOV=1 is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from imekit.graph.model import Graph

REPO = Path(__file__).resolve().parents[2]
INSECURE_PROGRAM = REPO / "tests" / "programs" / "insecure"


def _say(line: str) -> None:
    print(line, file=sys.stderr)


@pytest.fixture(scope="session")
def reference_dev() -> Graph:
    from imekit.graph.synth import synthesize

    return synthesize(None, stack="dev")


@pytest.fixture(scope="session")
def reference_dev_unknowns() -> Graph:
    from imekit.graph.synth import synthesize

    return synthesize(None, stack="dev", unknowns=True)


@pytest.fixture(scope="session")
def reference_prod() -> Graph:
    from imekit.graph.synth import synthesize

    return synthesize(None, stack="prod")


@pytest.fixture(scope="session")
def insecure_dev() -> Graph:
    from imekit.graph.synth import synthesize

    return synthesize(INSECURE_PROGRAM, stack="dev")


@pytest.fixture(scope="session")
def checkov_env():
    if os.environ.get("IMEKIT_SKIP_CHECKOV") == "1":
        pytest.skip("IMEKIT_SKIP_CHECKOV=1: checkov tests skipped on request")
    from imekit.checkov import ensure_checkov

    return ensure_checkov(install=True, progress=_say)


@pytest.fixture(scope="session")
def reference_result(checkov_env, reference_dev, reference_prod):
    from imekit.checkov import run_checkov

    return run_checkov([reference_dev, reference_prod], progress=_say)


@pytest.fixture(scope="session")
def insecure_result(checkov_env, insecure_dev):
    from imekit.checkov import run_checkov

    return run_checkov([insecure_dev], progress=_say)
