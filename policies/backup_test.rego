package imekit_hipaa

import rego.v1

_fx_selection(props, deps) := _fxs(_selection_type, "phi-selection", object.union({"planId": _unknown_marker, "iamRoleArn": _unknown_marker}, props), deps)

# --- stack_deny_phi_backup_selection --------------------------------------------------------

test_fail_stack_deny_phi_backup_selection__not_selected if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags}, {})
	doc := _fx_stack([db, _fx_selection({"resources": [_unknown_marker]}, {})])
	msgs := stack_deny_phi_backup_selection with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-BAK-01")
	_fx_names_urn(msgs, db.__urn)
}

test_fail_stack_deny_phi_backup_selection__tag_selection_misses_untagged_store if {
	vol := _fxs("aws:ebs/volume:Volume", "scratch", {"size": 10}, {})
	sel := _fx_selection({"selectionTags": [{"type": "STRINGEQUALS", "key": "data-class", "value": "phi"}]}, {})
	doc := _fx_stack([vol, sel])
	count(stack_deny_phi_backup_selection) == 1 with input as doc
}

test_fail_stack_deny_phi_backup_selection__excluded if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags}, {})
	sel := _fx_selection({"resources": ["*"], "notResources": [_unknown_marker]}, {"notResources": [db.__urn]})
	doc := _fx_stack([db, sel])
	count(stack_deny_phi_backup_selection) == 1 with input as doc
}

test_pass_stack_deny_phi_backup_selection__by_dependency if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags}, {})
	bucket := _fx_bucket("records", {})
	sel := _fx_selection({"resources": [_unknown_marker, _unknown_marker]}, {"resources": [db.__urn, bucket.__urn]})
	doc := _fx_stack([db, bucket, sel])
	count(stack_deny_phi_backup_selection) == 0 with input as doc
}

test_pass_stack_deny_phi_backup_selection__by_tag if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags}, {})
	sel := _fx_selection({"selectionTags": [{"type": "STRINGEQUALS", "key": "data-class", "value": "phi"}]}, {})
	doc := _fx_stack([db, sel])
	count(stack_deny_phi_backup_selection) == 0 with input as doc
}

test_pass_stack_deny_phi_backup_selection__star_narrowed_to_phi if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags}, {})
	sel := _fx_selection({"resources": ["*"], "conditions": [{"stringEquals": [{"key": "aws:ResourceTag/data-class", "value": "phi"}]}]}, {})
	doc := _fx_stack([db, sel])
	count(stack_deny_phi_backup_selection) == 0 with input as doc
}

test_pass_stack_deny_phi_backup_selection__logs_store if {
	b := _fxs("aws:s3/bucket:Bucket", "trail-logs", {"tags": _fx_logs_tags}, {})
	doc := _fx_stack([b])
	count(stack_deny_phi_backup_selection) == 0 with input as doc
}

test_missing_stack_deny_phi_backup_selection__selection if {
	db := _fxs("aws:dynamodb/table:Table", "referrals", {"tags": _fx_phi_tags}, {})
	doc := _fx_stack([db])
	count(stack_deny_phi_backup_selection) == 1 with input as doc
}

# --- deny_backup_plan_retention -------------------------------------------------------------

_fx_plan(rules) := _fx("aws:backup/plan:Plan", "phi-plan", {"rules": rules})

test_fail_deny_backup_plan_retention__short if {
	plan := _fx_plan([{"ruleName": "daily", "targetVaultName": "v", "lifecycle": {"deleteAfter": 14}}])
	msgs := deny_backup_plan_retention with input as plan
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-BAK-01")
}

test_fail_deny_backup_plan_retention__short_copy if {
	plan := _fx_plan([{"ruleName": "daily", "lifecycle": {"deleteAfter": 35}, "copyActions": [{"destinationVaultArn": "arn", "lifecycle": {"deleteAfter": 7}}]}])
	msgs := deny_backup_plan_retention with input as plan
	count(msgs) == 1
	some m in msgs
	contains(m, "copy 0")
}

test_fail_deny_backup_plan_retention__configured_minimum if {
	plan := _fx_plan([{"ruleName": "daily", "lifecycle": {"deleteAfter": 35}}])
	count(deny_backup_plan_retention) == 1 with input as plan with data.config.deny_backup_plan_retention.minimumDays as 90
}

test_fail_deny_backup_plan_retention__unknown_until_apply if {
	lifecycle := _fx_plan([{"ruleName": "daily", "lifecycle": _unknown_marker}])
	msgs := deny_backup_plan_retention with input as lifecycle
	count(msgs) == 1
	some m in msgs
	contains(m, "lifecycle not known until apply")
	days := _fx_plan([{"ruleName": "daily", "lifecycle": {"deleteAfter": _unknown_marker}}])
	day_msgs := deny_backup_plan_retention with input as days
	count(day_msgs) == 1
	some d in day_msgs
	contains(d, "deleteAfter not known until apply")
}

