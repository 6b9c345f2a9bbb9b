"""The local folder store (default `.imekit/evidence/`), for workstations and CI runs.

Files are created with a create-only hard link of a fully written temporary file, so an
entry appears whole or not at all and never twice; an flock on `.lock` serialises writers
on one machine. A local folder can be rewritten by whoever owns it: production evidence
belongs in the S3 store with object lock.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from imekit.errors import ImekitError
from imekit.evidence.chain import entry_name, seq_from_name
from imekit.evidence.stores.base import EvidenceStore


class FolderStore(EvidenceStore):
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.location = str(self.root)

    def prepare_for_writing(self) -> None:
        try:
            for sub in ("entries", "heads", "blobs/sha256"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unwritable(exc) from exc

    def entry_seqs(self, after: int = 0) -> list[int]:
        folder = self.root / "entries"
        if not folder.is_dir():
            return []
        seqs = (seq_from_name(name) for name in os.listdir(folder))
        return sorted(seq for seq in seqs if seq is not None and seq > after)

    def read_entry_bytes(self, seq: int) -> bytes:
        return self._read(self.root / "entries" / entry_name(seq))

    def create_entry(self, seq: int, data: bytes) -> bool:
        return _create_once(self.root / "entries" / entry_name(seq), data)

    def put_blob(self, sha256: str, data: bytes) -> None:
        _create_once(self.root / "blobs" / "sha256" / sha256, data)

    def read_blob_bytes(self, sha256: str) -> bytes:
        return self._read(self.root / "blobs" / "sha256" / sha256)

    def latest_head_bytes(self) -> bytes | None:
        folder = self.root / "heads"
        if not folder.is_dir():
            return None
        names = sorted(n for n in os.listdir(folder) if seq_from_name(n) is not None)
        return self._read(folder / names[-1]) if names else None

    def put_head(self, count: int, data: bytes) -> None:
        _create_once(self.root / "heads" / entry_name(count), data)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / ".lock", "a+b")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise self._unwritable(exc) from exc
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _unwritable(self, exc: OSError) -> ImekitError:
        return ImekitError(
            f"cannot write the evidence record in {self.root}: {exc.strerror or exc}",
            hint="point IMEKIT_EVIDENCE_DIR or --store at a writable folder, "
            "or pass --no-record (IMEKIT_NO_RECORD=1) to skip recording",
        )

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ImekitError(
                f"cannot read {path}: {exc.strerror}",
                hint="the evidence folder is incomplete; restore it",
            ) from exc


def _create_once(path: Path, data: bytes) -> bool:
    """Write `path` atomically unless it already exists. True if this call created it."""
    temp = path.with_name(f".tmp-{uuid.uuid4().hex}")
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o444)  # read-only: a reminder that evidence is never edited
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        return True
    finally:
        temp.unlink(missing_ok=True)
