"""PHI stores beyond S3 and RDS, each secure and insecure, each expecting exact findings.

DocumentDB and Redshift clusters, OpenSearch and Elasticsearch domains, ElastiCache
replication groups, EC2 instances and launch templates, written with the provider's
argument classes and with plain dicts. Settings left out are judged by AWS's defaults.
tests/policy/test_user_programs.py holds the expected (rule, resource) findings.
"""

import json

import pulumi
import pulumi_aws as aws

PHI = {"data-class": "phi", "component": "analytics"}
AMI = "ami-0123456789abcdef0"

key = aws.kms.Key("stores-key", enable_key_rotation=True, deletion_window_in_days=30)

# --- DocumentDB: AWS's default is unencrypted ----------------------------------------------
notes = aws.docdb.Cluster(
    "notes-ok",
    cluster_identifier="case-notes",
    master_username="notes",
    manage_master_user_password=True,
    storage_encrypted=True,
    kms_key_id=key.arn,
    tags=PHI,
)
aws.docdb.Cluster("notes-bad", master_username="notes", manage_master_user_password=True, tags=PHI)

# A policy naming a PHI cluster grants PHI access and must require MFA. It is built from the
# cluster's identifier, known at preview, so the document itself can be judged.
aws.iam.Policy(
    "notes-read",
    policy=notes.cluster_identifier.apply(
        lambda name: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "rds:DescribeDBClusters",
                        "Resource": f"arn:aws:rds:us-east-1:123456789012:cluster:{name}",
                    }
                ],
            }
        )
    ),
)

# --- Redshift: encrypted and private by default, TLS only through a parameter group -------
ssl_params = aws.redshift.ParameterGroup(
    "warehouse-params",
    family="redshift-1.0",
    parameters=[aws.redshift.ParameterGroupParameterArgs(name="require_ssl", value="true")],
)
lax_params = aws.redshift.ParameterGroup(
    "warehouse-lax-params",
    family="redshift-1.0",
    parameters=[{"name": "require_ssl", "value": "false"}],
)


def warehouse(name: str, **settings) -> aws.redshift.Cluster:
    return aws.redshift.Cluster(
        name,
        cluster_identifier=name,
        node_type="ra3.xlplus",
        master_username="claims",
        manage_master_password=True,
        tags=PHI,
        **settings,
    )


warehouse(
    "warehouse-ok",
    encrypted="true",
    kms_key_id=key.arn,
    publicly_accessible=False,
    cluster_parameter_group_name=ssl_params.name,
)
# Unencrypted, public, and on a group that does not require TLS.
warehouse(
    "warehouse-bad",
    encrypted="false",
    publicly_accessible=True,
    cluster_parameter_group_name=lax_params.name,
)
# Encryption and privacy left to AWS's defaults (both pass); no group, so TLS is unverified.
warehouse("warehouse-defaults", kms_key_id=key.arn)
# A group defined outside this program could not be verified.
warehouse("warehouse-shared", kms_key_id=key.arn, cluster_parameter_group_name="shared-params")

# --- OpenSearch and Elasticsearch ------------------------------------------------------------
aws.opensearch.Domain(
    "search-ok",
    engine_version="OpenSearch_2.13",
    encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=True, kms_key_id=key.arn),
    node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(enabled=True),
    domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(
        enforce_https=True, tls_security_policy="Policy-Min-TLS-1-2-PFS-2023-10"
    ),
    tags=PHI,
)
# Nothing set: unencrypted at rest and between nodes, HTTPS not required.
aws.opensearch.Domain("search-bad", engine_version="OpenSearch_2.13", tags=PHI)
# The legacy API: AWS-managed key and a policy allowing TLS 1.0.
aws.elasticsearch.Domain(
    "legacy-search",
    elasticsearch_version="7.10",
    encrypt_at_rest={"enabled": True},
    node_to_node_encryption={"enabled": True},
    domain_endpoint_options={
        "enforce_https": True,
        "tls_security_policy": "Policy-Min-TLS-1-0-2019-07",
    },
    tags=PHI,
)

# --- ElastiCache -----------------------------------------------------------------------------
aws.elasticache.ReplicationGroup(
    "cache-ok",
    description="case sessions",
    node_type="cache.r7g.large",
    at_rest_encryption_enabled=True,
    kms_key_id=key.arn,
    transit_encryption_enabled=True,
    tags=PHI,
)
# valkey encrypts at rest by default: only the key needs setting.
aws.elasticache.ReplicationGroup(
    "cache-valkey",
    description="case sessions",
    engine="valkey",
    node_type="cache.r7g.large",
    kms_key_id=key.arn,
    transit_encryption_enabled=True,
    tags=PHI,
)
# redis (the default engine) is unencrypted at rest by default; "preferred" accepts plain text.
aws.elasticache.ReplicationGroup(
    "cache-bad",
    description="case sessions",
    node_type="cache.r7g.large",
    transit_encryption_enabled=True,
    transit_encryption_mode="preferred",
    tags=PHI,
)

# --- EC2 instances and launch templates ------------------------------------------------------
cmk_volume = {"encrypted": True, "kms_key_id": key.arn, "volume_size": 100}

aws.ec2.Instance(
    "worker-ok",
    ami=AMI,
    instance_type="m7g.large",
    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, kms_key_id=key.arn),
    ebs_block_devices=[{"device_name": "/dev/sdf", **cmk_volume}],
    tags=PHI,
)
# No root device: the image and the account default decide, which the program cannot show.
aws.ec2.Instance("worker-bad", ami=AMI, instance_type="m7g.large", tags=PHI)
aws.ec2.Instance(
    "worker-data",
    ami=AMI,
    instance_type="m7g.large",
    root_block_device={"encrypted": True, "kms_key_id": key.arn},
    ebs_block_devices=[{"device_name": "/dev/sdf", "encrypted": False, "volume_size": 100}],
    tags=PHI,
)

template_volumes = [
    aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name="/dev/xvda",
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
            encrypted="true", kms_key_id=key.arn, volume_size=50
        ),
    )
]
aws.ec2.LaunchTemplate(
    "template-ok", image_id=AMI, block_device_mappings=template_volumes, tags=PHI
)
aws.ec2.LaunchTemplate("template-bad", image_id=AMI, instance_type="m7g.large", tags=PHI)
# Without a data class a template is treated as PHI (and reported).
aws.ec2.LaunchTemplate(
    "template-untagged",
    image_id=AMI,
    block_device_mappings=template_volumes,
    tags={"component": "analytics"},
)

pulumi.export("key", key.arn)
