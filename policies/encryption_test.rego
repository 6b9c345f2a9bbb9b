package imekit_hipaa

import rego.v1

# --- deny_s3_bucket_cmk_encryption --------------------------------------------------------

_fx_inline_sse(algo, key) := {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algo, "kmsMasterKeyId": key}}}

test_fail_deny_s3_bucket_cmk_encryption__sse_s3 if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}},
	})
	msgs := deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "AES256")
}

test_fail_deny_s3_bucket_cmk_encryption__aws_managed_key if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfiguration": _fx_inline_sse("aws:kms", "alias/aws/s3"),
	})
	msgs := deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
}

test_fail_deny_s3_bucket_cmk_encryption__v2_untagged_bucket_without_key if {
	doc := _fx("aws:s3/bucketV2:BucketV2", "scans", {"serverSideEncryptionConfigurations": [{"rules": [{"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms"}]}]}]})
	msgs := deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "treated as phi")
}

test_fail_deny_s3_bucket_cmk_encryption__v2_rule_without_default if {
	doc := _fx("aws:s3/bucketV2:BucketV2", "scans", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfigurations": [{"rules": [{"bucketKeyEnabled": true}]}],
	})
	msgs := deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
}

test_fail_deny_s3_bucket_cmk_encryption__inline_block_unknown if {
	# Fixtures are bound before `with`: regorus mis-evaluates a rule referenced both inside a
	# `with` value and by the rule under test.
	bucket := _fx("aws:s3/bucket:Bucket", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfiguration": _unknown_marker,
	})
	msgs := deny_s3_bucket_cmk_encryption with input as bucket
	count(msgs) == 1
}

test_pass_deny_s3_bucket_cmk_encryption__cmk_arn if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfiguration": _fx_inline_sse("aws:kms", _fx_key_arn),
	})
	count(deny_s3_bucket_cmk_encryption) == 0 with input as doc
}

test_pass_deny_s3_bucket_cmk_encryption__logs_bucket_out_of_scope if {
	doc := _fx("aws:s3/bucket:Bucket", "trail-logs", {
		"tags": _fx_logs_tags,
		"serverSideEncryptionConfiguration": _fx_inline_sse("AES256", null),
	})
	count(deny_s3_bucket_cmk_encryption) == 0 with input as doc
}

# A key known only at apply is left to stack_deny_phi_cmk_reference.
test_pass_deny_s3_bucket_cmk_encryption__unknown_key_deferred if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfiguration": _fx_inline_sse("aws:kms", _unknown_marker),
	})
	count(deny_s3_bucket_cmk_encryption) == 0 with input as bucket
	doc := _fx_stack([object.union(bucket, {"propertyDependencies": {}})])
	count(stack_deny_phi_cmk_reference) == 1 with input as doc
}

# Without an inline block the bucket is judged by the stack rule, which must fire.
test_missing_deny_s3_bucket_cmk_encryption__server_side_encryption_configuration if {
	bucket := _fx_bucket("records", {})
	count(deny_s3_bucket_cmk_encryption) == 0 with input as bucket
	doc := _fx_stack([bucket])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
}

# --- stack_deny_s3_bucket_cmk_encryption --------------------------------------------------

_fx_sse_resource(name, bucket_name, rule, deps) := _fx_companion(
	"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
	name, bucket_name, {"rules": [rule]}, deps,
)

_fx_kms_rule(key) := {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key}, "bucketKeyEnabled": true}

test_fail_stack_deny_s3_bucket_cmk_encryption__no_configuration if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_s3_bucket_cmk_encryption__sse_s3_config if {
	sse := _fx_sse_resource("records-sse", "records", {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}, {})
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, sse.__urn)
}

test_fail_stack_deny_s3_bucket_cmk_encryption__unknown_key_without_dependency if {
	sse := _fx_sse_resource("records-sse", "records", _fx_kms_rule(_unknown_marker), {})
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "could not be verified")
}

