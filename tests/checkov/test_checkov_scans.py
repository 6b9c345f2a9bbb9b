"""Real checkov (3.3.30, isolated environment) on the real reference platform and the
insecure program, cross-resource checks with and without their related resource, and the
kit's own checks passing and failing."""

from __future__ import annotations

import copy

import pytest
from ckv_fixtures import graph
from ckv_fixtures import resource as _resource

from imekit.checkov import load_mapping, run_checkov
from imekit.checkov.environment import CHECKOV_VERSION
from imekit.graph.model import UNKNOWN_MARKER, Graph

pytestmark = pytest.mark.needs_checkov


def _failed(result, check_id: str) -> set[str]:
    return {f.urn for f in result.findings if f.check_id == check_id}


def _by_type(g: Graph, pulumi_type: str) -> list[dict]:
    return [d for d in g.resources if d["__type"] == pulumi_type]


def test_reference_platform_passes_every_mandatory_check(reference_result):
    mapping = load_mapping()
    assert reference_result.version == CHECKOV_VERSION
    assert reference_result.blocking == []
    assert reference_result.unmapped_checks == {}
    assert reference_result.unmapped_types == {}
    ran = set(reference_result.passed) | {f.check_id for f in reference_result.findings}
    mandatory_ran = {c for c in ran if (m := mapping.get(c)) and m.enforcement == "mandatory"}
    # The scan is real and broad: dozens of mandatory ids judged, the kit's own included.
    assert len(mandatory_ran) >= 50
    assert {"CKV_IME_1", "CKV_IME_2", "CKV_IME_3", "CKV_IME_4"} <= mandatory_ran
    assert {"CKV_AWS_145", "CKV2_AWS_6", "CKV2_AWS_10"} <= set(reference_result.passed)


def test_reference_findings_point_at_the_program(reference_result):
    advisory = reference_result.findings
    assert advisory, "the reference platform has documented advisory findings"
    for finding in advisory:
        assert finding.engine == "checkov"
        assert finding.urn.startswith("urn:pulumi:")
        assert finding.location is not None and finding.location.file.startswith("infra/")
        assert finding.location.line > 0


def test_insecure_program_fails_the_expected_ids(insecure_result, insecure_dev):
    db = _by_type(insecure_dev, "aws:rds/instance:Instance")[0]["__urn"]
    key = _by_type(insecure_dev, "aws:kms/key:Key")[0]["__urn"]
    assert db in _failed(insecure_result, "CKV_AWS_16")  # unencrypted database
    assert db in _failed(insecure_result, "CKV_AWS_17")  # public database
    assert key in _failed(insecure_result, "CKV_AWS_7")  # key without rotation
    expected = {
        "CKV_AWS_33", "CKV_AWS_26", "CKV_AWS_149", "CKV_AWS_158", "CKV_AWS_166",
        "CKV_AWS_3", "CKV_AWS_189", "CKV_AWS_40", "CKV_AWS_62", "CKV_AWS_10", "CKV_AWS_145",
        "CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_293", "CKV_AWS_133",
        "CKV_IME_1", "CKV_IME_2", "CKV_IME_3", "CKV_IME_4",
    }
    failed = {f.check_id for f in insecure_result.blocking}
    assert expected <= failed, sorted(expected - failed)
    finding = next(f for f in insecure_result.findings if f.check_id == "CKV_AWS_16")
    assert finding.enforcement == "mandatory" and finding.blocking
    assert finding.control_ids == ("IME-ENC-01",)
    assert finding.message.startswith("[IME-ENC-01] ")
    assert finding.resource_type == "aws:rds/instance:Instance"
    assert finding.stack == "dev"


def test_ignored_ids_are_dropped_but_counted(insecure_result):
    mapping = load_mapping()
    assert insecure_result.ignored
    for check_id, count in insecure_result.ignored.items():
        assert mapping.get(check_id).enforcement == "ignored" and count > 0
        assert not _failed(insecure_result, check_id)


