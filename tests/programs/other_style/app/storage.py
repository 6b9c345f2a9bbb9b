"""Nested components: RecordsStore holds a KeyRing and a bucket with its settings."""

import pulumi
import pulumi_aws as aws


class KeyRing(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("otherstyle:security:KeyRing", name, None, opts)
        self.key = aws.kms.Key(
            f"{name}-key",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.register_outputs({"arn": self.key.arn})


class RecordsStore(pulumi.ComponentResource):
    def __init__(self, name, retention_days, opts=None):
        super().__init__("otherstyle:storage:RecordsStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ring = KeyRing(f"{name}-keys", opts=child)
        self.key = ring.key
        self.bucket = aws.s3.BucketV2(
            f"{name}-bucket",
            tags={"data-class": "phi", "component": name},
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["tags"], depends_on=[ring]),
        )
        aws.s3.BucketServerSideEncryptionConfigurationV2(
            f"{name}-sse",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms",
                        kms_master_key_id=self.key.arn,
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        aws.cloudwatch.LogGroup(
            f"{name}-logs",
            retention_in_days=retention_days,
            kms_key_id=self.key.arn,
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.bucket})
