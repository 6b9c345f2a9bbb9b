"""A short Markdown summary for a pull-request comment.

The verdict first, then the blocking failures with their fixes and the per-control
tables (controls the gate decides, then controls it checks in part); everything else
(advisory and waived findings, waivers, manual controls) is folded in <details>.
Long lists are cut so the comment stays within what code hosts accept.
"""

from __future__ import annotations

import html
from pathlib import Path

from imekit.findings import Finding
from imekit.gate.result import ControlResult, GateResult, sort_findings
from imekit.report.table import display_message, resource_label, rests_on
from imekit.status import Status

MAX_LISTED = 50  # findings per section; the JSON and SARIF reports carry them all
# GitHub refuses a comment over 65,536 characters: stay under it with room to spare.
MAX_CHARS = 60_000

_BADGE = {
    Status.PASS: "pass",
    Status.FAIL: "**FAIL**",
    Status.WAIVED: "waived",
    Status.NOT_APPLICABLE: "not applicable",
    Status.UNKNOWN: "**unknown**",
}


def _cell(text: str) -> str:
    """Text safe inside a table cell and the comment's HTML.

    Messages carry resource names and property values from the program under review: an
    unescaped `<!--` or `</details>` there would hide the findings after it from the
    pull-request comment, so HTML is escaped, not trusted.
    """
    text = html.escape(text, quote=False)
    return text.replace("|", "\\|").replace("\n", " ")


def _finding_item(f: Finding, result: GateResult, multi_stack: bool) -> str:
    where = f"`{f.stack}` " if multi_stack else ""
    loc = f" ({_cell(f.location.file)}:{f.location.line})" if f.location else ""
    message = _cell(display_message(f.message))
    line = f"- `{f.check_id}` {where}{_cell(resource_label(f.urn))}{loc}: {message}"
    check = result.checks.get(f.check_id)
    if check and check.citations:
        line += f" (45 CFR {_cell(', '.join(check.citations))})"
    if f.status is Status.FAIL and check and check.fix:
        line += f"  \n  Fix: {_cell(check.fix)}"
    if f.status is Status.WAIVED and f.waiver:
        w = f.waiver
        line += (
            f"  \n  Waived by {_cell(w['id'])} (approver {_cell(w['approver'])}, expires "
            f"{w['expires']}): {_cell(w['justification'])}"
        )
    for note in f.notes:
        line += f"  \n  Note: {_cell(note)}"
    return line


def _in_code_order(findings: list[Finding]) -> list[Finding]:
    """By stack, then where the program declares the resource: the order an author fixes
    them in, one file at a time."""
    return sorted(
        sort_findings(findings),
        key=lambda f: (
            f.stack,
            f.location.file if f.location else "",
            f.location.line if f.location else 0,
        ),
    )


def _listed(
    findings: list[Finding], result: GateResult, multi_stack: bool, limit: int
) -> list[str]:
    findings = _in_code_order(findings)
    lines = [_finding_item(f, result, multi_stack) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"- ... and {len(findings) - limit} more (see the JSON or SARIF report)")
    return lines


def _findings_cell(result: GateResult, control: ControlResult) -> str:
    own = result.findings_for(control.control_id)
    blocking = sum(1 for x in own if x.blocking)
    advisory = sum(1 for x in own if x.status is Status.FAIL and not x.blocking)
    parts = [str(blocking)] if blocking else []
    if advisory:
        parts.append(f"({advisory} advisory)")
    return " ".join(parts)


def _badge(status: Status) -> str:
    return _BADGE.get(status, str(status))


def render_markdown(result: GateResult) -> str:
    """The comment, listing fewer findings per section until it fits a code host's limit."""
    limit = MAX_LISTED
    text = _render(result, limit)
    while len(text) > MAX_CHARS and limit > 0:
        limit //= 2
        text = _render(result, limit)
    return text


