"""PHI buckets written the ways a user may write them, each expecting exact findings.

Inline blocks on aws.s3.BucketV2 (lists) and aws.s3.Bucket (single objects), separate
configuration resources (V2 names and current ones) joined by `bucket=bucket.id`, and the
same resources joined by a literal name, which is no join. A compliant trail and backup
plan keep the stack-wide checks quiet. tests/policy/test_user_programs.py holds the
expected (rule, resource) findings.
"""

import json

import pulumi
import pulumi_aws as aws

PHI = {"data-class": "phi", "component": "records"}
LOGS = {"data-class": "logs", "component": "audit"}

key = aws.kms.Key("records-key", enable_key_rotation=True, deletion_window_in_days=30)


def tls_policy(name: str, resources: list[str] | None = None, condition=None) -> str:
    arn = f"arn:aws:s3:::{name}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyWithoutTls",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": resources if resources is not None else [arn, f"{arn}/*"],
                    "Condition": condition or {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def public_access_block(name: str, bucket, **flags) -> None:
    settings = dict(
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    settings.update(flags)
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket, **settings)


def inline_v2(name: str, algorithm: str = "aws:kms") -> aws.s3.BucketV2:
    default = (
        aws.s3.BucketV2ServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm=algorithm, kms_master_key_id=key.arn if algorithm == "aws:kms" else None
        )
    )
    bucket = aws.s3.BucketV2(
        name,
        bucket=name,
        tags=PHI,
        object_lock_enabled=True,
        server_side_encryption_configurations=[
            aws.s3.BucketV2ServerSideEncryptionConfigurationArgs(
                rules=[
                    aws.s3.BucketV2ServerSideEncryptionConfigurationRuleArgs(
                        apply_server_side_encryption_by_defaults=[default]
                    )
                ]
            )
        ],
        versionings=[aws.s3.BucketV2VersioningArgs(enabled=True)],
        loggings=[
            aws.s3.BucketV2LoggingArgs(target_bucket="access-logs", target_prefix=f"{name}/")
        ],
        object_lock_configuration=aws.s3.BucketV2ObjectLockConfigurationArgs(
            object_lock_enabled="Enabled",
            rules=[
                aws.s3.BucketV2ObjectLockConfigurationRuleArgs(
                    default_retentions=[
                        aws.s3.BucketV2ObjectLockConfigurationRuleDefaultRetentionArgs(
                            mode="GOVERNANCE", days=35
                        )
                    ]
                )
            ],
        ),
        policy=tls_policy(name),
    )
    public_access_block(name, bucket.id)
    return bucket


def inline_v7(name: str, policy: str) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(
        name,
        bucket=name,
        tags=PHI,
        object_lock_enabled=True,
        server_side_encryption_configuration=aws.s3.BucketServerSideEncryptionConfigurationArgs(
            rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn
                ),
                bucket_key_enabled=True,
            )
        ),
        versioning=aws.s3.BucketVersioningArgs(enabled=True),
        logging=aws.s3.BucketLoggingArgs(target_bucket="access-logs", target_prefix=f"{name}/"),
        object_lock_configuration=aws.s3.BucketObjectLockConfigurationArgs(
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode="COMPLIANCE", days=35
                )
            ),
        ),
        policy=policy,
    )
    public_access_block(name, bucket.id)
    return bucket


def separate(name: str, v2: bool, bad: bool = False, join_by_name: bool = False) -> None:
    """A bucket with every protection as a separate resource."""
    cls = aws.s3.BucketV2 if v2 else aws.s3.Bucket
    bucket = cls(name, bucket=name, tags=PHI, object_lock_enabled=True)
    target = name if join_by_name else bucket.id
    sse = (
        aws.s3.BucketServerSideEncryptionConfigurationV2
        if v2
        else aws.s3.BucketServerSideEncryptionConfiguration
    )
    sse_rule = (
        aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs
        if v2
        else aws.s3.BucketServerSideEncryptionConfigurationRuleArgs
    )
    s3 = aws.s3
    sse_default = (
        s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs
        if v2
        else s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
    )
    sse(
        f"{name}-sse",
        bucket=target,
        rules=[
            sse_rule(
                apply_server_side_encryption_by_default=sse_default(sse_algorithm="AES256")
                if bad
                else sse_default(sse_algorithm="aws:kms", kms_master_key_id=key.arn)
            )
        ],
    )
    versioning = aws.s3.BucketVersioningV2 if v2 else aws.s3.BucketVersioning
    versioning_args = (
        aws.s3.BucketVersioningV2VersioningConfigurationArgs
        if v2
        else aws.s3.BucketVersioningVersioningConfigurationArgs
    )
    versioning(
        f"{name}-versioning",
        bucket=target,
        versioning_configuration=versioning_args(status="Suspended" if bad else "Enabled"),
    )
    lock = aws.s3.BucketObjectLockConfigurationV2 if v2 else aws.s3.BucketObjectLockConfiguration
    lock_rule = (
        aws.s3.BucketObjectLockConfigurationV2RuleArgs
        if v2
        else aws.s3.BucketObjectLockConfigurationRuleArgs
    )
    lock_retention = (
        aws.s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs
        if v2
        else aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs
    )
    lock(
        f"{name}-lock",
        bucket=target,
        rule=None
        if bad
        else lock_rule(default_retention=lock_retention(mode="GOVERNANCE", days=35)),
    )
    logging = aws.s3.BucketLoggingV2 if v2 else aws.s3.BucketLogging
    logging(f"{name}-logging", bucket=target, target_bucket="access-logs", target_prefix=f"{name}/")
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=target,
        policy=tls_policy(
            name,
            condition={
                "Bool": {"aws:SecureTransport": "false"},
                "StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
            },
        )
        if bad
        else tls_policy(name),
    )
    public_access_block(name, target, restrict_public_buckets=not bad)


# --- the cases ------------------------------------------------------------------------------

inline_v2("v2-inline-ok")
inline_v2("v2-inline-aes", algorithm="AES256")
inline_v7("v7-inline-ok", tls_policy("v7-inline-ok"))
inline_v7(
    "v7-tls-bucket-only", tls_policy("v7-tls-bucket-only", ["arn:aws:s3:::v7-tls-bucket-only"])
)
separate("v2-separate-ok", v2=True)
separate("v7-separate-ok", v2=False)
separate("v2-separate-bad", v2=True, bad=True)
separate("joined-by-name", v2=False, join_by_name=True)
access_logs = aws.s3.Bucket("access-logs", bucket="access-logs", tags=LOGS)

# --- stack-wide baseline: a compliant trail and a backup plan selecting everything ----------

trail_logs = aws.cloudwatch.LogGroup("trail-logs", kms_key_id=key.arn, tags=LOGS)
trail_role = aws.iam.Role(
    "trail-delivery",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.cloudtrail.Trail(
    "org-trail",
    s3_bucket_name="access-logs",
    is_multi_region_trail=True,
    enable_log_file_validation=True,
    kms_key_id=key.arn,
    cloud_watch_logs_group_arn=trail_logs.arn.apply(lambda arn: f"{arn}:*"),
    cloud_watch_logs_role_arn=trail_role.arn,
    advanced_event_selectors=[
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="All S3 object access",
            field_selectors=[
                aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                    field="eventCategory", equals=["Data"]
                ),
                aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                    field="resources.type", equals=["AWS::S3::Object"]
                ),
            ],
        )
    ],
)
vault = aws.backup.Vault("vault", kms_key_arn=key.arn)
aws.backup.VaultLockConfiguration("vault-lock", backup_vault_name=vault.name, min_retention_days=35)
plan = aws.backup.Plan(
    "plan",
    rules=[
        aws.backup.PlanRuleArgs(
            rule_name="daily",
            target_vault_name=vault.name,
            schedule="cron(0 5 * * ? *)",
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=35),
        )
    ],
)
backup_role = aws.iam.Role(
    "backup",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "backup.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.backup.Selection("everything", plan_id=plan.id, iam_role_arn=backup_role.arn, resources=["*"])
pulumi.export("key", key.arn)
