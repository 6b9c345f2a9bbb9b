package imekit_hipaa

import rego.v1

# IME-ENC-01 (PHI data stores) and IME-ENC-02 (audit, alerting and backup data):
# encryption at rest with customer-managed KMS keys, 164.312(a)(2)(iv).
#
# Per-resource rules judge what one resource shows: encryption switched off, no key (AWS
# then uses an AWS-managed or AWS-owned key), a literal alias/aws/... key, or a value that
# is no key at all. A key known only at apply (the usual `kms_key_id=key.arn`) cannot be
# judged from one resource: the stack rules stack_deny_phi_cmk_reference and
# stack_deny_audit_cmk_reference accept it only when the property depends
# (propertyDependencies) on a KMS key or alias in the same stack. Between them an
# unverifiable key never passes.

_kms_algorithms := {"aws:kms", "aws:kms:dsse"}

_sse_config_types := {
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
}

_kind := {
	"aws:s3/bucket:Bucket": "S3 bucket",
	"aws:s3/bucketV2:BucketV2": "S3 bucket",
	"aws:rds/instance:Instance": "RDS instance",
	"aws:rds/cluster:Cluster": "RDS cluster",
	"aws:rds/clusterInstance:ClusterInstance": "RDS cluster instance",
	"aws:ebs/volume:Volume": "EBS volume",
	"aws:secretsmanager/secret:Secret": "secret",
	"aws:cloudwatch/logGroup:LogGroup": "log group",
	"aws:sns/topic:Topic": "SNS topic",
	"aws:backup/vault:Vault": "backup vault",
	"aws:cloudtrail/trail:Trail": "CloudTrail trail",
	"aws:dynamodb/table:Table": "DynamoDB table",
	"aws:efs/fileSystem:FileSystem": "EFS file system",
	"aws:docdb/cluster:Cluster": "DocumentDB cluster",
	"aws:redshift/cluster:Cluster": "Redshift cluster",
	"aws:opensearch/domain:Domain": "OpenSearch domain",
	"aws:elasticsearch/domain:Domain": "Elasticsearch domain",
	"aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache replication group",
	"aws:ec2/instance:Instance": "EC2 instance",
	"aws:ec2/launchTemplate:LaunchTemplate": "launch template",
}

# Where each type keeps its key, and the key AWS uses when none is given.
_key_prop := {
	"aws:rds/instance:Instance": "kmsKeyId",
	"aws:rds/cluster:Cluster": "kmsKeyId",
	"aws:ebs/volume:Volume": "kmsKeyId",
	"aws:secretsmanager/secret:Secret": "kmsKeyId",
	"aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
	"aws:sns/topic:Topic": "kmsMasterKeyId",
	"aws:backup/vault:Vault": "kmsKeyArn",
	"aws:cloudtrail/trail:Trail": "kmsKeyId",
	"aws:efs/fileSystem:FileSystem": "kmsKeyId",
	"aws:docdb/cluster:Cluster": "kmsKeyId",
	"aws:redshift/cluster:Cluster": "kmsKeyId",
	"aws:elasticache/replicationGroup:ReplicationGroup": "kmsKeyId",
}

_aws_default_key := {
	"aws:rds/instance:Instance": "AWS uses the AWS-managed key aws/rds",
	"aws:rds/cluster:Cluster": "AWS uses the AWS-managed key aws/rds",
	"aws:ebs/volume:Volume": "AWS uses the AWS-managed key aws/ebs",
	"aws:secretsmanager/secret:Secret": "AWS uses the AWS-managed key aws/secretsmanager",
	"aws:cloudwatch/logGroup:LogGroup": "CloudWatch Logs uses a service-owned key",
	"aws:sns/topic:Topic": "SNS stores messages without KMS encryption",
	"aws:backup/vault:Vault": "AWS Backup uses the AWS-managed key aws/backup",
	"aws:cloudtrail/trail:Trail": "CloudTrail encrypts log files with SSE-S3 and an AWS-owned key",
	"aws:efs/fileSystem:FileSystem": "AWS uses the AWS-managed key aws/elasticfilesystem",
	"aws:dynamodb/table:Table": "AWS uses the AWS-managed key aws/dynamodb",
	"aws:docdb/cluster:Cluster": "AWS uses the AWS-managed key aws/rds",
	"aws:redshift/cluster:Cluster": "AWS uses the AWS-managed key aws/redshift",
	"aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache uses a service-managed key",
	"aws:opensearch/domain:Domain": "AWS uses the AWS-managed key aws/es",
	"aws:elasticsearch/domain:Domain": "AWS uses the AWS-managed key aws/es",
}

