"""The case database: encrypted, private, TLS forced, recoverable, no password anywhere."""

from __future__ import annotations

import pytest
from ime_platform.case_database import CaseDatabase, CaseDatabaseArgs
from infra_harness import KEY_ARN, LOG_KEY_ARN, Registry, synthesize

INSTANCE = "aws:rds/instance:Instance"
PARAMETERS = "aws:rds/parameterGroup:ParameterGroup"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]


def _args(ctx, **overrides) -> CaseDatabaseArgs:
    values = dict(
        context=ctx,
        kms_key_arn=KEY_ARN,
        log_key_arn=LOG_KEY_ARN,
        subnet_ids=SUBNETS,
        multi_az=True,
        backup_retention_days=14,
    )
    values.update(overrides)
    return CaseDatabaseArgs(**values)


@pytest.fixture
def database(ctx) -> Registry:
    return synthesize(lambda: CaseDatabase("case-database", _args(ctx)))


def test_instance_is_encrypted_private_and_protected(database: Registry):
    db = database.one(INSTANCE).inputs
    assert db["storageEncrypted"] is True
    assert db["kmsKeyId"] == KEY_ARN
    assert db["performanceInsightsKmsKeyId"] == KEY_ARN
    assert db["publiclyAccessible"] is False
    assert db["deletionProtection"] is True
    assert db["skipFinalSnapshot"] is False
    assert db["backupRetentionPeriod"] == 14
    assert db["iamDatabaseAuthenticationEnabled"] is True
    assert db["multiAz"] is True
    assert db["engine"] == "postgres"
    assert database.one(INSTANCE).tags["data-class"] == "phi"


def test_master_password_is_managed_by_rds_under_the_database_key(database: Registry):
    db = database.one(INSTANCE).inputs
    assert db["manageMasterUserPassword"] is True
    assert db["masterUserSecretKmsKeyId"] == KEY_ARN
    assert "password" not in db and "passwordWo" not in db


def test_tls_is_forced_through_the_joined_parameter_group(database: Registry):
    instance = database.one(INSTANCE)
    group = database.one(PARAMETERS)
    assert instance.depends_on("parameterGroupName", group)
    assert instance.inputs["parameterGroupName"] == group.inputs["name"]
    assert group.inputs["family"] == "postgres16"
    parameters = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["ssl_min_protocol_version"] == "TLSv1.2"


def test_instance_sits_in_the_configured_subnets(database: Registry):
    instance = database.one(INSTANCE)
    subnet_group = database.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == SUBNETS
    assert instance.depends_on("dbSubnetGroupName", subnet_group)


def test_exported_logs_go_to_encrypted_groups_kept_six_years(database: Registry):
    groups = database.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == [
        "/aws/rds/instance/ime-test-cases/postgresql",
        "/aws/rds/instance/ime-test-cases/upgrade",
    ]
    for group in groups:
        assert group.inputs["kmsKeyId"] == LOG_KEY_ARN
        assert group.inputs["retentionInDays"] == 2192
    assert database.one(INSTANCE).inputs["enabledCloudwatchLogsExports"] == [
        "postgresql",
        "upgrade",
    ]


def test_enhanced_monitoring_uses_its_own_service_role(database: Registry):
    instance = database.one(INSTANCE)
    role = database.one("aws:iam/role:Role")
    assert instance.inputs["monitoringInterval"] == 60
    assert (
        instance.inputs["monitoringRoleArn"]
        == "arn:aws:iam::111122223333:role/ime-test-rds-monitoring"
    )
    assert instance.depends_on("monitoringRoleArn", role)
    trust = role.policy("assumeRolePolicy")["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "monitoring.rds.amazonaws.com"}]
    attachment = database.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert attachment["policyArn"].endswith(":policy/service-role/AmazonRDSEnhancedMonitoringRole")


def test_platform_database_uses_the_case_database_key(platform: Registry):
    instance = platform.one(INSTANCE)
    key = platform.one("aws:kms/key:Key", "keys-case-database-key")
    for prop in ("kmsKeyId", "masterUserSecretKmsKeyId", "performanceInsightsKmsKeyId"):
        assert instance.depends_on(prop, key), prop


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"backup_retention_days": 1}, "backup retention must be 7-35 days"),
        ({"backup_retention_days": 90}, "backup retention must be 7-35 days"),
        ({"subnet_ids": SUBNETS[:1]}, "at least two subnet ids"),
        ({"subnet_ids": ["subnet-1", "oops"]}, "is not a subnet id"),
        ({"security_group_ids": ["default"]}, "is not a security group id"),
        ({"engine_version": "12"}, "older than the supported minimum"),
        ({"engine_version": "latest"}, "is not a PostgreSQL version"),
        ({"log_retention_days": 30}, "log retention of 30 days"),
        ({"instance_class": "t3.micro"}, "is not an RDS instance class"),
        # Without a key RDS would fall back to its AWS-managed aws/rds key.
        ({"kms_key_arn": None}, "case database must be encrypted with a customer-managed"),
        ({"kms_key_arn": "alias/aws/rds"}, "is an AWS-managed key"),
        ({"log_key_arn": None}, "log groups must be encrypted with a customer-managed"),
    ],
)
def test_database_args_refuse_weakening(ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        _args(ctx, **overrides)
