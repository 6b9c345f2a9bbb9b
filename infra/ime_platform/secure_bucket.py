"""An S3 bucket whose protections cannot be left out.

Every bucket the platform creates goes through `SecureBucket`: SSE-KMS with a customer-managed
key and bucket keys, versioning, all four public access blocks, ACLs disabled, and a bucket
policy denying requests not made over TLS 1.2+. Object lock, access logging and the retention
schedule are per bucket; PHI buckets must have object lock and access logging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .guards import grants_public_access, require_customer_managed_key
from .policy_documents import (
    Statement,
    deny_insecure_transport,
    deny_outdated_tls,
    policy_document,
)
from .tagging import resource_tags, validate_data_class

OBJECT_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
# Incomplete multipart uploads hold data nobody can see; clear them after a week.
ABORT_INCOMPLETE_UPLOAD_DAYS = 7


@dataclass(frozen=True)
class ObjectLock:
    """Default object lock retention applied to every new object version."""

    mode: str
    days: int

    def __post_init__(self) -> None:
        if self.mode not in OBJECT_LOCK_MODES:
            raise ValueError(
                f"object lock mode {self.mode!r} must be one of {', '.join(OBJECT_LOCK_MODES)}"
            )
        if self.days < 1:
            raise ValueError(f"object lock retention must be at least 1 day, got {self.days}")


@dataclass(frozen=True)
class RetentionSchedule:
    """Lifecycle per the retention schedule.

    `expire_after_days=None` keeps current versions until deleted by a person; noncurrent
    versions (overwritten or deleted objects) always expire after `noncurrent_expire_after_days`.
    """

    noncurrent_expire_after_days: int
    expire_after_days: int | None = None
    archive_after_days: int | None = None

    def __post_init__(self) -> None:
        if self.noncurrent_expire_after_days < 1:
            raise ValueError("noncurrent versions must be kept at least 1 day")
        if self.expire_after_days is not None and self.expire_after_days < 1:
            raise ValueError("current versions must be kept at least 1 day")
        if self.archive_after_days is not None:
            if self.archive_after_days < 30:
                raise ValueError("S3 archives objects no earlier than 30 days after creation")
            if self.expire_after_days is not None and self.archive_after_days >= (
                self.expire_after_days
            ):
                raise ValueError("objects must be archived before they expire")


@dataclass
class SecureBucketArgs:
    context: PlatformContext
    component: str
    purpose: str
    data_class: str
    kms_key_arn: pulumi.Input[str]
    retention: RetentionSchedule
    object_lock: ObjectLock | None = None
    # Name of the bucket receiving this bucket's server access logs (None: not logged).
    access_log_bucket: pulumi.Input[str] | None = None
    # Statements added after the TLS-only statements, e.g. a service's delivery permission.
    extra_policy_statements: Sequence[Statement] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        validate_data_class(self.data_class)
        require_customer_managed_key(self.kms_key_arn, f"bucket {self.purpose}")
        if self.data_class == "phi":
            if self.object_lock is None:
                raise ValueError(f"PHI bucket {self.purpose} must have object lock")
            if self.access_log_bucket is None:
                raise ValueError(f"PHI bucket {self.purpose} must have server access logging")
        if self.object_lock is not None:
            lock_days = self.object_lock.days
            expire = self.retention.expire_after_days
            if expire is not None and expire < lock_days:
                raise ValueError(
                    f"bucket {self.purpose}: objects cannot expire ({expire} days) before their"
                    f" object lock retention ends ({lock_days} days)"
                )
            if self.retention.noncurrent_expire_after_days < lock_days:
                raise ValueError(
                    f"bucket {self.purpose}: noncurrent versions would be kept"
                    f" {self.retention.noncurrent_expire_after_days} days, less than the object"
                    f" lock retention of {lock_days} days"
                )
        for statement in self.extra_policy_statements:
            if grants_public_access(statement):
                raise ValueError(
                    f"bucket {self.purpose}: statement {statement.get('Sid')} would make the"
                    " bucket public"
                )


class SecureBucket(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:SecureBucket", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        self.bucket_name = ctx.bucket_name(args.purpose)
        self.known_arn = ctx.s3_arn(self.bucket_name)

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=self.bucket_name,
            object_lock_enabled=True if args.object_lock else None,
            force_destroy=False,
            tags=resource_tags(ctx, args.component, args.data_class),
            opts=child,
        )
        # The bucket's own name output: known during preview (it is set above) and it carries
        # the dependency on the bucket, so every attached resource records a
        # propertyDependency on it that the policy pack joins through.
        self.name: pulumi.Output[str] = self.bucket.bucket
        self.arn: pulumi.Output[str] = self.name.apply(ctx.s3_arn)

        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.name,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.name,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.name,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=(
                        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                            sse_algorithm="aws:kms",
                            kms_master_key_id=args.kms_key_arn,
                        )
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.name,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        extra = list(args.extra_policy_statements)
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.name,
            policy=self.arn.apply(
                lambda arn: policy_document(
                    [deny_insecure_transport(arn), deny_outdated_tls(arn), *extra]
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        after_versioning = pulumi.ResourceOptions(parent=self, depends_on=[self.versioning])
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.name,
            rules=_lifecycle_rules(args.retention),
            opts=after_versioning,
        )
        self.object_lock = None
        if args.object_lock is not None:
            self.object_lock = aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=self.name,
                object_lock_enabled="Enabled",
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                        mode=args.object_lock.mode,
                        days=args.object_lock.days,
                    )
                ),
                opts=after_versioning,
            )
        self.logging = None
        if args.access_log_bucket is not None:
            self.logging = aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=self.name,
                target_bucket=args.access_log_bucket,
                target_prefix=f"{self.bucket_name}/",
                target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                    partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                        partition_date_source="EventTime"
                    )
                ),
                opts=child,
            )
        self.register_outputs({"bucket": self.name, "arn": self.arn})


def _lifecycle_rules(
    retention: RetentionSchedule,
) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    everything = aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")
    rules = [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="abort-incomplete-uploads",
            status="Enabled",
            filter=everything,
            abort_incomplete_multipart_upload=(
                aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=ABORT_INCOMPLETE_UPLOAD_DAYS
                )
            ),
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="retention-schedule",
            status="Enabled",
            filter=everything,
            transitions=(
                [
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                        days=retention.archive_after_days, storage_class="GLACIER_IR"
                    )
                ]
                if retention.archive_after_days is not None
                else None
            ),
            expiration=(
                aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=retention.expire_after_days
                )
                if retention.expire_after_days is not None
                else None
            ),
            noncurrent_version_expiration=(
                aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=retention.noncurrent_expire_after_days
                )
            ),
        ),
    ]
    return rules
