"""Wire/state value handling and the deterministic mock values."""

from __future__ import annotations

import json

import pytest

from imekit.graph import SECRET_MARKER, UNKNOWN_MARKER
from imekit.graph.mock_values import invoke_result, policy_document, resource_outputs
from imekit.graph.wire import (
    SIG_KEY,
    SecretSink,
    go_duration_seconds,
    parse_provider_ref,
    properties_from,
    to_graph_value,
    urn_parts,
)


def test_secrets_of_every_form_become_the_marker():
    sink = SecretSink()
    value = {
        "a": {SIG_KEY: "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2-password"},
        "b": [{SIG_KEY: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}],
        "c": {SIG_KEY: "d0e6a833031e9bbcd3f4e8bde6ca49a4", "value": "x", "secret": True},
        "d": {SIG_KEY: "d0e6a833031e9bbcd3f4e8bde6ca49a4"},
        "e": {
            SIG_KEY: "5cf8f73096256a8f31e491e813e4eb8e",
            "urn": "urn:pulumi:s::p::t::n",
            "id": "i-123",
        },
        "f": UNKNOWN_MARKER,
        "__defaults": ["x"],
    }
    out = properties_from(value, sink)
    assert out == {
        "a": SECRET_MARKER,
        "b": [SECRET_MARKER],
        "c": SECRET_MARKER,
        "d": UNKNOWN_MARKER,
        "e": "i-123",
        "f": UNKNOWN_MARKER,
    }
    assert sink.redact("password is hunter2-password.") == "password is [secret]."
    assert to_graph_value({"k": 1.0}) == {"k": 1.0}


@pytest.mark.parametrize(
    "text, seconds",
    [("", 0.0), ("5m", 300.0), ("1h30m", 5400.0), ("1.5s", 1.5), ("250ms", 0.25), ("2h", 7200.0)],
)
def test_go_durations(text, seconds):
    assert go_duration_seconds(text) == pytest.approx(seconds)


def test_bad_duration():
    with pytest.raises(ValueError):
        go_duration_seconds("5 minutes")


def test_urns_and_provider_references():
    urn = "urn:pulumi:dev::proj::a:b:C$aws:s3/bucket:Bucket::name::with::colons"
    assert urn_parts(urn) == ("dev", "proj", "a:b:C$aws:s3/bucket:Bucket", "name::with::colons")
    assert parse_provider_ref(urn + "::0d2c") == urn
    assert parse_provider_ref("") == ""
    with pytest.raises(ValueError):
        urn_parts("arn:aws:s3:::x")


def test_mock_outputs_are_deterministic_and_shaped_like_aws():
    urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::records"
    rid, out = resource_outputs("aws:s3/bucket:Bucket", "records", urn, {}, "eu-west-1")
    assert (rid, out) == resource_outputs("aws:s3/bucket:Bucket", "records", urn, {}, "eu-west-1")
    assert rid == out["bucket"] and out["arn"] == f"arn:aws:s3:::{rid}"
    other = resource_outputs(
        "aws:s3/bucket:Bucket", "records", urn.replace("dev", "prod"), {}, "eu-west-1"
    )
    assert other[0] != rid
    _, named = resource_outputs("aws:s3/bucket:Bucket", "r", urn, {"bucket": "given"}, "x")
    assert named["bucket"] == "given"
    kid, key = resource_outputs("aws:kms/key:Key", "k", urn + "k", {}, "eu-west-1")
    assert key["arn"] == f"arn:aws:kms:eu-west-1:123456789012:key/{kid}"
    _, role = resource_outputs("aws:iam/role:Role", "ops", urn + "r", {"name": "ops"}, "x")
    assert role["arn"] == "arn:aws:iam::123456789012:role/ops"
    _, db = resource_outputs("aws:rds/instance:Instance", "db", urn + "d", {}, "us-east-1")
    assert db["arn"].startswith("arn:aws:rds:us-east-1:123456789012:db:db-")


def test_policy_document_data_source():
    result = policy_document(
        {
            "statements": [
                {
                    "sid": "DenyInsecureTransport",
                    "effect": "Deny",
                    "actions": ["s3:*"],
                    "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                    ],
                },
                {
                    "actions": ["kms:Decrypt"],
                    "resources": ["*"],
                    "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}],
                },
            ]
        }
    )
    doc = json.loads(result["json"])
    assert doc["Version"] == "2012-10-17"
    deny, allow = doc["Statement"]
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Principal": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert allow["Effect"] == "Allow"
    assert allow["Principal"] == {"AWS": "arn:aws:iam::1:root"}
    assert json.loads(result["minifiedJson"]) == doc


def test_invokes():
    assert invoke_result("aws:index/getCallerIdentity:getCallerIdentity", {}, "x")["accountId"] == (
        "123456789012"
    )
    assert invoke_result("aws:index/getRegion:getRegion", {}, "eu-west-3")["name"] == "eu-west-3"
    assert invoke_result("aws:index/getPartition:getPartition", {}, "x")["partition"] == "aws"
    assert invoke_result("aws:unknown/thing:getThing", {}, "x") == {}


@pytest.mark.parametrize(
    "type_",
    [
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/listener:Listener",
        "aws:lb/targetGroup:TargetGroup",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:sqs/queue:Queue",
        "aws:lambda/function:Function",
        "aws:dynamodb/table:Table",
        "aws:cognito/userPool:UserPool",
        "aws:cognito/userPoolClient:UserPoolClient",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:backup/vault:Vault",
        "aws:cloudtrail/trail:Trail",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:secretsmanager/secret:Secret",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:rds/cluster:Cluster",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/policy:Policy",
        "aws:kms/alias:Alias",
        "aws:guardduty/detector:Detector",
        "random:index/randomPassword:RandomPassword",
        "pulumi:providers:aws",
    ],
)
def test_mock_outputs_for_every_kind_of_resource(type_):
    urn = f"urn:pulumi:dev::p::{type_}::thing"
    rid, out = resource_outputs(type_, "thing", urn, {"tags": {"a": "b"}}, "us-east-2")
    assert isinstance(rid, str) and rid
    assert out["tags"] == {"a": "b"}  # inputs are echoed
    json.dumps(out)  # plain JSON values only
    if type_.startswith("aws:"):
        assert out["id"] == rid
        if "arn" in out:
            assert out["arn"].startswith("arn:aws:")