_enc_msg(control, r, problem) := sprintf(
	"[%s] %s %q%s is not encrypted with a customer-managed KMS key: %s",
	[control, _kind[r.__type], r.__name, _class_note(r), problem],
)

# Only data stores carry a data class; other resources are judged whatever their tags say.
_class_note(r) := sprintf(" (data-class %s)", [_class_label(r)]) if r.__type in _classified_types

_class_note(r) := "" if not r.__type in _classified_types

# A resource whose one key property decides its encryption.
_simple_key_problem(r) := _key_problem(_key_state(_prop(r, _key_prop[r.__type], null)), _aws_default_key[r.__type])

# --- S3 -----------------------------------------------------------------------------------

# Default-encryption blocks set inline on a bucket: Bucket (v7) has one
# serverSideEncryptionConfiguration.rule; BucketV2 has lists at every level.
_s3_inline_sse_prop := {
	"aws:s3/bucket:Bucket": "serverSideEncryptionConfiguration",
	"aws:s3/bucketV2:BucketV2": "serverSideEncryptionConfigurations",
}

_has_inline_sse(b) if {
	b.__type == "aws:s3/bucket:Bucket"
	is_object(_prop(b, "serverSideEncryptionConfiguration", null))
}

_has_inline_sse(b) if {
	b.__type == "aws:s3/bucketV2:BucketV2"
	count(_as_list(_prop(b, "serverSideEncryptionConfigurations", []))) > 0
}

_has_inline_sse(b) if _s3_inline_sse_undecidable(b)

_s3_inline_sse_defaults(b) := [d |
	cfg := _prop(b, "serverSideEncryptionConfiguration", null)
	is_object(cfg)
	d := _get(cfg, ["rule", "applyServerSideEncryptionByDefault"], {})
] if b.__type == "aws:s3/bucket:Bucket"

_s3_inline_sse_defaults(b) := [d |
	some cfg in _as_list(_prop(b, "serverSideEncryptionConfigurations", []))
	is_object(cfg)
	some rule in _or_empty_default(_as_list(_get(cfg, "rules", [])))
	is_object(rule)
	some d in _or_empty_default(_as_list(_get(rule, "applyServerSideEncryptionByDefaults", [])))
] if b.__type == "aws:s3/bucketV2:BucketV2"

_or_empty_default(defaults) := defaults if count(defaults) > 0

_or_empty_default(defaults) := [{}] if count(defaults) == 0

# An inline block that is itself unknown until apply cannot be read at all.
_s3_inline_sse_undecidable(b) if _undecidable(_prop(b, _s3_inline_sse_prop[b.__type], null))

_sse_problem(d) := "no default encryption algorithm is set" if {
	_blank(_get(d, "sseAlgorithm", null))
}

_sse_problem(d) := "the encryption algorithm is not known until apply, so it could not be verified" if {
	_undecidable(_get(d, "sseAlgorithm", null))
}

_sse_problem(d) := sprintf("it uses %v, not SSE-KMS", [a]) if {
	a := _get(d, "sseAlgorithm", null)
	not _blank(a)
	not _undecidable(a)
	not a in _kms_algorithms
}

_sse_problem(d) := _key_problem(state, "S3 uses the AWS-managed key aws/s3") if {
	d.sseAlgorithm in _kms_algorithms
	state := _key_state(_get(d, "kmsMasterKeyId", null))
	state in {"missing", "aws-managed", "invalid"}
}

# METADATA
# title: PHI S3 buckets use SSE-KMS with a customer-managed key (inline configuration)
# description: >-
#   A PHI or unclassified S3 bucket whose default encryption is set inline on the bucket
#   must use aws:kms (or aws:kms:dsse) with a customer-managed key. A bucket without an
#   inline block is judged by stack_deny_s3_bucket_cmk_encryption, which sees its separate
#   BucketServerSideEncryptionConfiguration resource.
# custom:
#   control: IME-ENC-01
#   message: >-
#     Set sse_algorithm="aws:kms" and kms_master_key_id to a customer-managed aws.kms.Key's
#     ARN (not alias/aws/s3).
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
deny_s3_bucket_cmk_encryption contains msg if {
	_is_phi_bucket(input)
	some d in _s3_inline_sse_defaults(input)
	msg := _enc_msg("IME-ENC-01", input, _sse_problem(d))
}

deny_s3_bucket_cmk_encryption contains msg if {
	_is_phi_bucket(input)
	_s3_inline_sse_undecidable(input)
	msg := _enc_msg("IME-ENC-01", input, "the inline encryption configuration is not known until apply, so it could not be verified")
}

