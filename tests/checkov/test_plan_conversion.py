"""Graph -> Terraform plan: exact values for the types the platform uses, references built
from propertyDependencies, unknowns, names and the address map. No checkov needed."""

from __future__ import annotations

import json

import pytest
from ckv_fixtures import graph, resource, urn

from imekit.checkov.plan import PlanConversion, convert_graphs, resource_name
from imekit.errors import ImekitError
from imekit.graph.model import UNKNOWN_MARKER

KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _planned(conversion: PlanConversion) -> dict[str, dict]:
    return {r["name"].rsplit("_", 1)[0]: r for r in
            conversion.plan["planned_values"]["root_module"]["resources"]}


def _config(conversion: PlanConversion) -> dict[str, dict]:
    return {r["name"].rsplit("_", 1)[0]: r["expressions"] for r in
            conversion.plan["configuration"]["root_module"]["resources"]}


def _values(type_: str, props: dict, name: str = "it") -> tuple[str, dict]:
    conversion = convert_graphs([graph(resource(type_, name, props))])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    return planned["type"], planned["values"]


# Per type the platform uses: Pulumi inputs as they arrive on the wire -> the plan's values.
CASES = [
    (
        KEY,
        {"enableKeyRotation": True, "deletionWindowInDays": 30.0, "description": "phi",
         "policy": '{"Version": "2012-10-17"}', "tags": {"data-class": "phi", "component": "k"}},
        "aws_kms_key",
        {"enable_key_rotation": True, "deletion_window_in_days": 30, "description": "phi",
         "policy": '{"Version": "2012-10-17"}', "tags": {"data-class": "phi", "component": "k"}},
    ),
    (
        "aws:kms/alias:Alias", {"name": "alias/phi"}, "aws_kms_alias", {"name": "alias/phi"},
    ),
    (
        BUCKET,
        {"bucket": "phi-records", "objectLockEnabled": True, "forceDestroy": False,
         "tags": {"Data-Class": "phi"}},
        "aws_s3_bucket",
        {"bucket": "phi-records", "object_lock_enabled": True, "force_destroy": False,
         "tags": {"Data-Class": "phi"}},
    ),
    (
        "aws:s3/bucketV2:BucketV2",
        {"versionings": [{"enabled": True}], "loggings": [{"targetBucket": "logs"}]},
        "aws_s3_bucket",
        {"versioning": [{"enabled": True}], "logging": [{"target_bucket": "logs"}]},
    ),
    (
        SSE,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                    "bucketKeyEnabled": True}]},
        "aws_s3_bucket_server_side_encryption_configuration",
        {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}],
                   "bucket_key_enabled": True}]},
    ),
    (
        "aws:s3/bucketVersioning:BucketVersioning",
        {"versioningConfiguration": {"status": "Enabled"}},
        "aws_s3_bucket_versioning",
        {"versioning_configuration": [{"status": "Enabled"}]},
    ),
    (
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
         "restrictPublicBuckets": True},
        "aws_s3_bucket_public_access_block",
        {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
         "restrict_public_buckets": True},
    ),
    (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        {"rules": [{"id": "r", "status": "Enabled",
                    "transitions": [{"days": 30.0, "storageClass": "GLACIER"}],
                    "noncurrentVersionExpiration": {"noncurrentDays": 2192.0},
                    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0}}]},
        "aws_s3_bucket_lifecycle_configuration",
        {"rule": [{"id": "r", "status": "Enabled",
                   "transition": [{"days": 30, "storage_class": "GLACIER"}],
                   "noncurrent_version_expiration": [{"noncurrent_days": 2192}],
                   "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}]}]},
    ),
    (
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        {"objectLockEnabled": "Enabled",
         "rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": 6.0}}},
        "aws_s3_bucket_object_lock_configuration",
        {"object_lock_enabled": "Enabled",
         "rule": [{"default_retention": [{"mode": "COMPLIANCE", "years": 6}]}]},
    ),
    (
        "aws:s3/bucketLogging:BucketLogging",
        {"targetPrefix": "phi/", "targetGrants": [{"permission": "READ",
                                                   "grantee": {"type": "Group"}}]},
        "aws_s3_bucket_logging",
        {"target_prefix": "phi/", "target_grant": [{"permission": "READ",
                                                    "grantee": [{"type": "Group"}]}]},
    ),
    (
        "aws:s3/bucketPolicy:BucketPolicy",
        {"policy": {"Version": "2012-10-17", "Statement": []}},
        "aws_s3_bucket_policy",
        {"policy": json.dumps({"Statement": [], "Version": "2012-10-17"}, sort_keys=True)},
    ),
    (
        "aws:rds/instance:Instance",
        {"engine": "postgres", "storageEncrypted": True, "publiclyAccessible": False,
         "backupRetentionPeriod": 35.0, "deletionProtection": True, "multiAz": True,
         "iamDatabaseAuthenticationEnabled": True, "password": "[secret]",
         "enabledCloudwatchLogsExports": ["postgresql", "upgrade"]},
        "aws_db_instance",
        {"engine": "postgres", "storage_encrypted": True, "publicly_accessible": False,
         "backup_retention_period": 35, "deletion_protection": True, "multi_az": True,
         "iam_database_authentication_enabled": True, "password": "[secret]",
         "enabled_cloudwatch_logs_exports": ["postgresql", "upgrade"]},
    ),
    (
        "aws:rds/cluster:Cluster",
        {"storageEncrypted": True, "serverlessv2ScalingConfiguration": {"maxCapacity": 4.0}},
        "aws_rds_cluster",
        {"storage_encrypted": True, "serverlessv2_scaling_configuration": [{"max_capacity": 4}]},
    ),
    (
        "aws:rds/parameterGroup:ParameterGroup",
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
        "aws_db_parameter_group",
        {"family": "postgres16", "parameter": [{"name": "rds.force_ssl", "value": "1"}]},
    ),
    (
        "aws:rds/subnetGroup:SubnetGroup", {"subnetIds": ["subnet-1", "subnet-2"]},
        "aws_db_subnet_group", {"subnet_ids": ["subnet-1", "subnet-2"]},
    ),
    (
        "aws:iam/role:Role",
        {"assumeRolePolicy": {"Version": "2012-10-17", "Statement": []},
         "inlinePolicies": [{"name": "p", "policy": "{}"}], "maxSessionDuration": 3600.0},
        "aws_iam_role",
        {"assume_role_policy": json.dumps({"Statement": [], "Version": "2012-10-17"},
                                          sort_keys=True),
         "inline_policy": [{"name": "p", "policy": "{}"}], "max_session_duration": 3600},
    ),
    (
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        {"minimumPasswordLength": 14.0, "passwordReusePrevention": 24.0, "requireSymbols": True},
        "aws_iam_account_password_policy",
        {"minimum_password_length": 14, "password_reuse_prevention": 24, "require_symbols": True},
    ),
    (
        "aws:cognito/userPool:UserPool",
        {"mfaConfiguration": "ON", "softwareTokenMfaConfiguration": {"enabled": True},
         "passwordPolicy": {"minimumLength": 14.0},
         "accountRecoverySetting": {"recoveryMechanisms": [{"name": "verified_email",
                                                            "priority": 1.0}]},
         "schemas": [{"name": "email", "attributeDataType": "String"}]},
        "aws_cognito_user_pool",
        {"mfa_configuration": "ON", "software_token_mfa_configuration": [{"enabled": True}],
         "password_policy": [{"minimum_length": 14}],
         "account_recovery_setting": [{"recovery_mechanism": [{"name": "verified_email",
                                                               "priority": 1}]}],
         "schema": [{"name": "email", "attribute_data_type": "String"}]},
    ),
    (
        "aws:cloudtrail/trail:Trail",
        {"isMultiRegionTrail": True, "enableLogFileValidation": True,
         "includeGlobalServiceEvents": True,
         "eventSelectors": [{"readWriteType": "All", "dataResources": [
             {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::phi/"]}]}],
         "advancedEventSelectors": [{"name": "phi", "fieldSelectors": [
             {"field": "eventCategory", "equals": ["Data"]}]}]},
        "aws_cloudtrail",
        {"is_multi_region_trail": True, "enable_log_file_validation": True,
         "include_global_service_events": True,
         "event_selector": [{"read_write_type": "All", "data_resource": [
             {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::phi/"]}]}],
         "advanced_event_selector": [{"name": "phi", "field_selector": [
             {"field": "eventCategory", "equals": ["Data"]}]}]},
    ),
    (
        "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 2192.0},
        "aws_cloudwatch_log_group", {"retention_in_days": 2192},
    ),
    (
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        {"pattern": "{ $.userIdentity.type = \"Root\" }",
         "metricTransformation": {"name": "RootUse", "namespace": "IME", "value": "1",
                                  "dimensions": {"EventName": "$.eventName"}}},
        "aws_cloudwatch_log_metric_filter",
        {"pattern": "{ $.userIdentity.type = \"Root\" }",
         "metric_transformation": [{"name": "RootUse", "namespace": "IME", "value": "1",
                                    "dimensions": {"EventName": "$.eventName"}}]},
    ),
    (
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"name": "root-use", "threshold": 1.0, "evaluationPeriods": 1.0,
         "dimensions": {"TrailName": "t"}},
        "aws_cloudwatch_metric_alarm",
        {"alarm_name": "root-use", "threshold": 1, "evaluation_periods": 1,
         "dimensions": {"TrailName": "t"}},
    ),
    (
        "aws:sns/topic:Topic", {"name": "alarms"}, "aws_sns_topic", {"name": "alarms"},
    ),
    (
        "aws:sns/topicSubscription:TopicSubscription",
        {"protocol": "email", "endpoint": "soc@example.org"},
        "aws_sns_topic_subscription", {"protocol": "email", "endpoint": "soc@example.org"},
    ),
    (
        "aws:backup/plan:Plan",
        {"rules": [{"ruleName": "daily", "schedule": "cron(0 5 * * ? *)",
                    "lifecycle": {"deleteAfter": 35.0},
                    "copyActions": [{"lifecycle": {"deleteAfter": 35.0}}],
                    "recoveryPointTags": {"data-class": "phi"}}]},
        "aws_backup_plan",
        {"rule": [{"rule_name": "daily", "schedule": "cron(0 5 * * ? *)",
                   "lifecycle": [{"delete_after": 35}],
                   "copy_action": [{"lifecycle": [{"delete_after": 35}]}],
                   "recovery_point_tags": {"data-class": "phi"}}]},
    ),
    (
        "aws:backup/selection:Selection",
        {"name": "phi", "selectionTags": [{"type": "STRINGEQUALS", "key": "data-class",
                                           "value": "phi"}],
         "conditions": [{"stringEquals": [{"key": "aws:ResourceTag/data-class",
                                           "value": "phi"}]}]},
        "aws_backup_selection",
        {"name": "phi", "selection_tag": [{"type": "STRINGEQUALS", "key": "data-class",
                                           "value": "phi"}],
         "condition": [{"string_equals": [{"key": "aws:ResourceTag/data-class",
                                           "value": "phi"}]}]},
    ),
    (
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        {"minRetentionDays": 35.0, "changeableForDays": 3.0},
        "aws_backup_vault_lock_configuration",
        {"min_retention_days": 35, "changeable_for_days": 3},
    ),
    (
        "aws:secretsmanager/secret:Secret", {"recoveryWindowInDays": 30.0},
        "aws_secretsmanager_secret", {"recovery_window_in_days": 30},
    ),
    (
        "aws:ebs/volume:Volume", {"encrypted": True, "size": 10.0, "availabilityZone": "a"},
        "aws_ebs_volume", {"encrypted": True, "size": 10, "availability_zone": "a"},
    ),
    (
        "aws:lb/listener:Listener",
        {"protocol": "HTTPS", "port": 443.0, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "defaultActions": [{"type": "forward", "forward": {"targetGroups": [{"arn": "tg"}]}}]},
        "aws_lb_listener",
        {"protocol": "HTTPS", "port": 443, "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "default_action": [{"type": "forward", "forward": [{"target_group": [{"arn": "tg"}]}]}]},
    ),
]


@pytest.mark.parametrize(("pulumi_type", "props", "tf_type", "expected"), CASES,
                         ids=[c[2] + ("_v2" if "V2" in c[0] else "") for c in CASES])
def test_property_mapping(pulumi_type, props, tf_type, expected):
    assert _values(pulumi_type, props) == (tf_type, expected)


def test_a_dependent_value_becomes_a_reference_not_a_literal():
    """As Terraform writes a value unknown until apply: absent from values, marked in
    after_unknown, and named in configuration expressions. checkov joins only through it."""
    key = resource(KEY, "phi-key", {"enableKeyRotation": True})
    bucket = resource(BUCKET, "phi-records", {"bucket": "phi-records-1a2b3c4"})
    sse = resource(
        SSE, "phi-records-sse",
        {"bucket": "phi-records-1a2b3c4",
         "rules": [{"applyServerSideEncryptionByDefault": {
             "sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:1:key/9f"}}]},
        deps={"bucket": [bucket["__urn"]], "rules": [key["__urn"]]},
    )
    conversion = convert_graphs([graph(key, bucket, sse)])
    planned = _planned(conversion)
    key_address = planned["phi_key"]["address"]
    bucket_address = planned["phi_records"]["address"]
    values = planned["phi_records_sse"]["values"]
    assert "bucket" not in values
    assert values["rule"] == [{"apply_server_side_encryption_by_default": [
        {"sse_algorithm": "aws:kms"}]}]
    assert _config(conversion)["phi_records_sse"] == {
        "bucket": {"references": [f"{bucket_address}.id", bucket_address]},
        "rule": [{"apply_server_side_encryption_by_default": [
            {"kms_master_key_id": {"references": [f"{key_address}.arn", key_address]}}]}],
    }
    change = next(c for c in conversion.plan["resource_changes"]
                  if c["address"] == planned["phi_records_sse"]["address"])
    assert change["change"]["actions"] == ["create"]
    assert change["change"]["before"] is None
    assert change["change"]["after"] == values
    assert change["change"]["after_unknown"]["bucket"] is True
    assert change["change"]["after_unknown"]["rule"] == [
        {"apply_server_side_encryption_by_default": [{"kms_master_key_id": True}]}]


def test_data_beside_a_reference_stays_a_value():
    """Only identifier-like leaves are references: a rule's own name stays as written."""
    vault = resource("aws:backup/vault:Vault", "backup-vault", {})
    plan = resource(
        "aws:backup/plan:Plan", "backup-plan",
        {"rules": [{"ruleName": "daily", "targetVaultName": "backup-vault-25a4626",
                    "schedule": "cron(0 5 * * ? *)"}]},
        deps={"rules": [vault["__urn"]]},
    )
    conversion = convert_graphs([graph(vault, plan)])
    assert _planned(conversion)["backup_plan"]["values"]["rule"] == [
        {"rule_name": "daily", "schedule": "cron(0 5 * * ? *)"}]
    vault_address = _planned(conversion)["backup_vault"]["address"]
    assert _config(conversion)["backup_plan"] == {"rule": [{"target_vault_name": {
        "references": [f"{vault_address}.name", vault_address]}}]}


def test_unknown_values_resolve_the_same_as_known_ones(reference_dev, reference_dev_unknowns):
    """`synth --unknowns` (what a real preview sees) and resolved mocks give the same joins."""
    resolved = convert_graphs([reference_dev]).plan["configuration"]
    unknown = convert_graphs([reference_dev_unknowns]).plan["configuration"]
    assert resolved == unknown
    assert len(resolved["root_module"]["resources"]) > 40


def test_unknown_without_a_known_source_is_left_unknown():
    doc = resource(KEY, "k", {"description": UNKNOWN_MARKER, "policy": UNKNOWN_MARKER})
    conversion = convert_graphs([graph(doc)])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    assert planned["values"] == {}
    change = conversion.plan["resource_changes"][0]["change"]
    assert change["after_unknown"] == {"description": True, "policy": True, "id": True}
    assert conversion.plan["configuration"]["root_module"]["resources"] == []


def test_list_elements_referring_to_several_resources_each_become_a_reference():
    db = resource("aws:rds/instance:Instance", "case-db", {})
    bucket = resource(BUCKET, "phi-records", {})
    selection = resource(
        "aws:backup/selection:Selection", "phi-selection",
        {"resources": ["arn:aws:rds:us-east-1:1:db:case-db-7a1b2c3",
                       "arn:aws:s3:::phi-records-4d5e6f7", "arn:aws:dynamodb:::table/other"]},
        deps={"resources": [bucket["__urn"], db["__urn"]]},
    )
    conversion = convert_graphs([graph(db, bucket, selection)])
    planned = _planned(conversion)
    db_address, bucket_address = planned["case_db"]["address"], planned["phi_records"]["address"]
    assert planned["phi_selection"]["values"]["resources"] == [
        f"{db_address}.arn", f"{bucket_address}.arn", "arn:aws:dynamodb:::table/other"]
    unknown = [UNKNOWN_MARKER, UNKNOWN_MARKER]
    selection["__properties"]["resources"] = unknown
    conversion = convert_graphs([graph(db, bucket, selection)])
    assert sorted(_planned(conversion)["phi_selection"]["values"]["resources"]) == sorted(
        [f"{db_address}.arn", f"{bucket_address}.arn"])


def test_a_dependency_on_a_resource_outside_the_plan_keeps_the_value():
    """A component or unmapped dependency has no address: the literal value stays."""
    gone = urn("gone", "aws:cloudwatch/logGroup:LogGroup")
    doc = resource("aws:cloudtrail/trail:Trail", "trail",
                   {"cloudWatchLogsGroupArn": "arn:aws:logs:::log-group:gone:*"},
                   deps={"cloudWatchLogsGroupArn": [gone]})
    _type, values = _values("aws:cloudtrail/trail:Trail", doc["__properties"])
    conversion = convert_graphs([graph(doc)])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    assert planned["values"] == values == {"cloud_watch_logs_group_arn":
                                           "arn:aws:logs:::log-group:gone:*"}


def test_names_are_identifiers_unique_per_urn_and_map_back():
    a = resource(KEY, "phi-key", {}, stack="dev")
    b = resource(KEY, "phi-key", {}, stack="prod")
    c = resource(KEY, "9 lives/key", {}, stack="dev")
    conversion = convert_graphs([graph(a, c, stack="dev"), graph(b, stack="prod")])
    addresses = sorted(conversion.resources)
    assert len(addresses) == 3
    for address in addresses:
        name = address.split(".", 1)[1]
        assert name.replace("_", "a").isalnum() and not name[0].isdigit()
    assert {conversion.urn_of(x) for x in addresses} == {a["__urn"], b["__urn"], c["__urn"]}
    assert {o.stack for o in conversion.resources.values()} == {"dev", "prod"}
    assert resource_name("phi-key", a["__urn"]) == resource_name("phi-key", a["__urn"])
    assert resource_name("phi-key", a["__urn"]) != resource_name("phi-key", b["__urn"])


def test_the_same_resource_twice_is_an_error():
    doc = resource(KEY, "k", {})
    with pytest.raises(ImekitError, match="appears twice"):
        convert_graphs([graph(doc), graph(doc)])


def test_plan_shape_is_what_checkov_reads(reference_dev, tmp_path):
    conversion = convert_graphs([reference_dev])
    path = tmp_path / "plan.json"
    conversion.write(path)
    plan = json.loads(path.read_text())
    assert plan["format_version"] and plan["terraform_version"]
    planned = plan["planned_values"]["root_module"]["resources"]
    changes = plan["resource_changes"]
    assert [r["address"] for r in planned] == [c["address"] for c in changes]
    for r in planned:
        assert set(r) >= {"address", "mode", "type", "name", "provider_name", "values"}
        assert r["address"] == f"{r['type']}.{r['name']}"
        assert r["mode"] == "managed"
    for r in plan["configuration"]["root_module"]["resources"]:
        assert r["address"] in conversion.resources and r["expressions"]
