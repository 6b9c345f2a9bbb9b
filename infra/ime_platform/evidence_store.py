"""The bucket holding the kit's evidence record (every version locked for six years), and the
policy a pipeline needs to append to it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .guards import require_customer_managed_key
from .policy_documents import allow, policy_document
from .secure_bucket import ObjectLock, RetentionSchedule, SecureBucket, SecureBucketArgs
from .tagging import resource_tags

# Six years (164.316(b)(2)(i)) in compliance mode: nobody can delete or overwrite evidence
# before then, the account root included. Not configurable.
EVIDENCE_RETENTION_DAYS = 2192

# What `imekit evidence` needs to append to the record and read it back: no delete, no
# retention change, no bucket configuration.
# What imekit's S3 evidence store calls (imekit.evidence.stores.s3.PERMISSIONS): entries are
# read by version (the first, locked one) and written with an explicit retention date.
WRITER_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:PutObjectRetention",
)
WRITER_BUCKET_ACTIONS = (
    "s3:GetBucketObjectLockConfiguration",
    "s3:ListBucket",
    "s3:ListBucketVersions",
)


@dataclass
class EvidenceStoreArgs:
    context: PlatformContext
    kms_key_arn: pulumi.Input[str]
    # Alias of the same key: names it in the writer policy while its ARN is still unknown.
    kms_key_alias: str
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        require_customer_managed_key(self.kms_key_arn, "the evidence store")
        if not self.kms_key_alias.startswith("alias/"):
            raise ValueError(f"{self.kms_key_alias!r} is not a KMS alias name (alias/...)")


class EvidenceStore(pulumi.ComponentResource):
    COMPONENT = "evidence-store"

    def __init__(
        self, name: str, args: EvidenceStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:EvidenceStore", name, None, opts)
        ctx = args.context
        self.store = SecureBucket(
            f"{name}-records",
            SecureBucketArgs(
                context=ctx,
                component=self.COMPONENT,
                purpose="evidence",
                data_class="internal",
                kms_key_arn=args.kms_key_arn,
                object_lock=ObjectLock("COMPLIANCE", EVIDENCE_RETENTION_DAYS),
                retention=RetentionSchedule(
                    noncurrent_expire_after_days=EVIDENCE_RETENTION_DAYS,
                    expire_after_days=None,
                ),
                access_log_bucket=args.access_log_bucket,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = self.store.bucket_name
        self.name = self.store.name
        self.arn = self.store.arn
        # Attached to whichever role runs the gate in the organisation's pipeline.
        self.writer_policy = aws.iam.Policy(
            f"{name}-writer",
            name=ctx.physical_name("evidence-writer"),
            path="/ime/",
            description="Append to and read the imekit evidence record (no delete)",
            policy=self.arn.apply(lambda arn: _writer_policy(ctx, arn, args.kms_key_alias)),
            tags=resource_tags(ctx, self.COMPONENT),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {"bucket": self.name, "arn": self.arn, "writerPolicy": self.writer_policy.name}
        )


def _writer_policy(ctx: PlatformContext, bucket_arn: str, key_alias: str) -> str:
    return policy_document(
        [
            allow("AppendAndReadRecord", WRITER_OBJECT_ACTIONS, [f"{bucket_arn}/*"]),
            allow("ListRecordAndCheckLock", WRITER_BUCKET_ACTIONS, [bucket_arn]),
            allow(
                "UseRecordKeyThroughS3",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [ctx.arn("kms", "key/*")],
                Condition={
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": key_alias},
                    "StringEquals": {"kms:ViaService": ctx.service_endpoint("s3")},
                },
            ),
        ]
    )
