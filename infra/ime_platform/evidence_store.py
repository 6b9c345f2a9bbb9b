"""The bucket holding the kit's evidence record: every version locked for six years."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .context import PlatformContext
from .secure_bucket import ObjectLock, RetentionSchedule, SecureBucket, SecureBucketArgs

# Six years (164.316(b)(2)(i)) in compliance mode: nobody can delete or overwrite evidence
# before then, the account root included. Not configurable.
EVIDENCE_RETENTION_DAYS = 2192


@dataclass
class EvidenceStoreArgs:
    context: PlatformContext
    kms_key_arn: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if self.kms_key_arn is None:
            raise ValueError("the evidence store must be encrypted with a customer-managed key")


class EvidenceStore(pulumi.ComponentResource):
    COMPONENT = "evidence-store"

    def __init__(
        self, name: str, args: EvidenceStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:EvidenceStore", name, None, opts)
        self.store = SecureBucket(
            f"{name}-records",
            SecureBucketArgs(
                context=args.context,
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
        self.register_outputs({"bucket": self.name, "arn": self.arn})