test_fail_stack_deny_s3_bucket_cmk_encryption__v2_alias_type if {
	sse := _fx_companion(
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"records-sse", "records", {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/aws/s3"}}]}, {},
	)
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
}

# A separate configuration replaces an inline block at apply, so it is judged either way.
test_fail_stack_deny_s3_bucket_cmk_encryption__separate_overrides_inline if {
	bucket := _fx_bucket("records", {"serverSideEncryptionConfiguration": _fx_inline_sse("aws:kms", _fx_key_arn)})
	sse := _fx_sse_resource("records-sse", "records", {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}, {})
	doc := _fx_stack([bucket, sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, sse.__urn)
}

test_pass_stack_deny_s3_bucket_cmk_encryption__key_from_stack if {
	sse := _fx_sse_resource("records-sse", "records", _fx_kms_rule(_unknown_marker), {"rules": [_fx_key_urn]})
	doc := _fx_stack([_fx_key, _fx_bucket("records", {}), sse])
	count(stack_deny_s3_bucket_cmk_encryption) == 0 with input as doc
}

test_pass_stack_deny_s3_bucket_cmk_encryption__literal_key if {
	sse := _fx_sse_resource("records-sse", "records", _fx_kms_rule(_fx_key_arn), {})
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	count(stack_deny_s3_bucket_cmk_encryption) == 0 with input as doc
}

test_pass_stack_deny_s3_bucket_cmk_encryption__internal_bucket if {
	b := _fxs("aws:s3/bucket:Bucket", "assets", {"tags": _fx_internal_tags}, {})
	doc := _fx_stack([b])
	count(stack_deny_s3_bucket_cmk_encryption) == 0 with input as doc
}

# A config whose `bucket` is a literal name (no dependency) is not joined: the PHI bucket
# still has no configuration.
test_missing_stack_deny_s3_bucket_cmk_encryption__bucket_dependency if {
	sse := _fxs(
		"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
		"records-sse", {"bucket": "records", "rules": [_fx_kms_rule(_fx_key_arn)]}, {},
	)
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_missing_stack_deny_s3_bucket_cmk_encryption__rules if {
	sse := _fx_companion(
		"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
		"records-sse", "records", {}, {},
	)
	doc := _fx_stack([_fx_bucket("records", {}), sse])
	msgs := stack_deny_s3_bucket_cmk_encryption with input as doc
	count(msgs) == 1
}

# --- deny_rds_cmk_encryption ------------------------------------------------------------------

_fx_db(extra) := _fx("aws:rds/instance:Instance", "phi-db", object.union({"tags": _fx_phi_tags, "engine": "postgres"}, extra))

test_fail_deny_rds_cmk_encryption__unencrypted if {
	doc := _fx_db({"storageEncrypted": false, "kmsKeyId": _fx_key_arn})
	msgs := deny_rds_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_fail_deny_rds_cmk_encryption__aws_managed_key if {
	doc := _fx_db({"storageEncrypted": true, "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/rds"})
	msgs := deny_rds_cmk_encryption with input as doc
	count(msgs) == 1
}

test_fail_deny_rds_cmk_encryption__cluster_not_a_key if {
	doc := _fx("aws:rds/cluster:Cluster", "phi-cluster", {"tags": _fx_phi_tags, "storageEncrypted": true, "kmsKeyId": "my-key"})
	msgs := deny_rds_cmk_encryption with input as doc
	count(msgs) == 1
}

test_pass_deny_rds_cmk_encryption if {
	doc := _fx_db({"storageEncrypted": true, "kmsKeyId": _fx_key_arn})
	count(deny_rds_cmk_encryption) == 0 with input as doc
}

test_pass_deny_rds_cmk_encryption__internal_db if {
	doc := _fx("aws:rds/instance:Instance", "cache-db", {"tags": _fx_internal_tags})
	count(deny_rds_cmk_encryption) == 0 with input as doc
}

test_missing_deny_rds_cmk_encryption__storage_encrypted if {
	doc := _fx_db({"kmsKeyId": _fx_key_arn})
	msgs := deny_rds_cmk_encryption with input as doc
	count(msgs) == 1
}

test_missing_deny_rds_cmk_encryption__kms_key_id if {
	doc := _fx_db({"storageEncrypted": true})
	msgs := deny_rds_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/rds")
}

# --- deny_ebs_cmk_encryption ------------------------------------------------------------------

_fx_volume(extra) := _fx("aws:ebs/volume:Volume", "scan-cache", object.union({"tags": _fx_phi_tags, "size": 100, "type": "gp3"}, extra))

test_fail_deny_ebs_cmk_encryption__unencrypted if {
	doc := _fx_volume({"encrypted": false})
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_fail_deny_ebs_cmk_encryption__aws_managed_alias if {
	doc := _fx_volume({"encrypted": true, "kmsKeyId": "alias/aws/ebs"})
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 1
}

test_pass_deny_ebs_cmk_encryption if {
	doc := _fx_volume({"encrypted": true, "kmsKeyId": _fx_key_arn})
	count(deny_ebs_cmk_encryption) == 0 with input as doc
}

test_missing_deny_ebs_cmk_encryption__encrypted if {
	doc := _fx_volume({"kmsKeyId": _fx_key_arn})
	count(deny_ebs_cmk_encryption) == 1 with input as doc
}

test_missing_deny_ebs_cmk_encryption__kms_key_id if {
	doc := _fx_volume({"encrypted": true})
	count(deny_ebs_cmk_encryption) == 1 with input as doc
}

# --- deny_secret_cmk_encryption -------------------------------------------------------------

test_fail_deny_secret_cmk_encryption__aws_managed if {
	doc := _fx("aws:secretsmanager/secret:Secret", "db-credentials", {"kmsKeyId": "alias/aws/secretsmanager"})
	msgs := deny_secret_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_pass_deny_secret_cmk_encryption if {
	doc := _fx("aws:secretsmanager/secret:Secret", "db-credentials", {"kmsKeyId": "alias/ime-secrets"})
	count(deny_secret_cmk_encryption) == 0 with input as doc
}

test_missing_deny_secret_cmk_encryption__kms_key_id if {
	doc := _fx("aws:secretsmanager/secret:Secret", "db-credentials", {"name": "db"})
	msgs := deny_secret_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/secretsmanager")
}

# --- IME-ENC-02 per-resource rules ------------------------------------------------------------

test_fail_deny_log_group_cmk_encryption__aws_alias if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"kmsKeyId": "alias/aws/logs", "name": "app"})
	msgs := deny_log_group_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-02")
}

test_pass_deny_log_group_cmk_encryption if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"kmsKeyId": _fx_key_arn})
	count(deny_log_group_cmk_encryption) == 0 with input as doc
}

