"""Customer-managed KMS keys, one per data class, with rotation and least-privilege key policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .policy_documents import Statement, policy_document
from .tagging import resource_tags

# Services that use the backup keys: AWS Backup itself (S3 recovery points), and RDS, which
# copies database snapshots into a vault's key when AWS Backup copies them across regions.
BACKUP_KEY_SERVICES = ("backup", "rds")

# AWS's maximum waiting period, and the organisation's minimum: a key scheduled for deletion by
# mistake stays recoverable for 30 days (IME-KEY-02).
DELETION_WINDOW_DAYS = 30
ROTATION_PERIOD_DAYS = 365

KEY_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
KEY_USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")


def key_policy(
    context: PlatformContext,
    via_services: Sequence[str],
    service_statements: Sequence[Statement] = (),
    region: str | None = None,
) -> str:
    """A key policy naming the account root and specific service principals, never `*`.

    Account principals (through their IAM policies) may use the key only through the listed AWS
    services (`kms:ViaService`), so a leaked credential cannot decrypt data directly.
    """
    if not via_services:
        raise ValueError("a key must name the services allowed to use it")
    region = region or context.region
    endpoints = sorted(context.service_endpoint(s, region) for s in via_services)
    account = {"AWS": context.root_principal}
    statements: list[Statement] = [
        {
            "Sid": "KeyAdministrationThroughIam",
            "Effect": "Allow",
            "Principal": account,
            "Action": list(KEY_ADMIN_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "KeyUseThroughServices",
            "Effect": "Allow",
            "Principal": account,
            "Action": list(KEY_USE_ACTIONS),
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": endpoints,
                    "kms:CallerAccount": context.account_id,
                }
            },
        },
        {
            "Sid": "GrantsForAwsResourcesOnly",
            "Effect": "Allow",
            "Principal": account,
            "Action": list(GRANT_ACTIONS),
            "Resource": "*",
            "Condition": {
                "Bool": {"kms:GrantIsForAWSResource": "true"},
                "StringEquals": {"kms:ViaService": endpoints},
            },
        },
        *service_statements,
    ]
    return policy_document(statements)


def audit_service_statements(context: PlatformContext) -> list[Statement]:
    """Service principals that write audit and alerting data with the audit-logs key."""
    account = context.account_id
    return [
        {
            "Sid": "CloudTrailEncryptsLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{context.partition}:cloudtrail:*:{account}:trail/*"
                    )
                },
                "ArnLike": {
                    "aws:SourceArn": context.arn("cloudtrail", f"trail/{context.prefix}-*")
                },
            },
        },
        {
            "Sid": "CloudTrailDescribesKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "CloudWatchLogsEncryptsLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": context.service_endpoint("logs")},
            "Action": [
                "kms:Decrypt*",
                "kms:Describe*",
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": context.arn("logs", "log-group:*")
                }
            },
        },
        {
            "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": context.arn("cloudwatch", f"alarm:{context.prefix}-*")
                },
                "StringEquals": {"aws:SourceAccount": account},
            },
        },
        {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": ["kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
    ]


@dataclass
class ManagedKey:
    key: aws.kms.Key
    alias: aws.kms.Alias
    alias_name: str

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.key.arn


def customer_managed_key(
    resource_name: str,
    *,
    context: PlatformContext,
    role: str,
    description: str,
    component: str,
    via_services: Sequence[str],
    service_statements: Sequence[Statement] = (),
    region: str | None = None,
    opts: pulumi.ResourceOptions,
) -> ManagedKey:
    """One symmetric CMK with rotation, a 30-day deletion window and an alias.

    Nothing here can be switched off by a caller: rotation, the deletion window and the key
    policy shape are fixed.
    """
    key = aws.kms.Key(
        f"{resource_name}-key",
        description=description,
        key_usage="ENCRYPT_DECRYPT",
        customer_master_key_spec="SYMMETRIC_DEFAULT",
        enable_key_rotation=True,
        rotation_period_in_days=ROTATION_PERIOD_DAYS,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        is_enabled=True,
        multi_region=False,
        bypass_policy_lockout_safety_check=False,
        policy=key_policy(context, via_services, service_statements, region=region),
        tags=resource_tags(context, component),
        opts=opts,
    )
    alias_name = f"alias/{context.physical_name(role)}"
    alias = aws.kms.Alias(
        f"{resource_name}-alias",
        name=alias_name,
        target_key_id=key.arn,
        opts=opts,
    )
    return ManagedKey(key=key, alias=alias, alias_name=alias_name)


@dataclass
class KeysArgs:
    # Rotation, deletion window and key policies are fixed: there is nothing to weaken.
    context: PlatformContext


class Keys(pulumi.ComponentResource):
    """One customer-managed key per data class: PHI documents, case database, audit logs,
    backups."""

    COMPONENT = "keys"

    def __init__(
        self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:Keys", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)

        def make(
            role: str,
            description: str,
            services: Sequence[str],
            extra: Sequence[Statement] = (),
        ) -> ManagedKey:
            return customer_managed_key(
                f"{name}-{role}",
                context=ctx,
                role=role,
                description=description,
                component=self.COMPONENT,
                via_services=services,
                service_statements=extra,
                opts=child,
            )

        self.phi_documents = make(
            "phi-documents",
            "IME referral records and reports (PHI)",
            ["s3"],
        )
        self.case_database = make(
            "case-database",
            "IME case database, its master secret and Performance Insights (PHI)",
            ["rds", "secretsmanager"],
        )
        self.audit_logs = make(
            "audit-logs",
            "Audit trail, log groups, security alerts, access logs and compliance evidence",
            ["s3", "sns"],
            audit_service_statements(ctx),
        )
        self.backups = make(
            "backups",
            "AWS Backup recovery points of PHI stores",
            BACKUP_KEY_SERVICES,
        )
        self.register_outputs(
            {
                "phiDocumentsKeyArn": self.phi_documents.arn,
                "caseDatabaseKeyArn": self.case_database.arn,
                "auditLogsKeyArn": self.audit_logs.arn,
                "backupsKeyArn": self.backups.arn,
            }
        )

    @property
    def all(self) -> dict[str, ManagedKey]:
        return {
            "phi-documents": self.phi_documents,
            "case-database": self.case_database,
            "audit-logs": self.audit_logs,
            "backups": self.backups,
        }
