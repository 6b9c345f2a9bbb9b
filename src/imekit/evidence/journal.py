"""Reading drill journals (`imekit.drill-journal/v1`, written by `imekit drill run`) into
what the evidence record keeps.

The journal is validated with the drills package's own schema check
(imekit.drills.journal), kept whole as an attachment, and the entry lifts out what status
and reports need: the drill, its verdict, the controls it exercised and the measured RTO
and RPO against their targets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.status import Status

JOURNAL_SCHEMA = "imekit.drill-journal/v1"
# Only a passed run counts as a pass for its controls (imekit.drills.journal.control_status).
DRILL_STATUSES = {"passed": Status.PASS, "failed": Status.FAIL, "deviated": Status.FAIL}


@dataclass(frozen=True)
class Measure:
    measured_seconds: float | None
    target_seconds: float | None
    met: bool | None
    basis: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "measured_seconds": self.measured_seconds,
            "target_seconds": self.target_seconds,
            "met": self.met,
            "basis": self.basis,
        }


@dataclass
class DrillRecord:
    drill: str
    title: str
    kind: str  # technical | tabletop
    run_id: str
    status: str  # passed | failed | deviated
    started: str
    ended: str
    controls: dict[str, Status]
    target: str
    region: str | None
    account: str | None
    reasons: list[str]
    tool_versions: dict[str, str]
    measures: dict[str, Measure] = field(default_factory=dict)  # "rto", "rpo"
    raw: bytes = b""

    def summary(self) -> dict[str, Any]:
        return {
            "drill": self.drill,
            "title": self.title,
            "drill_kind": self.kind,
            "run_id": self.run_id,
            "status": self.status,
            "target": self.target,
            "account": self.account,
            "region": self.region,
            "reasons": self.reasons,
            **{name: measure.to_json() for name, measure in self.measures.items()},
        }


def read_journal(journal: Path | str | Mapping[str, Any]) -> DrillRecord:
    """Read and validate a journal (a file, or an already parsed document)."""
    from imekit.drills.journal import load_journal, validate_journal

    if isinstance(journal, Mapping):
        doc = dict(journal)
        if doc.get("schema") != JOURNAL_SCHEMA:
            raise ImekitError(f"not a drill journal of schema {JOURNAL_SCHEMA}")
        problems = validate_journal(doc)
        if problems:
            raise ImekitError(f"invalid drill journal: {'; '.join(problems[:5])}")
        raw = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
    else:
        path = Path(journal)
        doc = load_journal(path)
        raw = path.read_bytes()
    status = str(doc["status"])
    verdict = DRILL_STATUSES[status]
    return DrillRecord(
        drill=str(doc["drill"]),
        title=str(doc.get("title", "")),
        kind=str(doc.get("kind", "")),
        run_id=str(doc["run_id"]),
        status=status,
        started=str(doc["started_at"]),
        ended=str(doc["ended_at"]),
        controls={str(c): verdict for c in doc["control_ids"]},
        target=str(doc["target"]),
        region=doc.get("region"),
        account=doc.get("account"),
        reasons=[str(r) for r in doc.get("reasons") or []],
        tool_versions={str(k): str(v) for k, v in (doc.get("tools") or {}).items() if v},
        measures={
            name: Measure(
                _seconds(objective.get("measured_seconds")),
                _seconds(objective.get("target_seconds")),
                objective.get("met"),
                str(objective.get("basis", "")),
            )
            for name, objective in (doc.get("objectives") or {}).items()
            if name in ("rto", "rpo") and isinstance(objective, dict)
        },
        raw=raw,
    )


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
