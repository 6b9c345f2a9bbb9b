"""AWS Backup of every PHI store: a locked vault under its own key, daily and monthly rules, and a
copy of every recovery point to a locked vault in a second region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .context import PlatformContext, validate_region
from .guards import require_customer_managed_key
from .keys import BACKUP_KEY_SERVICES, customer_managed_key
from .policy_documents import service_trust_policy
from .tagging import resource_tags

MIN_DAILY_RETENTION_DAYS = 35
MIN_MONTHLY_RETENTION_DAYS = 365
MIN_LOCK_CHANGEABLE_DAYS = 3  # AWS's minimum grace period before a compliance lock is final
DAILY_SCHEDULE = "cron(0 5 ? * * *)"
MONTHLY_SCHEDULE = "cron(0 5 1 * ? *)"

# AWS managed policies for backing up and restoring RDS and S3 (no wildcard statements of ours).
BACKUP_SERVICE_POLICIES = {
    "backup": "policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restore": "policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "s3-backup": "policy/AWSBackupServiceRolePolicyForS3Backup",
    "s3-restore": "policy/AWSBackupServiceRolePolicyForS3Restore",
}


@dataclass
class BackupArgs:
    context: PlatformContext
    kms_key_arn: pulumi.Input[str]
    # ARNs of every PHI store to back up (the case database and the PHI buckets).
    protected_resource_arns: Sequence[pulumi.Input[str]]
    copy_region: str
    daily_retention_days: int = MIN_DAILY_RETENTION_DAYS
    monthly_retention_days: int = MIN_MONTHLY_RETENTION_DAYS
    lock_changeable_days: int = MIN_LOCK_CHANGEABLE_DAYS

    def __post_init__(self) -> None:
        require_customer_managed_key(self.kms_key_arn, "the backup vault")
        if not self.protected_resource_arns:
            raise ValueError("the backup selection must name the PHI stores to protect")
        validate_region(self.copy_region, "backup copy region")
        if self.copy_region == self.context.region:
            raise ValueError(f"backup copies must go to another region than {self.context.region}")
        if self.daily_retention_days < MIN_DAILY_RETENTION_DAYS:
            raise ValueError(
                f"daily backups must be kept at least {MIN_DAILY_RETENTION_DAYS} days,"
                f" got {self.daily_retention_days}"
            )
        if self.monthly_retention_days < max(MIN_MONTHLY_RETENTION_DAYS, self.daily_retention_days):
            raise ValueError(
                f"monthly backups must be kept at least {MIN_MONTHLY_RETENTION_DAYS} days and no"
                f" less than daily ones, got {self.monthly_retention_days}"
            )
        if self.lock_changeable_days < MIN_LOCK_CHANGEABLE_DAYS:
            raise ValueError(
                f"the vault lock grace period must be at least {MIN_LOCK_CHANGEABLE_DAYS} days"
            )


class Backup(pulumi.ComponentResource):
    COMPONENT = "backup"

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:Backup", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        tags = resource_tags(ctx, self.COMPONENT)
        # Vaults hold recovery points of PHI stores: they are PHI stores themselves.
        vault_tags = resource_tags(ctx, self.COMPONENT, "phi")

        self.vault = aws.backup.Vault(
            f"{name}-vault",
            name=ctx.physical_name("phi-backups"),
            kms_key_arn=args.kms_key_arn,
            force_destroy=False,
            tags=vault_tags,
            opts=child,
        )
        self.vault_lock = self._lock(f"{name}-vault-lock", self.vault, args, child)

        # The copy region has its own provider, key and locked vault: a regional outage or a
        # compromised primary vault leaves a recoverable copy.
        dr_provider = aws.Provider(f"{name}-copy-region", region=args.copy_region, opts=child)
        dr_child = pulumi.ResourceOptions(parent=self, provider=dr_provider)
        self.copy_key = customer_managed_key(
            f"{name}-copy",
            context=ctx,
            role="backups-copy",
            description=f"AWS Backup copies of PHI stores in {args.copy_region}",
            component=self.COMPONENT,
            via_services=BACKUP_KEY_SERVICES,
            region=args.copy_region,
            opts=dr_child,
        )
        self.copy_vault = aws.backup.Vault(
            f"{name}-copy-vault",
            name=ctx.physical_name("phi-backups-copy"),
            kms_key_arn=self.copy_key.arn,
            force_destroy=False,
            tags=vault_tags,
            opts=dr_child,
        )
        self.copy_vault_lock = self._lock(
            f"{name}-copy-vault-lock", self.copy_vault, args, dr_child
        )
        copy_vault_arn = self.copy_vault.name.apply(
            lambda vault: ctx.arn("backup", f"backup-vault:{vault}", region=args.copy_region)
        )

        def rule(rule_name: str, schedule: str, days: int) -> aws.backup.PlanRuleArgs:
            return aws.backup.PlanRuleArgs(
                rule_name=rule_name,
                target_vault_name=self.vault.name,
                schedule=schedule,
                start_window=60,
                completion_window=360,
                lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=days),
                copy_actions=[
                    aws.backup.PlanRuleCopyActionArgs(
                        destination_vault_arn=copy_vault_arn,
                        lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=days),
                    )
                ],
                recovery_point_tags=tags,
            )

        self.plan = aws.backup.Plan(
            f"{name}-plan",
            name=ctx.physical_name("phi-stores"),
            rules=[
                rule("daily", DAILY_SCHEDULE, args.daily_retention_days),
                rule("monthly", MONTHLY_SCHEDULE, args.monthly_retention_days),
            ],
            tags=tags,
            opts=child,
        )

        self.role = aws.iam.Role(
            f"{name}-role",
            name=ctx.physical_name("backup"),
            description="AWS Backup backs up and restores the PHI stores",
            assume_role_policy=service_trust_policy(
                "backup.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ctx.account_id}}
            ),
            tags=tags,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{purpose}",
                role=self.role.name,
                policy_arn=f"arn:{ctx.partition}:iam::aws:{policy}",
                opts=child,
            )
            for purpose, policy in BACKUP_SERVICE_POLICIES.items()
        ]
        self.selection = aws.backup.Selection(
            f"{name}-selection",
            name=ctx.physical_name("phi-stores"),
            plan_id=self.plan.id,
            iam_role_arn=self.role.name.apply(ctx.role_arn),
            resources=list(args.protected_resource_arns),
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
        self.register_outputs(
            {
                "vault": self.vault.name,
                "copyVault": self.copy_vault.name,
                "planId": self.plan.id,
            }
        )

    @staticmethod
    def _lock(
        resource_name: str,
        vault: aws.backup.Vault,
        args: BackupArgs,
        opts: pulumi.ResourceOptions,
    ) -> aws.backup.VaultLockConfiguration:
        """Compliance-mode lock: after the grace period nobody, root included, can delete a
        recovery point early or shorten the limits."""
        return aws.backup.VaultLockConfiguration(
            resource_name,
            backup_vault_name=vault.name,
            min_retention_days=args.daily_retention_days,
            max_retention_days=args.monthly_retention_days,
            changeable_for_days=args.lock_changeable_days,
            opts=opts,
        )
