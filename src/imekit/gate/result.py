"""What one gate run found: the data every report (table, SARIF, JUnit, JSON, Markdown) reads."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit import exitcodes
from imekit.findings import ADVISORY, MANDATORY, Finding
from imekit.status import Status
from imekit.waivers import WaiverReport

REPORT_SCHEMA = "imekit.gate-report/v1"


@dataclass(frozen=True)
class CheckInfo:
    """One automated check, as the reports describe it."""

    check_id: str  # Rego rule name or checkov id: the id everywhere
    engine: str  # "rego" | "checkov"
    enforcement: str  # MANDATORY | ADVISORY, after the policy config
    control_ids: tuple[str, ...]
    title: str
    description: str = ""
    fix: str = ""  # what to change (the rule's METADATA custom.message)
    citations: tuple[str, ...] = ()  # 45 CFR sections of its controls
    help_uri: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.check_id,
            "engine": self.engine,
            "enforcement": self.enforcement,
            "controls": list(self.control_ids),
            "title": self.title,
            "description": self.description,
            "fix": self.fix,
            "citations": list(self.citations),
            "help_uri": self.help_uri,
        }


@dataclass
class StackRun:
    """One stack's evaluation: what was inspected and what could not be evaluated."""

    stack: str
    project: str
    source: dict[str, Any]
    resource_count: int
    inspected: dict[str, int] = field(default_factory=dict)  # check -> resources inspected
    unknown: dict[str, str] = field(default_factory=dict)  # check -> why not evaluated
    seconds: float = 0.0
    covered: set[str] = field(default_factory=set, repr=False)  # URNs some check inspected
    # Custom resources no check inspected, by type: what the gate cannot speak for.
    uninspected: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "project": self.project,
            "source": self.source,
            "resources": self.resource_count,
            "inspected": dict(sorted(self.inspected.items())),
            "unknown": dict(sorted(self.unknown.items())),
            "uninspected_types": dict(sorted(self.uninspected.items())),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class ControlResult:
    """One automated control's verdict, overall and per stack."""

    control_id: str
    title: str
    citations: tuple[str, ...]
    checks: tuple[str, ...]
    status: Status
    stacks: dict[str, Status] = field(default_factory=dict)
    check_status: dict[str, Status] = field(default_factory=dict)  # across stacks
    notes: list[str] = field(default_factory=list)
    manual_evidence: tuple[str, ...] = ()  # documents the control also rests on
    drills: tuple[str, ...] = ()
    # False: the status is that of the gate's checks alone; the control itself also rests
    # on documents the gate cannot see (or none of its checks is mandatory), so its
    # `not-applicable` or `pass` says nothing about the control as a whole.
    decided: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.control_id,
            "title": self.title,
            "citations": list(self.citations),
            "status": str(self.status),
            "decided_by_gate": self.decided,
            "rests_on": {
                "manual_evidence": list(self.manual_evidence),
                "drills": list(self.drills),
            },
            "stacks": {k: str(v) for k, v in self.stacks.items()},
            "checks": {
                c: str(self.check_status.get(c, Status.NOT_APPLICABLE)) for c in self.checks
            },
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ManualControl:
    """A control no automated check decides: evidenced by drills, documents, or AWS."""

    control_id: str
    title: str
    citations: tuple[str, ...]
    evidence: str  # "manual" | "drill" | "inherited"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.control_id,
            "title": self.title,
            "citations": list(self.citations),
            "evidence": self.evidence,
        }


@dataclass
class GateResult:
    stacks: list[StackRun]
    findings: list[Finding]
    checks: dict[str, CheckInfo]
    controls: list[ControlResult]
    manual: list[ManualControl]
    waivers: WaiverReport
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    tool_version: str = ""
    root: Path | None = None  # repository root that finding locations are relative to
    manifest: str = "Pulumi.yaml"  # the program's manifest, relative to root

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.FAIL and f.enforcement == ADVISORY]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.status is Status.WAIVED]

    @property
    def exit_code(self) -> int:
        """1 with any unwaived mandatory finding. Errors never reach a GateResult (exit 2)."""
        return exitcodes.VIOLATIONS if self.blocking else exitcodes.OK

    def findings_for(self, control_id: str) -> list[Finding]:
        return [f for f in self.findings if control_id in f.control_ids]

    @property
    def decided_controls(self) -> list[ControlResult]:
        return [c for c in self.controls if c.decided]

    @property
    def partial_controls(self) -> list[ControlResult]:
        """Controls the gate checks in part: the rest of their evidence is outside it."""
        return [c for c in self.controls if not c.decided]

    def summary(self) -> dict[str, Any]:
        counts = Counter(str(c.status) for c in self.controls)
        decided = Counter(str(c.status) for c in self.decided_controls)
        return {
            "verdict": "fail" if self.blocking else "pass",
            "exit_code": self.exit_code,
            "stacks": [s.stack for s in self.stacks],
            "resources": sum(s.resource_count for s in self.stacks),
            "findings": {
                "blocking": len(self.blocking),
                "advisory": len(self.advisory),
                "waived": len(self.waived),
                "total": len(self.findings),
            },
            "controls": {
                "automated": len(self.controls),
                **{str(s): counts.get(str(s), 0) for s in _CONTROL_STATUSES},
                "decided_by_gate": {
                    "total": len(self.decided_controls),
                    **{str(s): decided.get(str(s), 0) for s in _CONTROL_STATUSES},
                },
                "checked_in_part": len(self.partial_controls),
                "manual": len(self.manual),
            },
            "waivers": {
                "applied": len(self.waivers.applied),
                "expired": len(self.waivers.expired),
                "expiring_soon": len(self.waivers.expiring_soon),
                "unmatched": len(self.waivers.unmatched),
            },
            "seconds": round(sum(self.timings.values()), 3),
        }


_CONTROL_STATUSES = (
    Status.PASS,
    Status.FAIL,
    Status.WAIVED,
    Status.NOT_APPLICABLE,
    Status.UNKNOWN,
)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """A deterministic order, independent of the order resources were listed in."""
    return sorted(findings, key=lambda f: (f.stack, f.check_id, f.urn, f.message))


__all__ = [
    "ADVISORY",
    "MANDATORY",
    "REPORT_SCHEMA",
    "CheckInfo",
    "ControlResult",
    "GateResult",
    "ManualControl",
    "StackRun",
    "sort_findings",
]
