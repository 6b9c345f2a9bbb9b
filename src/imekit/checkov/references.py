"""Which resource a dependent value points at, and how Terraform would write the reference.

Pulumi records dependencies per top-level property (`propertyDependencies`: property ->
URNs); Terraform records them per attribute as expressions (`aws_kms_key.k.arn`). A
property that depends on one resource is one reference. A block or list that depends on
several needs each dependent leaf matched to one of them; the leaf's name says which kind
of resource it expects (`kms_master_key_id` -> a KMS key), and failing that its value may
name the resource.
"""

from __future__ import annotations

from dataclasses import dataclass

# Leaf name fragment -> the Terraform types such a leaf refers to, most specific first.
_AFFINITY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kms", ("aws_kms_key", "aws_kms_alias", "aws_kms_replica_key", "aws_kms_external_key")),
    ("key_id", ("aws_kms_key", "aws_kms_alias", "aws_kms_replica_key")),
    ("vault", ("aws_backup_vault", "aws_backup_logically_air_gapped_vault")),
    ("plan", ("aws_backup_plan",)),
    ("log_group", ("aws_cloudwatch_log_group",)),
    ("logs_group", ("aws_cloudwatch_log_group",)),
    ("parameter_group", ("aws_db_parameter_group", "aws_rds_cluster_parameter_group")),
    ("subnet_group", ("aws_db_subnet_group",)),
    ("target_group", ("aws_lb_target_group", "aws_alb_target_group")),
    ("load_balancer", ("aws_lb", "aws_alb", "aws_elb")),
    ("certificate", ("aws_acm_certificate",)),
    ("topic", ("aws_sns_topic",)),
    ("queue", ("aws_sqs_queue",)),
    ("secret", ("aws_secretsmanager_secret",)),
    ("user_pool", ("aws_cognito_user_pool",)),
    ("policy", ("aws_iam_policy",)),
    ("role", ("aws_iam_role",)),
    ("user", ("aws_iam_user",)),
    ("group", ("aws_iam_group",)),
    ("function", ("aws_lambda_function",)),
    ("security_group", ("aws_security_group",)),
    ("subnet", ("aws_subnet",)),
    ("vpc", ("aws_vpc",)),
    ("bucket", ("aws_s3_bucket",)),
    ("cluster", ("aws_rds_cluster",)),
    ("instance", ("aws_db_instance", "aws_instance")),
)

# Leaf names (Terraform) that hold another resource's identifier rather than data.
_REFERENCE_SUFFIXES = ("_arn", "_arns", "_id", "_ids", "_name", "_names")
_REFERENCE_NAMES = frozenset({"arn", "bucket", "role", "user", "group", "destination", "resources"})


@dataclass(frozen=True)
class Target:
    """A resource a value depends on: its Terraform address and its Pulumi name."""

    address: str
    tf_type: str
    pulumi_name: str


def looks_like_reference(tf_name: str) -> bool:
    return tf_name in _REFERENCE_NAMES or tf_name.endswith(_REFERENCE_SUFFIXES)


def reference_attribute(tf_name: str, target: Target, value: object = None) -> str:
    """The attribute of the target a leaf would reference, as Terraform users write it."""
    if tf_name == "target_key_id":
        return "key_id"
    if isinstance(value, str) and value.startswith("arn:"):
        return "arn"
    if tf_name.endswith(("arn", "arns", "resources")) or "kms" in tf_name:
        return "arn"
    if tf_name.endswith(("_name", "_names")) or tf_name in ("role", "user", "group"):
        return "id" if target.tf_type == "aws_s3_bucket" else "name"
    return "id"


def expression(tf_name: str, target: Target, value: object = None) -> dict[str, list[str]]:
    """A Terraform configuration expression: `{"references": ["<addr>.<attr>", "<addr>"]}`."""
    return {"references": [reference_string(tf_name, target, value), target.address]}


def reference_string(tf_name: str, target: Target, value: object = None) -> str:
    return f"{target.address}.{reference_attribute(tf_name, target, value)}"


def named_target(value: str, targets: list[Target]) -> Target | None:
    """The target whose Pulumi name appears in a known value (physical names and ARNs
    derive from it); the longest name wins so `logs` does not shadow `logs-archive`."""
    named = [t for t in targets if len(t.pulumi_name) >= 3 and t.pulumi_name in value]
    return max(named, key=lambda t: len(t.pulumi_name)) if named else None


def affine_target(tf_name: str, targets: list[Target]) -> Target | None:
    """The target whose type the leaf's name asks for (`kms_master_key_id` -> a KMS key)."""
    for fragment, tf_types in _AFFINITY:
        if fragment in tf_name:
            for tf_type in tf_types:
                for target in targets:
                    if target.tf_type == tf_type:
                        return target
    return None


def known_reference(tf_name: str, value: str, targets: list[Target]) -> Target | None:
    """For a known nested value of a property that depends on `targets`: the target it
    holds an identifier of, or None when it is data (a rule's name beside a vault name)."""
    if not looks_like_reference(tf_name):
        return None
    return named_target(value, targets) or affine_target(tf_name, targets)


def choose_target(tf_name: str, targets: list[Target], value: object = None) -> Target:
    """The target a value known to be a reference most plausibly points at; deterministic."""
    if len(targets) == 1:
        return targets[0]
    found = named_target(value, targets) if isinstance(value, str) else None
    return found or affine_target(tf_name, targets) or targets[0]
