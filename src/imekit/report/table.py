"""The console report: one line per automated control, the failures under it with the fix."""

from __future__ import annotations

import re

import click

from imekit.findings import ADVISORY, Finding
from imekit.gate.result import ControlResult, GateResult, sort_findings
from imekit.status import Status

_STATUS_COLOURS = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.WAIVED: "yellow",
    Status.UNKNOWN: "magenta",
    Status.NOT_APPLICABLE: None,
}


_TITLE_WIDTH = 40


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


_TRAILING_URN = re.compile(r"\s*\(urn:pulumi:[^\s]+\)\s*$")


def display_message(message: str) -> str:
    """The message without the trailing `(urn:...)` stack rules add: the URN is shown apart."""
    return _TRAILING_URN.sub("", message)


def resource_label(urn: str) -> str:
    """`name (type)` from a URN, which is long and mostly repeated context."""
    parts = urn.split("::")
    if len(parts) >= 4:
        types = parts[2].split("$")[-1]
        return f"{parts[3]} ({types})"
    return urn


def _status_text(status: Status, colour: bool, *, checks_only: bool = False) -> str:
    text = str(status).upper() if status in (Status.FAIL, Status.UNKNOWN) else str(status)
    if checks_only:
        # The status of the gate's checks, not of the control: say so in the cell itself.
        text = "checks " + ("n/a" if status is Status.NOT_APPLICABLE else text)
    padded = f"{text:<15}"
    fg = _STATUS_COLOURS.get(status)
    return click.style(padded, fg=fg, bold=status is Status.FAIL) if colour and fg else padded


def _finding_lines(f: Finding, result: GateResult, multi_stack: bool) -> list[str]:
    mark = "~" if f.status is Status.WAIVED else "x" if f.blocking else "!"
    tag = " (advisory)" if f.enforcement == ADVISORY else ""
    where = f"{f.stack}: " if multi_stack else ""
    loc = f"  {f.location.file}:{f.location.line}" if f.location else ""
    lines = [f"    {mark} {f.check_id}{tag}  {where}{resource_label(f.urn)}{loc}"]
    lines.append(f"        {display_message(f.message)}")
    if f.status is Status.WAIVED and f.waiver:
        w = f.waiver
        lines.append(
            f"        waived by {w['id']} (approver {w['approver']}, expires {w['expires']}): "
            f"{w['justification']}"
        )
    for note in f.notes:
        lines.append(f"        note: {note}")
    return lines


def _control_block(
    control: ControlResult, result: GateResult, colour: bool, multi_stack: bool
) -> list[str]:
    citations = ", ".join(control.citations)
    title = _clip(control.title, _TITLE_WIDTH)
    status = _status_text(control.status, colour, checks_only=not control.decided)
    line = f"  {control.control_id:<11} {status} {title:<{_TITLE_WIDTH}} {citations}"
    advisory = [f for f in result.findings_for(control.control_id) if f.status is Status.FAIL
                and not f.blocking]
    if advisory:
        line += f"  [{len(advisory)} advisory]"
    if multi_stack and len(set(control.stacks.values())) > 1:
        line += "  [" + ", ".join(f"{s}: {st}" for s, st in control.stacks.items()) + "]"
    lines = [line]
    if not control.decided:
        lines.append(f"    + rests on {rests_on(control)}")
    fixes_shown: set[str] = set()
    for f in _blocking_first(result.findings_for(control.control_id)):
        lines.extend(_finding_lines(f, result, multi_stack))
        check = result.checks.get(f.check_id)
        if f.status is Status.FAIL and check and check.fix and f.check_id not in fixes_shown:
            fixes_shown.add(f.check_id)
            lines.append(f"        fix: {check.fix}")
    for note in control.notes:
        lines.append(f"    ? {note}")
    return lines


def _blocking_first(findings: list[Finding]) -> list[Finding]:
    """What blocks the gate first, then waived, then advisory findings; within each, in
    the order the program declares the resources."""

    def rank(f: Finding) -> tuple[int, str, str, int]:
        kind = 0 if f.blocking else 1 if f.status is Status.WAIVED else 2
        file, line = (f.location.file, f.location.line) if f.location else ("", 0)
        return (kind, f.stack, file, line)

    return sorted(sort_findings(findings), key=rank)