def test_every_id_seen_is_in_the_catalog(reference_result, insecure_result):
    mapping = load_mapping()
    for result in (reference_result, insecure_result):
        seen = set(result.passed) | {f.check_id for f in result.findings} | set(result.ignored)
        assert {c for c in seen if mapping.get(c) is None} == set()


def _without(g: Graph, predicate) -> Graph:
    kept = [copy.deepcopy(d) for d in g.resources if not predicate(d)]
    return Graph(g.project, g.stack, g.source, kept, g.locations)


def test_cross_resource_checks_fail_when_the_related_resource_is_removed(
    checkov_env, reference_dev
):
    """CKV_AWS_145 (bucket KMS via a separate encryption resource), CKV2_AWS_6 (public access
    block) and CKV2_AWS_10 (trail -> CloudWatch Logs) pass on the reference platform and
    fail once the related resource is gone: one scan with all three removed."""
    buckets = {d["__name"]: d["__urn"] for d in _by_type(reference_dev, "aws:s3/bucket:Bucket")}
    sse_gone = "phi-storage-referrals-bucket"
    pab_gone = "phi-storage-reports-bucket"
    trail = _by_type(reference_dev, "aws:cloudtrail/trail:Trail")[0]
    log_group_urns = set(trail["propertyDependencies"]["cloudWatchLogsGroupArn"])

    def removed(doc):
        deps = {u for urns in doc["propertyDependencies"].values() for u in urns}
        if doc["__type"].startswith("aws:s3/bucketServerSideEncryptionConfiguration"):
            return buckets[sse_gone] in deps
        if doc["__type"].startswith("aws:s3/bucketPublicAccessBlock"):
            return buckets[pab_gone] in deps
        return doc["__urn"] in log_group_urns

    result = run_checkov([_without(reference_dev, removed)])
    assert _failed(result, "CKV_AWS_145") == {buckets[sse_gone]}
    assert _failed(result, "CKV2_AWS_6") == {buckets[pab_gone]}
    assert _failed(result, "CKV2_AWS_10") == {trail["__urn"]}
    # The other buckets still pass: the failures are caused by the removals alone.
    assert len(result.passed["CKV_AWS_145"]) == len(buckets) - 1
    assert len(result.passed["CKV2_AWS_6"]) == len(buckets) - 1


def _custom_fixture(compliant: bool) -> Graph:
    stack = "good" if compliant else "bad"

    def resource(*args, **kwargs):
        return _resource(*args, stack=stack, **kwargs)

    pool = resource("aws:cognito/userPool:UserPool", "examinees",
                    {"mfaConfiguration": "ON" if compliant else "OPTIONAL"})
    vault = resource("aws:backup/vault:Vault", "phi-vault", {"name": "phi-vault-1a2b3c4"})
    docs = [pool, vault]
    if compliant:
        docs.append(resource(
            "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "phi-vault-lock",
            {"backupVaultName": "phi-vault-1a2b3c4", "minRetentionDays": 35.0},
            deps={"backupVaultName": [vault["__urn"]]},
        ))
    days = 35.0 if compliant else 34.0
    docs.append(resource(
        "aws:backup/plan:Plan", "phi-plan",
        {"rules": [
            {"ruleName": "daily", "targetVaultName": "phi-vault-1a2b3c4",
             "lifecycle": {"deleteAfter": 2192.0}},
            {"ruleName": "weekly", "targetVaultName": "phi-vault-1a2b3c4",
             "copyActions": [{"destinationVaultArn": "arn:aws:backup:::vault:dr",
                              "lifecycle": {"deleteAfter": days}}]},
        ]},
        deps={"rules": [vault["__urn"]]},
    ))
    phi = resource("aws:s3/bucket:Bucket", "phi-docs", {"tags": {"data-class": "phi"}})
    docs.append(phi)
    if compliant:
        docs.append(resource(
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "phi-lock",
            {"bucket": "phi-docs-1a2b3c4", "objectLockEnabled": "Enabled"},
            deps={"bucket": [phi["__urn"]]},
        ))
    # An unclassified bucket counts as PHI; inline Object Lock satisfies the check.
    docs.append(resource("aws:s3/bucket:Bucket", "unlabelled",
                         {"objectLockEnabled": compliant}))
    # A logs bucket needs no Object Lock under CKV_IME_4.
    docs.append(resource("aws:s3/bucket:Bucket", "app-logs", {"tags": {"data-class": "logs"}}))
    return graph(*docs, stack=stack)