def _render(result: GateResult, limit: int) -> str:
    s = result.summary()
    multi_stack = len(result.stacks) > 1
    stacks = ", ".join(f"`{r.stack}` ({r.resource_count} resources)" for r in result.stacks)
    f = s["findings"]
    if result.blocking:
        head = f"### imekit gate: failed, {f['blocking']} blocking finding(s)"
    else:
        head = "### imekit gate: passed"
    c = s["controls"]
    d = c["decided_by_gate"]
    partial = f"{c['checked_in_part']} checked in part; " if c["checked_in_part"] else ""
    out = [
        head,
        "",
        f"Stacks: {stacks}. Controls decided by the gate: {d['pass']} pass, {d['fail']} fail, "
        f"{d['waived']} waived, {d['not-applicable']} not applicable, {d['unknown']} unknown; "
        f"{partial}{c['manual']} not automated. Findings: {f['blocking']} blocking, "
        f"{f['advisory']} advisory, {f['waived']} waived.",
    ]
    # What the author must fix comes first; the per-control picture follows.
    blocking = sort_findings(result.blocking)
    if blocking:
        out += ["", "#### Blocking failures", ""]
        out += _listed(blocking, result, multi_stack, limit)
    out += [
        "",
        "| Control | Status | HIPAA Security Rule (45 CFR) | Findings |",
        "|---|---|---|---|",
    ]
    for control in result.decided_controls:
        out.append(
            f"| {control.control_id} {_cell(control.title)} | {_badge(control.status)} | "
            f"{_cell(', '.join(control.citations))} | {_findings_cell(result, control)} |"
        )
    if result.partial_controls:
        out += [
            "",
            "Checked in part: the gate's checks support these controls; each also rests on "
            "the evidence named, which the gate does not see (`imekit evidence status`).",
            "",
            "| Control | Its checks | HIPAA Security Rule (45 CFR) | Also rests on | Findings |",
            "|---|---|---|---|---|",
        ]
        for control in result.partial_controls:
            checks = (
                "no resource to check"
                if control.status is Status.NOT_APPLICABLE
                else _badge(control.status)
            )
            out.append(
                f"| {control.control_id} {_cell(control.title)} | {checks} | "
                f"{_cell(', '.join(control.citations))} | {_cell(rests_on(control))} | "
                f"{_findings_cell(result, control)} |"
            )
    advisory = sort_findings(result.advisory)
    if advisory:
        out += ["", f"<details><summary>Advisory findings ({len(advisory)})</summary>", ""]
        out += _listed(advisory, result, multi_stack, limit)
        out += ["", "</details>"]
    waived = sort_findings(result.waived)
    if waived:
        out += ["", f"<details><summary>Waived findings ({len(waived)})</summary>", ""]
        out += _listed(waived, result, multi_stack, limit)
        out += ["", "</details>"]
    out += _waivers(result)
    uninspected = [
        f"- `{r.stack}`: " + ", ".join(f"`{_cell(t)}` ({n})" for t, n in r.uninspected.items())
        for r in result.stacks
        if r.uninspected
    ]
    if uninspected:
        count = sum(sum(r.uninspected.values()) for r in result.stacks)
        out += [
            "",
            f"<details><summary>Resources no check inspects ({count})</summary>",
            "",
            *uninspected,
            "",
            "</details>",
        ]
    unknown = [n for control in result.controls for n in control.notes]
    if unknown:
        out += ["", "<details><summary>Not evaluated</summary>", ""]
        out += [f"- {_cell(n)}" for n in unknown]
        out += ["", "</details>"]
    if result.manual:
        out += [
            "",
            f"<details><summary>Controls not decided by the gate ({len(result.manual)})"
            "</summary>",
            "",
        ]
        out += [
            f"- {m.control_id} {_cell(m.title)} ({m.evidence}; {_cell(', '.join(m.citations))})"
            for m in result.manual
        ]
        out += ["", "</details>"]
    out += ["", f"Exit code {result.exit_code}. Took {s['seconds']:.1f} s."]
    return "\n".join(out) + "\n"


def _waivers(result: GateResult) -> list[str]:
    report = result.waivers
    if not report.total:
        return []
    out = [
        "",
        f"<details><summary>Waivers: {len(report.applied)} applied, {len(report.expired)} "
        f"expired, {len(report.expiring_soon)} expiring within 30 days, "
        f"{len(report.unmatched)} unmatched</summary>",
        "",
        "| Waiver | Check | Expires | State |",
        "|---|---|---|---|",
    ]
    soon = {u.waiver.id for u in report.expiring_soon}
    rows = (
        [(u, "applied") for u in report.applied]
        + [(u, "expired") for u in report.expired]
        + [(u, "unmatched") for u in report.unmatched]
    )
    for use, state in rows:
        w = use.waiver
        label = state + (", expiring soon" if w.id in soon else "")
        note = f": {_cell(use.note)}" if use.note and state != "applied" else ""
        out.append(f"| {_cell(w.id)} | `{w.rule}` | {w.expires.isoformat()} | {label}{note} |")
    out += ["", "</details>"]
    return out


def write_markdown(result: GateResult, path: Path) -> None:
    path.write_text(render_markdown(result), encoding="utf-8")
