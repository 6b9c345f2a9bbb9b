"""`imekit gate` on the deliberately insecure program: exactly the expected findings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from gate_support import INSECURE, checkov_ready

from imekit.catalog import load_catalog
from imekit.report.sarif import FINGERPRINT_KEY


def u(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::ime-insecure::{type_}::{name}"


STACK = u("pulumi:pulumi:Stack", "ime-insecure-dev")
KEY = u("aws:kms/key:Key", "unrotated-key")
BUCKET = u("aws:s3/bucket:Bucket", "patient-uploads")
PAB = u("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "patient-uploads-public-access")
DB = u("aws:rds/instance:Instance", "claims-db")
VOLUME = u("aws:ebs/volume:Volume", "scratch-volume")
SECRET = u("aws:secretsmanager/secret:Secret", "api-credentials")
TOPIC = u("aws:sns/topic:Topic", "security-alerts")
LOGS = u("aws:cloudwatch/logGroup:LogGroup", "app-logs")
ADMIN = u("aws:iam/policy:Policy", "admin-everything")
READER = u("aws:iam/policy:Policy", "read-uploads")
ATTACH = u("aws:iam/userPolicyAttachment:UserPolicyAttachment", "analyst-admin")
PASSWORDS = u("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords")
POOL = u("aws:cognito/userPool:UserPool", "examinees")
VAULT = u("aws:backup/vault:Vault", "backup-vault")
PLAN = u("aws:backup/plan:Plan", "backup-plan")

# Every (check, resource) the pack must report on the insecure program, and nothing else.
EXPECTED_REGO = {
    ("deny_kms_key_rotation", KEY),
    ("deny_kms_deletion_window", KEY),
    ("deny_kms_wildcard_principal", KEY),
    ("stack_deny_s3_bucket_cmk_encryption", BUCKET),
    ("stack_deny_s3_tls_only", BUCKET),
    ("stack_deny_s3_phi_versioning", BUCKET),
    ("stack_deny_s3_phi_object_lock", BUCKET),
    ("stack_deny_s3_phi_access_logging", BUCKET),
    ("stack_deny_phi_bucket_data_events", BUCKET),
    ("stack_deny_phi_backup_selection", BUCKET),
    ("deny_s3_public_access_block", PAB),
    ("deny_rds_cmk_encryption", DB),
    ("deny_rds_public", DB),
    ("deny_rds_force_ssl", DB),
    ("deny_rds_backup_retention", DB),
    ("deny_rds_deletion_protection", DB),
    ("stack_deny_phi_backup_selection", DB),
    ("deny_ebs_cmk_encryption", VOLUME),
    ("deny_data_class_tag", VOLUME),
    ("stack_deny_phi_backup_selection", VOLUME),
    ("deny_secret_cmk_encryption", SECRET),
    ("deny_sns_topic_cmk_encryption", TOPIC),
    ("deny_log_group_cmk_encryption", LOGS),
    ("deny_log_group_retention", LOGS),
    ("deny_iam_admin_wildcard_policy", ADMIN),
    ("stack_deny_phi_access_without_mfa", READER),
    ("deny_iam_user_attached_policy", ATTACH),
    ("deny_iam_password_policy", PASSWORDS),
    ("deny_cognito_mfa", POOL),
    ("deny_cognito_password_policy", POOL),
    ("deny_backup_vault_cmk_encryption", VAULT),
    ("stack_deny_backup_vault_lock", VAULT),
    ("deny_backup_plan_retention", PLAN),
    ("stack_deny_cloudtrail_required", STACK),
    ("stack_warn_security_alarms", STACK),  # advisory: five alarms missing
}
ADVISORY = {"stack_warn_security_alarms"}


@pytest.fixture(scope="module")
def insecure_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Any, dict[str, Any], dict[str, Any], Path, str]:
    """One CLI run over the program folder with every report requested."""
    from imekit.cli import main

    out = tmp_path_factory.mktemp("insecure-reports")
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            [
                "gate", str(INSECURE), "--no-checkov", "--no-record",
                "--json", str(out / "g.json"), "--sarif", str(out / "g.sarif"),
                "--junit", str(out / "g.xml"), "--markdown", str(out / "g.md"),
            ]
        )
    report = json.loads((out / "g.json").read_text(encoding="utf-8"))
    sarif = json.loads((out / "g.sarif").read_text(encoding="utf-8"))
    return code, report, sarif, out, stdout.getvalue()


def test_exit_1_and_exactly_the_expected_findings(insecure_run: Any) -> None:
    code, report, _, _, _ = insecure_run
    assert code == 1
    found = {(f["check_id"], f["urn"]) for f in report["findings"]}
    assert found == EXPECTED_REGO, (
        f"missing: {sorted(EXPECTED_REGO - found)}\nunexpected: {sorted(found - EXPECTED_REGO)}"
    )
    alarms = [f for f in report["findings"] if f["check_id"] == "stack_warn_security_alarms"]
    assert len(alarms) == 5
    for f in report["findings"]:
        assert f["enforcement"] == ("advisory" if f["check_id"] in ADVISORY else "mandatory")
        assert f["message"].startswith(f"[{f['control_ids'][0]}] ")
        assert f["blocking"] is (f["check_id"] not in ADVISORY)
    assert report["summary"]["findings"]["blocking"] == len(EXPECTED_REGO) - 1
    assert report["summary"]["verdict"] == "fail"


def test_control_statuses(insecure_run: Any) -> None:
    _, report, _, _, _ = insecure_run
    catalog = load_catalog()
    statuses = {c["id"]: c["status"] for c in report["controls"]}
    failing = {
        catalog.control_for_rule(rule).id for rule, _ in EXPECTED_REGO if rule not in ADVISORY
    }
    for control_id, status in statuses.items():
        control = catalog.controls[control_id]
        if control_id in failing:
            assert status == "fail", control_id
        elif control.rego:
            assert status in ("pass", "not-applicable"), control_id
        else:
            assert status == "unknown", control_id  # decided by checkov alone, not run
    assert statuses["IME-AUD-04"] == "pass"  # only advisory findings: never a fail
    manual = {m["id"] for m in report["manual_controls"]}
    assert manual == {c.id for c in catalog.controls.values() if not c.automated}
    assert manual.isdisjoint(statuses)


def test_table_shows_citations_fixes_and_resources(insecure_run: Any) -> None:
    _, _, _, _, table = insecure_run
    catalog = load_catalog()
    lines = table.splitlines()
    for control_id in ("IME-ACC-01", "IME-ENC-01", "IME-BAK-01", "IME-IAM-02"):
        line = next(x for x in lines if x.startswith(f"  {control_id} "))
        assert "FAIL" in line
        for citation in catalog.controls[control_id].citations:
            assert citation in line, (control_id, citation)
    assert "x deny_rds_public  claims-db (aws:rds/instance:Instance)" in table
    assert "fix: Set publicly_accessible=False" in table
    assert "! stack_warn_security_alarms (advisory)" in table
    assert lines[-1].startswith("FAIL: 34 blocking finding(s), 5 advisory")
    assert lines[-1].endswith("Exit 1.")


def test_sarif_valid_with_citations_and_levels(insecure_run: Any, sarif_schema: Any) -> None:
    _, report, sarif, _, _ = insecure_run
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    catalog = load_catalog()
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule_id, _ in EXPECTED_REGO:
        citations = catalog.citations_for_check(rule_id)
        assert citations, rule_id
        assert rules[rule_id]["properties"]["citations"] == citations
        for citation in citations:
            assert f"45 CFR {citation}" in rules[rule_id]["help"]["text"]
    assert rules["deny_rds_public"]["properties"]["citations"] == [
        "164.312(a)(1)",
        "164.308(a)(4)(ii)(B)",
    ]
    results = run["results"]
    assert len(results) == len(report["findings"])
    levels = {(r["ruleId"], r["level"]) for r in results}
    assert ("stack_warn_security_alarms", "warning") in levels
    assert ("deny_rds_public", "error") in levels
    for r in results:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("tests/programs/insecure/"), uri
        assert r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith(
            "urn:pulumi:dev::ime-insecure::"
        )


def test_junit_and_markdown(insecure_run: Any, junit_schema: Any) -> None:
    _, _, _, out, _ = insecure_run
    junit_schema.validate(str(out / "g.xml"))
    text = (out / "g.xml").read_text(encoding="utf-8")
    assert 'testsuite name="ime-insecure/dev"' in text
    # failures are exactly the blocking findings; the five missing alarms (one advisory
    # check, five findings on the stack) are skipped cases with distinct names
    assert 'failures="34"' in text
    root = ET.fromstring(text)
    alarms = [c for c in root.iter("testcase") if c.get("name", "").startswith(
        "stack_warn_security_alarms ")]
    assert len(alarms) == 5 and len({c.get("name") for c in alarms}) == 5
    assert all(c.find("skipped").get("type") == "advisory" for c in alarms)
    assert {c.get("classname") for c in alarms} == {"dev.IME-AUD-04"}
    md = (out / "g.md").read_text(encoding="utf-8")
    assert md.startswith("### imekit gate: failed, 34 blocking finding(s)")
    assert "| IME-ACC-01 PHI is never publicly accessible | **FAIL** |" in md


@pytest.mark.needs_checkov
@pytest.mark.skipif(not checkov_ready(), reason="checkov environment not provisioned here")
def test_checkov_findings_join_the_gate(
    insecure_graph: Path, gate_cli: Any, tmp_path: Path
) -> None:
    r = gate_cli("--graph", str(insecure_graph), "--no-record", "--json", str(tmp_path / "g.json"))
    assert r.code == 1
    report = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    found = {(f["check_id"], f["urn"]) for f in report["findings"]}
    assert {("CKV_AWS_16", DB), ("CKV_AWS_17", DB), ("CKV_AWS_7", KEY)} <= found
    rego = {x for x in found if not x[0].startswith("CKV")}
    assert rego == EXPECTED_REGO
    ckv16 = next(f for f in report["findings"] if f["check_id"] == "CKV_AWS_16")
    assert ckv16["engine"] == "checkov" and ckv16["control_ids"] == ["IME-ENC-01"]
    assert ckv16["citations"] == ["164.312(a)(2)(iv)"]
    assert report["engines"]["checkov"]["ran"] is True
    assert "checkov:" in r.err


def test_fingerprints_stable_when_resources_are_reordered(
    insecure_graph: Path, gate_cli: Any, tmp_path: Path
) -> None:
    import random

    data = json.loads(insecure_graph.read_text(encoding="utf-8"))
    random.Random(3).shuffle(data["resources"])
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps(data), encoding="utf-8")
    prints = []
    for graph in (insecure_graph, shuffled):
        sarif = tmp_path / f"{graph.stem}.sarif"
        r = gate_cli("--graph", str(graph), "--no-record", "--no-checkov", "--sarif", str(sarif))
        assert r.code == 1
        results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
        prints.append([(x["ruleId"], x["partialFingerprints"][FINGERPRINT_KEY]) for x in results])
    assert prints[0] == prints[1]
    assert len({fp for _, fp in prints[0]}) == len(prints[0])
