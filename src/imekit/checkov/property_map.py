"""Pulumi property names and shapes -> Terraform attribute names and shapes.

The rules pulumi-aws applies when it bridges a Terraform resource, undone:
- names are camelCase of the Terraform snake_case name;
- a nested block that may repeat (a list of objects) gets a plural name: `rule` -> `rules`,
  `transition` -> `transitions`, `copy_action` -> `copyActions`;
- a block that may appear once is flattened to an object, where a Terraform plan always
  writes a list of objects;
- maps (tags and a few others) are objects in both worlds and their keys are data, never
  renamed;
- a handful of attributes were renamed outright (`alarm_name` -> `name`), and a list of
  plain values sometimes gets a plural too (`thumbprint_list` -> `thumbprintLists`).
Where the rules do not hold, `RENAMES` and `PLURAL_BLOCKS` say so, per Terraform type.
"""

from __future__ import annotations

import re

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Attributes that are maps in Terraform: their keys are data, and the value stays an object.
# Found by walking every property of every mapped pulumi-aws type (tests/checkov keep the
# list complete): no name here is a nested block anywhere among the mapped types.
MAP_ATTRIBUTES = frozenset(
    {
        "tags",
        "tags_all",
        "recovery_point_tags",
        "volume_tags",
        "backup_options",
        "dimensions",
        "variables",
        "stage_variables",
        "stage_variable_overrides",
        "request_parameters",
        "request_templates",
        "request_models",
        "response_parameters",
        "response_templates",
        "input_parameters",
        "input_paths",
        "header_parameters",
        "query_string_parameters",
        "parameters",
        "attributes",
        "attribute_mapping",
        "additional_version_weights",
        "authentication_request_extra_params",
        "client_metadata",
        "validation_data",
        "encryption_context_equals",
        "encryption_context_subset",
        "endpoints",
        "global_settings",
        "metadata",
        "permissions",
        "provider_details",
        "resource_type_management_preference",
        "resource_type_opt_in_preference",
        "restore_metadata_overrides",
        "roles",
        "supported_login_providers",
        "triggers",
        "resource_tags",
        "context",
        "labels",
        "advanced_options",
    }
)

