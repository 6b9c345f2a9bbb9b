"""JUnit XML, the format every CI server renders as a test report.

One <testsuite> per stack. A check with no finding in that stack is one <testcase> (passed,
or <skipped> when no resource of its types exists, or <error> when it could not be
evaluated); a check with findings gets one <testcase> per finding: <failure> when it
blocks the gate, <skipped type="advisory"> for an advisory finding (a warning, as in
Pulumi), <skipped type="waived"> when a live waiver covers it. So the report's failures
are exactly the gate's blocking findings: a CI server that marks a build unstable on any
failure agrees with the exit code, and advisory findings stay listed, never green.

Class names are `<stack>.<control>`, so the same check in two stacks is two test cases
that CI servers keep apart; a test case's name is unique within its suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from imekit.findings import Finding
from imekit.gate.result import GateResult, StackRun, sort_findings
from imekit.gate.rollup import check_status
from imekit.report.table import resource_label
from imekit.status import Status


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _finding_case(f: Finding, name: str, classname: str, fix: str) -> ET.Element:
    case = ET.Element("testcase", {"name": name, "classname": classname})
    if f.status is Status.WAIVED and f.waiver:
        w = f.waiver
        ET.SubElement(
            case,
            "skipped",
            {
                "type": "waived",
                "message": f"waived by {w['id']} until {w['expires']}: {w['justification']}",
            },
        ).text = f"{f.message}\nresource: {f.urn}\napprover: {w['approver']}"
        return case
    body = [f.message, f"resource: {f.urn}"]
    if f.location:
        body.append(f"declared at: {f.location.file}:{f.location.line}")
    if fix:
        body.append(f"fix: {fix}")
    body.extend(f"note: {n}" for n in f.notes)
    if f.blocking:
        ET.SubElement(case, "failure", {"type": f.enforcement, "message": f.message}).text = (
            "\n".join(body)
        )
    else:
        ET.SubElement(
            case, "skipped", {"type": "advisory", "message": f"advisory: {f.message}"}
        ).text = "\n".join(body)
    return case


def _unique(name: str, used: dict[str, int]) -> str:
    """The name, or the name with ` #2`, ` #3`... when the suite already has it (one check
    can report several findings on one resource)."""
    used[name] = used.get(name, 0) + 1
    return name if used[name] == 1 else f"{name} #{used[name]}"


def _suite(result: GateResult, run: StackRun) -> ET.Element:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in sort_findings(result.findings):
        if f.stack == run.stack:
            by_check[f.check_id].append(f)
    cases: list[ET.Element] = []
    used: dict[str, int] = {}
    for check_id in sorted(set(result.checks) | set(by_check)):
        info = result.checks.get(check_id)
        control = "+".join(info.control_ids) if info and info.control_ids else "no-control"
        classname = f"{run.stack}.{control}"
        findings = by_check.get(check_id, [])
        if findings:
            fix = info.fix if info else ""
            for f in findings:
                name = _unique(f"{f.check_id} {resource_label(f.urn)}", used)
                cases.append(_finding_case(f, name, classname, fix))
            continue
        case = ET.Element("testcase", {"name": _unique(check_id, used), "classname": classname})
        status = check_status(check_id, run, ())
        if status is Status.NOT_APPLICABLE:
            ET.SubElement(
                case,
                "skipped",
                {"type": "not-applicable", "message": "no resource of the types it inspects"},
            )
        elif status is Status.UNKNOWN:
            ET.SubElement(
                case, "error", {"type": "unknown", "message": run.unknown.get(check_id, "")}
            )
        cases.append(case)
    suite = ET.Element(
        "testsuite",
        {
            "name": f"{run.project}/{run.stack}",
            "tests": str(len(cases)),
            "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
            "errors": str(sum(1 for c in cases if c.find("error") is not None)),
            "skipped": str(sum(1 for c in cases if c.find("skipped") is not None)),
            "time": _seconds(run.seconds),
            "timestamp": result.started_at.strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "resources", "value": str(run.resource_count)})
    ET.SubElement(
        properties, "property", {"name": "source", "value": str(run.source.get("kind", ""))}
    )
    suite.extend(cases)
    return suite


def build_junit(result: GateResult) -> ET.Element:
    suites = [_suite(result, run) for run in result.stacks]
    root = ET.Element(
        "testsuites",
        {
            "name": "imekit gate",
            "tests": str(sum(int(s.get("tests", "0")) for s in suites)),
            "failures": str(sum(int(s.get("failures", "0")) for s in suites)),
            "errors": str(sum(int(s.get("errors", "0")) for s in suites)),
            "time": _seconds(sum(result.timings.values())),
        },
    )
    root.extend(suites)
    return root


def write_junit(result: GateResult, path: Path) -> None:
    tree = ET.ElementTree(build_junit(result))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