test_missing_deny_log_group_cmk_encryption__kms_key_id if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"retentionInDays": 2192})
	count(deny_log_group_cmk_encryption) == 1 with input as doc
}

test_fail_deny_sns_topic_cmk_encryption__aws_managed if {
	doc := _fx("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": "alias/aws/sns"})
	msgs := deny_sns_topic_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-02")
}

test_pass_deny_sns_topic_cmk_encryption if {
	doc := _fx("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": _fx_key_arn})
	count(deny_sns_topic_cmk_encryption) == 0 with input as doc
}

test_missing_deny_sns_topic_cmk_encryption__kms_master_key_id if {
	doc := _fx("aws:sns/topic:Topic", "alerts", {})
	count(deny_sns_topic_cmk_encryption) == 1 with input as doc
}

test_fail_deny_backup_vault_cmk_encryption__not_a_key if {
	doc := _fx("aws:backup/vault:Vault", "phi-vault", {"kmsKeyArn": 42})
	msgs := deny_backup_vault_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-02")
}

test_pass_deny_backup_vault_cmk_encryption if {
	doc := _fx("aws:backup/vault:Vault", "phi-vault", {"kmsKeyArn": _fx_key_arn})
	count(deny_backup_vault_cmk_encryption) == 0 with input as doc
}

test_missing_deny_backup_vault_cmk_encryption__kms_key_arn if {
	doc := _fx("aws:backup/vault:Vault", "phi-vault", {})
	count(deny_backup_vault_cmk_encryption) == 1 with input as doc
}

test_fail_deny_cloudtrail_cmk_encryption__aws_managed if {
	doc := _fx("aws:cloudtrail/trail:Trail", "org-trail", {"kmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/s3"})
	msgs := deny_cloudtrail_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-02")
}

test_pass_deny_cloudtrail_cmk_encryption if {
	doc := _fx("aws:cloudtrail/trail:Trail", "org-trail", {"kmsKeyId": _fx_key_arn})
	count(deny_cloudtrail_cmk_encryption) == 0 with input as doc
}

test_missing_deny_cloudtrail_cmk_encryption__kms_key_id if {
	doc := _fx("aws:cloudtrail/trail:Trail", "org-trail", {"s3BucketName": "x"})
	count(deny_cloudtrail_cmk_encryption) == 1 with input as doc
}

# --- deny_efs_cmk_encryption -------------------------------------------------------------------

_fx_efs(props) := _fx("aws:efs/fileSystem:FileSystem", "phi-files", object.union({"tags": _fx_phi_tags}, props))

