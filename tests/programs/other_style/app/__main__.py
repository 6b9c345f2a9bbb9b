"""A small records store, written in a different style from infra/ on purpose:
deprecated V2 bucket classes, an Aurora cluster, an explicit provider, nested
components and resource options."""

import json

import pulumi
import pulumi_aws as aws
from storage import RecordsStore

config = pulumi.Config()
db_password = config.require_secret("dbPassword")
settings = config.require_object("settings")

london = aws.Provider("london", region="eu-west-2")

store = RecordsStore(
    "records",
    retention_days=config.get_int("retentionDays") or 1,
    opts=pulumi.ResourceOptions(provider=london),
)

cluster = aws.rds.Cluster(
    "records-db",
    engine="aurora-postgresql",
    master_username="records",
    master_password=db_password,
    storage_encrypted=True,
    kms_key_id=store.key.arn,
    backup_retention_period=14,
    deletion_protection=True,
    tags={"data-class": "phi", "component": "records-db", "tier": settings["tier"]},
    opts=pulumi.ResourceOptions(
        protect=True,
        ignore_changes=["masterPassword"],
        depends_on=[store],
        custom_timeouts=pulumi.CustomTimeouts(create="1h30m", delete="20m"),
        # Renamed, then moved out of the store component and across stacks.
        aliases=[
            pulumi.Alias(name="cases-db"),
            pulumi.Alias(name="store-db", parent=store, stack="legacy"),
        ],
    ),
)

token = aws.secretsmanager.Secret("api-token", kms_key_id=store.key.arn)
in_code_secret = pulumi.Output.secret("CANARY-7f3a9c-in-code")
aws.secretsmanager.SecretVersion(
    "api-token-v1",
    secret_id=token.id,
    secret_string=in_code_secret,
)

# Created in set order, which changes with the hash seed: the graph must not.
for team in {"intake", "billing", "audit", "scheduling", "reports"}:
    aws.sns.Topic(f"{team}-alerts", kms_master_key_id=store.key.arn)

# A careless debug line: the secret's value must be masked in anything imekit prints.
in_code_secret.apply(lambda value: print(f"debug: api token is {value}"))

caller = aws.get_caller_identity()
aws.iam.Policy(
    "reader",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::records-{caller.account_id}/*",
                }
            ],
        }
    ),
    opts=pulumi.ResourceOptions(delete_before_replace=True),
)

pulumi.export("bucket", store.bucket.bucket)
pulumi.export("password", db_password)