def test_kit_checks_pass_and_fail(checkov_env):
    good, bad = _custom_fixture(True), _custom_fixture(False)
    result = run_checkov([good, bad])
    by_stack: dict[str, set] = {"good": set(), "bad": set()}
    for f in result.findings:
        if f.check_id.startswith("CKV_IME_"):
            by_stack[f.stack].add((f.check_id, f.urn.rsplit("::", 1)[1]))
    assert by_stack["good"] == set()
    assert by_stack["bad"] == {
        ("CKV_IME_1", "examinees"), ("CKV_IME_2", "phi-vault"), ("CKV_IME_3", "phi-plan"),
        ("CKV_IME_4", "phi-docs"), ("CKV_IME_4", "unlabelled"),
    }
    passed = {(u.split("::")[0].rsplit(":", 1)[1], u.rsplit("::", 1)[1])
              for c in ("CKV_IME_1", "CKV_IME_2", "CKV_IME_3", "CKV_IME_4")
              for u in result.passed.get(c, ())}
    assert passed == {("good", "examinees"), ("good", "phi-vault"), ("good", "phi-plan"),
                      ("good", "phi-docs"), ("good", "unlabelled"), ("good", "app-logs"),
                      ("bad", "app-logs")}


def test_plan_fidelity_on_real_checkov(checkov_env):
    """Real checkov on shapes the bridge must get right: a bucket's inline replication rules
    (Terraform's `rules`, read by CKV_AWS_144), and policies a preview cannot know yet,
    which checkov would pass unseen: the kit reports them unknown, never passed."""
    role = _resource("aws:iam/role:Role", "replicator", {"name": "replicator-1a2b3c"})
    replicated = _resource("aws:s3/bucket:Bucket", "replicated", {
        "replicationConfiguration": {
            "role": "arn:aws:iam::111122223333:role/replicator-1a2b3c",
            "rules": [{"id": "dr", "status": "Enabled",
                       "destination": {"bucket": "arn:aws:s3:::dr-copy"}}],
        },
    }, deps={"replicationConfiguration": [role["__urn"]]})
    single = _resource("aws:s3/bucket:Bucket", "single", {})
    key = _resource("aws:kms/key:Key", "opaque-key",
                    {"policy": UNKNOWN_MARKER, "enableKeyRotation": True},
                    deps={"policy": [role["__urn"]]})
    admin = _resource("aws:iam/policy:Policy", "opaque-policy", {"policy": UNKNOWN_MARKER},
                      deps={"policy": [replicated["__urn"]]})
    result = run_checkov([graph(role, replicated, single, key, admin)])
    assert replicated["__urn"] in result.passed["CKV_AWS_144"]
    assert _failed(result, "CKV_AWS_144") == {single["__urn"]}
    for check_id, doc in (("CKV_AWS_33", key), ("CKV_AWS_62", admin), ("CKV_AWS_63", admin)):
        assert doc["__urn"] not in result.passed.get(check_id, set()), check_id
        assert doc["__urn"] not in _failed(result, check_id), check_id
        assert "policy" in result.unknown[check_id][doc["__urn"]], check_id
    assert key["__urn"] in result.passed["CKV_AWS_7"]  # known values keep their verdict