test_fail_deny_efs_cmk_encryption__unencrypted if {
	doc := _fx_efs({"encrypted": false})
	msgs := deny_efs_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_fail_deny_efs_cmk_encryption__aws_managed_key if {
	doc := _fx_efs({"encrypted": true, "kmsKeyId": "alias/aws/elasticfilesystem"})
	count(deny_efs_cmk_encryption) == 1 with input as doc
}

test_pass_deny_efs_cmk_encryption if {
	doc := _fx_efs({"encrypted": true, "kmsKeyId": _fx_key_arn})
	count(deny_efs_cmk_encryption) == 0 with input as doc
	internal := _fx("aws:efs/fileSystem:FileSystem", "scratch", {"tags": _fx_internal_tags})
	count(deny_efs_cmk_encryption) == 0 with input as internal
}

# AWS's default for a new file system is unencrypted.
test_missing_deny_efs_cmk_encryption__encrypted if {
	doc := _fx_efs({"performanceMode": "generalPurpose"})
	count(deny_efs_cmk_encryption) == 1 with input as doc
}

test_missing_deny_efs_cmk_encryption__kms_key_id if {
	doc := _fx_efs({"encrypted": true})
	msgs := deny_efs_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/elasticfilesystem")
}

# --- deny_dynamodb_cmk_encryption ----------------------------------------------------------------

_fx_table(props) := _fx("aws:dynamodb/table:Table", "phi-cases", object.union({"tags": _fx_phi_tags, "hashKey": "id"}, props))

test_fail_deny_dynamodb_cmk_encryption__disabled if {
	doc := _fx_table({"serverSideEncryption": {"enabled": false}})
	msgs := deny_dynamodb_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_fail_deny_dynamodb_cmk_encryption__aws_managed_key if {
	doc := _fx_table({"serverSideEncryption": {"enabled": true}})
	msgs := deny_dynamodb_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/dynamodb")
	unknown := _fx_table({"serverSideEncryption": _unknown_marker})
	count(deny_dynamodb_cmk_encryption) == 1 with input as unknown
}

test_pass_deny_dynamodb_cmk_encryption if {
	doc := _fx_table({"serverSideEncryption": {"enabled": true, "kmsKeyArn": _fx_key_arn}})
	count(deny_dynamodb_cmk_encryption) == 0 with input as doc
	later := _fx_table({"serverSideEncryption": {"enabled": true, "kmsKeyArn": _unknown_marker}})
	count(deny_dynamodb_cmk_encryption) == 0 with input as later
}

# Without the block DynamoDB uses an AWS owned key.
test_missing_deny_dynamodb_cmk_encryption__server_side_encryption if {
	doc := _fx_table({"billingMode": "PAY_PER_REQUEST"})
	count(deny_dynamodb_cmk_encryption) == 1 with input as doc
}

# --- stack_deny_phi_cmk_reference / stack_deny_audit_cmk_reference ------------------------

_fx_db_unknown_key(deps) := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags, "storageEncrypted": true, "kmsKeyId": _unknown_marker}, deps)

test_fail_stack_deny_phi_cmk_reference__unknown_key_without_dependency if {
	db := _fx_db_unknown_key({})
	doc := _fx_stack([db])
	msgs := stack_deny_phi_cmk_reference with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	_fx_names_urn(msgs, db.__urn)
	# The per-resource rule defers, so only the stack rule speaks for this key.
	count(deny_rds_cmk_encryption) == 0 with input as db
}

test_fail_stack_deny_phi_cmk_reference__depends_on_non_key if {
	topic := _fxs("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": _fx_key_arn}, {})
	db := _fx_db_unknown_key({"kmsKeyId": [topic.__urn]})
	doc := _fx_stack([topic, db])
	count(stack_deny_phi_cmk_reference) == 1 with input as doc
}