_stack_sse_configs := _stack_of_type(_sse_config_types)

_sse_configs_buckets := {u |
	some c in _stack_sse_configs
	some u in _deps(c, "bucket")
}

_resources_by_urn := {r.__urn: r | some r in input.resources}

_sse_config_problems(c) := {p |
	some rule in _as_list(_prop(c, "rules", []))
	is_object(rule)
	p := _sse_problem(_get(rule, "applyServerSideEncryptionByDefault", {}))
} | {p |
	some rule in _as_list(_prop(c, "rules", []))
	is_object(rule)
	_get(rule, ["applyServerSideEncryptionByDefault", "sseAlgorithm"], null) in _kms_algorithms
	_undecidable(_get(rule, ["applyServerSideEncryptionByDefault", "kmsMasterKeyId"], null))
	not _depends_on_type(c, "rules", _kms_key_types)
	p := "the key is not known until apply and does not depend on a KMS key in this stack, so it could not be verified as customer-managed"
} | {p |
	count(_as_list(_prop(c, "rules", []))) == 0
	p := "the configuration has no rules"
} | {p |
	_undecidable(_prop(c, "rules", null))
	p := "its rules are not known until apply, so they could not be verified"
}

# METADATA
# title: PHI S3 buckets use SSE-KMS with a customer-managed key (separate configuration)
# description: >-
#   Every PHI or unclassified S3 bucket without an inline encryption block must have a
#   BucketServerSideEncryptionConfiguration (or its V2 alias) joined to it through
#   propertyDependencies (`bucket=bucket.id`), using aws:kms with a customer-managed key
#   that is a literal key ARN or depends on a KMS key in the stack. Without one, S3
#   encrypts with SSE-S3 and an AWS-owned key. A separate configuration is judged even when
#   the bucket also sets an inline block: at apply one replaces the other.
# custom:
#   control: IME-ENC-01
#   message: >-
#     Add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id) with a rule using
#     sse_algorithm="aws:kms" and kms_master_key_id=key.arn.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration
#     - aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2
#     - aws:kms/key:Key
#     - aws:kms/replicaKey:ReplicaKey
#     - aws:kms/externalKey:ExternalKey
#     - aws:kms/replicaExternalKey:ReplicaExternalKey
#     - aws:kms/alias:Alias
stack_deny_s3_bucket_cmk_encryption contains msg if {
	some b in _stack_phi_buckets
	not _has_inline_sse(b)
	not b.__urn in _sse_configs_buckets
	msg := sprintf(
		"[IME-ENC-01] S3 bucket %q (data-class %s) has no server-side encryption configuration joined to it, so S3 uses SSE-S3 with an AWS-owned key %s",
		[b.__name, _class_label(b), _at(b)],
	)
}

stack_deny_s3_bucket_cmk_encryption contains msg if {
	some c in _stack_sse_configs
	some u in _deps(c, "bucket")
	b := _resources_by_urn[u]
	_is_phi_bucket(b)
	some problem in _sse_config_problems(c)
	msg := sprintf(
		"[IME-ENC-01] S3 bucket %q (data-class %s) is not encrypted with a customer-managed KMS key by %q: %s %s",
		[b.__name, _class_label(b), c.__name, problem, _at(c)],
	)
}

# --- RDS, EBS, secrets ------------------------------------------------------------------------

# METADATA
# title: PHI RDS databases encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified RDS instance or cluster must set storageEncrypted: true (AWS's
#   default is unencrypted) and a customer-managed kmsKeyId (without one AWS uses aws/rds).
# custom:
#   control: IME-ENC-01
#   message: Set storage_encrypted=True and kms_key_id to a customer-managed aws.kms.Key's ARN.
#   resource_types:
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
deny_rds_cmk_encryption contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	not _prop(input, "storageEncrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, "storageEncrypted is not true, so the storage is not encrypted at all")
}

deny_rds_cmk_encryption contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	_prop(input, "storageEncrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, _simple_key_problem(input))
}

# METADATA
# title: PHI EBS volumes encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified EBS volume must set encrypted: true (unencrypted unless the
#   account default says otherwise, which a program cannot show) and a customer-managed
#   kmsKeyId (without one AWS uses aws/ebs). The same holds for the volumes a PHI or
#   unclassified EC2 instance declares (rootBlockDevice, each of ebsBlockDevices) and for
#   each EBS volume of a launch template's blockDeviceMappings. An instance without a
#   rootBlockDevice, or a launch template without an EBS mapping, leaves its volumes to the
#   image and the account default, which the program cannot show, and fails.
# custom:
#   control: IME-ENC-01
#   message: >-
#     Set encrypted=True and kms_key_id to a customer-managed aws.kms.Key's ARN: on the
#     volume, on an instance's root_block_device and ebs_block_devices, or on the ebs block
#     of each of a launch template's block_device_mappings.
#   resource_types:
#     - aws:ebs/volume:Volume
#     - aws:ec2/instance:Instance
#     - aws:ec2/launchTemplate:LaunchTemplate
deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ebs/volume:Volume"
	_is_phi(input)
	not _prop(input, "encrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, "encrypted is not true, so the volume is not encrypted at all")
}

deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ebs/volume:Volume"
	_is_phi(input)
	_prop(input, "encrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, _simple_key_problem(input))
}

deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ec2/instance:Instance"
	_is_phi(input)
	_blank(_prop(input, "rootBlockDevice", null))
	msg := _volume_msg(input, sprintf("rootBlockDevice is not set, so the root volume takes the image's settings: %s", [_image_default]))
}

deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ec2/instance:Instance"
	_is_phi(input)
	some [name, device] in _instance_devices(input)
	msg := _volume_msg(input, _nested_at_rest_problem(name, device, "encrypted", "kmsKeyId", _aws_default_key["aws:ebs/volume:Volume"]))
}

deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ec2/launchTemplate:LaunchTemplate"
	_is_phi(input)
	count(_template_volumes(input)) == 0
	msg := _volume_msg(input, sprintf("no blockDeviceMappings entry declares an EBS volume, so instances take their volumes from the image: %s", [_image_default]))
}

deny_ebs_cmk_encryption contains msg if {
	input.__type == "aws:ec2/launchTemplate:LaunchTemplate"
	_is_phi(input)
	some [name, ebs] in _template_volumes(input)
	msg := _volume_msg(input, _nested_at_rest_problem(name, ebs, "encrypted", "kmsKeyId", _aws_default_key["aws:ebs/volume:Volume"]))
}

_image_default := "unencrypted unless the image's snapshot or the account's default EBS encryption says otherwise, which the program cannot show"

_volume_msg(r, problem) := sprintf(
	"[IME-ENC-01] %s %q%s has a volume not encrypted with a customer-managed KMS key: %s",
	[_kind[r.__type], r.__name, _class_note(r), problem],
)

# [name, block] of every volume an instance declares. The root device is judged only when
# set (its absence is a finding of its own).
_instance_devices(r) := array.concat(
	[["rootBlockDevice", d] | d := _prop(r, "rootBlockDevice", null); not _blank(d)],
	[[sprintf("ebsBlockDevices[%s]", [_device_label(d, i)]), d] |
		some i, d in _as_list(_prop(r, "ebsBlockDevices", []))
	],
)

# [name, ebs block] of every EBS volume a launch template maps. A mapping without `ebs` is
# an instance-store or suppressed device; a mapping not known until apply may be a volume.
_template_volumes(r) := [[sprintf("blockDeviceMappings[%s].ebs", [_device_label(m, i)]), ebs] |
	some i, m in _as_list(_prop(r, "blockDeviceMappings", []))
	ebs := _mapping_ebs(m)
]

_mapping_ebs(m) := m if _undecidable(m)

_mapping_ebs(m) := ebs if {
	is_object(m)
	not _undecidable(m)
	ebs := _get(m, "ebs", null)
	not _blank(ebs)
}

_device_label(d, i) := n if {
	n := _get(d, "deviceName", null)
	_known_string(n)
} else := sprintf("%v", [i])

# METADATA
# title: Secrets encrypted with a customer-managed key
# description: >-
#   Every Secrets Manager secret (database credentials guard PHI whatever the secret's own
#   class) must name a customer-managed kmsKeyId; without one AWS uses
#   aws/secretsmanager, whose key policy the organisation cannot restrict.
# custom:
#   control: IME-ENC-01
#   message: Set kms_key_id on the aws.secretsmanager.Secret to a customer-managed key.
#   resource_types:
#     - aws:secretsmanager/secret:Secret
deny_secret_cmk_encryption contains msg if {
	input.__type == "aws:secretsmanager/secret:Secret"
	msg := _enc_msg("IME-ENC-01", input, _simple_key_problem(input))
}

