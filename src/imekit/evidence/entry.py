"""The evidence entry, `imekit.evidence-entry/v1` (documented in docs/evidence.md).

An entry is one canonical-JSON document. Its hash is the SHA-256 of its canonical bytes;
each entry carries the previous entry's hash in `prev`, which makes the record a chain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from imekit.errors import ImekitError
from imekit.evidence.canonical import canonical_bytes, parse_timestamp, sha256_hex
from imekit.status import Status

ENTRY_SCHEMA = "imekit.evidence-entry/v1"
HEAD_SCHEMA = "imekit.evidence-head/v1"
KINDS = ("gate", "policy-test", "checkov", "drill", "manual")
AUTOMATED_KINDS = ("gate", "policy-test", "checkov")

CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_REQUIRED = {
    "schema": str,
    "seq": int,
    "prev": str,
    "id": str,
    "kind": str,
    "recorded_at": str,
    "started": str,
    "ended": str,
    "result": str,
    "controls": dict,
    "citations": list,
    "summary": dict,
    "tool_versions": dict,
    "source": dict,
    "attachments": list,
}


@dataclass(frozen=True)
class Entry:
    """A recorded entry and its hash."""

    doc: dict[str, Any]
    hash: str

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Entry:
        return cls(doc, sha256_hex(canonical_bytes(doc)))

    @classmethod
    def from_bytes(cls, data: bytes, *, where: str) -> Entry:
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImekitError(f"{where} is not a JSON document: {exc}") from exc
        problem = validate_entry(doc)
        if problem:
            raise ImekitError(f"{where} is not a valid evidence entry: {problem}")
        return cls.from_doc(doc)

    @property
    def seq(self) -> int:
        return int(self.doc["seq"])

    @property
    def prev(self) -> str:
        return str(self.doc["prev"])

    @property
    def kind(self) -> str:
        return str(self.doc["kind"])

    @property
    def result(self) -> str:
        return str(self.doc["result"])

    @property
    def recorded_at(self) -> datetime:
        return parse_timestamp(self.doc["recorded_at"])

    @property
    def stack(self) -> str | None:
        return self.doc["source"].get("stack")

    @property
    def controls(self) -> dict[str, Status]:
        return {k: Status(v) for k, v in self.doc["controls"].items()}

    @property
    def summary(self) -> dict[str, Any]:
        return self.doc["summary"]

    @property
    def manual(self) -> dict[str, Any] | None:
        return self.doc.get("manual")

    def canonical(self) -> bytes:
        return canonical_bytes(self.doc)

    def describe(self) -> str:
        return f"entry {self.seq} ({self.kind}, {self.result}, {self.doc['recorded_at']})"


def validate_entry(doc: Any) -> str | None:
    """None when `doc` has the v1 entry shape, else what is wrong with it."""
    if not isinstance(doc, dict):
        return "not an object"
    if doc.get("schema") != ENTRY_SCHEMA:
        return f"schema is {doc.get('schema')!r}, expected {ENTRY_SCHEMA!r}"
    for key, kind in _REQUIRED.items():
        if key not in doc:
            return f"missing {key!r}"
        if not isinstance(doc[key], kind) or (kind is int and isinstance(doc[key], bool)):
            return f"{key!r} is not a {kind.__name__}"
    if doc["seq"] < 1:
        return "'seq' must be 1 or more"
    if not _HEX64.match(doc["prev"]):
        return "'prev' is not a SHA-256 hex digest"
    if doc["kind"] not in KINDS:
        return f"unknown kind {doc['kind']!r}"
    for control, status in doc["controls"].items():
        if not CONTROL_ID.match(control):
            return f"{control!r} is not a control id"
        if status not in {s.value for s in Status}:
            return f"control {control} has unknown status {status!r}"
    for attachment in doc["attachments"]:
        if not (
            isinstance(attachment, dict)
            and isinstance(attachment.get("name"), str)
            and _HEX64.match(str(attachment.get("sha256", "")))
            and isinstance(attachment.get("size"), int)
        ):
            return "an attachment lacks name, sha256 or size"
    if doc["kind"] == "manual" and not isinstance(doc.get("manual"), dict):
        return "a manual entry lacks its 'manual' object"
    for key in ("recorded_at", "started", "ended"):
        try:
            parse_timestamp(doc[key])
        except ImekitError:
            return f"{key!r} is not an RFC 3339 timestamp"
    return None
