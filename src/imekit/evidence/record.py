"""Recording runs into the evidence record: the API the gate, policy, checkov and drill
commands call after each run.

    entry = record_run("gate", controls={"IME-ENC-01": Status.PASS}, result="pass", ...)

Recording is skipped (and None returned) with `enabled=False` (a command's --no-record)
or IMEKIT_NO_RECORD=1. Everything recorded is scrubbed of secret-looking values first.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from imekit import __version__
from imekit.errors import ImekitError
from imekit.evidence.canonical import parse_timestamp, sha256_hex, utc_timestamp
from imekit.evidence.entry import CONTROL_ID, ENTRY_SCHEMA, KINDS, Entry
from imekit.evidence.sanitize import check_attachment, check_attachment_name, scrub
from imekit.evidence.signing import load_signer
from imekit.evidence.stores import EvidenceStore, open_store
from imekit.status import Status

NO_RECORD_ENV = "IMEKIT_NO_RECORD"
_MAX_ATTACHMENT = 64 * 1024 * 1024


def recording_enabled(enabled: bool = True) -> bool:
    """False when the caller passed --no-record or IMEKIT_NO_RECORD is set to a true value."""
    flag = os.environ.get(NO_RECORD_ENV, "").strip().lower()
    return enabled and flag not in ("1", "true", "yes", "on")


def record_run(
    kind: str,
    *,
    controls: Mapping[str, Status | str],
    result: str,
    started: datetime | str,
    ended: datetime | str,
    citations: Iterable[str] = (),
    summary: Mapping[str, Any] | None = None,
    tool_versions: Mapping[str, str] | None = None,
    stack: str | None = None,
    program: str | Path | None = None,
    attachments: Mapping[str, bytes | Path] | None = None,
    store: EvidenceStore | str | Path | None = None,
    enabled: bool = True,
    manual: Mapping[str, Any] | None = None,
) -> Entry | None:
    """Append one entry for a finished run; None when recording is disabled.

    kind: "gate" | "policy-test" | "checkov" | "drill" | "manual".
    controls: control id -> the status this run established for it.
    result: the run's own verdict (e.g. "pass"/"fail" for a gate, "passed"/"failed"/
      "deviated" for a drill).
    program: the Pulumi program folder (or any folder in the repository); its git commit
      is captured. attachments: name -> bytes or a file path (e.g. the gate's JSON report).
    Raises ImekitError for malformed input or an unusable store (exit 2 at the CLI).
    """
    if not recording_enabled(enabled):
        return None
    if kind not in KINDS:
        raise ImekitError(f"unknown evidence kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    recorded_controls = _controls(controls)
    cited = {str(c) for c in citations}
    if not cited and recorded_controls:
        # Every entry names the Security Rule citations behind its controls, even when the
        # caller did not: an auditor filtering by citation must not miss a run.
        cited = set(_citations_of(recorded_controls))
    body: dict[str, Any] = {
        "schema": ENTRY_SCHEMA,
        "id": str(uuid.uuid4()),
        "kind": kind,
        "started": utc_timestamp(parse_timestamp(started)),
        "ended": utc_timestamp(parse_timestamp(ended)),
        "result": str(scrub(str(result))),
        "controls": recorded_controls,
        "citations": sorted(cited),
        "summary": scrub(dict(summary or {})),
        "tool_versions": scrub(_tool_versions(tool_versions)),
        "source": {"stack": stack, **_program_source(program)},
    }
    blobs: dict[str, bytes] = {}
    described = []
    for name, value in sorted((attachments or {}).items()):
        data = _attachment_bytes(name, value)
        sha = sha256_hex(data)
        blobs[sha] = data
        described.append({"name": name, "sha256": sha, "size": len(data)})
    body["attachments"] = described
    if manual is not None:
        body["manual"] = scrub(dict(manual))
    signer = load_signer(required=False)
    return open_store(store).append(body, blobs, signer)


def record_drill_journal(
    journal: Path | str | Mapping[str, Any],
    *,
    store: EvidenceStore | str | Path | None = None,
    program: str | Path | None = None,
    enabled: bool = True,
) -> Entry | None:
    """Record a drill journal (`imekit.drill-journal/v1`): its verdict per control, its
    measured RTO/RPO against targets in the summary, and the journal itself attached."""
    from imekit.evidence.journal import read_journal

    if not recording_enabled(enabled):
        return None
    drill = read_journal(journal)
    return record_run(
        "drill",
        controls=drill.controls,
        result=drill.status,
        started=drill.started,
        ended=drill.ended,
        summary=drill.summary(),
        tool_versions=drill.tool_versions,
        stack=None,
        program=program,
        attachments={"journal.json": drill.raw},
        store=store,
    )


def _citations_of(controls: Mapping[str, Any]) -> list[str]:
    """The catalog's citations of `controls` (ids the catalog does not know add none)."""
    table = _citation_table()
    return sorted({c for control in controls for c in table.get(control, ())})


_CITATIONS: dict[tuple[str, int], dict[str, tuple[str, ...]]] = {}


def _citation_table() -> dict[str, tuple[str, ...]]:
    """Control id -> citations, loaded once per process (and again if controls.yaml
    changes): recording many runs should not parse and validate the catalog each time."""
    from imekit.evidence.catalog_view import load_catalog_view
    from imekit.paths import controls_dir

    folder = controls_dir()
    try:
        stamp = (str(folder), (folder / "controls.yaml").stat().st_mtime_ns)
    except OSError:
        stamp = (str(folder), 0)
    if stamp not in _CITATIONS:
        catalog = load_catalog_view(folder)
        _CITATIONS.clear()
        _CITATIONS[stamp] = {c.id: c.citations for c in catalog.controls}
    return _CITATIONS[stamp]


def _controls(controls: Mapping[str, Status | str]) -> dict[str, str]:
    result = {}
    for control, status in controls.items():
        if not CONTROL_ID.match(str(control)):
            raise ImekitError(f"{control!r} is not a control id", hint="e.g. IME-ENC-01")
        try:
            result[str(control)] = Status(str(status)).value
        except ValueError as exc:
            allowed = ", ".join(s.value for s in Status)
            raise ImekitError(
                f"control {control} has unknown status {status!r}", hint=f"use one of {allowed}"
            ) from exc
    return result


def _tool_versions(given: Mapping[str, str] | None) -> dict[str, str]:
    versions = {"imekit": __version__, "python": platform.python_version()}
    versions.update({str(k): str(v) for k, v in (given or {}).items()})
    return versions


def _program_source(program: str | Path | None) -> dict[str, Any]:
    """The program folder and the git commit it was at (\"unknown\" outside git)."""
    if program is None:
        return {"program": None, "commit": "unknown", "dirty": None}
    folder = Path(program)
    folder = folder if folder.is_dir() else folder.parent
    commit, dirty = "unknown", None
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
            status = subprocess.run(
                [
                    "git",
                    "-C",
                    str(folder),
                    "status",
                    "--porcelain",
                    "--untracked-files=no",
                    "--",
                    ".",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"program": _display_path(folder), "commit": commit, "dirty": dirty}


def _display_path(folder: Path) -> str:
    # A path relative to the working directory: absolute home paths can name a person.
    try:
        return str(folder.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return folder.name or str(folder)


def _attachment_bytes(name: str, value: bytes | Path | str) -> bytes:
    if "/" in name or "\\" in name or name.startswith(".") or not name:
        raise ImekitError(f"attachment name {name!r} must be a plain file name")
    check_attachment_name(name)
    if isinstance(value, bytes):
        data = value
    else:
        path = Path(value)
        try:
            if path.stat().st_size > _MAX_ATTACHMENT:
                raise ImekitError(f"attachment {path} is larger than 64 MiB")
            data = path.read_bytes()
        except OSError as exc:
            raise ImekitError(f"cannot read attachment {path}: {exc.strerror}") from exc
    if name.endswith(".json"):
        try:
            parsed = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        if parsed is not None:
            cleaned = scrub(parsed)
            if cleaned != parsed:
                data = (json.dumps(cleaned, indent=2, sort_keys=True) + "\n").encode("utf-8")
            return data
    check_attachment(name, data)
    return data