test_fail_stack_deny_phi_cmk_reference__inline_bucket_key if {
	b := _fxs("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "serverSideEncryptionConfiguration": _fx_inline_sse("aws:kms", _secret_marker)}, {})
	doc := _fx_stack([b])
	count(stack_deny_phi_cmk_reference) == 1 with input as doc
}

test_fail_stack_deny_phi_cmk_reference__efs_and_dynamodb if {
	efs := _fxs("aws:efs/fileSystem:FileSystem", "phi-files", {"tags": _fx_phi_tags, "encrypted": true, "kmsKeyId": _unknown_marker}, {})
	table := _fxs("aws:dynamodb/table:Table", "phi-cases", {"tags": _fx_phi_tags, "serverSideEncryption": {"enabled": true, "kmsKeyArn": _unknown_marker}}, {})
	doc := _fx_stack([efs, table])
	msgs := stack_deny_phi_cmk_reference with input as doc
	count(msgs) == 2
	_fx_names_urn(msgs, efs.__urn)
	_fx_names_urn(msgs, table.__urn)
	joined := _fx_stack([
		_fx_key,
		object.union(efs, {"propertyDependencies": {"kmsKeyId": [_fx_key_urn]}}),
		object.union(table, {"propertyDependencies": {"serverSideEncryption": [_fx_key_urn]}}),
	])
	count(stack_deny_phi_cmk_reference) == 0 with input as joined
}

test_pass_stack_deny_phi_cmk_reference__key_in_stack if {
	doc := _fx_stack([_fx_key, _fx_db_unknown_key({"kmsKeyId": [_fx_key_urn]})])
	count(stack_deny_phi_cmk_reference) == 0 with input as doc
}

test_pass_stack_deny_phi_cmk_reference__alias_in_stack if {
	alias := _fxs("aws:kms/alias:Alias", "phi-alias", {"name": "alias/ime-phi", "targetKeyId": _unknown_marker}, {"targetKeyId": [_fx_key_urn]})
	b := _fxs("aws:s3/bucketV2:BucketV2", "records", {
		"tags": _fx_phi_tags,
		"serverSideEncryptionConfigurations": [{"rules": [{"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": _unknown_marker}]}]}],
	}, {"serverSideEncryptionConfigurations": [alias.__urn]})
	doc := _fx_stack([_fx_key, alias, b])
	count(stack_deny_phi_cmk_reference) == 0 with input as doc
}

test_pass_stack_deny_phi_cmk_reference__literal_key if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags, "storageEncrypted": true, "kmsKeyId": _fx_key_arn}, {})
	doc := _fx_stack([db])
	count(stack_deny_phi_cmk_reference) == 0 with input as doc
}

test_missing_stack_deny_phi_cmk_reference__property_dependencies if {
	db := object.remove(_fx_db_unknown_key({}), {"propertyDependencies"})
	doc := _fx_stack([db])
	count(stack_deny_phi_cmk_reference) == 1 with input as doc
}

test_fail_stack_deny_audit_cmk_reference__unknown_key_without_dependency if {
	lg := _fxs("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"kmsKeyId": _unknown_marker}, {})
	doc := _fx_stack([lg])
	msgs := stack_deny_audit_cmk_reference with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-02")
	_fx_names_urn(msgs, lg.__urn)
}

test_pass_stack_deny_audit_cmk_reference__key_in_stack if {
	vault := _fxs("aws:backup/vault:Vault", "phi-vault", {"kmsKeyArn": _unknown_marker}, {"kmsKeyArn": [_fx_key_urn]})
	doc := _fx_stack([_fx_key, vault])
	count(stack_deny_audit_cmk_reference) == 0 with input as doc
}

test_missing_stack_deny_audit_cmk_reference__property_dependencies if {
	trail := object.remove(_fxs("aws:cloudtrail/trail:Trail", "org-trail", {"kmsKeyId": _unknown_marker}, {}), {"propertyDependencies"})
	doc := _fx_stack([trail])
	count(stack_deny_audit_cmk_reference) == 1 with input as doc
}

# --- deny_ebs_cmk_encryption: volumes declared by instances and launch templates -----------

_fx_cmk_device := {"encrypted": true, "kmsKeyId": _fx_key_arn, "volumeSize": 50}

_fx_instance(props) := _fx("aws:ec2/instance:Instance", "scan-worker", object.union({"tags": _fx_phi_tags, "instanceType": "m7g.large"}, props))

test_fail_deny_ebs_cmk_encryption__instance_devices if {
	root := _fx_instance({"rootBlockDevice": {"volumeSize": 50}})
	msgs := deny_ebs_cmk_encryption with input as root
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "rootBlockDevice.encrypted is not set")
	data_volumes := _fx_instance({
		"rootBlockDevice": _fx_cmk_device,
		"ebsBlockDevices": [
			{"deviceName": "/dev/sdf", "encrypted": false},
			{"deviceName": "/dev/sdg", "encrypted": true, "kmsKeyId": "alias/aws/ebs"},
			object.union(_fx_cmk_device, {"deviceName": "/dev/sdh"}),
		],
	})
	found := deny_ebs_cmk_encryption with input as data_volumes
	count(found) == 2
	some f in found
	contains(f, "ebsBlockDevices[/dev/sdf].encrypted is false")
}

test_fail_deny_ebs_cmk_encryption__instance_device_unknown if {
	doc := _fx_instance({"rootBlockDevice": _unknown_marker})
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "could not be verified")
}

