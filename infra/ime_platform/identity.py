"""Workforce and portal identity: password policy, least-privilege groups that need MFA for PHI,
and the external portal's Cognito user pool with MFA required."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .policy_documents import (
    MFA_BOOTSTRAP_ACTIONS,
    Statement,
    allow,
    deny_without_mfa,
    policy_document,
)
from .tagging import resource_tags

# Workforce password policy (IME-IAM-03). Stricter values are accepted, weaker ones refused.
MIN_PASSWORD_LENGTH = 14
MAX_PASSWORD_AGE_DAYS = 90
PASSWORD_REUSE_PREVENTION = 24  # IAM's maximum
MIN_PORTAL_PASSWORD_LENGTH = 14

# Path of the workforce groups and policies, so account admins can scope them as a set.
IAM_PATH = "/ime/"

READ_OBJECT = ("s3:GetObject", "s3:GetObjectVersion")
WRITE_OBJECT = ("s3:PutObject",)
LIST_BUCKET = ("s3:ListBucket", "s3:ListBucketVersions")
# S3 calls KMS on the caller's behalf: reading needs Decrypt, writing GenerateDataKey.
KMS_READ = ("kms:Decrypt",)
KMS_WRITE = ("kms:Decrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class BucketGrant:
    bucket_arn: pulumi.Input[str]
    object_actions: tuple[str, ...]


@dataclass(frozen=True)
class KeyGrant:
    alias_name: str
    actions: tuple[str, ...]


@dataclass
class WorkforceRole:
    group: str
    description: str
    buckets: list[BucketGrant]
    keys: list[KeyGrant]
    statements: list[Statement] = field(default_factory=list)
    log_group_arn: pulumi.Input[str] | None = None


@dataclass
class IdentityArgs:
    context: PlatformContext
    referrals_bucket_arn: pulumi.Input[str]
    reports_bucket_arn: pulumi.Input[str]
    evidence_bucket_arn: pulumi.Input[str]
    audit_log_group_arn: pulumi.Input[str]
    phi_key_alias: str
    audit_key_alias: str
    password_minimum_length: int = MIN_PASSWORD_LENGTH
    password_max_age_days: int = MAX_PASSWORD_AGE_DAYS
    portal_password_minimum_length: int = MIN_PORTAL_PASSWORD_LENGTH

    def __post_init__(self) -> None:
        if self.password_minimum_length < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"workforce passwords must be at least {MIN_PASSWORD_LENGTH} characters,"
                f" got {self.password_minimum_length}"
            )
        if not 1 <= self.password_max_age_days <= MAX_PASSWORD_AGE_DAYS:
            raise ValueError(
                f"workforce password maximum age must be 1-{MAX_PASSWORD_AGE_DAYS} days,"
                f" got {self.password_max_age_days}"
            )
        if not MIN_PORTAL_PASSWORD_LENGTH <= self.portal_password_minimum_length <= 99:
            raise ValueError(
                f"portal passwords must be {MIN_PORTAL_PASSWORD_LENGTH}-99 characters,"
                f" got {self.portal_password_minimum_length}"
            )


class Identity(pulumi.ComponentResource):
    COMPONENT = "identity"

    def __init__(
        self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:Identity", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        tags = resource_tags(ctx, self.COMPONENT)

        self.password_policy = aws.iam.AccountPasswordPolicy(
            f"{name}-password-policy",
            minimum_password_length=args.password_minimum_length,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=PASSWORD_REUSE_PREVENTION,
            max_password_age=args.password_max_age_days,
            hard_expiry=False,
            opts=child,
        )

        self_service = aws.iam.Policy(
            f"{name}-self-service-mfa",
            name=ctx.physical_name("self-service-mfa"),
            path=IAM_PATH,
            description="Lets workforce users manage their own password and MFA device",
            policy=_self_service_mfa_policy(ctx),
            tags=tags,
            opts=child,
        )

        self.groups: dict[str, aws.iam.Group] = {}
        self.policies: dict[str, aws.iam.Policy] = {}
        for role in _workforce_roles(args):
            group = aws.iam.Group(
                f"{name}-{role.group}",
                name=ctx.physical_name(role.group),
                path=IAM_PATH,
                opts=child,
            )
            policy = aws.iam.Policy(
                f"{name}-{role.group}-access",
                name=ctx.physical_name(f"{role.group}-access"),
                path=IAM_PATH,
                description=role.description,
                policy=workforce_policy_document(ctx, role),
                tags=tags,
                opts=child,
            )
            aws.iam.GroupPolicyAttachment(
                f"{name}-{role.group}-access",
                group=group.name,
                policy_arn=_policy_arn(ctx, policy),
                opts=child,
            )
            aws.iam.GroupPolicyAttachment(
                f"{name}-{role.group}-self-service-mfa",
                group=group.name,
                policy_arn=_policy_arn(ctx, self_service),
                opts=child,
            )
            self.groups[role.group] = group
            self.policies[role.group] = policy

        self.user_pool = aws.cognito.UserPool(
            f"{name}-portal-users",
            name=ctx.physical_name("portal"),
            user_pool_tier="ESSENTIALS",
            mfa_configuration="ON",
            software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                enabled=True
            ),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=args.portal_password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=1,
                password_history_size=PASSWORD_REUSE_PREVENTION,
            ),
            # Portal accounts are created by the organisation for referring parties; nobody
            # signs themselves up.
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(
                allow_admin_create_user_only=True
            ),
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            user_attribute_update_settings=aws.cognito.UserPoolUserAttributeUpdateSettingsArgs(
                attributes_require_verification_before_updates=["email"]
            ),
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(
                        name="verified_email", priority=1
                    )
                ]
            ),
            deletion_protection="ACTIVE",
            # The pool holds sign-in identities of referring parties, no examination records.
            tags=resource_tags(ctx, self.COMPONENT, "internal"),
            opts=child,
        )
        self.portal_client = aws.cognito.UserPoolClient(
            f"{name}-portal-client",
            name=ctx.physical_name("portal-web"),
            user_pool_id=self.user_pool.id,
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=60,
            id_token_validity=60,
            refresh_token_validity=12,
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes", id_token="minutes", refresh_token="hours"
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "groups": {k: g.name for k, g in self.groups.items()},
                "portalUserPoolId": self.user_pool.id,
            }
        )


def _policy_arn(ctx: PlatformContext, policy: aws.iam.Policy) -> pulumi.Output[str]:
    """The managed policy's ARN from its name and path: known during preview, still a
    dependency on the policy."""
    return policy.name.apply(lambda name: ctx.global_arn("iam", f"policy{IAM_PATH}{name}"))


def _workforce_roles(args: IdentityArgs) -> list[WorkforceRole]:
    ctx = args.context
    trail_arn = ctx.arn("cloudtrail", f"trail/{ctx.physical_name('trail')}")
    return [
        WorkforceRole(
            group="intake-staff",
            description="Intake staff: record incoming referrals",
            buckets=[BucketGrant(args.referrals_bucket_arn, READ_OBJECT + WRITE_OBJECT)],
            keys=[KeyGrant(args.phi_key_alias, KMS_WRITE)],
        ),
        WorkforceRole(
            group="examiners",
            description="Examiners: read referrals, write IME reports",
            buckets=[
                BucketGrant(args.referrals_bucket_arn, READ_OBJECT),
                BucketGrant(args.reports_bucket_arn, READ_OBJECT + WRITE_OBJECT),
            ],
            keys=[KeyGrant(args.phi_key_alias, KMS_WRITE)],
        ),
        WorkforceRole(
            group="qa-reviewers",
            description="QA reviewers: read referrals, review and correct IME reports",
            buckets=[
                BucketGrant(args.referrals_bucket_arn, READ_OBJECT),
                BucketGrant(args.reports_bucket_arn, READ_OBJECT + WRITE_OBJECT),
            ],
            keys=[KeyGrant(args.phi_key_alias, KMS_WRITE)],
        ),
        WorkforceRole(
            group="auditors",
            description="Auditors: read compliance evidence and the audit trail, no PHI",
            buckets=[
                BucketGrant(
                    args.evidence_bucket_arn,
                    READ_OBJECT + ("s3:GetObjectLegalHold", "s3:GetObjectRetention"),
                )
            ],
            keys=[KeyGrant(args.audit_key_alias, KMS_READ)],
            statements=[
                # LookupEvents has no resource type: AWS only accepts "*" for it.
                allow("ReadAuditEvents", ["cloudtrail:LookupEvents"], ["*"]),
                allow(
                    "ReadTrailStatus",
                    ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
                    [trail_arn],
                ),
            ],
            log_group_arn=args.audit_log_group_arn,
        ),
    ]


def workforce_policy_document(ctx: PlatformContext, role: WorkforceRole) -> pulumi.Output[str]:
    """Scoped Allow statements plus an explicit Deny of all access without MFA.

    Bucket ARNs are resource outputs, so the document records a dependency on each bucket.
    """

    def build(bucket_arns: Sequence[str], log_group_arn: str | None) -> str:
        statements: list[Statement] = []
        for index, (grant, arn) in enumerate(zip(role.buckets, bucket_arns, strict=True)):
            statements.append(allow(f"ObjectAccess{index}", grant.object_actions, [f"{arn}/*"]))
            statements.append(allow(f"ListBucket{index}", LIST_BUCKET, [arn]))
        for index, grant in enumerate(role.keys):
            statements.append(
                allow(
                    f"UseKeyThroughS3{index}",
                    grant.actions,
                    [ctx.arn("kms", "key/*")],
                    # Key ARNs are unknown until apply; the alias names the one key allowed.
                    Condition={
                        "ForAnyValue:StringEquals": {"kms:ResourceAliases": grant.alias_name},
                        "StringEquals": {"kms:ViaService": ctx.service_endpoint("s3")},
                    },
                )
            )
        statements.extend(role.statements)
        if log_group_arn is not None:
            statements.append(
                allow(
                    "ReadAuditLogGroup",
                    ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents"],
                    [log_group_arn, f"{log_group_arn}:*"],
                )
            )
        statements.append(deny_without_mfa())
        return policy_document(statements)

    return pulumi.Output.all(role.log_group_arn, *(g.bucket_arn for g in role.buckets)).apply(
        lambda values: build(values[1:], values[0])
    )


def _self_service_mfa_policy(ctx: PlatformContext) -> str:
    # User names are unique across paths, so the path wildcard matches only the caller.
    own_user = [
        ctx.global_arn("iam", "user/${aws:username}"),
        ctx.global_arn("iam", "user/*/${aws:username}"),
    ]
    own_mfa = ctx.global_arn("iam", "mfa/${aws:username}")
    # These two have no resource-level permissions: AWS accepts only "*" for them.
    account_wide = ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"]
    # Exactly what the MFA Deny leaves open, so enrolment works before MFA and nothing else does.
    own = [a for a in MFA_BOOTSTRAP_ACTIONS if a.startswith("iam:") and a not in account_wide]
    return policy_document(
        [
            allow("ViewPasswordPolicyAndMfaDevices", account_wide, ["*"]),
            allow("ManageOwnPasswordAndMfa", own, [*own_user, own_mfa]),
            allow(
                "DeactivateOwnMfaOnlyWithMfa",
                ["iam:DeactivateMFADevice"],
                [*own_user, own_mfa],
                Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            ),
        ]
    )