# METADATA
# title: PHI EFS file systems encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified EFS file system must set encrypted: true (AWS's default is
#   unencrypted) and a customer-managed kmsKeyId (without one AWS uses
#   aws/elasticfilesystem).
# custom:
#   control: IME-ENC-01
#   message: Set encrypted=True and kms_key_id to a customer-managed aws.kms.Key's ARN.
#   resource_types:
#     - aws:efs/fileSystem:FileSystem
deny_efs_cmk_encryption contains msg if {
	input.__type == "aws:efs/fileSystem:FileSystem"
	_is_phi(input)
	not _prop(input, "encrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, "encrypted is not true, so the file system is not encrypted at all")
}

deny_efs_cmk_encryption contains msg if {
	input.__type == "aws:efs/fileSystem:FileSystem"
	_is_phi(input)
	_prop(input, "encrypted", false) == true
	msg := _enc_msg("IME-ENC-01", input, _simple_key_problem(input))
}

_dynamodb_sse(t) := _prop(t, "serverSideEncryption", null)

_dynamodb_problem(t) := "no serverSideEncryption is set, so DynamoDB encrypts with an AWS owned key" if {
	_blank(_dynamodb_sse(t))
}

_dynamodb_problem(t) := "serverSideEncryption is not known until apply, so it could not be verified" if {
	sse := _dynamodb_sse(t)
	not _blank(sse)
	not is_object(sse)
}

_dynamodb_problem(t) := "serverSideEncryption.enabled is not true, so DynamoDB encrypts with an AWS owned key" if {
	sse := _dynamodb_sse(t)
	is_object(sse)
	not _get(sse, "enabled", false) == true
}

_dynamodb_problem(t) := _key_problem(state, _aws_default_key["aws:dynamodb/table:Table"]) if {
	sse := _dynamodb_sse(t)
	is_object(sse)
	_get(sse, "enabled", false) == true
	state := _key_state(_get(sse, "kmsKeyArn", null))
	state in {"missing", "aws-managed", "invalid"}
}

# METADATA
# title: PHI DynamoDB tables encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified DynamoDB table must set serverSideEncryption with enabled: true and
#   a customer-managed kmsKeyArn. Without the block DynamoDB uses an AWS owned key; enabled
#   without a key, the AWS-managed aws/dynamodb.
# custom:
#   control: IME-ENC-01
#   message: >-
#     Set server_side_encryption={"enabled": True, "kms_key_arn": key.arn} with a
#     customer-managed aws.kms.Key.
#   resource_types:
#     - aws:dynamodb/table:Table
deny_dynamodb_cmk_encryption contains msg if {
	input.__type == "aws:dynamodb/table:Table"
	_is_phi(input)
	msg := _enc_msg("IME-ENC-01", input, _dynamodb_problem(input))
}

# --- DocumentDB, Redshift, OpenSearch, ElastiCache ----------------------------------------------

# An encryption switch as AWS applies it: `unset` is AWS's default when the program leaves
# the switch out ("on", "off", or "unknown" when that default depends on a value not known
# until apply).
_switch_on(v, unset) if {
	_blank(v)
	unset == "on"
}

_switch_on(v, _) if {
	not _blank(v)
	_truthy(v)
}

# Why a store with an encryption switch `name` (value v) and a key is not encrypted with a
# customer-managed key; undefined when it is, or when only its key is not known until apply
# (judged by stack_deny_phi_cmk_reference).
_at_rest_problem(name, v, unset, _, _) := sprintf("%s is not set, and AWS's default is no encryption at rest", [name]) if {
	_blank(v)
	unset == "off"
}

_at_rest_problem(name, v, unset, _, _) := sprintf("%s is not set, and AWS's default depends on a value not known until apply, so encryption at rest could not be verified", [name]) if {
	_blank(v)
	unset == "unknown"
}

_at_rest_problem(name, v, _, _, _) := sprintf("%s is not known until apply, so encryption at rest could not be verified", [name]) if {
	_undecidable(v)
}

_at_rest_problem(name, v, _, _, _) := sprintf("%s is %s, so the data is not encrypted at rest", [name, _shown(v)]) if {
	not _blank(v)
	not _undecidable(v)
	not _truthy(v)
}

_at_rest_problem(_, v, unset, key, aws_default) := _key_problem(_key_state(key), aws_default) if {
	_switch_on(v, unset)
}

# The same for a configuration block holding the switch and the key (OpenSearch's
# encryptAtRest, an instance's block devices).
_nested_at_rest_problem(name, b, _, _, _) := sprintf("%s is not set, and AWS's default is no encryption at rest", [name]) if {
	_blank(b)
}

_nested_at_rest_problem(name, b, _, _, _) := sprintf("%s is not known until apply, so encryption at rest could not be verified", [name]) if {
	_undecidable(b)
}

_nested_at_rest_problem(name, b, _, _, _) := sprintf("%s is not a configuration block, so encryption at rest could not be verified", [name]) if {
	not _blank(b)
	not _undecidable(b)
	not is_object(b)
}

_nested_at_rest_problem(name, b, switch, _, _) := _at_rest_problem(sprintf("%s.%s", [name, switch]), v, "off", null, "") if {
	is_object(b)
	not _undecidable(b)
	v := _get(b, switch, null)
	not _switch_on(v, "off")
}

_nested_at_rest_problem(name, b, switch, key, aws_default) := sprintf("%s: %s", [name, problem]) if {
	is_object(b)
	not _undecidable(b)
	_switch_on(_get(b, switch, null), "off")
	problem := _key_problem(_key_state(_get(b, key, null)), aws_default)
}

# A store whose top-level switch and kmsKeyId decide its encryption.
_switched_key_problem(r, switch, unset) := _at_rest_problem(
	switch, _prop(r, switch, null), unset, _prop(r, _key_prop[r.__type], null), _aws_default_key[r.__type],
)

# METADATA
# title: PHI DocumentDB clusters encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified DocumentDB cluster must set storageEncrypted: true (AWS's default is
#   unencrypted) and a customer-managed kmsKeyId (without one AWS uses aws/rds).
# custom:
#   control: IME-ENC-01
#   message: Set storage_encrypted=True and kms_key_id to a customer-managed aws.kms.Key's ARN.
#   resource_types:
#     - aws:docdb/cluster:Cluster
deny_docdb_cmk_encryption contains msg if {
	input.__type == "aws:docdb/cluster:Cluster"
	_is_phi(input)
	msg := _enc_msg("IME-ENC-01", input, _switched_key_problem(input, "storageEncrypted", "off"))
}

# METADATA
# title: PHI Redshift clusters encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified Redshift cluster must not set encrypted to false (left out, AWS
#   encrypts new clusters) and must set a customer-managed kmsKeyId (without one AWS uses
#   aws/redshift).
# custom:
#   control: IME-ENC-01
#   message: Set encrypted="true" and kms_key_id to a customer-managed aws.kms.Key's ARN.
#   resource_types:
#     - aws:redshift/cluster:Cluster
deny_redshift_cmk_encryption contains msg if {
	input.__type == "aws:redshift/cluster:Cluster"
	_is_phi(input)
	msg := _enc_msg("IME-ENC-01", input, _switched_key_problem(input, "encrypted", "on"))
}

_domain_types := {"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"}

# METADATA
# title: PHI OpenSearch domains encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified OpenSearch (or Elasticsearch) domain must set encryptAtRest with
#   enabled: true (without the block AWS does not encrypt at rest) and a customer-managed
#   kmsKeyId (without one AWS uses aws/es).
# custom:
#   control: IME-ENC-01
#   message: >-
#     Set encrypt_at_rest={"enabled": True, "kms_key_id": key.arn} with a customer-managed
#     aws.kms.Key.
#   resource_types:
#     - aws:opensearch/domain:Domain
#     - aws:elasticsearch/domain:Domain
deny_opensearch_cmk_encryption contains msg if {
	input.__type in _domain_types
	_is_phi(input)
	problem := _nested_at_rest_problem(
		"encryptAtRest", _prop(input, "encryptAtRest", null), "enabled", "kmsKeyId",
		_aws_default_key[input.__type],
	)
	msg := _enc_msg("IME-ENC-01", input, problem)
}

# ElastiCache encrypts at rest by default for the valkey engine only; redis is the default
# engine.
_elasticache_at_rest_default(r) := "unknown" if {
	_undecidable(_prop(r, "engine", null))
} else := "on" if {
	_lower(_prop(r, "engine", null)) == "valkey"
} else := "off"

# METADATA
# title: PHI ElastiCache replication groups encrypted with a customer-managed key
# description: >-
#   A PHI or unclassified ElastiCache replication group must encrypt at rest
#   (atRestEncryptionEnabled: true; left out, AWS encrypts only the valkey engine, and redis
#   is the default) with a customer-managed kmsKeyId (without one ElastiCache uses a
#   service-managed key).
# custom:
#   control: IME-ENC-01
#   message: Set at_rest_encryption_enabled=True and kms_key_id to a customer-managed aws.kms.Key's ARN.
#   resource_types:
#     - aws:elasticache/replicationGroup:ReplicationGroup
deny_elasticache_cmk_encryption contains msg if {
	input.__type == "aws:elasticache/replicationGroup:ReplicationGroup"
	_is_phi(input)
	problem := _switched_key_problem(input, "atRestEncryptionEnabled", _elasticache_at_rest_default(input))
	msg := _enc_msg("IME-ENC-01", input, problem)
}

# --- IME-ENC-02: audit, alerting and backup data --------------------------------------------

# METADATA
# title: Log groups encrypted with a customer-managed key
# description: >-
#   Every CloudWatch Logs log group (application and audit logs may hold PHI) must set a
#   customer-managed kmsKeyId; without one CloudWatch Logs uses a service-owned key.
# custom:
#   control: IME-ENC-02
#   message: Set kms_key_id on the aws.cloudwatch.LogGroup to a customer-managed key ARN.
#   resource_types:
#     - aws:cloudwatch/logGroup:LogGroup
deny_log_group_cmk_encryption contains msg if {
	input.__type == "aws:cloudwatch/logGroup:LogGroup"
	msg := _enc_msg("IME-ENC-02", input, _simple_key_problem(input))
}

# METADATA
# title: SNS topics encrypted with a customer-managed key
# description: >-
#   Every SNS topic (security alerts name resources and people) must set a customer-managed
#   kmsMasterKeyId; without one messages are not KMS-encrypted at rest.
# custom:
#   control: IME-ENC-02
#   message: Set kms_master_key_id on the aws.sns.Topic to a customer-managed key.
#   resource_types:
#     - aws:sns/topic:Topic
deny_sns_topic_cmk_encryption contains msg if {
	input.__type == "aws:sns/topic:Topic"
	msg := _enc_msg("IME-ENC-02", input, _simple_key_problem(input))
}

# METADATA
# title: Backup vaults encrypted with a customer-managed key
# description: >-
#   Every AWS Backup vault (it holds copies of PHI) must set a customer-managed kmsKeyArn;
#   without one AWS Backup uses aws/backup.
# custom:
#   control: IME-ENC-02
#   message: Set kms_key_arn on the aws.backup.Vault to a customer-managed key ARN.
#   resource_types:
#     - aws:backup/vault:Vault
deny_backup_vault_cmk_encryption contains msg if {
	input.__type == "aws:backup/vault:Vault"
	msg := _enc_msg("IME-ENC-02", input, _simple_key_problem(input))
}

# METADATA
# title: CloudTrail log files encrypted with a customer-managed key
# description: >-
#   Every CloudTrail trail must set a customer-managed kmsKeyId; without one log files are
#   encrypted with SSE-S3 and an AWS-owned key.
# custom:
#   control: IME-ENC-02
#   message: Set kms_key_id on the aws.cloudtrail.Trail to a customer-managed key ARN.
#   resource_types:
#     - aws:cloudtrail/trail:Trail
deny_cloudtrail_cmk_encryption contains msg if {
	input.__type == "aws:cloudtrail/trail:Trail"
	msg := _enc_msg("IME-ENC-02", input, _simple_key_problem(input))
}

# --- keys known only at apply -----------------------------------------------------------------

# Stores whose one top-level key property (_key_prop) holds their key.
_phi_simple_key_types := {
	"aws:rds/instance:Instance",
	"aws:rds/cluster:Cluster",
	"aws:ebs/volume:Volume",
	"aws:efs/fileSystem:FileSystem",
	"aws:docdb/cluster:Cluster",
	"aws:redshift/cluster:Cluster",
	"aws:elasticache/replicationGroup:ReplicationGroup",
}

_phi_key_types := (_bucket_types | _phi_simple_key_types) | (_domain_types | {
	"aws:dynamodb/table:Table",
	"aws:secretsmanager/secret:Secret",
	"aws:ec2/instance:Instance",
	"aws:ec2/launchTemplate:LaunchTemplate",
})

_phi_key_scope(r) if {
	r.__type in _phi_simple_key_types
	_is_phi(r)
}

_phi_key_scope(r) if r.__type == "aws:secretsmanager/secret:Secret"

_audit_key_types := {
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:sns/topic:Topic",
	"aws:backup/vault:Vault",
	"aws:cloudtrail/trail:Trail",
}

# [property, value] pairs holding a KMS key on one resource.
_key_values(r) := {[p, _prop(r, p, null)] | p := _key_prop[r.__type]}

_phi_key_values(r) := _key_values(r) if _phi_key_scope(r)

_phi_key_values(r) := {[_s3_inline_sse_prop[r.__type], _get(d, "kmsMasterKeyId", null)] |
	some d in _s3_inline_sse_defaults(r)
	_get(d, "sseAlgorithm", null) in _kms_algorithms
} if _is_phi_bucket(r)

_phi_key_values(r) := {["serverSideEncryption", _get(sse, "kmsKeyArn", null)] |
	sse := _dynamodb_sse(r)
	is_object(sse)
} if {
	r.__type == "aws:dynamodb/table:Table"
	_is_phi(r)
}

_phi_key_values(r) := {["encryptAtRest", _get(ear, "kmsKeyId", null)] |
	ear := _prop(r, "encryptAtRest", null)
	is_object(ear)
} if {
	r.__type in _domain_types
	_is_phi(r)
}

# A device's key depends through the top-level property holding the device.
_phi_key_values(r) := {[prop, _get(d, "kmsKeyId", null)] |
	some [name, d] in _instance_devices(r)
	is_object(d)
	prop := _device_prop(name)
} if {
	r.__type == "aws:ec2/instance:Instance"
	_is_phi(r)
}

_phi_key_values(r) := {["blockDeviceMappings", _get(ebs, "kmsKeyId", null)] |
	some [_, ebs] in _template_volumes(r)
	is_object(ebs)
} if {
	r.__type == "aws:ec2/launchTemplate:LaunchTemplate"
	_is_phi(r)
}

_device_prop(name) := "rootBlockDevice" if name == "rootBlockDevice"

_device_prop(name) := "ebsBlockDevices" if name != "rootBlockDevice"

_unverified_key_msg(control, r, prop) := sprintf(
	"[%s] %s %q%s: %s is not known until apply and does not depend on a KMS key or alias in this stack, so it could not be verified as a customer-managed key %s",
	[control, _kind[r.__type], r.__name, _class_note(r), prop, _at(r)],
)

# METADATA
# title: PHI store keys resolve to a customer-managed key in the stack
# description: >-
#   When the key of a PHI store (RDS, EBS, EFS, DynamoDB, inline S3 encryption, secrets,
#   DocumentDB, Redshift, OpenSearch, ElastiCache, the volumes of EC2 instances and launch
#   templates) is not known until apply, it must depend (propertyDependencies) on an aws:kms
#   Key, ReplicaKey, ExternalKey or Alias of the same stack; otherwise the key cannot be
#   verified and the check fails.
# custom:
#   control: IME-ENC-01
#   message: >-
#     Pass a customer-managed key created in this program (kms_key_id=key.arn), or a literal
#     customer-managed key ARN.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
#     - aws:ebs/volume:Volume
#     - aws:efs/fileSystem:FileSystem
#     - aws:dynamodb/table:Table
#     - aws:secretsmanager/secret:Secret
#     - aws:docdb/cluster:Cluster
#     - aws:redshift/cluster:Cluster
#     - aws:opensearch/domain:Domain
#     - aws:elasticsearch/domain:Domain
#     - aws:elasticache/replicationGroup:ReplicationGroup
#     - aws:ec2/instance:Instance
#     - aws:ec2/launchTemplate:LaunchTemplate
#     - aws:kms/key:Key
#     - aws:kms/replicaKey:ReplicaKey
#     - aws:kms/externalKey:ExternalKey
#     - aws:kms/replicaExternalKey:ReplicaExternalKey
#     - aws:kms/alias:Alias
stack_deny_phi_cmk_reference contains msg if {
	some r in _stack_of_type(_phi_key_types)
	some [prop, v] in _phi_key_values(r)
	_undecidable(v)
	not _depends_on_type(r, prop, _kms_key_types)
	msg := _unverified_key_msg("IME-ENC-01", r, prop)
}

# METADATA
# title: Audit, alerting and backup keys resolve to a customer-managed key in the stack
# description: >-
#   When the key of a log group, SNS topic, backup vault or trail is not known until apply,
#   it must depend (propertyDependencies) on an aws:kms Key, ReplicaKey, ExternalKey or
#   Alias of the same stack; otherwise the key cannot be verified and the check fails.
# custom:
#   control: IME-ENC-02
#   message: >-
#     Pass a customer-managed key created in this program (kms_key_id=key.arn), or a literal
#     customer-managed key ARN.
#   resource_types:
#     - aws:cloudwatch/logGroup:LogGroup
#     - aws:sns/topic:Topic
#     - aws:backup/vault:Vault
#     - aws:cloudtrail/trail:Trail
#     - aws:kms/key:Key
#     - aws:kms/replicaKey:ReplicaKey
#     - aws:kms/externalKey:ExternalKey
#     - aws:kms/replicaExternalKey:ReplicaExternalKey
#     - aws:kms/alias:Alias
stack_deny_audit_cmk_reference contains msg if {
	some r in _stack_of_type(_audit_key_types)
	some [prop, v] in _key_values(r)
	_undecidable(v)
	not _depends_on_type(r, prop, _kms_key_types)
	msg := _unverified_key_msg("IME-ENC-02", r, prop)
}
