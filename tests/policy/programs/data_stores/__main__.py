"""PHI databases and file stores in the styles a user may write, each expecting exact findings.

aws.rds.Cluster with aws.rds.ClusterInstance (Aurora PostgreSQL and MySQL), aws.rds.Instance
on engines with and without a TLS parameter, EFS and DynamoDB. A backup plan selects
everything, so only the stores' own settings are judged. tests/policy/test_user_programs.py
holds the expected (rule, resource) findings.
"""

import json

import pulumi
import pulumi_aws as aws

PHI = {"data-class": "phi", "component": "cases"}

key = aws.kms.Key("cases-key", enable_key_rotation=True, deletion_window_in_days=30)

# Aurora PostgreSQL, every protection on.
secure_params = aws.rds.ClusterParameterGroup(
    "cluster-ok-params",
    family="aurora-postgresql16",
    parameters=[aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
)
secure = aws.rds.Cluster(
    "cluster-ok",
    engine="aurora-postgresql",
    master_username="cases",
    manage_master_user_password=True,
    storage_encrypted=True,
    kms_key_id=key.arn,
    backup_retention_period=14,
    deletion_protection=True,
    db_cluster_parameter_group_name=secure_params.name,
    tags=PHI,
)
aws.rds.ClusterInstance(
    "cluster-ok-1",
    cluster_identifier=secure.id,
    engine="aurora-postgresql",
    instance_class="db.r6g.large",
    publicly_accessible=False,
)

# Aurora MySQL with the defaults left in place: unencrypted, one day of backups, no deletion
# protection, TLS switched off, and a public instance.
weak_params = aws.rds.ClusterParameterGroup(
    "cluster-bad-params",
    family="aurora-mysql8.0",
    parameters=[
        aws.rds.ClusterParameterGroupParameterArgs(name="require_secure_transport", value="OFF")
    ],
)
weak = aws.rds.Cluster(
    "cluster-bad",
    engine="aurora-mysql",
    master_username="cases",
    manage_master_user_password=True,
    db_cluster_parameter_group_name=weak_params.name,
    tags=PHI,
)
aws.rds.ClusterInstance(
    "cluster-bad-1",
    cluster_identifier=weak.id,
    engine="aurora-mysql",
    instance_class="db.r6g.large",
    publicly_accessible=True,
)


def instance(name: str, engine: str, group) -> aws.rds.Instance:
    return aws.rds.Instance(
        name,
        engine=engine,
        instance_class="db.m6i.large",
        allocated_storage=100,
        username="cases",
        manage_master_user_password=True,
        storage_encrypted=True,
        kms_key_id=key.arn,
        backup_retention_period=7,
        deletion_protection=True,
        parameter_group_name=group,
        tags=PHI,
    )


# Oracle enforces TLS through an option group, which no parameter shows.
oracle_params = aws.rds.ParameterGroup("oracle-params", family="oracle-ee-19")
instance("oracle-db", "oracle-ee", oracle_params.name)
# An AWS default group does not force TLS.
instance("mysql-default-group", "mysql", "default.mysql8.0")

# EFS and DynamoDB holding PHI: AWS's defaults are unencrypted and an AWS owned key.
aws.efs.FileSystem("scans-efs", tags=PHI)
aws.efs.FileSystem("scans-efs-ok", encrypted=True, kms_key_id=key.arn, tags=PHI)
aws.dynamodb.Table(
    "cases-table",
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    tags=PHI,
)
aws.dynamodb.Table(
    "cases-table-ok",
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
    server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
        enabled=True, kms_key_arn=key.arn
    ),
    tags=PHI,
)

# Backups of everything, so the stores' own settings are what is judged.
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
