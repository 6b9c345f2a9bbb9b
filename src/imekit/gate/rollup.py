"""Roll findings up into a status per check and per control, per stack and overall.

    fail            an unwaived mandatory finding
    unknown         the check could not be evaluated in some stack (never counted as pass)
    waived          every mandatory finding is covered by a live waiver
    pass            the check inspected at least one resource and no mandatory one failed
    not-applicable  no resource of the types the check inspects

Advisory findings are warnings by definition (Pulumi's `advisory` level, checkov ids the
catalog marks advisory): they are listed under their control and counted, but never
change its status. A control takes the worst status of its checks (imekit.status.worst);
its overall status is the worst over the gated stacks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from imekit.findings import MANDATORY, Finding
from imekit.gate.result import ControlResult, StackRun
from imekit.status import Status, worst


@dataclass(frozen=True)
class ControlSpec:
    """What the roll-up needs to know about one automated control."""

    control_id: str
    title: str
    citations: tuple[str, ...]
    checks: tuple[str, ...]
    # Documents the control also rests on (manual evidence ids) and drills exercising it.
    manual_evidence: tuple[str, ...] = ()
    drills: tuple[str, ...] = ()
    # False when the gate's checks support the control without deciding it: the control
    # rests on documents the gate cannot see, or none of its checks is mandatory.
    decided: bool = True


def check_status(check_id: str, run: StackRun, findings: Iterable[Finding]) -> Status:
    """The status of one check in one stack."""
    own = [f for f in findings if f.check_id == check_id and f.stack == run.stack]
    statuses = [f.status for f in own if f.enforcement == MANDATORY]
    if Status.FAIL in statuses:
        return Status.FAIL
    if check_id in run.unknown:
        return Status.UNKNOWN
    if statuses:
        return Status.WAIVED
    # A finding proves the check applied, even where its declared resource types are absent
    # (a stack rule reporting that something is missing).
    if run.inspected.get(check_id, 0) > 0 or own:
        return Status.PASS
    return Status.NOT_APPLICABLE


def roll_up(
    controls: Iterable[ControlSpec],
    runs: list[StackRun],
    findings: list[Finding],
) -> list[ControlResult]:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_check[f.check_id].append(f)
    results: list[ControlResult] = []
    for spec in controls:
        per_stack: dict[str, Status] = {}
        per_check: dict[str, list[Status]] = defaultdict(list)
        notes: list[str] = []
        for run in runs:
            statuses = []
            unknown: dict[str, list[str]] = defaultdict(list)  # reason -> checks
            for check in spec.checks:
                status = check_status(check, run, by_check.get(check, ()))
                statuses.append(status)
                per_check[check].append(status)
                if status is Status.UNKNOWN:
                    unknown[run.unknown[check]].append(check)
            for reason, checks in unknown.items():
                notes.append(f"{run.stack}: not evaluated ({reason}): {', '.join(checks)}")
            per_stack[run.stack] = worst(statuses)
        results.append(
            ControlResult(
                control_id=spec.control_id,
                title=spec.title,
                citations=spec.citations,
                checks=spec.checks,
                status=worst(list(per_stack.values())),
                stacks=per_stack,
                check_status={c: worst(per_check[c]) for c in spec.checks},
                notes=notes,
                manual_evidence=spec.manual_evidence,
                drills=spec.drills,
                decided=spec.decided,
            )
        )
    return results