def rests_on(control: ControlResult) -> str:
    """What else a control checked in part rests on, beyond the gate's checks."""
    parts = []
    if control.manual_evidence:
        parts.append("evidence " + ", ".join(control.manual_evidence))
    if control.drills:
        parts.append(f"{len(control.drills)} drill(s)")
    return " and ".join(parts) or "the gate's advisory checks only (none is mandatory)"


def render_table(result: GateResult, *, colour: bool = False) -> str:
    multi_stack = len(result.stacks) > 1
    out: list[str] = []
    for run in result.stacks:
        kind = run.source.get("kind", "graph")
        out.append(
            f"Stack {run.stack} of {run.project}: {run.resource_count} resources ({kind})"
        )
        if run.uninspected:
            # What the verdict does not speak for: a PHI store of a type no check knows
            # would otherwise pass unseen.
            count = sum(run.uninspected.values())
            types = ", ".join(f"{t} ({n})" for t, n in run.uninspected.items())
            out.append(f"  not inspected by any check: {count} resource(s): {types}")
    out.append("")
    out.append(f"  {'Control':<11} {'Status':<15} {'':<{_TITLE_WIDTH}} Citations (45 CFR)")
    for control in result.decided_controls:
        out.extend(_control_block(control, result, colour, multi_stack))
    if result.partial_controls:
        out.append("")
        out.append(
            "Checked in part: the status is that of the gate's checks alone; each control "
            "also rests on the evidence named (`imekit evidence status`)."
        )
        for control in result.partial_controls:
            out.extend(_control_block(control, result, colour, multi_stack))

    # Findings of checks no catalog control claims must still be seen.
    orphans = [f for f in result.findings if not f.control_ids]
    if orphans:
        out.append("  (no control)")
        for f in sort_findings(orphans):
            out.extend(_finding_lines(f, result, multi_stack))

    if result.manual:
        by_kind: dict[str, list[str]] = {}
        for m in result.manual:
            by_kind.setdefault(m.evidence, []).append(m.control_id)
        out.append("")
        parts = [f"{len(ids)} {kind}" for kind, ids in sorted(by_kind.items())]
        out.append(
            f"Not decided by the gate: {len(result.manual)} controls ({', '.join(parts)}); "
            "their evidence is kept by `imekit evidence` and `imekit drill`."
        )

    out.extend(_waiver_lines(result))
    out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _waiver_lines(result: GateResult) -> list[str]:
    report = result.waivers
    if not report.total:
        return []
    lines = [
        "",
        f"Waivers ({report.source}): {len(report.applied)} applied, {len(report.expired)} "
        f"expired, {len(report.expiring_soon)} expiring within 30 days, "
        f"{len(report.unmatched)} unmatched",
    ]
    for use in report.expired:
        lines.append(f"  expired   {use.waiver.id} ({use.waiver.rule}): {use.note}")
    for use in report.expiring_soon:
        lines.append(
            f"  expiring  {use.waiver.id} ({use.waiver.rule}): {use.note}, on "
            f"{use.waiver.expires.isoformat()}"
        )
    for use in report.unmatched:
        lines.append(f"  unmatched {use.waiver.id} ({use.waiver.rule}): {use.note}")
    return lines


def summary_line(result: GateResult) -> str:
    s = result.summary()
    c = s["controls"]
    d = c["decided_by_gate"]
    counts = (
        f"{d['pass']} pass, {d['fail']} fail, {d['waived']} waived, "
        f"{d['not-applicable']} not applicable, {d['unknown']} unknown"
    )
    f = s["findings"]
    if result.blocking:
        verdict = (
            f"FAIL: {f['blocking']} blocking finding(s), {f['advisory']} advisory, "
            f"{f['waived']} waived"
        )
    else:
        verdict = f"PASS: no blocking finding ({f['advisory']} advisory, {f['waived']} waived)"
    partial = f"; {c['checked_in_part']} checked in part" if c["checked_in_part"] else ""
    return (
        f"{verdict}. Controls: {counts}{partial}; {c['manual']} not automated. "
        f"Exit {result.exit_code}."
    )
