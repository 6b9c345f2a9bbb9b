"""Waivers, policy config, preview and export inputs and evidence, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from test_gate_insecure import DB, EXPECTED_REGO, KEY, PAB

TODAY = dt.date.today()


def _waiver(id_: str, rule: str, resource: str, expires: dt.date, **extra: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": id_,
        "rule": rule,
        "resource": resource,
        "justification": f"accepted risk for {rule}",
        "approver": "Security Official",
        "expires": expires.isoformat(),
    }
    entry.update(extra)
    return entry


def _write(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    return path


def _report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_waivers_live_expired_expiring_and_unmatched(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, sarif_schema: Any
) -> None:
    import jsonschema

    waivers = _write(
        tmp_path / "waivers.yaml",
        [
            _waiver("W-LIVE", "deny_rds_public", "*::claims-db", TODAY + dt.timedelta(days=90),
                    alternative_measure="reachable only through a private endpoint"),
            _waiver("W-SOON", "deny_s3_public_access_block", "*::patient-uploads-public-*",
                    TODAY + dt.timedelta(days=5),
                    alternative_measure="a bucket policy denies every outside principal"),
            _waiver("W-OLD", "deny_kms_key_rotation", KEY, TODAY - dt.timedelta(days=1),
                    alternative_measure="keys re-created yearly"),
            _waiver("W-NONE", "deny_rds_public", "*::no-such-db", TODAY + dt.timedelta(days=90),
                    alternative_measure="none needed once the database is gone"),
        ],
    )
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record",
                 "--no-checkov", "--json", str(out), "--sarif", str(tmp_path / "g.sarif"),
                 "--markdown", str(tmp_path / "g.md"))
    assert r.code == 1  # plenty of other blocking findings remain
    report = _report(out)
    by_key = {(f["check_id"], f["urn"]): f for f in report["findings"]}
    assert {(f["check_id"], f["urn"]) for f in report["findings"]} == EXPECTED_REGO
    live = by_key[("deny_rds_public", DB)]
    assert live["status"] == "waived" and live["blocking"] is False
    assert live["waiver"]["id"] == "W-LIVE" and live["waiver"]["approver"] == "Security Official"
    assert by_key[("deny_s3_public_access_block", PAB)]["status"] == "waived"
    expired = by_key[("deny_kms_key_rotation", KEY)]
    assert expired["status"] == "fail" and expired["blocking"] is True
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert expired["notes"] == [f"waiver W-OLD expired on {yesterday}; the finding counts"]
    w = report["waivers"]
    assert [x["id"] for x in w["applied"]] == ["W-LIVE", "W-SOON"]
    assert [x["id"] for x in w["expired"]] == ["W-OLD"]
    assert [x["id"] for x in w["expiring_soon"]] == ["W-SOON"]
    assert [x["id"] for x in w["unmatched"]] == ["W-NONE"]
    statuses = {c["id"]: c["status"] for c in report["controls"]}
    assert statuses["IME-ACC-01"] == "waived"  # both of its failures are waived
    assert statuses["IME-KEY-01"] == "fail"
    # every report keeps the waived findings visible
    assert "~ deny_rds_public" in r.out and "waived by W-LIVE" in r.out
    assert "expired   W-OLD" in r.out and "unmatched W-NONE" in r.out
    assert "expiring  W-SOON" in r.out
    sarif = json.loads((tmp_path / "g.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    suppressed = [x for x in sarif["runs"][0]["results"] if x.get("suppressions")]
    assert {x["ruleId"] for x in suppressed} == {"deny_rds_public", "deny_s3_public_access_block"}
    md = (tmp_path / "g.md").read_text(encoding="utf-8")
    assert "| W-OLD | `deny_kms_key_rotation` |" in md and "Waived findings (2)" in md


def test_waiving_every_blocking_finding_passes_the_gate(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    expires = TODAY + dt.timedelta(days=60)
    entries = [
        _waiver(f"W-{i}", rule, urn, expires, alternative_measure="compensating control")
        for i, (rule, urn) in enumerate(sorted(EXPECTED_REGO))
        if not rule.startswith("stack_warn")
    ]
    waivers = _write(tmp_path / "waivers.yaml", entries)
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record",
                 "--no-checkov", "--json", str(out))
    assert r.code == 0, r.out
    report = _report(out)
    assert report["summary"]["findings"]["blocking"] == 0
    assert report["summary"]["findings"]["waived"] == len(entries)
    assert "fail" not in {c["status"] for c in report["controls"]}
    assert "waived" in {c["status"] for c in report["controls"]}


def test_addressable_control_waiver_needs_an_alternative_measure(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    # IME-ENC-01 cites only 164.312(a)(2)(iv), an addressable specification.
    waivers = _write(
        tmp_path / "waivers.yaml",
        [_waiver("W-1", "deny_rds_cmk_encryption", DB, TODAY + dt.timedelta(days=30))],
    )
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record")
    assert r.code == 2
    assert "field 'alternative_measure' is missing" in r.err
    # IME-ACC-01 cites the required access-control standard and the addressable access
    # authorization specification: the addressable one still asks for the alternative.
    waivers = _write(
        tmp_path / "waivers.yaml",
        [_waiver("W-1", "deny_rds_public", DB, TODAY + dt.timedelta(days=30))],
    )
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record",
                 "--no-checkov")
    assert r.code == 2 and "field 'alternative_measure' is missing" in r.err
    # A control citing only required specifications and standards (IME-KEY-03 cites the
    # access-control standard alone) takes no alternative measure.
    from imekit.catalog import load_catalog
    from imekit.gate.catalog_view import needs_alternative

    catalog = load_catalog()
    required_only = [
        c for c in catalog.controls.values()
        if c.rego and all(catalog.requirement(x).is_required for x in c.citations)
    ]
    assert required_only
    rule = required_only[0].rego[0]
    assert not needs_alternative(catalog, rule)
    waivers = _write(
        tmp_path / "waivers.yaml",
        [_waiver("W-1", rule, "*", TODAY + dt.timedelta(days=30))],
    )
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record",
                 "--no-checkov")
    assert r.code == 1, r.err


def test_policy_config_levels_and_thresholds(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    config = tmp_path / "policy-config.json"
    out = tmp_path / "g.json"
    config.write_text(
        json.dumps(
            {
                "deny_rds_public": "disabled",
                "deny_s3_public_access_block": "disabled",
                "deny_log_group_retention": {"minimumDays": 30},
                "deny_kms_key_rotation": "advisory",
            }
        ),
        encoding="utf-8",
    )
    r = gate_cli("--graph", str(insecure_graph), "--policy-config", str(config), "--no-record",
                 "--no-checkov", "--json", str(out))
    assert r.code == 1
    report = _report(out)
    found = {(f["check_id"], f["urn"]): f for f in report["findings"]}
    assert ("deny_rds_public", DB) not in found
    assert not any(rule == "deny_log_group_retention" for rule, _ in found)  # 30 >= 30
    assert found[("deny_kms_key_rotation", KEY)]["enforcement"] == "advisory"
    controls = {c["id"]: c for c in report["controls"]}
    acc = controls["IME-ACC-01"]
    assert acc["status"] == "unknown"  # both of its checks disabled: never a pass
    assert "disabled by the policy config" in acc["notes"][0]
    assert controls["IME-AUD-03"]["status"] == "pass"
    assert controls["IME-KEY-01"]["status"] == "pass"  # advisory now: warns only
    assert "deny_rds_public" not in report["checks"]


def test_everything_advisory_exits_0_but_reports_everything(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"all": "advisory"}), encoding="utf-8")
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(insecure_graph), "--policy-config", str(config), "--no-record",
                 "--no-checkov", "--json", str(out))
    assert r.code == 0
    report = _report(out)
    assert {(f["check_id"], f["urn"]) for f in report["findings"]} == EXPECTED_REGO
    assert report["summary"]["findings"]["advisory"] == len(report["findings"])


def _preview(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"steps": steps, "changeSummary": {"create": len(steps)}}


def _step(urn: str, type_: str, inputs: dict[str, Any], custom: bool = True) -> dict[str, Any]:
    state = {"urn": urn, "type": type_, "custom": custom, "inputs": inputs}
    return {"op": "create", "urn": urn, "newState": state}


def test_preview_json_input(gate_cli: Any, tmp_path: Path) -> None:
    stack = "urn:pulumi:staging::shop::pulumi:pulumi:Stack::shop-staging"
    key = "urn:pulumi:staging::shop::aws:kms/key:Key::orders-key"
    preview = tmp_path / "preview.json"
    preview.write_text(
        json.dumps(
            _preview(
                [
                    _step(stack, "pulumi:pulumi:Stack", {}, custom=False),
                    _step(key, "aws:kms/key:Key", {"enableKeyRotation": False,
                                                   "deletionWindowInDays": 30}),
                ]
            )
        ),
        encoding="utf-8",
    )
    out = tmp_path / "g.json"
    r = gate_cli("--preview-json", str(preview), "--no-record", "--no-checkov", "--json", str(out))
    assert r.code == 1, r.err
    report = _report(out)
    assert report["stacks"][0]["stack"] == "staging"
    assert report["stacks"][0]["source"]["kind"] == "preview-json"
    found = {(f["check_id"], f["urn"]) for f in report["findings"]}
    assert ("deny_kms_key_rotation", key) in found
    assert ("stack_deny_cloudtrail_required", stack) in found


def test_stack_export_input(gate_cli: Any, tmp_path: Path) -> None:
    stack = "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod"
    key = "urn:pulumi:prod::shop::aws:kms/key:Key::orders-key"
    export = tmp_path / "export.json"
    export.write_text(
        json.dumps(
            {
                "version": 3,
                "deployment": {
                    "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "", "version": "v3"},
                    "resources": [
                        {"urn": stack, "type": "pulumi:pulumi:Stack", "custom": False},
                        {"urn": key, "type": "aws:kms/key:Key", "custom": True, "id": "k",
                         "inputs": {"enableKeyRotation": True, "deletionWindowInDays": 7}},
                    ],
                },
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "g.json"
    r = gate_cli("--stack-export", str(export), "--no-record", "--no-checkov", "--json", str(out))
    assert r.code == 1, r.err
    found = {(f["check_id"], f["urn"]) for f in _report(out)["findings"]}
    assert ("deny_kms_deletion_window", key) in found
    assert ("deny_kms_key_rotation", key) not in found


def test_run_is_recorded_as_evidence_unless_disabled(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, _evidence_in_tmp: Path
) -> None:
    from imekit.evidence import open_store

    r = gate_cli("--graph", str(insecure_graph), "--no-checkov")
    assert r.code == 1
    assert "evidence: recorded as entry 1" in r.err
    entries = list(open_store(_evidence_in_tmp).entries())
    assert len(entries) == 1
    doc = entries[0].doc
    assert doc["kind"] == "gate" and doc["result"] == "fail"
    assert doc["controls"]["IME-ACC-01"] == "fail"
    r = gate_cli("--graph", str(insecure_graph), "--no-checkov", "--no-record")
    assert "evidence:" not in r.err
    assert len(list(open_store(_evidence_in_tmp).entries())) == 1
