"""Suite-wide: no test writes to the evidence record of the checkout it runs in.

Commands record their runs by default (into ./.imekit/evidence); every test gets its own
store instead. Folders with their own fixtures (evidence, drills, gate) override this.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _evidence_store_per_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(tmp_path / "evidence-record"))
