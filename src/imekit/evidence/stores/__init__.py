"""Evidence stores: a local folder and an S3 bucket with object lock, behind one interface."""

from __future__ import annotations

import os
from pathlib import Path

from imekit.evidence.stores.base import EvidenceStore
from imekit.evidence.stores.folder import FolderStore
from imekit.evidence.stores.s3 import S3Store

STORE_ENV = "IMEKIT_EVIDENCE_DIR"
DEFAULT_DIR = Path(".imekit") / "evidence"


def open_store(location: str | Path | EvidenceStore | None = None) -> EvidenceStore:
    """The store at `location`, else $IMEKIT_EVIDENCE_DIR, else ./.imekit/evidence.

    A location starting with s3:// is an S3 bucket (and prefix) with object lock.
    """
    if isinstance(location, EvidenceStore):
        return location
    if location is None or str(location) == "":
        location = os.environ.get(STORE_ENV, "").strip() or DEFAULT_DIR
    text = str(location)
    if text.startswith("s3://"):
        return S3Store.from_url(text)
    return FolderStore(Path(text))


__all__ = ["DEFAULT_DIR", "STORE_ENV", "EvidenceStore", "FolderStore", "S3Store", "open_store"]
