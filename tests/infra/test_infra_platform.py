"""The whole reference program (infra/__main__.py) under mocks, for the dev and prod stacks."""

from __future__ import annotations

import importlib
import inspect
from collections import Counter
from functools import cache

import pytest
from ime_platform.tagging import DATA_CLASSES
from infra_harness import (
    Registered,
    Registry,
    run_main,
    run_reference_program,
    stack_config,
    synthesize,
)
from pulumi.output import Unknown

# Resource types that hold data and therefore need a data-class tag.
DATA_STORE_TYPES = {
    "aws:s3/bucket:Bucket",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:backup/vault:Vault",
    "aws:sns/topic:Topic",
    "aws:cognito/userPool:UserPool",
    "aws:secretsmanager/secret:Secret",
    "aws:ebs/volume:Volume",
    "aws:dynamodb/table:Table",
}
COMPONENT_TYPES = {
    "imekit:platform:Keys": "keys",
    "imekit:platform:PhiStorage": "phi-storage",
    "imekit:platform:CaseDatabase": "case-database",
    "imekit:platform:Identity": "identity",
    "imekit:platform:AuditLogging": "audit-logging",
    "imekit:platform:Backup": "backup",
    "imekit:platform:EvidenceStore": "evidence-store",
}


@cache
def taggable(type_token: str) -> bool:
    """Whether the pulumi-aws class for a type token accepts `tags`."""
    _, module_path, class_name = type_token.split(":")
    module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
    cls = getattr(module, class_name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def top_component(registry: Registry, resource: Registered) -> Registered:
    current = resource
    while True:
        parent = registry.by_urn(current.parent)
        if parent.type in COMPONENT_TYPES:
            return parent
        current = parent


def test_platform_is_large_enough_and_spans_the_services(platform: Registry):
    aws = platform.aws_resources
    assert len(aws) >= 40
    services = {r.type.split(":")[1].split("/")[0] for r in aws}
    assert {
        "kms",
        "s3",
        "rds",
        "iam",
        "cognito",
        "cloudtrail",
        "cloudwatch",
        "sns",
        "backup",
    } <= services


def test_every_component_is_present_once(platform: Registry):
    counts = Counter(r.type for r in platform.resources if r.type in COMPONENT_TYPES)
    assert counts == dict.fromkeys(COMPONENT_TYPES, 1)
    for type_token, name in COMPONENT_TYPES.items():
        assert platform.one(type_token).name == name


def test_program_makes_no_invokes(platform: Registry):
    # Account and region come from config, so any mock runner can synthesize the program.
    assert platform.invokes == []


def test_every_taggable_resource_names_its_owning_component(platform: Registry):
    checked = 0
    for resource in platform.aws_resources:
        if not taggable(resource.type):
            continue
        owner = top_component(platform, resource)
        tags = resource.tags
        assert tags.get("component") == COMPONENT_TYPES[owner.type], resource.name
        assert tags.get("project") == "ime-platform", resource.name
        assert tags.get("environment") in ("dev", "prod"), resource.name
        checked += 1
    assert checked >= 30


def test_every_data_store_has_a_valid_data_class(platform: Registry):
    stores = [r for r in platform.aws_resources if r.type in DATA_STORE_TYPES]
    assert len(stores) >= 12
    for store in stores:
        assert store.tags.get("data-class") in DATA_CLASSES, store.name


def test_data_classes_are_the_expected_ones(dev_platform: Registry):
    def data_class(type_token: str, name: str) -> str:
        return dev_platform.one(type_token, name).tags["data-class"]

    bucket = "aws:s3/bucket:Bucket"
    assert data_class(bucket, "phi-storage-referrals-bucket") == "phi"
    assert data_class(bucket, "phi-storage-reports-bucket") == "phi"
    assert data_class(bucket, "phi-storage-access-logs-bucket") == "logs"
    assert data_class(bucket, "audit-logging-trail-logs-bucket") == "logs"
    assert data_class(bucket, "evidence-store-records-bucket") == "internal"
    assert data_class("aws:rds/instance:Instance", "case-database-instance") == "phi"
    assert data_class("aws:backup/vault:Vault", "backup-vault") == "phi"
    assert data_class("aws:backup/vault:Vault", "backup-copy-vault") == "phi"


def test_children_are_parented_and_named_after_their_component(platform: Registry):
    for resource in platform.aws_resources:
        owner = top_component(platform, resource)
        assert resource.name.startswith(f"{owner.name}-"), resource.name


def test_every_data_store_has_a_kms_key_dependency(platform: Registry):
    """Encryption settings are wired from key outputs, so the gate can join them by URN."""
    keys = {r.urn for r in platform.of_type("aws:kms/key:Key")}
    checks = {
        "aws:rds/instance:Instance": "kmsKeyId",
        "aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
        "aws:backup/vault:Vault": "kmsKeyArn",
        "aws:sns/topic:Topic": "kmsMasterKeyId",
        "aws:cloudtrail/trail:Trail": "kmsKeyId",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
            "rules"
        ),
    }
    for type_token, prop in checks.items():
        resources = platform.of_type(type_token)
        assert resources, type_token
        for resource in resources:
            assert set(resource.property_dependencies.get(prop, [])) & keys, resource.name