test_pass_deny_ebs_cmk_encryption__instance if {
	doc := _fx_instance({"rootBlockDevice": _fx_cmk_device, "ebsBlockDevices": [object.union(_fx_cmk_device, {"deviceName": "/dev/sdf"})]})
	count(deny_ebs_cmk_encryption) == 0 with input as doc
	internal := _fx("aws:ec2/instance:Instance", "bastion", {"tags": _fx_internal_tags})
	count(deny_ebs_cmk_encryption) == 0 with input as internal
}

# Without a root device the volume takes the image's settings, which the program cannot show.
test_missing_deny_ebs_cmk_encryption__root_block_device if {
	doc := _fx_instance({"ebsBlockDevices": [object.union(_fx_cmk_device, {"deviceName": "/dev/sdf"})]})
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "rootBlockDevice is not set")
}

_fx_template(mappings) := _fx("aws:ec2/launchTemplate:LaunchTemplate", "scan-workers", {"tags": _fx_phi_tags, "blockDeviceMappings": mappings})

test_fail_deny_ebs_cmk_encryption__launch_template_volumes if {
	doc := _fx_template([
		{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false", "kmsKeyId": _fx_key_arn}},
		{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100}},
		{"deviceName": "/dev/sdg", "ebs": {"encrypted": "true"}},
		{"deviceName": "/dev/sdh", "virtualName": "ephemeral0"},
	])
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 3
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "blockDeviceMappings[/dev/xvda].ebs.encrypted is false")
	unknown := _fx_template([_unknown_marker])
	count(deny_ebs_cmk_encryption) == 1 with input as unknown
}

test_pass_deny_ebs_cmk_encryption__launch_template if {
	doc := _fx_template([
		{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": _fx_key_arn}},
		{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"},
	])
	count(deny_ebs_cmk_encryption) == 0 with input as doc
	later := _fx_template([{"ebs": {"encrypted": true, "kmsKeyId": _unknown_marker}}])
	count(deny_ebs_cmk_encryption) == 0 with input as later
}

# Without an EBS mapping every volume of the instances it launches comes from the image.
test_missing_deny_ebs_cmk_encryption__block_device_mappings if {
	doc := _fx("aws:ec2/launchTemplate:LaunchTemplate", "scan-workers", {"tags": _fx_phi_tags, "instanceType": "m7g.large"})
	msgs := deny_ebs_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "no blockDeviceMappings entry declares an EBS volume")
	ephemeral_only := _fx_template([{"deviceName": "/dev/sdb", "virtualName": "ephemeral0"}])
	count(deny_ebs_cmk_encryption) == 1 with input as ephemeral_only
}

# --- deny_docdb_cmk_encryption ---------------------------------------------------------------

_fx_docdb(props) := _fx("aws:docdb/cluster:Cluster", "case-notes", object.union({"tags": _fx_phi_tags, "masterUsername": "notes"}, props))

test_fail_deny_docdb_cmk_encryption__unencrypted if {
	doc := _fx_docdb({"storageEncrypted": false, "kmsKeyId": _fx_key_arn})
	msgs := deny_docdb_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "DocumentDB cluster \"case-notes\" (data-class phi)")
}

test_fail_deny_docdb_cmk_encryption__aws_managed_key if {
	doc := _fx_docdb({"storageEncrypted": true, "kmsKeyId": "alias/aws/rds"})
	count(deny_docdb_cmk_encryption) == 1 with input as doc
	unknown := _fx_docdb({"storageEncrypted": _unknown_marker, "kmsKeyId": _fx_key_arn})
	msgs := deny_docdb_cmk_encryption with input as unknown
	count(msgs) == 1
	some m in msgs
	contains(m, "could not be verified")
}

test_pass_deny_docdb_cmk_encryption if {
	doc := _fx_docdb({"storageEncrypted": true, "kmsKeyId": _fx_key_arn})
	count(deny_docdb_cmk_encryption) == 0 with input as doc
	internal := _fx("aws:docdb/cluster:Cluster", "sessions", {"tags": _fx_internal_tags})
	count(deny_docdb_cmk_encryption) == 0 with input as internal
}

# AWS's default for a DocumentDB cluster is unencrypted.
test_missing_deny_docdb_cmk_encryption__storage_encrypted if {
	doc := _fx_docdb({"kmsKeyId": _fx_key_arn})
	msgs := deny_docdb_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "storageEncrypted is not set")
}

