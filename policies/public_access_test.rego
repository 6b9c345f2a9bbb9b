package imekit_hipaa

import rego.v1

_fx_all_blocked := {"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}

# --- deny_s3_public_access_block ------------------------------------------------------------

test_fail_deny_s3_public_access_block__policy_allowed if {
	block := _fx(_pab_type, "records-pab", object.union(_fx_all_blocked, {"blockPublicPolicy": false}))
	msgs := deny_s3_public_access_block with input as block
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ACC-01")
	some m in msgs
	contains(m, "blockPublicPolicy")
}

test_fail_deny_s3_public_access_block__account_block_unknown_flag if {
	block := _fx(_account_pab_type, "account-pab", object.union(_fx_all_blocked, {"ignorePublicAcls": _unknown_marker}))
	count(deny_s3_public_access_block) == 1 with input as block
}

test_pass_deny_s3_public_access_block if {
	block := _fx(_pab_type, "records-pab", object.union({"bucket": "records"}, _fx_all_blocked))
	count(deny_s3_public_access_block) == 0 with input as block
}

test_missing_deny_s3_public_access_block__restrict_public_buckets if {
	block := _fx(_pab_type, "records-pab", object.remove(_fx_all_blocked, {"restrictPublicBuckets"}))
	msgs := deny_s3_public_access_block with input as block
	count(msgs) == 1
	some m in msgs
	contains(m, "restrictPublicBuckets")
}

# --- stack_deny_s3_public_access_block ------------------------------------------------------

test_fail_stack_deny_s3_public_access_block__no_block if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_s3_public_access_block with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ACC-01")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_s3_public_access_block__incomplete_account_block if {
	account := _fxs(_account_pab_type, "account-pab", {"blockPublicAcls": true}, {})
	doc := _fx_stack([account, _fx_bucket("records", {})])
	count(stack_deny_s3_public_access_block) == 1 with input as doc
}

test_pass_stack_deny_s3_public_access_block if {
	pab := _fx_companion(_pab_type, "records-pab", "records", _fx_all_blocked, {})
	doc := _fx_stack([_fx_bucket("records", {}), pab])
	count(stack_deny_s3_public_access_block) == 0 with input as doc
}

test_pass_stack_deny_s3_public_access_block__account_block if {
	account := _fxs(_account_pab_type, "account-pab", _fx_all_blocked, {})
	doc := _fx_stack([account, _fx_bucket("records", {})])
	count(stack_deny_s3_public_access_block) == 0 with input as doc
}

test_missing_stack_deny_s3_public_access_block__bucket_dependency if {
	pab := _fxs(_pab_type, "records-pab", object.union({"bucket": "records"}, _fx_all_blocked), {})
	doc := _fx_stack([_fx_bucket("records", {}), pab])
	count(stack_deny_s3_public_access_block) == 1 with input as doc
}

# --- deny_rds_public ------------------------------------------------------------------------

test_fail_deny_rds_public if {
	doc := _fx_db({"publiclyAccessible": true})
	msgs := deny_rds_public with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-ACC-01")
}

test_fail_deny_rds_public__cluster_instance_any_class if {
	doc := _fx("aws:rds/clusterInstance:ClusterInstance", "phi-cluster-1", {"publiclyAccessible": true, "tags": _fx_internal_tags})
	msgs := deny_rds_public with input as doc
	count(msgs) == 1
	# A cluster instance holds no data class of its own: its cluster's data is exposed.
	msgs == {"[IME-ACC-01] RDS cluster instance \"phi-cluster-1\" is publicly accessible"}
}

test_fail_deny_rds_public__unknown if {
	db := _fx_db({"publiclyAccessible": _unknown_marker})
	count(deny_rds_public) == 1 with input as db
}

test_pass_deny_rds_public if {
	doc := _fx_db({"publiclyAccessible": false})
	count(deny_rds_public) == 0 with input as doc
}

test_pass_deny_rds_public__internal_instance if {
	doc := _fx("aws:rds/instance:Instance", "cache-db", {"tags": _fx_internal_tags, "publiclyAccessible": true})
	count(deny_rds_public) == 0 with input as doc
}

# AWS's default is private.
test_missing_deny_rds_public__publicly_accessible if {
	doc := _fx_db({"storageEncrypted": true})
	count(deny_rds_public) == 0 with input as doc
}

test_fail_deny_rds_public__redshift_cluster if {
	doc := _fx_redshift({"publiclyAccessible": true})
	msgs := deny_rds_public with input as doc
	msgs == {"[IME-ACC-01] Redshift cluster \"claims-warehouse\" (data-class phi) is publicly accessible"}
	unknown := _fx_redshift({"publiclyAccessible": _unknown_marker})
	count(deny_rds_public) == 1 with input as unknown
	internal := _fx("aws:redshift/cluster:Cluster", "metrics", {"tags": _fx_internal_tags, "publiclyAccessible": true})
	count(deny_rds_public) == 0 with input as internal
}

# Redshift's default is private, as RDS's is.
test_missing_deny_rds_public__redshift_publicly_accessible if {
	doc := _fx_redshift({"encrypted": "true"})
	count(deny_rds_public) == 0 with input as doc
}