test_pass_deny_backup_plan_retention if {
	plan := _fx_plan([{"ruleName": "daily", "lifecycle": {"deleteAfter": 35, "coldStorageAfter": 0}}])
	count(deny_backup_plan_retention) == 0 with input as plan
}

# No deleteAfter: recovery points are kept indefinitely.
test_missing_deny_backup_plan_retention__lifecycle if {
	plan := _fx_plan([{"ruleName": "daily", "schedule": "cron(0 5 * * ? *)"}])
	count(deny_backup_plan_retention) == 0 with input as plan
}

# --- stack_deny_backup_vault_lock -----------------------------------------------------------

_fx_vault := _fxs("aws:backup/vault:Vault", "phi-vault", {"kmsKeyArn": _fx_key_arn}, {})

_fx_vault_lock(props) := _fxs(_vault_lock_type, "phi-vault-lock", object.union({"backupVaultName": _unknown_marker}, props), {"backupVaultName": [_fx_vault.__urn]})

test_fail_stack_deny_backup_vault_lock__unlocked if {
	doc := _fx_stack([_fx_vault])
	msgs := stack_deny_backup_vault_lock with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-BAK-02")
	_fx_names_urn(msgs, _fx_vault.__urn)
}

test_fail_stack_deny_backup_vault_lock__governance_when_compliance_required if {
	lock := _fx_vault_lock({"minRetentionDays": 35})
	stack := _fx_stack([_fx_vault, lock])
	count(stack_deny_backup_vault_lock) == 1 with input as stack with data.config.stack_deny_backup_vault_lock.requireComplianceMode as true
}

test_pass_stack_deny_backup_vault_lock if {
	doc := _fx_stack([_fx_vault, _fx_vault_lock({"minRetentionDays": 35, "maxRetentionDays": 2557})])
	count(stack_deny_backup_vault_lock) == 0 with input as doc
}

test_pass_stack_deny_backup_vault_lock__compliance_mode if {
	lock := _fx_vault_lock({"minRetentionDays": 35, "changeableForDays": 3})
	stack := _fx_stack([_fx_vault, lock])
	count(stack_deny_backup_vault_lock) == 0 with input as stack with data.config.stack_deny_backup_vault_lock.requireComplianceMode as true
}

test_missing_stack_deny_backup_vault_lock__min_retention_days if {
	lock := _fx_vault_lock({"maxRetentionDays": 2557})
	doc := _fx_stack([_fx_vault, lock])
	msgs := stack_deny_backup_vault_lock with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, lock.__urn)
}

# --- deny_rds_backup_retention --------------------------------------------------------------

test_fail_deny_rds_backup_retention__one_day if {
	doc := _fx_db({"backupRetentionPeriod": 1})
	msgs := deny_rds_backup_retention with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-BAK-03")
}

test_fail_deny_rds_backup_retention__configured_minimum if {
	db := _fx_db({"backupRetentionPeriod": 7})
	count(deny_rds_backup_retention) == 1 with input as db with data.config.deny_rds_backup_retention.minimumDays as 14
}

test_pass_deny_rds_backup_retention if {
	doc := _fx("aws:rds/cluster:Cluster", "phi-cluster", {"tags": _fx_phi_tags, "backupRetentionPeriod": 35})
	count(deny_rds_backup_retention) == 0 with input as doc
}

test_missing_deny_rds_backup_retention__backup_retention_period if {
	doc := _fx_db({"storageEncrypted": true})
	count(deny_rds_backup_retention) == 1 with input as doc
}

# --- deny_rds_deletion_protection -----------------------------------------------------------

test_fail_deny_rds_deletion_protection if {
	doc := _fx_db({"deletionProtection": false})
	msgs := deny_rds_deletion_protection with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-BAK-03")
}

test_pass_deny_rds_deletion_protection if {
	doc := _fx_db({"deletionProtection": true})
	count(deny_rds_deletion_protection) == 0 with input as doc
}

test_missing_deny_rds_deletion_protection__deletion_protection if {
	doc := _fx_db({"storageEncrypted": true})
	count(deny_rds_deletion_protection) == 1 with input as doc
}

# The stores AWS Backup selections are judged for; other data stores (DocumentDB, Redshift,
# OpenSearch, ElastiCache, EC2 instances) are outside this rule.
test_pass_stack_deny_phi_backup_selection__stores_outside_its_scope if {
	docdb := _fxs("aws:docdb/cluster:Cluster", "case-notes", {"tags": _fx_phi_tags}, {})
	instance := _fxs("aws:ec2/instance:Instance", "scan-worker", {"tags": _fx_phi_tags}, {})
	doc := _fx_stack([docdb, instance, _fx_selection({"resources": [_unknown_marker]}, {})])
	count(stack_deny_phi_backup_selection) == 0 with input as doc
}