test_missing_deny_docdb_cmk_encryption__kms_key_id if {
	doc := _fx_docdb({"storageEncrypted": true})
	msgs := deny_docdb_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/rds")
}

# --- deny_redshift_cmk_encryption ------------------------------------------------------------

_fx_redshift(props) := _fx("aws:redshift/cluster:Cluster", "claims-warehouse", object.union({"tags": _fx_phi_tags, "nodeType": "ra3.xlplus"}, props))

test_fail_deny_redshift_cmk_encryption__unencrypted if {
	doc := _fx_redshift({"encrypted": "false", "kmsKeyId": _fx_key_arn})
	msgs := deny_redshift_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "encrypted is false")
}

test_fail_deny_redshift_cmk_encryption__aws_managed_key if {
	doc := _fx_redshift({"encrypted": "true", "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/redshift"})
	count(deny_redshift_cmk_encryption) == 1 with input as doc
}

test_pass_deny_redshift_cmk_encryption if {
	doc := _fx_redshift({"encrypted": "true", "kmsKeyId": _fx_key_arn})
	count(deny_redshift_cmk_encryption) == 0 with input as doc
	boolean := _fx_redshift({"encrypted": true, "kmsKeyId": _fx_key_arn})
	count(deny_redshift_cmk_encryption) == 0 with input as boolean
}

# Left out, AWS encrypts a new cluster: only the key is judged.
test_missing_deny_redshift_cmk_encryption__encrypted if {
	doc := _fx_redshift({"kmsKeyId": _fx_key_arn})
	count(deny_redshift_cmk_encryption) == 0 with input as doc
}

test_missing_deny_redshift_cmk_encryption__kms_key_id if {
	doc := _fx_redshift({})
	msgs := deny_redshift_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/redshift")
}

# --- deny_opensearch_cmk_encryption ----------------------------------------------------------

_fx_domain(type_, props) := _fx(type_, "case-search", object.union({"tags": _fx_phi_tags, "engineVersion": "OpenSearch_2.13"}, props))

test_fail_deny_opensearch_cmk_encryption__disabled if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"encryptAtRest": {"enabled": false}})
	msgs := deny_opensearch_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
	some m in msgs
	contains(m, "encryptAtRest.enabled is false")
}

test_fail_deny_opensearch_cmk_encryption__elasticsearch_without_key if {
	doc := _fx_domain("aws:elasticsearch/domain:Domain", {"encryptAtRest": {"enabled": true}})
	msgs := deny_opensearch_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "aws/es")
	unknown := _fx_domain("aws:opensearch/domain:Domain", {"encryptAtRest": _unknown_marker})
	count(deny_opensearch_cmk_encryption) == 1 with input as unknown
}

test_pass_deny_opensearch_cmk_encryption if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"encryptAtRest": {"enabled": true, "kmsKeyId": _fx_key_arn}})
	count(deny_opensearch_cmk_encryption) == 0 with input as doc
	later := _fx_domain("aws:elasticsearch/domain:Domain", {"encryptAtRest": {"enabled": true, "kmsKeyId": _unknown_marker}})
	count(deny_opensearch_cmk_encryption) == 0 with input as later
}

# Without the block AWS does not encrypt the domain at rest.
test_missing_deny_opensearch_cmk_encryption__encrypt_at_rest if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {})
	msgs := deny_opensearch_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "encryptAtRest is not set")
}

# --- deny_elasticache_cmk_encryption ---------------------------------------------------------

_fx_cache(props) := _fx("aws:elasticache/replicationGroup:ReplicationGroup", "sessions", object.union({"tags": _fx_phi_tags, "description": "sessions"}, props))

test_fail_deny_elasticache_cmk_encryption__unencrypted if {
	doc := _fx_cache({"atRestEncryptionEnabled": false, "kmsKeyId": _fx_key_arn})
	msgs := deny_elasticache_cmk_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ENC-01")
}

test_fail_deny_elasticache_cmk_encryption__service_key if {
	doc := _fx_cache({"atRestEncryptionEnabled": true})
	msgs := deny_elasticache_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "service-managed key")
	engine := _fx_cache({"engine": _unknown_marker, "kmsKeyId": _fx_key_arn})
	found := deny_elasticache_cmk_encryption with input as engine
	count(found) == 1
	some f in found
	contains(f, "AWS's default depends on a value not known until apply")
}

