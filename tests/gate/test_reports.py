"""Every report format, from one synthetic gate result: valid, complete, stable."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
from gate_support import CONTROLS, make_result

from imekit.findings import Finding, Location
from imekit.gate.result import GateResult
from imekit.report.json_report import build_json, write_json
from imekit.report.junit import build_junit, write_junit
from imekit.report.markdown import render_markdown
from imekit.report.sarif import FINGERPRINT_KEY, build_sarif, write_sarif
from imekit.report.table import render_table


def test_sarif_validates_against_the_official_schema(
    result: GateResult, sarif_schema: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "gate.sarif"
    write_sarif(result, path, root=tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    assert data["version"] == "2.1.0"


def test_sarif_schema_check_can_fail(result: GateResult, sarif_schema: dict[str, Any]) -> None:
    data = build_sarif(result)
    data["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft4Validator(sarif_schema).iter_errors(data))


def test_sarif_rules_carry_help_and_citations(result: GateResult) -> None:
    run = build_sarif(result)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(result.checks)
    rds = rules["deny_rds_public"]
    assert rds["properties"]["citations"] == ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
    assert rds["properties"]["controls"] == ["IME-ACC-01"]
    assert "45 CFR 164.312(a)(1)" in rds["help"]["text"]
    assert "publiclyAccessible=False" in rds["help"]["markdown"]
    assert rds["defaultConfiguration"]["level"] == "error"
    assert rules["stack_warn_security_alarms"]["defaultConfiguration"]["level"] == "warning"


def test_sarif_results_levels_locations_and_suppressions(
    result: GateResult, tmp_path: Path
) -> None:
    run = build_sarif(result, root=tmp_path)["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert len(run["results"]) == len(result.findings)
    assert by_rule["deny_rds_public"]["level"] == "error"
    assert by_rule["stack_warn_security_alarms"]["level"] == "warning"
    loc = by_rule["deny_rds_public"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "infra/components/data.py", "uriBaseId": "REPOROOT"}
    assert loc["region"]["startLine"] == 40
    assert run["originalUriBaseIds"]["REPOROOT"]["uri"].endswith("/")
    waived = by_rule["deny_kms_key_rotation"]
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "W-1" in waived["suppressions"][0]["justification"]
    assert "suppressions" not in by_rule["deny_rds_public"]
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_fingerprints_are_stable_when_resources_are_reordered() -> None:
    first = make_result()
    second = make_result()
    random.Random(7).shuffle(second.findings)
    a = build_sarif(first)["runs"][0]["results"]
    b = build_sarif(second)["runs"][0]["results"]
    fa = [r["partialFingerprints"][FINGERPRINT_KEY] for r in a]
    fb = [r["partialFingerprints"][FINGERPRINT_KEY] for r in b]
    assert fa == fb
    assert len(set(fa)) == len(fa)  # distinct findings, distinct fingerprints


def test_sarif_result_without_location_points_at_the_manifest(result: GateResult) -> None:
    for f in result.findings:
        f.location = None
    run = build_sarif(result, fallback_uri="Pulumi.yaml")["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"Pulumi.yaml"}


def test_junit_validates_against_the_xsd(
    result: GateResult, junit_schema: Any, tmp_path: Path
) -> None:
    path = tmp_path / "gate.xml"
    write_junit(result, path)
    junit_schema.validate(str(path))


def test_junit_xsd_check_can_fail(junit_schema: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<testsuites><testsuite name='x'/></testsuites>", encoding="utf-8")
    assert not junit_schema.is_valid(str(path))


def test_junit_suite_per_stack_and_case_per_finding() -> None:
    root = build_junit(make_result(stacks=("dev", "prod")))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["ime-platform/dev", "ime-platform/prod"]
    dev = suites[0]
    cases = {c.get("name"): c for c in dev.findall("testcase")}
    failure = cases["deny_rds_public db (aws:rds/instance:Instance)"].find("failure")
    assert failure is not None and failure.get("type") == "mandatory"
    assert "publiclyAccessible=False" in (failure.text or "")
    waived = cases["deny_kms_key_rotation legacy-key (aws:kms/key:Key)"].find("skipped")
    assert waived is not None and waived.get("type") == "waived"
    na = cases["deny_cognito_mfa"].find("skipped")
    assert na is not None and na.get("type") == "not-applicable"
    # failures are the blocking findings only: what the exit code counts
    assert dev.get("failures") == "2"
    assert root.get("failures") == "4"
    advisory = cases["stack_warn_security_alarms ime-platform-dev (pulumi:pulumi:Stack)"]
    skipped = advisory.find("skipped")
    assert advisory.find("failure") is None
    assert skipped is not None and skipped.get("type") == "advisory"
    assert "no alarm for root use" in (skipped.get("message") or "")
    # the same check in two stacks: two classes CI servers keep apart
    prod_cases = suites[1].findall("testcase")
    assert cases["deny_cognito_mfa"].get("classname") == "dev.IME-IAM-02"
    assert {c.get("classname") for c in prod_cases} >= {"prod.IME-IAM-02", "prod.IME-ACC-01"}


def test_junit_reports_unknown_as_error(result: GateResult) -> None:
    result.stacks[0].unknown["deny_cognito_mfa"] = "disabled by the policy config"
    suite = build_junit(result).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    case = next(c for c in suite.findall("testcase") if c.get("name") == "deny_cognito_mfa")
    error = case.find("error")
    assert error is not None and "disabled" in (error.get("message") or "")


def test_json_report_is_complete(result: GateResult, tmp_path: Path) -> None:
    path = tmp_path / "gate.json"
    write_json(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == "imekit.gate-report/v1"
    assert data["exit_code"] == 1
    assert [s["stack"] for s in data["stacks"]] == ["dev"]
    statuses = {c["id"]: c["status"] for c in data["controls"]}
    assert statuses == {
        "IME-ACC-01": "fail",
        "IME-KEY-01": "waived",
        "IME-AUD-04": "pass",  # an advisory finding warns; it never fails a control
        "IME-IAM-02": "not-applicable",
    }
    rds = next(f for f in data["findings"] if f["check_id"] == "deny_rds_public")
    assert rds["citations"] == ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"]
    assert rds["blocking"] is True and rds["status"] == "fail"
    assert rds["notes"] == ["waiver W-3 expired on 2026-01-01; the finding counts"]
    key = next(f for f in data["findings"] if f["check_id"] == "deny_kms_key_rotation")
    assert key["status"] == "waived" and key["waiver"]["approver"] == "ciso"
    assert [w["id"] for w in data["waivers"]["expiring_soon"]] == ["W-1"]
    assert [w["id"] for w in data["waivers"]["unmatched"]] == ["W-2"]
    assert [w["id"] for w in data["waivers"]["expired"]] == ["W-3"]
    assert data["summary"]["findings"] == {"blocking": 2, "advisory": 1, "waived": 1, "total": 4}
    assert data["summary"]["controls"]["manual"] == 2
    assert [m["id"] for m in data["manual_controls"]] == ["IME-GOV-01", "IME-PHY-01"]


def test_json_report_is_deterministic_for_reordered_input() -> None:
    a, b = make_result(), make_result()
    b.findings.reverse()
    assert build_json(a) == build_json(b)


def test_markdown_summary(result: GateResult) -> None:
    text = render_markdown(result)
    assert text.startswith("### imekit gate: failed, 2 blocking finding(s)")
    assert "| IME-ACC-01 No public access to PHI | **FAIL** | 164.312(a)(1) | 2 |" in text
    assert "| IME-KEY-01 KMS key rotation | waived | 164.312(a)(2)(iv) |  |" in text
    assert "| IME-AUD-04 Security alarms | pass | 164.308(a)(1)(ii)(D) | (1 advisory) |" in text
    assert "#### Blocking failures" in text
    assert "Fix: Set publiclyAccessible=False on the instance." in text
    assert "no public access block \\| pipe" in text  # table-safe
    assert "<details><summary>Advisory findings (1)</summary>" in text
    assert "<details><summary>Waived findings (1)</summary>" in text
    assert "| W-2 | `deny_rds_public` | 2027-01-01 | unmatched" in text
    assert "| W-1 | `deny_kms_key_rotation` | 2026-06-11 | applied, expiring soon |" in text
    assert "Exit code 1." in text


def test_markdown_when_passing() -> None:
    result = make_result(waived=False)
    result.findings.clear()
    text = render_markdown(result)
    assert text.startswith("### imekit gate: passed")
    assert "Blocking failures" not in text


def test_table_lists_failures_with_fix_citations_and_waivers(result: GateResult) -> None:
    text = render_table(result)
    assert "IME-ACC-01  FAIL" in text
    assert "IME-AUD-04  pass" in text
    assert "! stack_warn_security_alarms (advisory)" in text
    assert "164.312(a)(1)" in text
    assert "x deny_rds_public  db (aws:rds/instance:Instance)  infra/components/data.py:40" in text
    assert "fix: Set publiclyAccessible=False on the instance." in text
    assert "~ deny_kms_key_rotation" in text and "waived by W-1" in text
    assert "expired   W-3" in text and "unmatched W-2" in text
    assert "Not decided by the gate: 2 controls (1 inherited, 1 manual)" in text
    assert text.rstrip().endswith("Exit 1.")
    assert "FAIL: 2 blocking finding(s), 1 advisory, 1 waived" in text


def test_table_multi_stack_shows_stack_of_each_finding() -> None:
    result = make_result(stacks=("dev", "prod"))
    result.findings = [f for f in result.findings if f.stack != "prod"]

    from imekit.gate.rollup import roll_up

    result.controls = roll_up(CONTROLS, result.stacks, result.findings)
    text = render_table(result)
    assert "[dev: fail, prod: pass]" in text
    assert "dev: db (aws:rds/instance:Instance)" in text


def test_junit_is_well_formed_xml(result: GateResult, tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    write_junit(result, path)
    assert ET.parse(path).getroot().tag == "testsuites"


def test_rollup_statuses_per_check_and_stack() -> None:

    from imekit.gate.rollup import roll_up
    from imekit.status import Status

    result = make_result(stacks=("dev", "prod"))
    # prod: the public database is fixed, the bucket too; dev keeps both failures.
    fixed = ("deny_rds_public", "deny_s3_public_access_block")
    result.findings = [
        f for f in result.findings if not (f.stack == "prod" and f.check_id in fixed)
    ]
    result.stacks[1].unknown["deny_cognito_mfa"] = "disabled by the policy config"
    controls = {c.control_id: c for c in roll_up(CONTROLS, result.stacks, result.findings)}
    acc = controls["IME-ACC-01"]
    assert acc.stacks == {"dev": Status.FAIL, "prod": Status.PASS}
    assert acc.status is Status.FAIL
    mfa = controls["IME-IAM-02"]
    assert mfa.stacks == {"dev": Status.NOT_APPLICABLE, "prod": Status.UNKNOWN}
    assert mfa.status is Status.UNKNOWN
    assert mfa.notes == ["prod: not evaluated (disabled by the policy config): deny_cognito_mfa"]
    assert controls["IME-KEY-01"].status is Status.WAIVED


def _with_partial_control(status_checks: tuple[str, ...] = ("warn_config_recorder",)):
    """The synthetic result plus a risk-analysis control its checks only support."""
    from imekit.gate.rollup import ControlSpec, roll_up

    result = make_result()
    spec = ControlSpec(
        "IME-GOV-02",
        "Risk analysis is performed and kept current",
        ("164.308(a)(1)(ii)(A)",),
        status_checks,
        manual_evidence=("risk-analysis-report",),
        decided=False,
    )
    result.controls = roll_up([*CONTROLS, spec], result.stacks, result.findings)
    return result


def test_a_control_checked_in_part_never_reads_as_not_applicable() -> None:
    result = _with_partial_control()
    [gov] = [c for c in result.controls if c.control_id == "IME-GOV-02"]
    # Its (advisory) check found nothing to inspect: that is all the status says.
    assert gov.status.value == "not-applicable" and gov.decided is False
    table = render_table(result)
    assert "IME-GOV-02  checks n/a" in table
    assert "IME-GOV-02  not-applicable" not in table
    assert "+ rests on evidence risk-analysis-report" in table
    assert "Checked in part:" in table
    # the summary counts what the gate decides; the risk analysis is counted apart
    assert "Controls: 1 pass, 1 fail, 1 waived, 1 not applicable, 0 unknown; 1 checked" in table
    text = render_markdown(result)
    decided, partial = text.split("Checked in part:", 1)
    assert "IME-GOV-02" not in decided.split("#### Blocking failures")[0]
    assert "IME-GOV-02" not in decided
    assert (
        "| IME-GOV-02 Risk analysis is performed and kept current | no resource to check | "
        "164.308(a)(1)(ii)(A) | evidence risk-analysis-report |  |" in partial
    )
    data = build_json(result)
    gov_json = next(c for c in data["controls"] if c["id"] == "IME-GOV-02")
    assert gov_json["decided_by_gate"] is False
    assert gov_json["rests_on"]["manual_evidence"] == ["risk-analysis-report"]
    assert data["summary"]["controls"]["checked_in_part"] == 1
    assert data["summary"]["controls"]["decided_by_gate"]["total"] == 4


def test_markdown_escapes_html_from_the_program_under_review(result: GateResult) -> None:
    # A resource name opening an HTML comment would hide every finding after it.
    result.findings[0].message = "[IME-ACC-01] db <!-- hidden </details> & more"
    text = render_markdown(result)
    assert "<!--" not in text and "&lt;!-- hidden &lt;/details&gt; &amp; more" in text


def test_sarif_for_github_code_scanning(
    result: GateResult, sarif_schema: dict[str, Any], tmp_path: Path
) -> None:
    result.stacks[0].unknown["deny_cognito_mfa"] = "disabled by the policy config"
    result.findings[0].location = Location("/elsewhere/lib/data.py", 3)  # outside the repo
    data = build_sarif(result, root=tmp_path)
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    [run] = data["runs"]
    # upload-sarif sets the workflow's `category` only on a run without automationDetails
    assert "automationDetails" not in run
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"] == (
        "stack dev: not evaluated (disabled by the policy config): deny_cognito_mfa"
    )
    outside = next(
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in run["results"]
        if r["ruleId"] == result.findings[0].check_id
    )
    assert outside == {"uri": "file:///elsewhere/lib/data.py"}  # absolute: no base id
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "45 CFR 164.308(a)(4)(ii)(B)" in rules["deny_rds_public"]["properties"]["tags"]
    assert run["tool"]["driver"]["version"] == "0.1.0"


def test_resources_no_check_inspects_are_reported(result: GateResult) -> None:
    result.stacks[0].uninspected = {"aws-native:s3:Bucket": 2}
    assert "not inspected by any check: 2 resource(s): aws-native:s3:Bucket (2)" in (
        render_table(result)
    )
    text = render_markdown(result)
    assert "<details><summary>Resources no check inspects (2)</summary>" in text
    assert "- `dev`: `aws-native:s3:Bucket` (2)" in text
    assert build_json(result)["stacks"][0]["uninspected_types"] == {"aws-native:s3:Bucket": 2}


def test_markdown_lists_failures_in_code_order_with_citations(result: GateResult) -> None:
    text = render_markdown(result)
    blocking = text.split("#### Blocking failures", 1)[1].split("\n\n", 2)[1]
    items = [line for line in blocking.splitlines() if line.startswith("- ")]
    # data.py:12 (the bucket) before data.py:40 (the database), whatever the check ids
    assert items[0].startswith("- `deny_s3_public_access_block` scans")
    assert items[1].startswith("- `deny_rds_public` db")
    assert "(45 CFR 164.312(a)(1), 164.308(a)(4)(ii)(B))" in items[1]


def test_markdown_stays_within_what_a_code_host_accepts() -> None:
    from imekit.report.markdown import MAX_CHARS

    result = make_result(waived=False)
    template = result.findings[0]
    result.findings = [_copy(template, i) for i in range(400)]
    text = render_markdown(result)
    assert len(text) <= MAX_CHARS
    assert "### imekit gate: failed, 400 blocking finding(s)" in text
    assert "more (see the JSON or SARIF report)" in text


def _copy(template: Finding, i: int) -> Finding:
    from dataclasses import replace

    return replace(
        template,
        urn=f"{template.urn}-{i}",
        message=f"[IME-ACC-01] database {i} " + "is publicly accessible " * 60,
        location=Location("infra/components/data.py", i + 1),
        notes=[],
    )


def test_table_lists_blocking_findings_before_warnings(result: GateResult) -> None:
    from dataclasses import replace

    from imekit.findings import ADVISORY

    db = next(f for f in result.findings if f.check_id == "deny_rds_public")
    result.findings.append(
        replace(db, check_id="CKV_AWS_0", engine="checkov", enforcement=ADVISORY,
                message="[IME-ACC-01] advisory note on db", location=Location("a.py", 1),
                notes=[])
    )
    block = render_table(result).split("IME-ACC-01", 1)[1].split("IME-KEY-01", 1)[0]
    marks = [line.split()[0] for line in block.splitlines() if line.startswith("    ")
             and line.split()[0] in ("x", "!", "~")]
    # the advisory CKV id sorts first by name, and first in code order: it still comes last
    assert marks == ["x", "x", "!"]
