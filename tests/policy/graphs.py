"""Graphs for the policy tests, built from analyzer-shaped documents (graph.model).

`mixed_graph()` holds every resource type any rule inspects, in compliant, non-compliant,
missing-attribute and odd-typed variants (unknown and secret markers, wrong JSON types),
joined through propertyDependencies the way programs join them. Tests evaluate every rule
on it: for equal verdicts with and without type indexing, for string-only results, and for
the absence of evaluation errors.
"""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

from imekit.graph.model import SECRET_MARKER, UNKNOWN_MARKER, Graph, build_document

PROJECT = "ime-platform"
STACK = "test"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

PHI = {"data-class": "phi", "component": "records"}
LOGS = {"data-class": "logs", "component": "audit"}
INTERNAL = {"data-class": "internal", "component": "app"}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


def doc(
    type_: str, name: str, props: dict[str, Any], deps: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return build_document(
        type_=type_,
        name=name,
        urn=urn(type_, name),
        properties=props,
        dependencies=sorted({u for us in (deps or {}).values() for u in us}),
        property_dependencies=deps or {},
    )


def graph(resources: list[dict[str, Any]]) -> Graph:
    return Graph(project=PROJECT, stack=STACK, source={"kind": "test"}, resources=resources)


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
MFA_DENY = {
    "Effect": "Deny",
    "NotAction": ["iam:EnableMFADevice", "sts:GetSessionToken"],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
PEOPLE_TRUST = policy(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:*"}
)
SERVICE_TRUST = policy(
    {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:*"}
)


def secure_bucket_set(name: str, key_urn: str, tags: dict[str, str]) -> list[dict[str, Any]]:
    """A bucket with every companion resource, joined as `bucket=bucket.id` joins them."""
    b = doc("aws:s3/bucket:Bucket", name, {"bucket": name, "tags": tags, "objectLockEnabled": True})
    on = {"bucket": [b["__urn"]]}
    return [
        b,
        doc(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{name}-sse",
            {
                "bucket": UNKNOWN_MARKER,
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "aws:kms",
                            "kmsMasterKeyId": UNKNOWN_MARKER,
                        }
                    }
                ],
            },
            {**on, "rules": [key_urn]},
        ),
        doc(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"{name}-pab",
            {
                "bucket": UNKNOWN_MARKER,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            on,
        ),
        doc(
            "aws:s3/bucketPolicy:BucketPolicy",
            f"{name}-policy",
            {"bucket": UNKNOWN_MARKER, "policy": policy(TLS_DENY)},
            on,
        ),
        doc(
            "aws:s3/bucketVersioning:BucketVersioning",
            f"{name}-versioning",
            {"bucket": UNKNOWN_MARKER, "versioningConfiguration": {"status": "Enabled"}},
            on,
        ),
        doc(
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            f"{name}-lock",
            {
                "bucket": UNKNOWN_MARKER,
                "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 35}},
            },
            on,
        ),
        doc(
            "aws:s3/bucketLogging:BucketLogging",
            f"{name}-logging",
            {"bucket": UNKNOWN_MARKER, "targetBucket": "access-logs"},
            on,
        ),
    ]


def compliant_resources() -> list[dict[str, Any]]:
    key = doc(
        "aws:kms/key:Key",
        "phi-key",
        {"enableKeyRotation": True, "deletionWindowInDays": 30, "policy": policy(READ)},
    )
    k = key["__urn"]
    records = secure_bucket_set("records", k, PHI)
    pg = doc(
        "aws:rds/parameterGroup:ParameterGroup",
        "phi-pg",
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    db = doc(
        "aws:rds/instance:Instance",
        "phi-db",
        {
            "tags": PHI,
            "storageEncrypted": True,
            "kmsKeyId": UNKNOWN_MARKER,
            "parameterGroupName": UNKNOWN_MARKER,
            "backupRetentionPeriod": 35,
            "deletionProtection": True,
            "publiclyAccessible": False,
        },
        {"kmsKeyId": [k], "parameterGroupName": [pg["__urn"]]},
    )
    log_group = doc(
        "aws:cloudwatch/logGroup:LogGroup",
        "trail-logs",
        {"kmsKeyId": UNKNOWN_MARKER, "retentionInDays": 2192},
        {"kmsKeyId": [k]},
    )
    trail = doc(
        "aws:cloudtrail/trail:Trail",
        "org-trail",
        {
            "isMultiRegionTrail": True,
            "enableLogFileValidation": True,
            "cloudWatchLogsGroupArn": UNKNOWN_MARKER,
            "cloudWatchLogsRoleArn": UNKNOWN_MARKER,
            "kmsKeyId": KEY_ARN,
            "eventSelectors": [
                {
                    "readWriteType": "All",
                    "dataResources": [{"type": "AWS::S3::Object", "values": [UNKNOWN_MARKER]}],
                }
            ],
        },
        {"eventSelectors": [records[0]["__urn"]], "cloudWatchLogsGroupArn": [log_group["__urn"]]},
    )
    vault = doc("aws:backup/vault:Vault", "phi-vault", {"kmsKeyArn": KEY_ARN})
    lock = doc(
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "phi-vault-lock",
        {"backupVaultName": UNKNOWN_MARKER, "minRetentionDays": 35},
        {"backupVaultName": [vault["__urn"]]},
    )
    plan = doc(
        "aws:backup/plan:Plan",
        "phi-plan",
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 35}}]},
    )
    selection = doc(
        "aws:backup/selection:Selection",
        "phi-selection",
        {"planId": UNKNOWN_MARKER, "resources": [UNKNOWN_MARKER, UNKNOWN_MARKER]},
        {"resources": [records[0]["__urn"], db["__urn"]], "planId": [plan["__urn"]]},
    )
    alarms = []
    patterns = {
        "root": '{ $.userIdentity.type = "Root" }',
        "console": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
        "kms": "{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }",
        "trail": "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) || "
        "($.eventName = UpdateTrail) }",
        "bucket": "{ ($.eventName = PutBucketPolicy) || ($.eventName = DeleteBucketPolicy) }",
    }
    for name, pattern in patterns.items():
        f = doc(
            "aws:cloudwatch/logMetricFilter:LogMetricFilter",
            name,
            {"pattern": pattern, "metricTransformation": {"name": name, "namespace": "IME"}},
        )
        a = doc(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"{name}-alarm",
            {"metricName": UNKNOWN_MARKER, "alarmActions": ["arn:aws:sns:us-east-1:1:x"]},
            {"metricName": [f["__urn"]]},
        )
        alarms += [f, a]
    people_role = doc(
        "aws:iam/role:Role",
        "examiner",
        {"assumeRolePolicy": PEOPLE_TRUST, "tags": {"component": "x"}},
    )
    guarded = doc(
        "aws:iam/policy:Policy",
        "records-read",
        {"policy": policy(READ, MFA_DENY)},
        {"policy": [records[0]["__urn"]]},
    )
    attach = doc(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "examiner-read",
        {"role": UNKNOWN_MARKER, "policyArn": UNKNOWN_MARKER},
        {"role": [people_role["__urn"]], "policyArn": [guarded["__urn"]]},
    )
    warehouse_params = doc(
        "aws:redshift/parameterGroup:ParameterGroup",
        "warehouse-params",
        {"family": "redshift-1.0", "parameters": [{"name": "require_ssl", "value": "true"}]},
    )
    stores = [
        warehouse_params,
        doc(
            "aws:redshift/cluster:Cluster",
            "warehouse",
            {
                "tags": PHI,
                "encrypted": "true",
                "kmsKeyId": UNKNOWN_MARKER,
                "publiclyAccessible": False,
                "clusterParameterGroupName": UNKNOWN_MARKER,
            },
            {"kmsKeyId": [k], "clusterParameterGroupName": [warehouse_params["__urn"]]},
        ),
        doc(
            "aws:docdb/cluster:Cluster",
            "case-notes",
            {"tags": PHI, "storageEncrypted": True, "kmsKeyId": UNKNOWN_MARKER},
            {"kmsKeyId": [k]},
        ),
        doc(
            "aws:opensearch/domain:Domain",
            "case-search",
            {
                "tags": PHI,
                "encryptAtRest": {"enabled": True, "kmsKeyId": UNKNOWN_MARKER},
                "nodeToNodeEncryption": {"enabled": True},
                "domainEndpointOptions": {
                    "enforceHttps": True,
                    "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
                },
            },
            {"encryptAtRest": [k]},
        ),
        doc(
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "sessions",
            {
                "tags": PHI,
                "atRestEncryptionEnabled": True,
                "kmsKeyId": KEY_ARN,
                "transitEncryptionEnabled": True,
            },
        ),
        doc(
            "aws:ec2/instance:Instance",
            "scan-worker",
            {
                "tags": PHI,
                "rootBlockDevice": {"encrypted": True, "kmsKeyId": UNKNOWN_MARKER},
                "ebsBlockDevices": [
                    {"deviceName": "/dev/sdf", "encrypted": True, "kmsKeyId": KEY_ARN}
                ],
            },
            {"rootBlockDevice": [k]},
        ),
        doc(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "scan-workers",
            {
                "tags": PHI,
                "blockDeviceMappings": [
                    {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}
                ],
            },
        ),
    ]
    return [
        key,
        *records,
        *secure_bucket_set("trail-logs", k, LOGS),
        *stores,
        pg,
        db,
        log_group,
        trail,
        vault,
        lock,
        plan,
        selection,
        *alarms,
        people_role,
        guarded,
        attach,
        doc(
            "aws:sns/topic:Topic",
            "alerts",
            {"kmsMasterKeyId": UNKNOWN_MARKER},
            {"kmsMasterKeyId": [k]},
        ),
        doc("aws:secretsmanager/secret:Secret", "db-secret", {"kmsKeyId": KEY_ARN}),
        doc(
            "aws:cognito/userPool:UserPool",
            "portal",
            {
                "mfaConfiguration": "ON",
                "passwordPolicy": {
                    "minimumLength": 14,
                    "requireLowercase": True,
                    "requireUppercase": True,
                    "requireNumbers": True,
                    "requireSymbols": True,
                },
            },
        ),
        doc(
            "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
            "passwords",
            {
                "minimumPasswordLength": 14,
                "passwordReusePrevention": 24,
                "requireLowercaseCharacters": True,
                "requireUppercaseCharacters": True,
                "requireNumbers": True,
                "requireSymbols": True,
            },
        ),
        doc(
            "aws:lb/listener:Listener",
            "https",
            {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        ),
        doc("pulumi:providers:aws", "default", {"region": "us-east-1"}),
        doc("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}", {}),
    ]


def insecure_resources() -> list[dict[str, Any]]:
    return [
        doc("aws:s3/bucketV2:BucketV2", "uploads", {"bucket": "uploads"}),
        doc(
            "aws:s3/bucket:Bucket",
            "inline",
            {
                "tags": PHI,
                "serverSideEncryptionConfiguration": {
                    "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
                },
                "versioning": {"enabled": False},
                "logging": {"targetPrefix": "x/"},
                "policy": policy(READ),
                "objectLockConfiguration": {"objectLockEnabled": "Enabled"},
            },
        ),
        doc("aws:rds/cluster:Cluster", "claims", {"tags": {"data-class": "secret"}}),
        doc("aws:rds/clusterInstance:ClusterInstance", "claims-1", {"publiclyAccessible": True}),
        doc("aws:ebs/volume:Volume", "scratch", {"size": 10, "type": "gp3"}),
        doc("aws:dynamodb/table:Table", "referrals", {"tags": PHI}),
        doc("aws:efs/fileSystem:FileSystem", "scans", {"tags": INTERNAL}),
        doc(
            "aws:kms/key:Key",
            "weak-key",
            {"deletionWindowInDays": 7, "policy": policy({**ADMIN, "Principal": "*"})},
        ),
        doc("aws:kms/replicaKey:ReplicaKey", "dr-key", {"deletionWindowInDays": 7}),
        doc(
            "aws:kms/alias:Alias", "phi-alias", {"name": "alias/phi", "targetKeyId": UNKNOWN_MARKER}
        ),
        doc("aws:iam/policy:Policy", "admin", {"policy": policy(ADMIN), "tags": PHI}),
        doc(
            "aws:iam/rolePolicy:RolePolicy",
            "power",
            {"policy": policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        ),
        doc("aws:iam/userPolicy:UserPolicy", "alice", {"policy": policy(READ)}),
        doc("aws:iam/groupPolicy:GroupPolicy", "readers", {"policy": UNKNOWN_MARKER}),
        doc(
            "aws:iam/role:Role",
            "phi-role",
            {
                "tags": PHI,
                "assumeRolePolicy": PEOPLE_TRUST,
                "inlinePolicies": [{"name": "r", "policy": policy(READ)}],
            },
        ),
        doc(
            "aws:iam/role:Role",
            "backup-role",
            {
                "assumeRolePolicy": SERVICE_TRUST,
                "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
        ),
        doc(
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "alice-admin",
            {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        doc(
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            "group-read",
            {"policyArn": "arn:aws:iam::1:policy/read"},
        ),
        doc(
            "aws:iam/policyAttachment:PolicyAttachment",
            "everyone",
            {"policyArn": "arn:aws:iam::1:policy/read", "users": ["bob"]},
        ),
        doc(
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            "ops",
            {"policyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
        ),
        doc("aws:iam/userPoliciesExclusive:UserPoliciesExclusive", "bob", {"policyNames": ["x"]}),
        doc(
            "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
            "bob-att",
            {"policyArns": ["x"]},
        ),
        doc(
            "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
            "grp",
            {"policyArns": []},
        ),
        doc(
            "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
            "weak-passwords",
            {"minimumPasswordLength": 8},
        ),
        doc("aws:cognito/userPool:UserPool", "open-pool", {"mfaConfiguration": "OPTIONAL"}),
        doc("aws:secretsmanager/secret:Secret", "api", {}),
        doc("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"retentionInDays": 30}),
        doc("aws:sns/topic:Topic", "plain", {}),
        doc("aws:backup/vault:Vault", "open-vault", {}),
        doc(
            "aws:backup/plan:Plan",
            "short",
            {
                "rules": [
                    {
                        "ruleName": "d",
                        "lifecycle": {"deleteAfter": 7},
                        "copyActions": [{"lifecycle": {"deleteAfter": 1}}],
                    }
                ]
            },
        ),
        doc(
            "aws:backup/selection:Selection",
            "by-tag",
            {"selectionTags": [{"type": "STRINGEQUALS", "key": "data-class", "value": "phi"}]},
        ),
        doc(
            "aws:backup/selection:Selection",
            "all",
            {
                "resources": ["*"],
                "conditions": [
                    {"stringEquals": [{"key": "aws:ResourceTag/data-class", "value": "phi"}]}
                ],
            },
        ),
        doc(
            "aws:cloudtrail/trail:Trail",
            "regional",
            {
                "isMultiRegionTrail": False,
                "advancedEventSelectors": [
                    {
                        "fieldSelectors": [
                            {"field": "eventCategory", "equals": ["Data"]},
                            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                            {"field": "resources.ARN", "startsWiths": [UNKNOWN_MARKER]},
                        ]
                    }
                ],
            },
            {"advancedEventSelectors": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc("aws:rds/parameterGroup:ParameterGroup", "weak-pg", {"family": "mysql8.0"}),
        doc(
            "aws:rds/clusterParameterGroup:ClusterParameterGroup",
            "weak-cpg",
            {"family": UNKNOWN_MARKER},
        ),
        doc(
            "aws:rds/instance:Instance",
            "shared-pg-db",
            {
                "tags": PHI,
                "parameterGroupName": "shared",
                "storageEncrypted": True,
                "kmsKeyId": SECRET_MARKER,
                "publiclyAccessible": UNKNOWN_MARKER,
            },
        ),
        doc("aws:lb/listener:Listener", "http", {"protocol": "HTTP"}),
        doc(
            "aws:alb/listener:Listener",
            "old-tls",
            {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"},
        ),
        doc(
            "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
            "account",
            {"blockPublicAcls": True},
        ),
        doc(
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "uploads-sse",
            {"rules": UNKNOWN_MARKER},
            {"bucket": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc(
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "uploads-versioning",
            {"versioningConfiguration": {"status": "Suspended"}},
            {"bucket": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc(
            "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
            "uploads-lock",
            {"objectLockEnabled": "Enabled"},
            {"bucket": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc(
            "aws:s3/bucketLoggingV2:BucketLoggingV2",
            "uploads-logging",
            {},
            {"bucket": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc(
            "aws:cloudwatch/logMetricFilter:LogMetricFilter",
            "root-unalarmed",
            {
                "pattern": '{ $.userIdentity.type = "Root" }',
                "metricTransformation": {"name": "root2"},
            },
        ),
        doc("aws:cloudwatch/metricAlarm:MetricAlarm", "silent", {"metricName": "root2"}),
        doc("aws:s3/bucket:Bucket", "unversioned", {"tags": PHI, "versioning": {"enabled": False}}),
        doc("aws:cloudwatch/logGroup:LogGroup", "unknown-key", {"kmsKeyId": UNKNOWN_MARKER}),
        doc(
            "aws:iam/policy:Policy",
            "uploads-read",
            {"policy": policy(READ)},
            {"policy": [urn("aws:s3/bucketV2:BucketV2", "uploads")]},
        ),
        doc("aws:docdb/cluster:Cluster", "notes", {"tags": PHI}),
        doc(
            "aws:redshift/cluster:Cluster",
            "open-warehouse",
            {
                "tags": {"component": "claims"},
                "encrypted": "false",
                "publiclyAccessible": True,
                "clusterParameterGroupName": "shared-warehouse",
            },
        ),
        doc("aws:redshift/cluster:Cluster", "default-warehouse", {"tags": PHI}),
        doc(
            "aws:redshift/parameterGroup:ParameterGroup",
            "lax-params",
            {"family": "redshift-1.0", "parameters": [{"name": "require_ssl", "value": "false"}]},
        ),
        doc("aws:elasticsearch/domain:Domain", "legacy-search", {"tags": PHI}),
        doc(
            "aws:opensearch/domain:Domain",
            "open-search",
            {
                "tags": PHI,
                "encryptAtRest": {"enabled": True, "kmsKeyId": UNKNOWN_MARKER},
                "nodeToNodeEncryption": {"enabled": False},
                "domainEndpointOptions": {
                    "enforceHttps": False,
                    "tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07",
                },
            },
        ),
        doc(
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "lax-cache",
            {"tags": PHI, "transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"},
        ),
        doc("aws:ec2/instance:Instance", "worker", {"tags": PHI, "ebsBlockDevices": [{}]}),
        doc(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "workers",
            {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
        ),
        doc(
            "aws:iam/policy:Policy",
            "notes-read",
            {"policy": policy(READ)},
            {"policy": [urn("aws:docdb/cluster:Cluster", "notes")]},
        ),
    ]


# Values that have broken rules before: markers, wrong JSON types, empty containers.
ODD_VALUES: list[Any] = [
    UNKNOWN_MARKER,
    SECRET_MARKER,
    None,
    "",
    "x",
    0,
    -1,
    3.5,
    True,
    [],
    [None],
    ["x", 1],
    {},
    {"Element": {"V": ""}},
    {"x": [1, {"y": None}]},
]


def odd_variants(resources: list[dict[str, Any]], limit_per_resource: int = 6) -> list[dict]:
    """Copies of each resource with one property at a time replaced by an odd value."""
    out: list[dict[str, Any]] = []
    counter = itertools.count()
    for r in resources:
        props = r["__properties"]
        keys = sorted(props) or ["tags"]
        for key, value in itertools.islice(
            ((k, v) for k in keys for v in ODD_VALUES), limit_per_resource * len(keys)
        ):
            new_props = copy.deepcopy(props)
            new_props[key] = value
            name = f"{r['__name']}-odd{next(counter)}"
            out.append(doc(r["__type"], name, new_props, r["propertyDependencies"]))
    return out


def mixed_graph() -> Graph:
    base = compliant_resources() + insecure_resources()
    odd = odd_variants([r for r in base if not r["__type"].startswith("pulumi:")])
    return graph(base + odd)
