"""Where the kit's own data lives: the checkout when run from one, else the wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def kit_root() -> Path:
    """The folder holding Pulumi.yaml, infra/, policies/, controls/ and runbooks/."""
    checkout = _PACKAGE_DIR.parent.parent  # src/imekit -> repository root
    if (checkout / "Pulumi.yaml").is_file() and (checkout / "policies").is_dir():
        return checkout
    return _PACKAGE_DIR / "_data"


def policies_dir() -> Path:
    return kit_root() / "policies"


def controls_dir() -> Path:
    return kit_root() / "controls"


def runbooks_dir() -> Path:
    return kit_root() / "runbooks"


def reference_program_dir() -> Path:
    """The reference IME platform program: the folder whose Pulumi.yaml says main: infra/."""
    return kit_root()