# Per Terraform type: dotted path of Pulumi names (list indices left out) -> Terraform name,
# for attributes pulumi-aws renamed beyond the camelCase and plural rules.
RENAMES: dict[str, dict[str, str]] = {
    # Attributes pulumi-aws gave another name.
    "aws_cloudwatch_metric_alarm": {"name": "alarm_name"},
    "aws_lambda_function": {
        "name": "function_name",
        "imageConfig.commands": "command",
        "imageConfig.entryPoints": "entry_point",
    },
    "aws_lambda_permission": {"function": "function_name"},
    "aws_sns_topic_subscription": {"topic": "topic_arn"},
    "aws_cloudwatch_log_subscription_filter": {"logGroup": "log_group_name"},
    # Lists of plain values that pulumi-aws pluralised although Terraform's name is singular.
    "aws_iam_openid_connect_provider": {
        "clientIdLists": "client_id_list",
        "thumbprintLists": "thumbprint_list",
    },
    "aws_cognito_user_pool": {
        "userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdates":
            "attributes_require_verification_before_update",
    },
    "aws_cognito_risk_configuration": {
        "riskExceptionConfiguration.blockedIpRangeLists": "blocked_ip_range_list",
        "riskExceptionConfiguration.skippedIpRangeLists": "skipped_ip_range_list",
    },
    "aws_dynamodb_table": {"importTable.inputFormatOptions.csv.headerLists": "header_list"},
    # Repeatable blocks whose Terraform name is itself plural.
    "aws_backup_selection": {
        "conditions.stringEquals": "string_equals",
        "conditions.stringNotEquals": "string_not_equals",
    },
    "aws_backup_restore_testing_selection": {
        "protectedResourceConditions.stringEquals": "string_equals",
        "protectedResourceConditions.stringNotEquals": "string_not_equals",
    },
    "aws_launch_template": {
        "blockDeviceMappings": "block_device_mappings",
        "networkInterfaces": "network_interfaces",
        "tagSpecifications": "tag_specifications",
    },
    "aws_db_option_group": {"options.optionSettings": "option_settings"},
    "aws_kms_grant": {"constraints": "constraints"},
    "aws_efs_file_system": {"sizeInBytes": "size_in_bytes"},
    "aws_acm_certificate": {"domainValidationOptions": "domain_validation_options"},
    "aws_config_configuration_recorder": {
        "recordingGroup.exclusionByResourceTypes": "exclusion_by_resource_types",
    },
    "aws_cognito_identity_pool": {"cognitoIdentityProviders": "cognito_identity_providers"},
    "aws_rds_global_cluster": {"globalClusterMembers": "global_cluster_members"},
    "aws_apigatewayv2_stage": {"routeSettings": "route_settings"},
    "aws_wafv2_web_acl_logging_configuration": {"redactedFields": "redacted_fields"},
    "aws_macie2_classification_job": {
        "s3JobDefinition.bucketDefinitions": "bucket_definitions",
        "s3JobDefinition.bucketCriteria.excludes.ands.tagCriterion.tagValues": "tag_values",
        "s3JobDefinition.bucketCriteria.includes.ands.tagCriterion.tagValues": "tag_values",
        "s3JobDefinition.scoping.excludes.ands.tagScopeTerm.tagValues": "tag_values",
        "s3JobDefinition.scoping.includes.ands.tagScopeTerm.tagValues": "tag_values",
        "userPausedDetails": "user_paused_details",
    },
    "aws_s3_bucket": {
        # Terraform's own name is plural here (CKV_AWS_144 reads it); the deprecated
        # BucketV2 class still has the older, list-valued shape.
        "replicationConfiguration.rules": "rules",
        "replicationConfigurations.rules": "rules",
        "replicationConfigurations.rules.destinations.metrics": "metrics",
        "replicationConfigurations.rules.sourceSelectionCriterias.sseKmsEncryptedObjects":
            "sse_kms_encrypted_objects",
    },
    "aws_opensearch_domain": {"logPublishingOptions": "log_publishing_options"},
    "aws_elasticsearch_domain": {"logPublishingOptions": "log_publishing_options"},
}

# Per Terraform type: repeatable blocks whose Terraform name is itself plural, wherever they
# appear under the type (WAFv2 statements nest to any depth, so a path would not do).
# pulumi-aws keeps such a name as it is; singularising it would hide the block from checkov.
PLURAL_BLOCKS: dict[str, frozenset[str]] = {
    "aws_cloudwatch_event_target": frozenset({"run_command_targets"}),
    "aws_wafv2_web_acl": frozenset({"headers", "managed_rule_group_configs"}),
}

# Terraform attributes holding a JSON document as a string. Pulumi accepts some of them as
# objects (e.g. an IAM PolicyDocument); Terraform plans always carry the encoded string.
JSON_STRING_ATTRIBUTES = frozenset(
    {
        "policy",
        "assume_role_policy",
        "access_policies",
        "container_definitions",
        "container_properties",
        "policy_document",
        "access_policy",
        "delivery_policy",
        "filter_policy",
        "redrive_policy",
        "redrive_allow_policy",
        "data_protection_policy",
        "event_pattern",
        "definition",
        "dashboard_body",
    }
)


def snake_case(name: str) -> str:
    """`kmsMasterKeyId` -> `kms_master_key_id`, `s3BucketName` -> `s3_bucket_name`."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def singular(name: str) -> str:
    """Undo the plural pulumi-aws gives repeatable blocks (`copy_actions` -> `copy_action`)."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("ss") or not name.endswith("s"):
        return name
    return name[:-1]


def terraform_name(tf_type: str, path: tuple[str, ...], value: object) -> str:
    """The Terraform name of the Pulumi property at `path` (its last element) under `tf_type`."""
    renamed = RENAMES.get(tf_type, {}).get(".".join(path))
    if renamed:
        return renamed
    name = snake_case(path[-1])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return name if name in PLURAL_BLOCKS.get(tf_type, ()) else singular(name)
    return name


def is_map_attribute(tf_name: str) -> bool:
    """For an object value: a map (keys are data) rather than a single nested block."""
    return tf_name in MAP_ATTRIBUTES
