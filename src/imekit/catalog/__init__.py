"""The control catalog: the Security Rule's requirements and the controls that meet them.

    from imekit.catalog import load_catalog
    catalog = load_catalog()                 # the kit's own controls/ folder
    catalog.control_for_rule("deny_rds_public").citations

The catalog is read by every stage of the kit and written by none. Loading validates every
file against its schema and every reference inside the catalog; a broken catalog is an
ImekitError naming the file and the entry (exit 2), never a partial catalog.
"""

from __future__ import annotations

from pathlib import Path

from imekit.catalog.model import (
    Catalog,
    CheckovMapping,
    Control,
    Decision,
    Implementation,
    KnownFalseResult,
    ManualEvidence,
    PendingChange,
    Regulation,
    Requirement,
)

__all__ = [
    "Catalog",
    "CheckovMapping",
    "Control",
    "Decision",
    "Implementation",
    "KnownFalseResult",
    "ManualEvidence",
    "PendingChange",
    "Regulation",
    "Requirement",
    "load_catalog",
]

_FILES = ("requirements.yaml", "controls.yaml", "checkov.yaml")
_cache: dict[tuple[object, ...], Catalog] = {}


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog in `path` (a controls/ folder; the kit's own by default), validated.

    Cached per folder; a file that changed on disk is read again.
    """
    from imekit.catalog.loader import read_catalog
    from imekit.paths import controls_dir

    folder = Path(path).resolve() if path is not None else controls_dir()
    key = (folder, *(_stamp(folder / name) for name in _FILES))
    catalog = _cache.get(key)
    if catalog is None:
        catalog = read_catalog(folder)
        if len(_cache) >= 8:  # a handful of folders at most (the kit's, a test's)
            _cache.clear()
        _cache[key] = catalog
    return catalog


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
