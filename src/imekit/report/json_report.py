"""The machine-readable report (schema `imekit.gate-report/v1`).

    {"schema", "tool": {"name", "version"}, "generated_at", "exit_code",
     "stacks": [...], "engines": {...}, "checks": {<id>: {...}},
     "findings": [...], "controls": [...], "manual_controls": [...],
     "waivers": {"applied", "expired", "expiring_soon", "unmatched"}, "summary": {...},
     "timings": {...}}

Findings keep their status (fail or waived) and carry the check's citations, so a
consumer never has to join against the catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imekit.gate.result import REPORT_SCHEMA, GateResult, sort_findings


def build_json(result: GateResult) -> dict[str, Any]:
    findings = []
    for f in sort_findings(result.findings):
        item = f.to_json()
        check = result.checks.get(f.check_id)
        item["citations"] = list(check.citations) if check else []
        item["fix"] = check.fix if check else ""
        item["blocking"] = f.blocking
        findings.append(item)
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "imekit", "version": result.tool_version},
        "generated_at": result.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_code": result.exit_code,
        "stacks": [s.to_json() for s in result.stacks],
        "engines": result.engines,
        "checks": {c: result.checks[c].to_json() for c in sorted(result.checks)},
        "findings": findings,
        "controls": [c.to_json() for c in result.controls],
        "manual_controls": [m.to_json() for m in result.manual],
        "waivers": result.waivers.to_json(),
        "summary": result.summary(),
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
    }


def write_json(result: GateResult, path: Path) -> None:
    text = json.dumps(build_json(result), indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
