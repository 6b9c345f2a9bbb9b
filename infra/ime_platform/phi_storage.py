"""PHI document storage: referral intake records and IME reports, plus their access-log bucket."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .context import PlatformContext
from .guards import require_customer_managed_key
from .secure_bucket import ObjectLock, RetentionSchedule, SecureBucket, SecureBucketArgs

# The organisation's retention floors (documented in docs/infra.md): six years, the period
# 164.316(b)(2)(i) sets for Security Rule documentation, applied to records and their logs.
MIN_RECORD_RETENTION_DAYS = 2192
MIN_ACCESS_LOG_RETENTION_DAYS = 2192
# Overwritten or deleted record versions stay recoverable at least a year (ransomware recovery).
MIN_NONCURRENT_VERSION_DAYS = 365

PHI_BUCKETS = {
    "referrals": "phi-referrals",
    "reports": "phi-reports",
}


@dataclass
class PhiStorageArgs:
    context: PlatformContext
    phi_key_arn: pulumi.Input[str]
    log_key_arn: pulumi.Input[str]
    object_lock_days: int
    object_lock_mode: str = "COMPLIANCE"
    record_retention_days: int = 3650
    archive_after_days: int | None = 365
    access_log_retention_days: int = MIN_ACCESS_LOG_RETENTION_DAYS

    def __post_init__(self) -> None:
        require_customer_managed_key(self.phi_key_arn, "the PHI buckets")
        require_customer_managed_key(self.log_key_arn, "the access-log bucket")
        if self.record_retention_days < MIN_RECORD_RETENTION_DAYS:
            raise ValueError(
                f"record retention of {self.record_retention_days} days is below the"
                f" organisation's minimum of {MIN_RECORD_RETENTION_DAYS} days"
            )
        if self.access_log_retention_days < MIN_ACCESS_LOG_RETENTION_DAYS:
            raise ValueError(
                f"access log retention of {self.access_log_retention_days} days is below the"
                f" minimum of {MIN_ACCESS_LOG_RETENTION_DAYS} days"
            )
        if self.object_lock_days > self.record_retention_days:
            raise ValueError(
                f"object lock retention ({self.object_lock_days} days) is longer than the record"
                f" retention ({self.record_retention_days} days)"
            )
        # Validates mode and days early, with the same messages the bucket would give.
        ObjectLock(self.object_lock_mode, self.object_lock_days)


class PhiStorage(pulumi.ComponentResource):
    COMPONENT = "phi-storage"

    def __init__(
        self, name: str, args: PhiStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:PhiStorage", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)

        self.access_logs = SecureBucket(
            f"{name}-access-logs",
            SecureBucketArgs(
                context=ctx,
                component=self.COMPONENT,
                purpose="access-logs",
                data_class="logs",
                kms_key_arn=args.log_key_arn,
                retention=RetentionSchedule(
                    expire_after_days=args.access_log_retention_days,
                    noncurrent_expire_after_days=args.access_log_retention_days,
                ),
                # No object lock: S3 cannot deliver access logs to a bucket with default
                # object lock retention.
                extra_policy_statements=[_access_log_delivery(ctx)],
            ),
            opts=child,
        )

        lock = ObjectLock(args.object_lock_mode, args.object_lock_days)
        retention = RetentionSchedule(
            expire_after_days=args.record_retention_days,
            noncurrent_expire_after_days=max(args.object_lock_days, MIN_NONCURRENT_VERSION_DAYS),
            archive_after_days=args.archive_after_days,
        )
        self.buckets: dict[str, SecureBucket] = {}
        for role, purpose in PHI_BUCKETS.items():
            self.buckets[role] = SecureBucket(
                f"{name}-{role}",
                SecureBucketArgs(
                    context=ctx,
                    component=self.COMPONENT,
                    purpose=purpose,
                    data_class="phi",
                    kms_key_arn=args.phi_key_arn,
                    retention=retention,
                    object_lock=lock,
                    access_log_bucket=self.access_logs.name,
                ),
                opts=child,
            )
        self.referrals = self.buckets["referrals"]
        self.reports = self.buckets["reports"]
        self.register_outputs(
            {
                "referralsBucket": self.referrals.name,
                "reportsBucket": self.reports.name,
                "accessLogsBucket": self.access_logs.name,
            }
        )


def _access_log_delivery(ctx: PlatformContext) -> dict:
    """Lets S3's logging service write this account's platform buckets' access logs."""
    target_arn = ctx.s3_arn(ctx.bucket_name("access-logs"))
    return {
        "Sid": "S3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{target_arn}/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": ctx.s3_arn(f"{ctx.prefix}-*")},
            "StringEquals": {"aws:SourceAccount": ctx.account_id},
        },
    }
