"""Writing the requested reports and recording the run as evidence."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.gate.result import GateResult


def _write(kind: str, path: Path, writer: Any) -> None:
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        writer(path)
    except OSError as exc:
        raise ImekitError(
            f"cannot write the {kind} report to {path}: {exc.strerror}",
            hint="check the folder exists and is writable",
        ) from exc


def _check_writable(kind: str, path: Path) -> None:
    """Fail before the gate runs when a report could not be written where asked."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # write_reports creates the missing folders below it
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ImekitError(
            f"cannot write the {kind} report to {path}: {folder} is not a writable folder",
            hint="check the folder exists and is writable",
        )
    if path.exists() and (path.is_dir() or not os.access(path, os.W_OK)):
        raise ImekitError(
            f"cannot write the {kind} report to {path}: not a writable file",
            hint="check the path",
        )


def check_report_paths(reports: dict[str, Path | None], inputs: list[Path]) -> None:
    """Refuse, before anything runs, two reports on one path or a report over an input.

    Either would leave a CI job with a report that is not the one it asked for: the JSON
    overwritten by the SARIF, or the waiver file replaced by a report.
    """
    seen: dict[Path, str] = {}
    for kind, path in reports.items():
        if path is None:
            continue
        _check_writable(kind, path)
        key = path.resolve()
        if key in seen:
            raise ImekitError(
                f"the {seen[key]} and {kind} reports would both be written to {path}",
                hint="give each report its own path",
            )
        seen[key] = kind
    for source in inputs:
        kind = seen.get(source.resolve())
        if kind is not None:
            raise ImekitError(
                f"the {kind} report would overwrite the input file {source}",
                hint="write the report somewhere else",
            )


def write_reports(
    result: GateResult,
    *,
    sarif: Path | None = None,
    junit: Path | None = None,
    json_file: Path | None = None,
    markdown: Path | None = None,
) -> list[tuple[str, Path]]:
    """Write each requested report; an unwritable path is an error (exit 2)."""
    from imekit.report.json_report import write_json
    from imekit.report.junit import write_junit
    from imekit.report.markdown import write_markdown
    from imekit.report.sarif import write_sarif

    written: list[tuple[str, Path]] = []
    if sarif is not None:
        _write(
            "SARIF",
            sarif,
            lambda p: write_sarif(result, p, root=result.root, fallback_uri=result.manifest),
        )
        written.append(("SARIF", sarif))
    if junit is not None:
        _write("JUnit", junit, lambda p: write_junit(result, p))
        written.append(("JUnit", junit))
    if json_file is not None:
        _write("JSON", json_file, lambda p: write_json(result, p))
        written.append(("JSON", json_file))
    if markdown is not None:
        _write("Markdown", markdown, lambda p: write_markdown(result, p))
        written.append(("Markdown", markdown))
    return written


def record_run(result: GateResult, *, program_dir: Path | None, enabled: bool) -> Any:
    """Append the run to the evidence record (unless disabled); returns the entry or None."""
    from imekit.evidence import record_run as record
    from imekit.report.json_report import build_json

    citations = sorted({c for control in result.controls for c in control.citations})
    ended = result.started_at.timestamp() + sum(result.timings.values())
    report = json.dumps(build_json(result), indent=2, ensure_ascii=False).encode("utf-8")
    return record(
        "gate",
        controls={c.control_id: c.status for c in result.controls},
        result="fail" if result.blocking else "pass",
        started=result.started_at,
        ended=dt.datetime.fromtimestamp(ended, dt.UTC),
        citations=citations,
        summary=result.summary(),
        tool_versions=_tool_versions(result),
        stack=",".join(s.stack for s in result.stacks),
        program=program_dir or result.root,
        attachments={"gate-report.json": report},
        enabled=enabled,
    )


def _tool_versions(result: GateResult) -> dict[str, str]:
    versions = {"imekit": result.tool_version}
    rego = result.engines.get("rego", {})
    if rego.get("pack_version"):
        versions["policy-pack"] = str(rego["pack_version"])
    checkov = result.engines.get("checkov", {})
    if checkov.get("checkov_version"):
        versions["checkov"] = str(checkov["checkov_version"])
    for run in result.stacks:
        for name, version in (run.source.get("sdk") or {}).items():
            versions[name] = str(version)
    return versions