test_pass_deny_elasticache_cmk_encryption if {
	doc := _fx_cache({"atRestEncryptionEnabled": true, "kmsKeyId": _fx_key_arn})
	count(deny_elasticache_cmk_encryption) == 0 with input as doc
	valkey := _fx_cache({"engine": "valkey", "kmsKeyId": _fx_key_arn})
	count(deny_elasticache_cmk_encryption) == 0 with input as valkey
}

# Left out, AWS encrypts only the valkey engine at rest; redis is the default engine.
test_missing_deny_elasticache_cmk_encryption__at_rest_encryption_enabled if {
	doc := _fx_cache({"kmsKeyId": _fx_key_arn})
	msgs := deny_elasticache_cmk_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "atRestEncryptionEnabled is not set")
	redis := _fx_cache({"engine": "redis", "kmsKeyId": _fx_key_arn})
	count(deny_elasticache_cmk_encryption) == 1 with input as redis
}

test_missing_deny_elasticache_cmk_encryption__kms_key_id if {
	doc := _fx_cache({"engine": "valkey"})
	count(deny_elasticache_cmk_encryption) == 1 with input as doc
}

# --- stack_deny_phi_cmk_reference: the stores above ---------------------------------------------

test_fail_stack_deny_phi_cmk_reference__new_stores_without_dependency if {
	docdb := _fxs("aws:docdb/cluster:Cluster", "case-notes", {"tags": _fx_phi_tags, "storageEncrypted": true, "kmsKeyId": _unknown_marker}, {})
	domain := _fxs("aws:opensearch/domain:Domain", "case-search", {"tags": _fx_phi_tags, "encryptAtRest": {"enabled": true, "kmsKeyId": _unknown_marker}}, {})
	instance := _fxs("aws:ec2/instance:Instance", "scan-worker", {
		"tags": _fx_phi_tags,
		"rootBlockDevice": {"encrypted": true, "kmsKeyId": _unknown_marker},
	}, {})
	template := _fxs("aws:ec2/launchTemplate:LaunchTemplate", "scan-workers", {
		"tags": _fx_phi_tags,
		"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": _unknown_marker}}],
	}, {})
	doc := _fx_stack([docdb, domain, instance, template])
	msgs := stack_deny_phi_cmk_reference with input as doc
	count(msgs) == 4
	_fx_names_urn(msgs, docdb.__urn)
	_fx_names_urn(msgs, domain.__urn)
	_fx_names_urn(msgs, instance.__urn)
	_fx_names_urn(msgs, template.__urn)
	joined := _fx_stack([
		_fx_key,
		object.union(docdb, {"propertyDependencies": {"kmsKeyId": [_fx_key_urn]}}),
		object.union(domain, {"propertyDependencies": {"encryptAtRest": [_fx_key_urn]}}),
		object.union(instance, {"propertyDependencies": {"rootBlockDevice": [_fx_key_urn]}}),
		object.union(template, {"propertyDependencies": {"blockDeviceMappings": [_fx_key_urn]}}),
	])
	count(stack_deny_phi_cmk_reference) == 0 with input as joined
}

# Each data volume's key depends through ebsBlockDevices, not through the root device.
test_fail_stack_deny_phi_cmk_reference__data_volume_key_outside_stack if {
	instance := _fxs("aws:ec2/instance:Instance", "scan-worker", {
		"tags": _fx_phi_tags,
		"rootBlockDevice": {"encrypted": true, "kmsKeyId": _unknown_marker},
		"ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": true, "kmsKeyId": _unknown_marker}],
	}, {"rootBlockDevice": [_fx_key_urn]})
	doc := _fx_stack([_fx_key, instance])
	msgs := stack_deny_phi_cmk_reference with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "ebsBlockDevices")
}

test_pass_stack_deny_phi_cmk_reference__redshift_and_elasticache_keys_in_stack if {
	redshift := _fxs("aws:redshift/cluster:Cluster", "claims-warehouse", {"tags": _fx_phi_tags, "kmsKeyId": _unknown_marker}, {"kmsKeyId": [_fx_key_urn]})
	cache := _fxs("aws:elasticache/replicationGroup:ReplicationGroup", "sessions", {"tags": _fx_phi_tags, "atRestEncryptionEnabled": true, "kmsKeyId": _unknown_marker}, {"kmsKeyId": [_fx_key_urn]})
	doc := _fx_stack([_fx_key, redshift, cache])
	count(stack_deny_phi_cmk_reference) == 0 with input as doc
	unjoined := _fx_stack([object.union(redshift, {"propertyDependencies": {}}), object.union(cache, {"propertyDependencies": {}})])
	count(stack_deny_phi_cmk_reference) == 2 with input as unjoined
}
