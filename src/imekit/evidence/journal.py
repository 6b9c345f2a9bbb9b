"""Reading drill journals (`imekit.drill-journal/v1`) into what evidence records.

A journal is written by `imekit drill run`. Evidence keeps the whole journal as an
attachment and lifts into the entry what status and reports need: the drill, its verdict,
the controls it exercised and the measured RTO/RPO against their targets.
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
DRILL_STATUSES = {"passed": Status.PASS, "failed": Status.FAIL, "deviated": Status.FAIL}


@dataclass(frozen=True)
class Measure:
    measured_seconds: float | None
    target_seconds: float | None

    @property
    def met(self) -> bool | None:
        if self.measured_seconds is None or self.target_seconds is None:
            return None
        return self.measured_seconds <= self.target_seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "measured_seconds": self.measured_seconds,
            "target_seconds": self.target_seconds,
            "met": self.met,
        }


@dataclass
class DrillRecord:
    drill: str
    run_id: str
    status: str  # passed | failed | deviated
    started: str
    ended: str
    controls: dict[str, Status]
    citations: list[str]
    target: str | None
    tool_versions: dict[str, str]
    measures: dict[str, Measure] = field(default_factory=dict)  # "rto", "rpo"
    raw: bytes = b""

    def summary(self) -> dict[str, Any]:
        return {
            "drill": self.drill,
            "run_id": self.run_id,
            "status": self.status,
            "target": self.target,
            **{name: measure.to_json() for name, measure in self.measures.items()},
        }


def read_journal(journal: Path | str | Mapping[str, Any]) -> DrillRecord:
    if isinstance(journal, Mapping):
        doc: Any = dict(journal)
        raw = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")
        where = "the drill journal"
    else:
        path = Path(journal)
        where = str(path)
        try:
            raw = path.read_bytes()
            doc = json.loads(raw)
        except OSError as exc:
            raise ImekitError(f"cannot read drill journal {path}: {exc.strerror}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImekitError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("schema") != JOURNAL_SCHEMA:
        raise ImekitError(
            f"{where} is not a drill journal (schema {JOURNAL_SCHEMA})",
            hint="pass a journal written by `imekit drill run` (default folder ./journals/)",
        )
    status = str(doc.get("status", ""))
    if status not in DRILL_STATUSES:
        raise ImekitError(
            f"{where}: drill status {status!r} is not passed, failed or deviated",
            hint="an unfinished drill cannot be recorded as evidence",
        )
    started = _first(doc, "started", "start", "started_at")
    ended = _first(doc, "ended", "end", "ended_at")
    drill = _first(doc, "drill", "name")
    if not (started and ended and drill):
        raise ImekitError(f"{where}: the journal lacks its drill name, start or end time")
    return DrillRecord(
        drill=str(drill),
        run_id=str(_first(doc, "run_id", "id", "run") or ""),
        status=status,
        started=str(started),
        ended=str(ended),
        controls=_controls(doc.get("controls"), DRILL_STATUSES[status]),
        citations=[str(c) for c in doc.get("citations") or []],
        target=_target(doc),
        tool_versions={str(k): str(v) for k, v in (doc.get("tool_versions") or {}).items()},
        measures={
            name: measure for name in ("rto", "rpo") if (measure := _measure(doc, name)) is not None
        },
        raw=raw,
    )


def _first(doc: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if doc.get(key) not in (None, ""):
            return doc[key]
    return None


def _controls(value: Any, verdict: Status) -> dict[str, Status]:
    if isinstance(value, dict):
        return {str(k): Status(str(v)) if v else verdict for k, v in value.items()}
    return {str(c): verdict for c in value or []}


def _target(doc: Mapping[str, Any]) -> str | None:
    target = doc.get("target")
    if isinstance(target, dict):
        target = target.get("name") or target.get("kind")
    return str(target) if target else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _measure(doc: Mapping[str, Any], name: str) -> Measure | None:
    """RTO/RPO in the shapes a journal may use: {"rto": {"measured_seconds", "target_seconds"}},
    {"measurements": {"rto": {...}}}, or flat "rto_seconds" with "targets": {"rto_seconds"}."""
    candidates = [doc.get(name), (doc.get("measurements") or {}).get(name)]
    for value in candidates:
        if isinstance(value, dict):
            measured = _seconds(_first(value, "measured_seconds", "measured", "actual_seconds"))
            target = _seconds(_first(value, "target_seconds", "target"))
            if measured is not None or target is not None:
                return Measure(measured, target)
    measured = _seconds(doc.get(f"{name}_seconds"))
    target = _seconds((doc.get("targets") or {}).get(f"{name}_seconds"))
    if measured is not None or target is not None:
        return Measure(measured, target)
    return None
