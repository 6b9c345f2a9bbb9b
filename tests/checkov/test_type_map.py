"""The Pulumi -> Terraform type map: every entry real, the irregular names right, no silent drop."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from ckv_fixtures import graph, resource

from imekit.checkov.plan import convert_graphs
from imekit.checkov.type_map import PULUMI_TO_TERRAFORM, is_cloud_resource, terraform_type
from imekit.graph.model import build_document

# Importing a pulumi-aws module warns about its deprecated V2 classes.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _sdk_class(token: str):
    _pkg, module, cls = token.split(":")
    name = module.split("/")[0]
    return getattr(importlib.import_module(f"pulumi_aws.{ {'lambda': 'lambda_'}.get(name, name)}"),
                   cls)


@pytest.mark.parametrize("token", sorted(PULUMI_TO_TERRAFORM))
def test_every_mapped_type_is_a_pulumi_aws_resource(token):
    """The token is the one the installed pulumi-aws registers (a typo would never match)."""
    cls = _sdk_class(token)
    source = importlib.import_module(cls.__module__).__file__
    with open(source, encoding="utf-8") as handle:
        assert f"'{token}'" in handle.read()


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:rds/cluster:Cluster", "aws_rds_cluster"),
        ("aws:rds/parameterGroup:ParameterGroup", "aws_db_parameter_group"),
        ("aws:rds/subnetGroup:SubnetGroup", "aws_db_subnet_group"),
        ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
        ("aws:cfg/rule:Rule", "aws_config_config_rule"),
        ("aws:cfg/recorder:Recorder", "aws_config_configuration_recorder"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketReplicationConfig:BucketReplicationConfig",
         "aws_s3_bucket_replication_configuration"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "aws_s3_object"),
        ("aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
         "aws_cognito_identity_pool_roles_attachment"),
        ("aws:ec2/flowLog:FlowLog", "aws_flow_log"),
        ("aws:lb/loadBalancer:LoadBalancer", "aws_lb"),
        ("aws:alb/listener:Listener", "aws_alb_listener"),
        ("aws:sns/dataProtectionPolicy:DataProtectionPolicy",
         "aws_sns_topic_data_protection_policy"),
        ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "aws_iam_account_password_policy"),
        ("aws:backup/vaultLockConfiguration:VaultLockConfiguration",
         "aws_backup_vault_lock_configuration"),
    ],
)
def test_irregular_names(token, expected):
    assert terraform_type(token) == expected


def test_v2_aliases_bridge_to_the_canonical_resource():
    for token, tf_type in PULUMI_TO_TERRAFORM.items():
        if token.startswith("aws:s3/") and token.endswith("V2"):
            canonical = token.replace("V2:", ":", 1)[: -len("V2")]
            assert terraform_type(canonical) == tf_type, token


def test_reference_platform_and_insecure_program_are_fully_mapped(reference_dev, insecure_dev):
    for g in (reference_dev, insecure_dev):
        conversion = convert_graphs([g])
        assert conversion.unmapped_types == {}
        cloud = [d for d in g.resources if is_cloud_resource(d)]
        assert len(conversion.resources) == len(cloud) > 10


def test_every_type_the_policy_pack_judges_is_mapped():
    """What the Rego pack judges, checkov must see too, or the two engines disagree on
    which resources were inspected."""
    policies = Path(__file__).resolve().parents[2] / "policies"
    named = set()
    for rego in policies.glob("*.rego"):
        named |= set(re.findall(r'"(aws:[a-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+)"', rego.read_text()))
    assert len(named) > 30
    assert sorted(t for t in named if terraform_type(t) is None) == []


def test_unmapped_types_are_counted_not_dropped_silently():
    g = graph(
        resource("aws:kms/key:Key", "key", {"enableKeyRotation": True}),
        resource("aws:bedrock/agentAgent:AgentAgent", "agent-a", {}),
        resource("aws:bedrock/agentAgent:AgentAgent", "agent-b", {}),
        resource("random:index/randomPassword:RandomPassword", "pw", {"length": 20.0}),
    )
    conversion = convert_graphs([g])
    assert conversion.unmapped_types == {
        "aws:bedrock/agentAgent:AgentAgent": 2,
        "random:index/randomPassword:RandomPassword": 1,
    }
    assert [o.tf_type for o in conversion.resources.values()] == ["aws_kms_key"]


def test_components_and_engine_resources_are_not_cloud_resources():
    stack = build_document(type_="pulumi:pulumi:Stack", name="s", urn="urn:pulumi:t::p::s",
                           properties={})
    provider = build_document(type_="pulumi:providers:aws", name="default",
                              urn="urn:pulumi:t::p::pulumi:providers:aws::default", properties={})
    component = build_document(type_="imekit:platform:Keys", name="keys",
                               urn="urn:pulumi:t::p::imekit:platform:Keys::keys", properties={})
    conversion = convert_graphs([graph(stack, provider, component)])
    assert conversion.components == 3
    assert conversion.unmapped_types == {}
    assert conversion.resources == {}
