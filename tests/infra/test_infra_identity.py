"""Identity: password policy, least-privilege groups with MFA required for PHI, Cognito portal."""

from __future__ import annotations

import fnmatch

import pytest
from ime_platform.identity import Identity, IdentityArgs
from ime_platform.policy_documents import MFA_BOOTSTRAP_ACTIONS
from infra_harness import Registry, synthesize

REFERRALS = "arn:aws:s3:::ime-test-phi-referrals-111122223333-us-east-1"
REPORTS = "arn:aws:s3:::ime-test-phi-reports-111122223333-us-east-1"
EVIDENCE = "arn:aws:s3:::ime-test-evidence-111122223333-us-east-1"
LOG_GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:/ime/test/cloudtrail"
POLICY = "aws:iam/policy:Policy"
GROUPS = ("intake-staff", "examiners", "qa-reviewers", "auditors")


def _args(ctx, **overrides) -> IdentityArgs:
    values = dict(
        context=ctx,
        referrals_bucket_arn=REFERRALS,
        reports_bucket_arn=REPORTS,
        evidence_bucket_arn=EVIDENCE,
        audit_log_group_arn=LOG_GROUP,
        phi_key_alias="alias/ime-test-phi-documents",
        audit_key_alias="alias/ime-test-audit-logs",
    )
    values.update(overrides)
    return IdentityArgs(**values)


@pytest.fixture
def identity(ctx) -> Registry:
    return synthesize(lambda: Identity("identity", _args(ctx)))


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_account_password_policy(identity: Registry):
    policy = identity.one("aws:iam/accountPasswordPolicy:AccountPasswordPolicy").inputs
    assert policy["minimumPasswordLength"] == 14
    assert policy["passwordReusePrevention"] == 24
    assert policy["maxPasswordAge"] == 90
    for setting in (
        "requireLowercaseCharacters",
        "requireUppercaseCharacters",
        "requireNumbers",
        "requireSymbols",
    ):
        assert policy[setting] is True, setting


def test_one_group_per_workforce_role_each_with_its_access_policy(identity: Registry):
    groups = identity.of_type("aws:iam/group:Group")
    assert sorted(g.inputs["name"] for g in groups) == sorted(f"ime-test-{g}" for g in GROUPS)
    attachments = identity.of_type("aws:iam/groupPolicyAttachment:GroupPolicyAttachment")
    for group in groups:
        attached = [a for a in attachments if a.depends_on("group", group)]
        assert len(attached) == 2, group.name  # its access policy and self-service MFA
    assert not identity.of_type("aws:iam/userPolicyAttachment:UserPolicyAttachment")
    assert not identity.of_type("aws:iam/userPolicy:UserPolicy")


def _access_policies(registry: Registry) -> list:
    return [p for p in registry.of_type(POLICY) if p.name.endswith("-access")]


def test_every_access_policy_denies_all_but_mfa_enrolment_without_mfa(platform: Registry):
    policies = _access_policies(platform)
    assert len(policies) == 4
    for policy in policies:
        statements = policy.policy()["Statement"]
        deny = next(s for s in statements if s["Sid"] == "DenyPhiAccessWithoutMfa")
        assert deny["Effect"] == "Deny"
        assert deny["Resource"] == "*"
        assert deny["Condition"] == {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        assert "Action" not in deny
        exempt = deny["NotAction"]
        assert set(exempt) == set(MFA_BOOTSTRAP_ACTIONS)
        # Every action the policy grants falls under the Deny when MFA is absent.
        for statement in statements:
            if statement["Effect"] != "Allow":
                continue
            for action in _as_list(statement["Action"]):
                assert not any(fnmatch.fnmatchcase(action, e) for e in exempt), action


def test_mfa_enrolment_is_all_that_works_before_mfa(identity: Registry):
    self_service = identity.one(POLICY, "identity-self-service-mfa").policy()["Statement"]
    allowed = {a for s in self_service if "Condition" not in s for a in s["Action"]}
    assert allowed == {a for a in MFA_BOOTSTRAP_ACTIONS if a.startswith("iam:")}
    deactivate = next(s for s in self_service if s["Sid"] == "DeactivateOwnMfaOnlyWithMfa")
    assert deactivate["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert "iam:DeactivateMFADevice" not in MFA_BOOTSTRAP_ACTIONS


def test_no_policy_allows_everything(platform: Registry):
    documents = [p.policy() for p in platform.of_type(POLICY)]
    documents += [p.policy() for p in platform.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert len(documents) >= 6
    for document in documents:
        for statement in document["Statement"]:
            if statement["Effect"] == "Allow":
                actions = _as_list(statement["Action"])
                resources = _as_list(statement["Resource"])
                assert not ("*" in actions and "*" in resources), statement["Sid"]
                assert not any(a.endswith(":*") and "*" in resources for a in actions)


def test_phi_access_is_scoped_to_the_named_buckets_and_key(identity: Registry):
    examiners = identity.one(POLICY, "identity-examiners-access").policy()["Statement"]
    objects = {r for s in examiners if s["Sid"].startswith("ObjectAccess") for r in s["Resource"]}
    assert objects == {f"{REFERRALS}/*", f"{REPORTS}/*"}
    writes = [s for s in examiners if s["Effect"] == "Allow" and "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == [[f"{REPORTS}/*"]]  # referrals are read-only
    key = next(s for s in examiners if s["Sid"].startswith("UseKeyThroughS3"))
    assert key["Condition"]["ForAnyValue:StringEquals"] == {
        "kms:ResourceAliases": "alias/ime-test-phi-documents"
    }
    auditors = identity.one(POLICY, "identity-auditors-access").policy()["Statement"]
    auditor_resources = {r for s in auditors for r in _as_list(s["Resource"])}
    assert not {f"{REFERRALS}/*", f"{REPORTS}/*"} & auditor_resources  # auditors see no PHI


def test_platform_policies_depend_on_the_buckets_they_grant(platform: Registry):
    referrals = platform.one("aws:s3/bucket:Bucket", "phi-storage-referrals-bucket")
    intake = platform.one(POLICY, "identity-intake-staff-access")
    assert intake.depends_on("policy", referrals)


def test_portal_user_pool_requires_mfa_and_strong_passwords(identity: Registry):
    pool = identity.one("aws:cognito/userPool:UserPool").inputs
    assert pool["mfaConfiguration"] == "ON"
    assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    password = pool["passwordPolicy"]
    assert password["minimumLength"] == 14
    for setting in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"):
        assert password[setting] is True
    assert password["temporaryPasswordValidityDays"] == 1
    assert pool["adminCreateUserConfig"]["allowAdminCreateUserOnly"] is True
    assert pool["deletionProtection"] == "ACTIVE"
    client = identity.one("aws:cognito/userPoolClient:UserPoolClient").inputs
    assert client["generateSecret"] is False
    assert client["preventUserExistenceErrors"] == "ENABLED"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password_minimum_length": 8}, "at least 14 characters"),
        ({"password_max_age_days": 365}, "maximum age must be 1-90 days"),
        ({"portal_password_minimum_length": 6}, "portal passwords must be 14-99"),
    ],
)
def test_identity_args_refuse_weakening(ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        _args(ctx, **overrides)


def test_stricter_values_are_accepted(ctx):
    args = _args(ctx, password_minimum_length=20, password_max_age_days=60)
    registry = synthesize(lambda: Identity("identity", args))
    policy = registry.one("aws:iam/accountPasswordPolicy:AccountPasswordPolicy").inputs
    assert (policy["minimumPasswordLength"], policy["maxPasswordAge"]) == (20, 60)
