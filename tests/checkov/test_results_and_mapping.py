"""controls/checkov.yaml (strict loading, consistency with the catalog) and the mapping of
checkov records to findings: enforcement, ignored, unmapped, known false results, canaries."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ckv_fixtures import graph, resource

from imekit.checkov.mapping import load_mapping, mapping_path
from imekit.checkov.plan import convert_graphs
from imekit.checkov.results import map_report
from imekit.errors import ImekitError
from imekit.findings import Location
from imekit.graph.model import SECRET_MARKER, UNKNOWN_MARKER
from imekit.paths import controls_dir


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "checkov.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _base(**checks) -> dict:
    return {"version": 1, "checkov_version": "3.3.30", "checks": checks,
            "known_false_results": []}


def test_the_kit_mapping_loads_and_names_real_controls():
    mapping = load_mapping()
    controls = {c["id"] for c in yaml.safe_load(
        (controls_dir() / "controls.yaml").read_text())["controls"]}
    assert len(mapping.checks) > 100
    for check_id, entry in mapping.checks.items():
        if entry.control:
            assert entry.control in controls, check_id
        if entry.enforcement != "mandatory":
            assert entry.reason and len(entry.reason) > 20, check_id
    for known in mapping.known_false_results:
        assert known.check_id in mapping.checks
    assert {"CKV_AWS_16", "CKV_AWS_17", "CKV_AWS_7", "CKV_AWS_145", "CKV2_AWS_6",
            "CKV2_AWS_10"} <= set(mapping.by_enforcement("mandatory"))


def test_mapped_ids_are_checkov_ids_or_the_kits_own():
    reference = Path(__file__).resolve().parents[3] / "shared" / "reference"
    names = reference / "checkov_tf_aws_checks.txt", reference / "checkov_tf_aws_graph_checks.txt"
    if not all(p.is_file() for p in names):
        pytest.skip("checkov's published id list is not beside the checkout")
    known = {line.split(" |", 1)[0] for p in names for line in p.read_text().splitlines()}
    custom = {c for c in load_mapping().checks if c.startswith("CKV_IME_")}
    assert custom == {"CKV_IME_1", "CKV_IME_2", "CKV_IME_3", "CKV_IME_4"}
    assert set(load_mapping().checks) - custom <= known


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_base(CKV_AWS_16={"control": "IME-ENC-01", "enforcement": "advisory"}), "reason"),
        (_base(CKV_AWS_16={"enforcement": "mandatory"}), "control"),
        (_base(CKV_AWS_16={"control": "IME-ENC-01", "enforcement": "blocking"}), "blocking"),
        ({**_base(), "checkov_version": "3.1.47"}, "3.1.47"),
        (_base(NOT_AN_ID={"enforcement": "ignored", "reason": "x"}), "NOT_AN_ID"),
    ],
)
def test_a_bad_mapping_is_refused(tmp_path, data, message):
    with pytest.raises(ImekitError, match=message):
        load_mapping(_write(tmp_path, data))


def test_an_unreadable_mapping_is_refused(tmp_path):
    path = tmp_path / "checkov.yaml"
    path.write_text("checks: [unclosed")
    with pytest.raises(ImekitError, match="not valid YAML"):
        load_mapping(path)
    with pytest.raises(ImekitError, match="cannot read"):
        load_mapping(tmp_path / "missing.yaml")


def test_mapping_path_is_the_catalogs():
    assert mapping_path() == controls_dir() / "checkov.yaml"


def _record(check_id: str, address: str, name: str = "title") -> dict:
    return {"check_id": check_id, "check_name": name, "resource": address,
            "resource_address": address}


def test_records_become_findings_by_enforcement(tmp_path):
    mapping = load_mapping(_write(tmp_path, {
        **_base(
            CKV_AWS_7={"control": "IME-KEY-01", "enforcement": "mandatory"},
            CKV_AWS_33={"control": "IME-KEY-03", "enforcement": "advisory", "reason": "r"},
            CKV_AWS_227={"enforcement": "ignored", "reason": "r"},
        ),
        "known_false_results": [{"check": "CKV_AWS_33", "resource_type": "aws:kms/key:Key",
                                 "reason": "cannot see the account"}],
    }))
    g = graph(resource("aws:kms/key:Key", "key", {}))
    key_urn = g.resources[0]["__urn"]
    g.locations = {key_urn: {"file": "infra/keys.py", "line": 12}}
    conversion = convert_graphs([g])
    address = next(iter(conversion.resources))
    report = {"results": {
        "failed_checks": [_record("CKV_AWS_7", address, "rotation"),
                          _record("CKV_AWS_33", address, "wildcard"),
                          _record("CKV_AWS_227", address),
                          _record("CKV_AWS_999", address, "new check")],
        "passed_checks": [_record("CKV_AWS_64", address)],
    }, "summary": {"checkov_version": "3.3.30"}}
    result = map_report(report, conversion, mapping)
    by_id = {f.check_id: f for f in result.findings}
    assert set(by_id) == {"CKV_AWS_7", "CKV_AWS_33", "CKV_AWS_999"}
    assert by_id["CKV_AWS_7"].blocking and by_id["CKV_AWS_7"].control_ids == ("IME-KEY-01",)
    assert by_id["CKV_AWS_7"].message == "[IME-KEY-01] rotation (CKV_AWS_7)"
    assert by_id["CKV_AWS_7"].location == Location("infra/keys.py", 12)
    assert by_id["CKV_AWS_7"].urn == key_urn and by_id["CKV_AWS_7"].stack == "test"
    assert not by_id["CKV_AWS_33"].blocking
    assert by_id["CKV_AWS_33"].notes == ["known false result: cannot see the account"]
    assert by_id["CKV_AWS_999"].enforcement == "advisory" and by_id["CKV_AWS_999"].control_ids == ()
    assert result.unmapped_checks == {"CKV_AWS_999": 1}
    assert result.ignored == {"CKV_AWS_227": 1}
    assert result.passed == {"CKV_AWS_64": {key_urn}}
    assert [f.check_id for f in result.blocking] == ["CKV_AWS_7"]


def test_a_kit_check_that_did_not_run_is_an_error():
    """checkov skips a broken external check with a log line only: the kit notices."""
    conversion = convert_graphs([graph(resource("aws:cognito/userPool:UserPool", "pool", {}))])
    with pytest.raises(ImekitError, match="CKV_IME_1"):
        map_report({"results": {}, "summary": {}}, conversion, load_mapping())


def test_built_in_graph_checks_missing_is_an_error():
    bucket = resource("aws:s3/bucket:Bucket", "b", {"tags": {"data-class": "logs"}})
    conversion = convert_graphs([graph(bucket)])
    address = next(iter(conversion.resources))
    report = {"results": {"passed_checks": [_record("CKV_IME_4", address)]}, "summary": {}}
    with pytest.raises(ImekitError, match="CKV2_AWS_6"):
        map_report(report, conversion, load_mapping())


def _evaluated(record: dict, *keys: str) -> dict:
    return {**record, "check_result": {"result": "PASSED", "evaluated_keys": list(keys)}}


def test_a_pass_on_a_value_unknown_until_deployment_is_unknown_not_a_pass(tmp_path):
    """A preview does not know a policy built from another resource's ARN; checkov reads
    it as absent and passes a wildcard policy it cannot see. That pass is no evidence."""
    mapping = load_mapping(_write(tmp_path, _base(
        CKV_AWS_33={"control": "IME-KEY-03", "enforcement": "mandatory"},
        CKV_AWS_7={"control": "IME-KEY-01", "enforcement": "mandatory"},
        CKV_AWS_388={"control": "IME-KEY-01", "enforcement": "mandatory"},
        CKV_AWS_999={"control": "IME-KEY-01", "enforcement": "advisory", "reason": "r"},
        CKV_AWS_227={"control": "IME-KEY-02", "enforcement": "mandatory"},
    )))
    role = resource("aws:iam/role:Role", "admin", {"name": "admin-1a2b3c"})
    key = resource("aws:kms/key:Key", "key",
                   {"policy": UNKNOWN_MARKER, "enableKeyRotation": True, "isEnabled": False},
                   deps={"policy": [role["__urn"]]})
    conversion = convert_graphs([graph(role, key)])
    address = next(a for a, o in conversion.resources.items() if o.tf_type == "aws_kms_key")
    assert conversion.resources[address].unknown_attributes == {"policy"}
    report = {"results": {
        "passed_checks": [_evaluated(_record("CKV_AWS_33", address), "policy"),
                          _evaluated(_record("CKV_AWS_7", address), "enable_key_rotation"),
                          _evaluated(_record("CKV_AWS_388", address)),  # names nothing
                          _evaluated(_record("CKV_AWS_999", address), "policy")],
        "failed_checks": [_evaluated(_record("CKV_AWS_227", address), "is_enabled", "policy")],
    }, "summary": {}}
    result = map_report(report, conversion, mapping)
    urn = key["__urn"]
    assert result.passed == {"CKV_AWS_7": {urn}}
    assert set(result.unknown) == {"CKV_AWS_33", "CKV_AWS_388"}
    assert "policy" in result.unknown["CKV_AWS_33"][urn]
    assert result.summary()["unknown"] == {"CKV_AWS_33": 1, "CKV_AWS_388": 1}
    (failure,) = result.findings
    assert failure.blocking and "unknown until deployment" in failure.notes[0]


def test_an_unknown_identifier_is_still_a_reference_not_an_unknown_value():
    """kms_master_key_id = key.arn during a preview: which key is known, so checks on it
    keep their verdict; an unknown flag or policy is content nobody can judge yet."""
    key = resource("aws:kms/key:Key", "key", {})
    topic = resource("aws:sns/topic:Topic", "alerts",
                     {"kmsMasterKeyId": UNKNOWN_MARKER, "policy": UNKNOWN_MARKER,
                      "tags": {"data-class": "logs", "owner": UNKNOWN_MARKER}},
                     deps={"kmsMasterKeyId": [key["__urn"]], "policy": [key["__urn"]]})
    db = resource("aws:rds/instance:Instance", "db", {"publiclyAccessible": UNKNOWN_MARKER})
    conversion = convert_graphs([graph(key, topic, db)])
    unknown = {o.tf_type: o.unknown_attributes for o in conversion.resources.values()}
    assert unknown == {"aws_kms_key": frozenset(), "aws_sns_topic": {"policy", "tags/owner"},
                       "aws_db_instance": {"publicly_accessible"}}
    planned = {r["type"]: r["values"] for r in
               conversion.plan["planned_values"]["root_module"]["resources"]}
    assert planned["aws_sns_topic"]["tags"] == {"data-class": "logs"}  # no sentinel leaks
    assert UNKNOWN_MARKER not in conversion.dumps()


def test_a_secret_is_unreadable_content_unless_it_is_a_credential():
    """A secret policy reaches checkov as "[secret]", which it passes as if there were no
    policy; a secret password is judged by no check and stays out of the way."""
    role = resource("aws:iam/role:Role", "r", {})
    policy = resource("aws:iam/policy:Policy", "p", {"policy": SECRET_MARKER},
                      deps={"policy": [role["__urn"]]})
    db = resource("aws:rds/instance:Instance", "db",
                  {"password": SECRET_MARKER, "storageEncrypted": True})
    conversion = convert_graphs([graph(role, policy, db)])
    unknown = {o.tf_type: o.unknown_attributes for o in conversion.resources.values()}
    assert unknown["aws_iam_policy"] == {"policy"}
    assert unknown["aws_db_instance"] == frozenset()
    planned = {r["type"]: r["values"] for r in
               conversion.plan["planned_values"]["root_module"]["resources"]}
    assert planned["aws_iam_policy"]["policy"] == SECRET_MARKER  # not a reference to the role


def test_an_unknown_tag_leaves_the_other_tags_judged(tmp_path):
    """`owner = role.arn` is unknown in a preview; the bucket's data-class is not."""
    mapping = load_mapping(_write(tmp_path, _base(
        CKV_IME_4={"control": "IME-INT-01", "enforcement": "mandatory"},
        CKV2_AWS_6={"control": "IME-ACC-01", "enforcement": "mandatory"},
    )))
    role = resource("aws:iam/role:Role", "owner", {})
    bucket = resource("aws:s3/bucket:Bucket", "logs",
                      {"tags": {"data-class": "logs", "owner": UNKNOWN_MARKER}},
                      deps={"tags": [role["__urn"]]})
    conversion = convert_graphs([graph(role, bucket)])
    address = next(a for a, o in conversion.resources.items() if o.tf_type == "aws_s3_bucket")
    assert conversion.resources[address].unknown_attributes == {"tags/owner"}
    report = {"results": {"passed_checks": [
        _evaluated(_record("CKV_IME_4", address), "tags/data-class", "object_lock_enabled"),
        _evaluated(_record("CKV2_AWS_6", address), "tags", "resource_type"),  # the whole map
    ]}, "summary": {}}
    result = map_report(report, conversion, mapping)
    assert result.passed == {"CKV_IME_4": {bucket["__urn"]}}
    assert set(result.unknown) == {"CKV2_AWS_6"}
