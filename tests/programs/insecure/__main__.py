"""A deliberately insecure IME platform: every resource breaks at least one control.

Test fixture for the gate and the checkov bridge. Never deploy it. Each resource says which
checks it is meant to trip; tests/gate/test_insecure_program.py holds the exact list.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
retention_days = config.get_int("logRetentionDays") or 30


def tags(data_class: str | None = None) -> dict[str, str]:
    result = {"component": "insecure-fixture", "environment": pulumi.get_stack()}
    if data_class:
        result["data-class"] = data_class
    return result


# KMS key: no rotation, 7-day deletion window, key policy open to any principal.
key = aws.kms.Key(
    "unrotated-key",
    description="key without rotation",
    enable_key_rotation=False,
    deletion_window_in_days=7,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}
            ],
        }
    ),
    tags=tags(),
)

# PHI bucket: no encryption, public access allowed, no versioning, object lock, access
# logging or TLS-only policy; not backed up and not covered by any trail.
uploads = aws.s3.Bucket("patient-uploads", tags=tags("phi"))
aws.s3.BucketPublicAccessBlock(
    "patient-uploads-public-access",
    bucket=uploads.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)

# PHI database: unencrypted, public, no backups, no deletion protection, SSL not forced.
database = aws.rds.Instance(
    "claims-db",
    engine="postgres",
    engine_version="16.4",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="claims",
    manage_master_user_password=True,
    storage_encrypted=False,
    publicly_accessible=True,
    backup_retention_period=0,
    deletion_protection=False,
    skip_final_snapshot=True,
    tags=tags("phi"),
)

# A volume nobody classified: treated as PHI, and unencrypted.
volume = aws.ebs.Volume(
    "scratch-volume", availability_zone="us-east-1a", size=10, encrypted=False, tags=tags()
)

# Secrets and alerting without customer-managed keys.
secret = aws.secretsmanager.Secret("api-credentials", tags=tags("phi"))
alerts = aws.sns.Topic("security-alerts", tags=tags())

# Audit logs kept for too short a time, without a CMK.
logs = aws.cloudwatch.LogGroup("app-logs", retention_in_days=retention_days, tags=tags("logs"))

# Identity: an administrator policy attached straight to a user, weak passwords, no MFA.
admin = aws.iam.Policy(
    "admin-everything",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    ),
    tags=tags(),
)
# Reads PHI objects without any MFA condition.
aws.iam.Policy(
    "read-uploads",
    policy=uploads.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"}
                ],
            }
        )
    ),
    tags=tags(),
)
analyst = aws.iam.User("analyst", tags=tags())
aws.iam.UserPolicyAttachment("analyst-admin", user=analyst.name, policy_arn=admin.arn)
aws.iam.AccountPasswordPolicy(
    "passwords", minimum_password_length=8, require_symbols=False, require_numbers=False
)
aws.cognito.UserPool(
    "examinees",
    mfa_configuration="OFF",
    password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
        minimum_length=6,
        require_lowercase=False,
        require_numbers=False,
        require_symbols=False,
        require_uppercase=False,
    ),
    tags=tags(),
)

# Backups: an unlocked vault on the AWS-managed key, a plan that keeps a week.
vault = aws.backup.Vault("backup-vault", tags=tags())
aws.backup.Plan(
    "backup-plan",
    rules=[
        aws.backup.PlanRuleArgs(
            rule_name="daily",
            target_vault_name=vault.name,
            schedule="cron(0 5 * * ? *)",
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=7),
        )
    ],
    tags=tags(),
)

pulumi.export("bucket", uploads.id)
pulumi.export("database", database.id)
