"""Evidence for auditors: an append-only, hash-chained record of every gate run, policy
test run, checkov run, drill and piece of manual evidence; per-control status; signed,
verifiable export bundles (manifest, OSCAL, HTML, CSV).

The API other commands call:
    record_run(kind, *, controls, result, started, ended, citations=(), summary=None,
               tool_versions=None, stack=None, program=None, attachments=None, store=None,
               enabled=True) -> Entry | None
    record_drill_journal(journal, *, store=None, program=None, enabled=True) -> Entry | None
"""

from imekit.evidence.entry import ENTRY_SCHEMA, HEAD_SCHEMA, Entry
from imekit.evidence.record import (
    NO_RECORD_ENV,
    record_drill_journal,
    record_run,
    recording_enabled,
)
from imekit.evidence.stores import STORE_ENV, EvidenceStore, FolderStore, S3Store, open_store

__all__ = [
    "ENTRY_SCHEMA",
    "HEAD_SCHEMA",
    "NO_RECORD_ENV",
    "STORE_ENV",
    "Entry",
    "EvidenceStore",
    "FolderStore",
    "S3Store",
    "open_store",
    "record_drill_journal",
    "record_run",
    "recording_enabled",
]
