"""Drill journals: the JSON record every run leaves behind, and the way to read one back.

Schema `imekit.drill-journal/v1` (runbooks/schema/journal.schema.json) is a contract with
the evidence record, which ingests journals: fields may be added within v1, never renamed
or given a new meaning. `load_journal` is the one supported way to read a journal.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.paths import runbooks_dir
from imekit.status import Status

SCHEMA_ID = "imekit.drill-journal/v1"
PASSED = "passed"
FAILED = "failed"
DEVIATED = "deviated"
DEFAULT_DIR = Path("journals")

# Access key ids look like AKIA/ASIA + 16 characters; a journal never needs one.
_ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")


def new_run_id(now: datetime | None = None) -> tuple[str, str]:
    """A run id (UTC time + 6 random hex digits) and the suffix resource names carry."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    suffix = secrets.token_hex(3)
    return f"{moment:%Y%m%dT%H%M%SZ}-{suffix}", suffix


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def control_status(status: str) -> Status:
    """How a run counts for its controls: only a passed run is a pass."""
    return Status.PASS if status == PASSED else Status.FAIL


def journal_control_status(journal: dict[str, Any]) -> Status:
    return control_status(str(journal.get("status")))


def redact(journal: dict[str, Any], secret_values: Iterable[str] = ()) -> dict[str, Any]:
    """Remove every secret this run held and any access key id from the journal's text."""
    text = json.dumps(journal)
    for value in secret_values:
        if value:
            text = text.replace(value, "[redacted]")
    text = _ACCESS_KEY_ID.sub(lambda m: m.group(1) + "[redacted]", text)
    return json.loads(text)


def ensure_writable(directory: Path) -> None:
    """Refuse, before a drill runs, a journal folder the journal could not be written into
    (a run whose journal is lost leaves no record of what it did). Creates nothing: the
    folder, or the nearest folder above it that exists, must be a writable directory."""
    existing = directory.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem = None
    if not existing.is_dir():
        problem = f"{existing} is not a directory"
    elif not os.access(existing, os.W_OK | os.X_OK):
        problem = f"{existing} is not writable"
    if problem:
        raise ImekitError(f"cannot write drill journals into {directory}: {problem}",
                          hint="choose a writable folder with --journal-dir (nothing was run)")


def write_journal(journal: dict[str, Any], directory: Path) -> Path:
    """Validate and write the journal as <drill>-<run id>.json (atomically); return its path."""
    problems = validate_journal(journal)
    if problems:  # a bug in the kit, never the user's fault: refuse to write a bad record
        raise ImekitError(f"refusing to write an invalid drill journal: {'; '.join(problems)}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{journal['drill']}-{journal['run_id']}.json"
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".journal-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(journal, stream, indent=2, sort_keys=False)
            stream.write("\n")
        os.replace(temporary, path)
    except OSError as exc:
        raise ImekitError(f"cannot write the drill journal into {directory}: {exc}",
                          hint="choose a writable folder with --journal-dir") from exc
    return path


@cache
def journal_schema() -> dict[str, Any]:
    return json.loads((runbooks_dir() / "schema" / "journal.schema.json").read_text("utf-8"))


def validate_journal(journal: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(journal_schema())
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
            for e in sorted(validator.iter_errors(journal), key=lambda e: list(e.absolute_path))]


def load_journal(path: str | Path) -> dict[str, Any]:
    """Read and validate a drill journal; raise ImekitError if it is not a valid v1 journal."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImekitError(f"cannot read drill journal {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_ID:
        found = data.get("schema") if isinstance(data, dict) else None
        raise ImekitError(f"{path} is not a drill journal of schema {SCHEMA_ID} "
                          f"(schema: {found!r})",
                          hint="journals are written by `imekit drill run`")
    problems = validate_journal(data)
    if problems:
        raise ImekitError(f"invalid drill journal {path}: {'; '.join(problems[:5])}")
    return data
