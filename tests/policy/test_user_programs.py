"""The pack on programs written the ways a user may write them (tests/policy/programs/).

Each program is synthesized offline twice, with resolved values and with other resources'
outputs unknown (as `pulumi preview` of a new stack sees them), and must give exactly the
expected (rule, resource name) findings in both: no insecure setting may pass, no secure
one may fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imekit.policy import evaluate

PROGRAMS = Path(__file__).resolve().parent / "programs"

pytestmark = pytest.mark.slow

ALARMS = ("stack_warn_security_alarms", "{stack}")
NO_TRAIL = ("stack_deny_cloudtrail_required", "{stack}")

EXPECTED = {
    "s3_styles": {
        # Inline blocks: BucketV2's lists and Bucket's single objects.
        ("deny_s3_bucket_cmk_encryption", "v2-inline-aes"),
        ("deny_s3_tls_only", "v7-tls-bucket-only"),
        # Separate V2 resources with weak settings: each finding names the resource to fix.
        ("stack_deny_s3_bucket_cmk_encryption", "v2-separate-bad-sse"),
        ("stack_deny_s3_phi_object_lock", "v2-separate-bad-lock"),
        ("stack_deny_s3_tls_only", "v2-separate-bad-policy"),
        ("deny_s3_public_access_block", "v2-separate-bad-pab"),
        # Companions naming the bucket by a literal string are not joined to it.
        ("stack_deny_s3_bucket_cmk_encryption", "joined-by-name"),
        ("stack_deny_s3_phi_object_lock", "joined-by-name"),
        ("stack_deny_s3_tls_only", "joined-by-name"),
        ("stack_deny_s3_public_access_block", "joined-by-name"),
        ("stack_deny_s3_phi_access_logging", "joined-by-name"),
        ALARMS,
    },
    "data_stores": {
        ("deny_rds_cmk_encryption", "cluster-bad"),
        ("deny_rds_backup_retention", "cluster-bad"),
        ("deny_rds_deletion_protection", "cluster-bad"),
        ("deny_rds_force_ssl", "cluster-bad-params"),
        ("deny_rds_public", "cluster-bad-1"),
        ("deny_rds_force_ssl", "oracle-db"),
        ("deny_rds_force_ssl", "mysql-default-group"),
        ("deny_efs_cmk_encryption", "scans-efs"),
        ("deny_dynamodb_cmk_encryption", "cases-table"),
        NO_TRAIL,
        ALARMS,
    },
    "more_stores": {
        ("deny_docdb_cmk_encryption", "notes-bad"),
        # A policy whose document names a PHI cluster must require MFA.
        ("stack_deny_phi_access_without_mfa", "notes-read"),
        ("deny_redshift_cmk_encryption", "warehouse-bad"),
        ("deny_rds_public", "warehouse-bad"),
        ("deny_redshift_require_ssl", "warehouse-lax-params"),
        ("deny_redshift_require_ssl", "warehouse-defaults"),
        ("stack_deny_redshift_require_ssl", "warehouse-shared"),
        ("deny_opensearch_cmk_encryption", "search-bad"),
        ("deny_opensearch_https", "search-bad"),
        ("deny_opensearch_node_to_node_encryption", "search-bad"),
        ("deny_opensearch_cmk_encryption", "legacy-search"),
        ("deny_opensearch_https", "legacy-search"),
        ("deny_elasticache_cmk_encryption", "cache-bad"),
        ("deny_elasticache_transit_encryption", "cache-bad"),
        ("deny_ebs_cmk_encryption", "worker-bad"),
        ("deny_ebs_cmk_encryption", "worker-data"),
        ("deny_ebs_cmk_encryption", "template-bad"),
        ("deny_data_class_tag", "template-untagged"),
        NO_TRAIL,
        ALARMS,
    },
    "access_styles": {
        ("deny_lb_listener_tls", "alb-http-forward"),
        ("deny_lb_listener_tls", "lb-https-2016"),
        ("deny_lb_listener_tls", "alb-https-no-policy"),
        ("deny_lb_listener_tls", "classic"),
        ("deny_iam_admin_wildcard_policy", "admin-json"),
        ("deny_iam_admin_wildcard_policy", "admin-single-statement"),
        ("deny_iam_admin_wildcard_policy", "admin-not-resource"),
        ("deny_iam_admin_wildcard_policy", "admin-document"),
        ("deny_phi_access_without_mfa", "phi-readers-deny-elsewhere"),
        ("deny_phi_access_without_mfa", "phi-readers-deny-in-one-region"),
        ("deny_phi_access_without_mfa", "examiner"),
        ("deny_kms_wildcard_principal", "key-aws-star"),
        ("deny_kms_wildcard_principal", "key-aws-star-list"),
        ("deny_kms_wildcard_principal", "key-star-other-accounts"),
        ("deny_kms_wildcard_principal", "key-not-principal"),
        NO_TRAIL,
        ALARMS,
    },
}


@pytest.fixture(scope="module")
def synthesize():
    from imekit.graph import synthesize

    return synthesize


@pytest.mark.parametrize("unknowns", [False, True], ids=["resolved", "unknowns"])
@pytest.mark.parametrize("program", sorted(EXPECTED))
def test_program_gives_exactly_the_expected_findings(pack, synthesize, program, unknowns):
    graph = synthesize(PROGRAMS / program, "test", unknowns=unknowns)
    stack_name = f"{graph.project}-{graph.stack}"
    result = evaluate(pack, graph)
    found = {(v.rule, v.urn.rsplit("::", 1)[-1]) for v in result.violations}
    expected = {(rule, name.format(stack=stack_name)) for rule, name in EXPECTED[program]}
    assert found - expected == set(), "unexpected findings"
    assert expected - found == set(), "insecure settings that passed"
