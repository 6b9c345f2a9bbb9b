"""CSV for spreadsheets: one row per control, one row per citation."""

from __future__ import annotations

import csv
import io

from imekit.evidence.status import StatusReport

CONTROL_COLUMNS = [
    "control_id",
    "title",
    "family",
    "status",
    "satisfied",
    "citations",
    "rego_rules",
    "checkov_checks",
    "drills",
    "manual_evidence",
    "inherited",
    "reasons",
    "entries",
]
CITATION_COLUMNS = ["citation", "title", "kind", "obligation", "status", "controls", "reason"]


def controls_csv(report: StatusReport) -> bytes:
    rows = []
    for item in report.controls:
        spec = item.control
        rows.append(
            {
                "control_id": spec.id,
                "title": spec.title,
                "family": spec.family,
                "status": item.status.value,
                "satisfied": "yes" if item.status.is_satisfied else "no",
                "citations": "; ".join(spec.citations),
                "rego_rules": "; ".join(spec.rego),
                "checkov_checks": "; ".join(spec.checkov),
                "drills": "; ".join(spec.drills),
                "manual_evidence": "; ".join(m.id for m in spec.manual),
                "inherited": "yes" if spec.inherited else "no",
                "reasons": " | ".join(
                    f"{p.name}: {p.status.value}, {p.reason}" for p in item.parts
                ),
                "entries": "; ".join(str(seq) for seq in item.entries),
            }
        )
    return _csv(CONTROL_COLUMNS, rows)


def citations_csv(report: StatusReport) -> bytes:
    rows = [
        {
            "citation": c.requirement.citation,
            "title": c.requirement.title,
            "kind": c.requirement.kind,
            "obligation": c.requirement.obligation,
            "status": c.status.value,
            "controls": "; ".join(c.controls),
            "reason": c.reason,
        }
        for c in report.citations
    ]
    return _csv(CITATION_COLUMNS, rows)


def _csv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        # A leading = + - @ would make a spreadsheet evaluate the cell as a formula.
        writer.writerow({k: _inert(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _inert(value: str) -> str:
    # Tab and carriage return also start a formula in some spreadsheets (OWASP CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
