"""Pulumi AWS resource types and the Terraform resource types they are bridged from.

pulumi-aws is generated from the Terraform AWS provider, but its type tokens do not follow
a rule one could compute (`aws:rds/instance:Instance` is `aws_db_instance`,
`aws:cloudtrail/trail:Trail` is `aws_cloudtrail`, `aws:cfg/rule:Rule` is
`aws_config_config_rule`), so the map is explicit. A type missing here is never dropped
silently: the converter counts it as unmapped and the gate reports it.
"""

from __future__ import annotations

# Deprecated `...V2` S3 classes of pulumi-aws v7 are aliases of the canonical ones and
# bridge to the same Terraform resource.
PULUMI_TO_TERRAFORM: dict[str, str] = {
    # KMS
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/keyPolicy:KeyPolicy": "aws_kms_key_policy",
    "aws:kms/grant:Grant": "aws_kms_grant",
    "aws:kms/replicaKey:ReplicaKey": "aws_kms_replica_key",
    "aws:kms/externalKey:ExternalKey": "aws_kms_external_key",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "aws_kms_replica_external_key",
    # S3
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketAcl:BucketAcl": "aws_s3_bucket_acl",
    "aws:s3/bucketAclV2:BucketAclV2": "aws_s3_bucket_acl",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "aws_s3_bucket_cors_configuration",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2":
        "aws_s3_bucket_cors_configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":
        "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws_s3_bucket_logging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
        "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":
        "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration":
        "aws_s3_bucket_website_configuration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2":
        "aws_s3_bucket_website_configuration",
    "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration":
        "aws_s3_bucket_accelerate_configuration",
    "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2":
        "aws_s3_bucket_accelerate_configuration",
    "aws:s3/bucketRequestPaymentConfiguration:BucketRequestPaymentConfiguration":
        "aws_s3_bucket_request_payment_configuration",
    "aws:s3/bucketRequestPaymentConfigurationV2:BucketRequestPaymentConfigurationV2":
        "aws_s3_bucket_request_payment_configuration",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
        "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration":
        "aws_s3_bucket_intelligent_tiering_configuration",
    "aws:s3/bucketMetric:BucketMetric": "aws_s3_bucket_metric",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/objectCopy:ObjectCopy": "aws_s3_object_copy",
    "aws:s3/inventory:Inventory": "aws_s3_bucket_inventory",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": "aws_s3_bucket_analytics_configuration",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock":
        "aws_s3_account_public_access_block",
    "aws:s3/accessPoint:AccessPoint": "aws_s3_access_point",
    "aws:s3/directoryBucket:DirectoryBucket": "aws_s3_directory_bucket",
    # RDS
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/optionGroup:OptionGroup": "aws_db_option_group",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
    "aws:rds/snapshotCopy:SnapshotCopy": "aws_db_snapshot_copy",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:rds/eventSubscription:EventSubscription": "aws_db_event_subscription",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:rds/globalCluster:GlobalCluster": "aws_rds_global_cluster",
    "aws:rds/clusterEndpoint:ClusterEndpoint": "aws_rds_cluster_endpoint",
    "aws:rds/clusterActivityStream:ClusterActivityStream": "aws_rds_cluster_activity_stream",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication":
        "aws_db_instance_automated_backups_replication",
    # IAM
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": "aws_iam_role_policies_exclusive",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive":
        "aws_iam_role_policy_attachments_exclusive",
    "aws:iam/group:Group": "aws_iam_group",
    "aws:iam/groupPolicy:GroupPolicy": "aws_iam_group_policy",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "aws_iam_group_policy_attachment",
    "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive": "aws_iam_group_policies_exclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive":
        "aws_iam_group_policy_attachments_exclusive",
    "aws:iam/groupMembership:GroupMembership": "aws_iam_group_membership",
    "aws:iam/user:User": "aws_iam_user",
    "aws:iam/userPolicy:UserPolicy": "aws_iam_user_policy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "aws_iam_user_policy_attachment",
    "aws:iam/userPoliciesExclusive:UserPoliciesExclusive": "aws_iam_user_policies_exclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive":
        "aws_iam_user_policy_attachments_exclusive",
    "aws:iam/userGroupMembership:UserGroupMembership": "aws_iam_user_group_membership",
    "aws:iam/userLoginProfile:UserLoginProfile": "aws_iam_user_login_profile",
    "aws:iam/accessKey:AccessKey": "aws_iam_access_key",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/policyAttachment:PolicyAttachment": "aws_iam_policy_attachment",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "aws_iam_account_password_policy",
    "aws:iam/accountAlias:AccountAlias": "aws_iam_account_alias",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/samlProvider:SamlProvider": "aws_iam_saml_provider",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "aws_iam_service_linked_role",
    "aws:iam/virtualMfaDevice:VirtualMfaDevice": "aws_iam_virtual_mfa_device",
    # Cognito
    "aws:cognito/userPool:UserPool": "aws_cognito_user_pool",
    "aws:cognito/userPoolClient:UserPoolClient": "aws_cognito_user_pool_client",
    "aws:cognito/userPoolDomain:UserPoolDomain": "aws_cognito_user_pool_domain",
    "aws:cognito/userGroup:UserGroup": "aws_cognito_user_group",
    "aws:cognito/user:User": "aws_cognito_user",
    "aws:cognito/identityPool:IdentityPool": "aws_cognito_identity_pool",
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment":
        "aws_cognito_identity_pool_roles_attachment",
    "aws:cognito/identityProvider:IdentityProvider": "aws_cognito_identity_provider",
    "aws:cognito/resourceServer:ResourceServer": "aws_cognito_resource_server",
    "aws:cognito/riskConfiguration:RiskConfiguration": "aws_cognito_risk_configuration",
    # CloudTrail
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cloudtrail/eventDataStore:EventDataStore": "aws_cloudtrail_event_data_store",
    # CloudWatch, CloudWatch Logs, EventBridge
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logStream:LogStream": "aws_cloudwatch_log_stream",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "aws_cloudwatch_log_metric_filter",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter":
        "aws_cloudwatch_log_subscription_filter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:cloudwatch/logDestination:LogDestination": "aws_cloudwatch_log_destination",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy":
        "aws_cloudwatch_log_destination_policy",
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy":
        "aws_cloudwatch_log_data_protection_policy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "aws_cloudwatch_composite_alarm",
    "aws:cloudwatch/metricStream:MetricStream": "aws_cloudwatch_metric_stream",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/queryDefinition:QueryDefinition": "aws_cloudwatch_query_definition",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/eventBus:EventBus": "aws_cloudwatch_event_bus",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "aws_cloudwatch_event_bus_policy",
    "aws:cloudwatch/eventArchive:EventArchive": "aws_cloudwatch_event_archive",
    "aws:cloudwatch/eventConnection:EventConnection": "aws_cloudwatch_event_connection",
    # SNS, SQS
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "aws_sns_topic_data_protection_policy",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:sqs/redrivePolicy:RedrivePolicy": "aws_sqs_queue_redrive_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    # AWS Backup
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration":
        "aws_backup_vault_lock_configuration",
    "aws:backup/vaultPolicy:VaultPolicy": "aws_backup_vault_policy",
    "aws:backup/vaultNotifications:VaultNotifications": "aws_backup_vault_notifications",
    "aws:backup/framework:Framework": "aws_backup_framework",
    "aws:backup/reportPlan:ReportPlan": "aws_backup_report_plan",
    "aws:backup/regionSettings:RegionSettings": "aws_backup_region_settings",
    "aws:backup/globalSettings:GlobalSettings": "aws_backup_global_settings",
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault":
        "aws_backup_logically_air_gapped_vault",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "aws_backup_restore_testing_plan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection":
        "aws_backup_restore_testing_selection",
    # Secrets Manager, SSM
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "aws_secretsmanager_secret_policy",
    "aws:ssm/parameter:Parameter": "aws_ssm_parameter",
    "aws:ssm/document:Document": "aws_ssm_document",
    # EBS and EC2
    "aws:ebs/volume:Volume": "aws_ebs_volume",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "aws_ebs_encryption_by_default",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "aws_ebs_default_kms_key",
    "aws:ebs/snapshot:Snapshot": "aws_ebs_snapshot",
    "aws:ebs/snapshotCopy:SnapshotCopy": "aws_ebs_snapshot_copy",
    "aws:ec2/volumeAttachment:VolumeAttachment": "aws_volume_attachment",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/keyPair:KeyPair": "aws_key_pair",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/defaultVpc:DefaultVpc": "aws_default_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
        "aws_vpc_security_group_egress_rule",
    "aws:ec2/networkAcl:NetworkAcl": "aws_network_acl",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "aws_default_network_acl",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation":
        "aws_main_route_table_association",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "aws_vpc_endpoint_policy",
    # Load balancing (the `alb` module bridges the `aws_alb*` aliases)
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/listenerCertificate:ListenerCertificate": "aws_lb_listener_certificate",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "aws_lb_target_group_attachment",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:alb/listener:Listener": "aws_alb_listener",
    "aws:alb/listenerRule:ListenerRule": "aws_alb_listener_rule",
    "aws:alb/targetGroup:TargetGroup": "aws_alb_target_group",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
        "aws_wafv2_web_acl_logging_configuration",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    # Detection and posture
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/configurationAggregator:ConfigurationAggregator":
        "aws_config_configuration_aggregator",
    "aws:cfg/conformancePack:ConformancePack": "aws_config_conformance_pack",
    "aws:cfg/remediationConfiguration:RemediationConfiguration":
        "aws_config_remediation_configuration",
    "aws:cfg/retentionConfiguration:RetentionConfiguration": "aws_config_retention_configuration",
    "aws:guardduty/detector:Detector": "aws_guardduty_detector",
    "aws:guardduty/detectorFeature:DetectorFeature": "aws_guardduty_detector_feature",
    "aws:guardduty/publishingDestination:PublishingDestination":
        "aws_guardduty_publishing_destination",
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration":
        "aws_guardduty_organization_configuration",
    "aws:securityhub/account:Account": "aws_securityhub_account",
    "aws:securityhub/standardsSubscription:StandardsSubscription":
        "aws_securityhub_standards_subscription",
    "aws:securityhub/findingAggregator:FindingAggregator": "aws_securityhub_finding_aggregator",
    "aws:accessanalyzer/analyzer:Analyzer": "aws_accessanalyzer_analyzer",
    "aws:macie2/account:Account": "aws_macie2_account",
    "aws:macie2/classificationJob:ClassificationJob": "aws_macie2_classification_job",
    "aws:inspector2/enabler:Enabler": "aws_inspector2_enabler",
    # Compute and data services an IME platform commonly adds
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lambda/alias:Alias": "aws_lambda_alias",
    "aws:lambda/functionUrl:FunctionUrl": "aws_lambda_function_url",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/layerVersion:LayerVersion": "aws_lambda_layer_version",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:docdb/cluster:Cluster": "aws_docdb_cluster",
    "aws:redshift/cluster:Cluster": "aws_redshift_cluster",
    "aws:redshift/parameterGroup:ParameterGroup": "aws_redshift_parameter_group",
    "aws:opensearch/domain:Domain": "aws_opensearch_domain",
    "aws:elasticsearch/domain:Domain": "aws_elasticsearch_domain",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:efs/fileSystem:FileSystem": "aws_efs_file_system",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "aws_efs_file_system_policy",
    "aws:efs/accessPoint:AccessPoint": "aws_efs_access_point",
    "aws:efs/mountTarget:MountTarget": "aws_efs_mount_target",
    "aws:efs/backupPolicy:BackupPolicy": "aws_efs_backup_policy",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:kinesis/stream:Stream": "aws_kinesis_stream",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/deployment:Deployment": "aws_api_gateway_deployment",
    "aws:apigateway/method:Method": "aws_api_gateway_method",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigatewayv2/api:Api": "aws_apigatewayv2_api",
    "aws:apigatewayv2/stage:Stage": "aws_apigatewayv2_stage",
}

# Provider packages whose custom resources the bridge must either map or report.
CLOUD_PACKAGES = frozenset({"aws"})


def terraform_type(pulumi_type: str) -> str | None:
    """The Terraform resource type for a Pulumi type token, or None when unmapped."""
    return PULUMI_TO_TERRAFORM.get(pulumi_type)


def is_engine_internal(pulumi_type: str) -> bool:
    """The stack itself and provider instances: part of every graph, never cloud resources."""
    return pulumi_type.startswith("pulumi:")


def is_cloud_resource(doc: dict) -> bool:
    """A custom resource some provider manages (as opposed to a component grouping others).

    Components carry no provider reference; custom resources do, and resources of a known
    cloud package count as cloud resources even when the graph left their provider out.
    """
    pulumi_type = doc.get("__type", "")
    if is_engine_internal(pulumi_type):
        return False
    if pulumi_type.split(":", 1)[0] in CLOUD_PACKAGES:
        return True
    return bool(doc.get("__provider"))
