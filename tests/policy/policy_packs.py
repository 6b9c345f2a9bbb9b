"""Small policy packs written on the fly for the loader, evaluator and runner tests.

A module of its own (not conftest): every test folder has a conftest.py, and `from conftest
import ...` resolves to whichever folder's conftest was imported first.
"""

from __future__ import annotations

from pathlib import Path

MANIFEST = "description: test pack\nruntime: opa\nversion: 0.0.1\n"


def write_pack(root: Path, files: dict[str, str], manifest: str = MANIFEST) -> Path:
    """A small pack for semantics tests: PulumiPolicy.yaml plus the given files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "PulumiPolicy.yaml").write_text(manifest)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