def test_prod_is_multi_az_with_longer_retention(dev_platform: Registry, prod_platform: Registry):
    dev_db = dev_platform.one("aws:rds/instance:Instance")
    prod_db = prod_platform.one("aws:rds/instance:Instance")
    assert dev_db.inputs["multiAz"] is False
    assert prod_db.inputs["multiAz"] is True
    assert prod_db.inputs["backupRetentionPeriod"] > dev_db.inputs["backupRetentionPeriod"]

    def lock_days(registry: Registry) -> float:
        lock = registry.one(
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            "phi-storage-referrals-object-lock",
        )
        return lock.inputs["rule"]["defaultRetention"]["days"]

    assert lock_days(dev_platform) == 30
    assert lock_days(prod_platform) == 2192


def test_physical_names_carry_the_environment(dev_platform: Registry, prod_platform: Registry):
    for registry, env, account in (
        (dev_platform, "dev", "111122223333"),
        (prod_platform, "prod", "444455556666"),
    ):
        for bucket in registry.of_type("aws:s3/bucket:Bucket"):
            name = bucket.inputs["bucket"]
            assert name.startswith(f"ime-{env}-") and f"-{account}-us-east-1" in name


def test_no_secret_or_password_is_set_anywhere(platform: Registry):
    for resource in platform.aws_resources:
        for key in resource.inputs:
            assert key.lower() != "password" and "passwordwo" not in key.lower(), resource.name
    db = platform.one("aws:rds/instance:Instance")
    assert db.inputs["manageMasterUserPassword"] is True


def test_weakening_config_stops_the_program():
    with pytest.raises(ValueError, match="log retention of 365 days is below"):
        run_reference_program("dev", {"ime-platform:logRetentionDays": "365"})
    with pytest.raises(ValueError, match="backup retention must be 7-35 days"):
        run_reference_program("dev", {"ime-platform:dbBackupRetentionDays": "1"})


def test_missing_required_config_stops_the_program():
    config = stack_config("dev")
    del config["ime-platform:dbSubnetIds"]
    with pytest.raises(Exception, match="dbSubnetIds"):
        synthesize(run_main, config=config)


# The only values a real `pulumi preview` of a new stack cannot know: KMS key ARNs and
# generated ids. Policy documents, names and ARNs the gate joins on must all be known.
UNKNOWN_AT_PREVIEW = {
    "aws:kms/alias:Alias": {"targetKeyId"},
    "aws:backup/vault:Vault": {"kmsKeyArn"},
    "aws:cloudwatch/logGroup:LogGroup": {"kmsKeyId"},
    "aws:sns/topic:Topic": {"kmsMasterKeyId"},
    "aws:cloudtrail/trail:Trail": {"kmsKeyId"},
    "aws:rds/instance:Instance": {
        "kmsKeyId",
        "masterUserSecretKmsKeyId",
        "performanceInsightsKmsKeyId",
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "rules"
    },
    "aws:cognito/userPoolClient:UserPoolClient": {"userPoolId"},
    "aws:backup/selection:Selection": {"planId"},
}


def _has_unknown(value) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_only_key_arns_and_ids_are_unknown_during_preview(stack: str):
    preview = run_reference_program(stack, preview=True)
    assert len(preview.aws_resources) >= 40
    unknown = {
        (r.type, key)
        for r in preview.aws_resources
        for key, value in r.inputs.items()
        if _has_unknown(value)
    }
    allowed = {(t, key) for t, keys in UNKNOWN_AT_PREVIEW.items() for key in keys}
    assert unknown <= allowed, sorted(unknown - allowed)
    # The documents the gate reads are whole JSON during preview.
    for type_token in (
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:iam/policy:Policy",
        "aws:kms/key:Key",
        "aws:sns/topicPolicy:TopicPolicy",
    ):
        for resource in preview.of_type(type_token):
            assert resource.policy()["Statement"], resource.name
