"""One interface for every evidence store, and the append algorithm they share.

A store keeps three kinds of object, all written once and never changed:
  entries/<seq, 9 digits>.json   canonical JSON entries, the chain
  heads/<count, 9 digits>.json   the head after each append (signed when a key is set)
  blobs/sha256/<hex>             attachments, addressed by their SHA-256
A backend supplies the primitives; `append` is the same everywhere: under the writer lock,
find the tip, check it against the latest head, and create entry n+1 with a create-only
write, retrying if another writer took n+1 first. The create-only write is what keeps
two writers from forking the chain even if a lock is lost.
"""

from __future__ import annotations

import json
import random
import sys
import time
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Any

from imekit.errors import ImekitError
from imekit.evidence.canonical import ZERO_HASH, canonical_bytes, sha256_hex, utc_timestamp
from imekit.evidence.chain import check_head, check_links, entry_name, make_head
from imekit.evidence.entry import HEAD_SCHEMA, Entry
from imekit.evidence.signing import Signer

_ATTEMPTS = 10
_BACKOFF_SECONDS = 0.02  # doubled after each lost race, with jitter, so writers spread out


class EvidenceStore(ABC):
    """An append-only, hash-chained evidence record."""

    location: str  # how users name it: a folder path or s3://bucket/prefix

    # -- primitives a backend implements -------------------------------------------------
    @abstractmethod
    def entry_seqs(self, after: int = 0) -> list[int]:
        """Sequence numbers of the stored entries greater than `after`, ascending."""

    @abstractmethod
    def read_entry_bytes(self, seq: int) -> bytes: ...

    @abstractmethod
    def create_entry(self, seq: int, data: bytes) -> bool:
        """Create entry `seq` unless it exists; False if another writer got there first."""

    @abstractmethod
    def put_blob(self, sha256: str, data: bytes) -> None:
        """Store an attachment under its SHA-256 (idempotent)."""

    @abstractmethod
    def read_blob_bytes(self, sha256: str) -> bytes: ...

    @abstractmethod
    def latest_head_bytes(self) -> bytes | None: ...

    @abstractmethod
    def put_head(self, count: int, data: bytes) -> None:
        """Write the head for `count` entries (create-only; an existing one is kept)."""

    @abstractmethod
    def writer_lock(self) -> AbstractContextManager[None]: ...

    def prepare_for_writing(self) -> None:  # noqa: B027 - optional hook
        """Create folders or check the bucket before the first write."""

    def integrity_problems(self) -> list[str]:
        """Attempts to alter stored objects that the backend saw while reading (S3: later
        versions or delete markers over a locked object). Called after reading."""
        return []

    # -- shared behaviour ---------------------------------------------------------------
    def read_entry(self, seq: int) -> Entry:
        return Entry.from_bytes(self.read_entry_bytes(seq), where=self._where(seq))

    def read_blob(self, sha256: str) -> bytes:
        data = self.read_blob_bytes(sha256)
        if sha256_hex(data) != sha256:
            raise ImekitError(
                f"attachment {sha256[:16]} in {self.location} does not match its hash",
                hint="the store was altered; restore it from its immutable copy",
            )
        return data

    def latest_head(self) -> dict[str, Any] | None:
        data = self.latest_head_bytes()
        if data is None:
            return None
        try:
            head = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImekitError(f"the latest head in {self.location} is not JSON") from exc
        if not isinstance(head, dict) or head.get("schema") != HEAD_SCHEMA:
            raise ImekitError(f"the latest head in {self.location} is not an evidence head")
        return head

    def entries(self, *, progress: bool = False) -> list[Entry]:
        """Every entry, in order, after checking the links between them."""
        seqs = self.entry_seqs()
        entries = []
        last_said = time.monotonic()
        for index, seq in enumerate(seqs, 1):
            # Slow stores (S3, thousands of entries) say how far they got every few seconds.
            if progress and time.monotonic() - last_said > 3:
                print(f"imekit: read {index}/{len(seqs)} evidence entries", file=sys.stderr)
                last_said = time.monotonic()
            entries.append(self.read_entry(seq))
        # Named by the file each came from, so an entry copied or moved under another
        # number is caught, not just one that no longer links.
        problems = check_links([(entry_name(seq), e) for seq, e in zip(seqs, entries, strict=True)])
        if entries and entries[0].seq != 1:
            problems.insert(0, f"entries 1-{entries[0].seq - 1} are missing")
        if problems:
            raise ImekitError(
                f"the evidence record in {self.location} is broken: {problems[0]}",
                hint="run `imekit evidence log` to see every problem; restore the store",
            )
        return entries

    def check(self) -> list[str]:
        """Every problem in the store: broken links, a head that disagrees, bad entries."""
        named: list[tuple[str, Entry]] = []
        problems: list[str] = []
        for seq in self.entry_seqs():
            data = self.read_entry_bytes(seq)
            try:
                named.append((entry_name(seq), Entry.from_bytes(data, where=self._where(seq))))
            except ImekitError as exc:
                problems.append(exc.message)
        entries = [entry for _, entry in named]
        if entries and entries[0].seq != 1:
            problems.append(f"entries 1-{entries[0].seq - 1} are missing")
        problems += check_links(named)
        head = self.latest_head()
        if head is not None:
            count = head.get("count")
            if isinstance(count, int) and count < len(entries):
                # An append stopped between writing its entry and its head: not tampering.
                tail = [e for e in entries if e.seq <= count]
                problems += check_head(head, tail[-1] if tail else None, require_signature=False)
            else:
                problems += check_head(
                    head, entries[-1] if entries else None, require_signature=False
                )
        return problems + self.integrity_problems()

    def append(self, body: dict[str, Any], blobs: dict[str, bytes], signer: Signer | None) -> Entry:
        """Add an entry (body without seq/prev/recorded_at) and its attachments."""
        self.prepare_for_writing()
        for sha256, data in blobs.items():
            self.put_blob(sha256, data)
        with self.writer_lock():
            for attempt in range(_ATTEMPTS):
                if attempt:
                    time.sleep(random.uniform(0, _BACKOFF_SECONDS * 2 ** min(attempt, 6)))
                tip = self._checked_tip()
                doc = dict(body)
                doc["seq"] = (tip.seq if tip else 0) + 1
                doc["prev"] = tip.hash if tip else ZERO_HASH
                doc["recorded_at"] = utc_timestamp()
                entry = Entry.from_doc(doc)
                if self.create_entry(entry.seq, canonical_bytes(doc)):
                    head = make_head(entry.seq, entry.hash, signer)
                    self.put_head(entry.seq, canonical_bytes(head))
                    return entry
        raise ImekitError(
            f"could not append to {self.location}: other writers kept taking the next entry",
            hint="retry; if it persists, check for a runaway writer",
        )

    def _checked_tip(self) -> Entry | None:
        """The last entry, after checking it against the latest head (fail closed)."""
        head = self.latest_head()
        count = int(head["count"]) if head else 0
        seqs = self.entry_seqs(after=max(count - 1, 0))
        if count and (not seqs or seqs[0] != count):
            raise ImekitError(
                f"the evidence record in {self.location} lost entries: its head says "
                f"{count} entries but entry {count} is gone",
                hint="the record was truncated; restore it before recording more evidence",
            )
        tail = [self.read_entry(seq) for seq in seqs]
        if head and tail and tail[0].hash != head["last_hash"]:
            raise ImekitError(
                f"entry {count} in {self.location} does not match the head: it was altered",
                hint="restore the record before recording more evidence",
            )
        problems = check_links([(entry_name(e.seq), e) for e in tail])
        if problems:
            raise ImekitError(f"the evidence record in {self.location} is broken: {problems[0]}")
        return tail[-1] if tail else None

    def _where(self, seq: int) -> str:
        return f"{self.location}/entries/{entry_name(seq)}"
