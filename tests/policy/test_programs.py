"""The pack on real programs, synthesized offline: the reference platform passes (as a
deploy would see it, with other resources' outputs unknown) and the insecure program
trips the rules it was written to trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from imekit.policy import evaluate

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# Rules judging services the reference platform does not deploy.
NOT_ON_PLATFORM = {
    "deny_iam_user_attached_policy",
    "deny_lb_listener_tls",
    "deny_secret_cmk_encryption",
    "deny_ebs_cmk_encryption",
    "deny_efs_cmk_encryption",
    "deny_dynamodb_cmk_encryption",
    "deny_docdb_cmk_encryption",
    "deny_redshift_cmk_encryption",
    "deny_opensearch_cmk_encryption",
    "deny_elasticache_cmk_encryption",
    "deny_redshift_require_ssl",
    "stack_deny_redshift_require_ssl",
    "deny_opensearch_https",
    "deny_opensearch_node_to_node_encryption",
    "deny_elasticache_transit_encryption",
}


@pytest.fixture(scope="module")
def synthesize():
    from imekit.graph import synthesize

    return synthesize


def test_reference_platform_passes_at_preview(pack, synthesize):
    graph = synthesize(REPO, "dev", unknowns=True)
    result = evaluate(pack, graph)
    assert [v.message for v in result.violations] == []
    # Rules really looked at it: only rules for services the platform does not use
    # inspected nothing.
    uninspected = {r for r, urns in result.evaluated.items() if not urns}
    assert uninspected <= NOT_ON_PLATFORM
    assert len(result.evaluated) - len(uninspected) >= 40


def test_reference_platform_passes_in_prod_with_known_values(pack, synthesize):
    result = evaluate(pack, synthesize(REPO, "prod"))
    assert [v.message for v in result.violations] == []


def test_insecure_program_trips_its_rules(pack, synthesize):
    graph = synthesize(REPO / "tests" / "programs" / "insecure", "dev", unknowns=True)
    fired = {v.rule for v in evaluate(pack, graph).violations}
    expected = {
        "deny_rds_public",
        "deny_rds_cmk_encryption",
        "deny_kms_key_rotation",
        "deny_kms_wildcard_principal",
        "deny_iam_admin_wildcard_policy",
        "deny_iam_user_attached_policy",
        "deny_cognito_mfa",
        "deny_s3_public_access_block",
        "stack_deny_cloudtrail_required",
        "stack_deny_s3_bucket_cmk_encryption",
        "stack_deny_phi_backup_selection",
    }
    assert expected <= fired, f"missing: {sorted(expected - fired)}"
