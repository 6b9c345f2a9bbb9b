package imekit_hipaa

import rego.v1

_fx_kms(props) := _fx("aws:kms/key:Key", "phi-key", props)

# --- deny_kms_key_rotation ----------------------------------------------------------------

test_fail_deny_kms_key_rotation__disabled if {
	doc := _fx_kms({"enableKeyRotation": false})
	msgs := deny_kms_key_rotation with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-KEY-01")
}

test_fail_deny_kms_key_rotation__period_too_long if {
	doc := _fx_kms({"enableKeyRotation": true, "rotationPeriodInDays": 730})
	count(deny_kms_key_rotation) == 1 with input as doc
}

test_fail_deny_kms_key_rotation__configured_maximum if {
	key := _fx_kms({"enableKeyRotation": true, "rotationPeriodInDays": 365})
	count(deny_kms_key_rotation) == 1 with input as key with data.config.deny_kms_key_rotation.maximumRotationPeriodDays as 180
}

test_pass_deny_kms_key_rotation if {
	doc := _fx_kms({"enableKeyRotation": true, "rotationPeriodInDays": 365})
	count(deny_kms_key_rotation) == 0 with input as doc
}

test_pass_deny_kms_key_rotation__asymmetric_key if {
	doc := _fx_kms({"customerMasterKeySpec": "RSA_4096", "keyUsage": "SIGN_VERIFY"})
	count(deny_kms_key_rotation) == 0 with input as doc
}

test_fail_deny_kms_key_rotation__key_spec_unknown if {
	doc := _fx_kms({"customerMasterKeySpec": _unknown_marker})
	count(deny_kms_key_rotation) == 1 with input as doc
}

test_missing_deny_kms_key_rotation__enable_key_rotation if {
	doc := _fx_kms({"description": "phi"})
	count(deny_kms_key_rotation) == 1 with input as doc
}

# --- deny_kms_deletion_window -------------------------------------------------------------

test_fail_deny_kms_deletion_window__seven_days if {
	doc := _fx_kms({"deletionWindowInDays": 7})
	msgs := deny_kms_deletion_window with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-KEY-02")
}

test_fail_deny_kms_deletion_window__replica_key if {
	doc := _fx("aws:kms/replicaKey:ReplicaKey", "dr-key", {"deletionWindowInDays": 10})
	count(deny_kms_deletion_window) == 1 with input as doc
}

test_fail_deny_kms_deletion_window__not_a_number if {
	key := _fx_kms({"deletionWindowInDays": _unknown_marker})
	count(deny_kms_deletion_window) == 1 with input as key
}

test_pass_deny_kms_deletion_window if {
	doc := _fx_kms({"deletionWindowInDays": 30})
	count(deny_kms_deletion_window) == 0 with input as doc
}

test_pass_deny_kms_deletion_window__configured_lower_minimum if {
	key := _fx_kms({"deletionWindowInDays": 14})
	count(deny_kms_deletion_window) == 0 with input as key with data.config.deny_kms_deletion_window.minimumDays as 7
}

# AWS's default window (30 days) meets the default minimum, and fails a higher one.
test_missing_deny_kms_deletion_window__deletion_window_in_days if {
	key := _fx_kms({"enableKeyRotation": true})
	count(deny_kms_deletion_window) == 0 with input as key
	count(deny_kms_deletion_window) == 1 with input as key with data.config.deny_kms_deletion_window.minimumDays as 31
}

# --- deny_kms_wildcard_principal ----------------------------------------------------------

_fx_policy(statements) := json.marshal({"Version": "2012-10-17", "Statement": statements})

_fx_root_statement := {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}

test_fail_deny_kms_wildcard_principal__star if {
	key := _fx_kms({"policy": _fx_policy([_fx_root_statement, {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}])})
	msgs := deny_kms_wildcard_principal with input as key
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-KEY-03")
}

test_fail_deny_kms_wildcard_principal__aws_star_object_policy if {
	key := _fx_kms({"policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:*", "Resource": "*"}}})
	count(deny_kms_wildcard_principal) == 1 with input as key
}

test_fail_deny_kms_wildcard_principal__unknown_policy if {
	key := _fx_kms({"policy": _unknown_marker})
	count(deny_kms_wildcard_principal) == 1 with input as key
}

test_pass_deny_kms_wildcard_principal__named_principals if {
	key := _fx_kms({"policy": _fx_policy([_fx_root_statement])})
	count(deny_kms_wildcard_principal) == 0 with input as key
}

test_pass_deny_kms_wildcard_principal__star_pinned_to_account if {
	key := _fx_kms({"policy": _fx_policy([{
		"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt"], "Resource": "*",
		"Condition": {"StringEquals": {"kms:CallerAccount": "123456789012", "kms:ViaService": "s3.us-east-1.amazonaws.com"}},
	}])})
	count(deny_kms_wildcard_principal) == 0 with input as key
}

test_pass_deny_kms_wildcard_principal__deny_statement if {
	key := _fx_kms({"policy": _fx_policy([_fx_root_statement, {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}])})
	count(deny_kms_wildcard_principal) == 0 with input as key
}

# No policy: AWS's default key policy names only the account root.
test_missing_deny_kms_wildcard_principal__policy if {
	doc := _fx_kms({"enableKeyRotation": true})
	count(deny_kms_wildcard_principal) == 0 with input as doc
}

_fx_open_statement(extra) := object.union({"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}, extra)

_fx_open_key(extra) := _fx_kms({"policy": _fx_policy([_fx_root_statement, _fx_open_statement(extra)])})

# Each of these reaches principals outside the organisation.
test_fail_deny_kms_wildcard_principal__not_principal if {
	key := _fx_kms({"policy": _fx_policy([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/x"}, "Action": "kms:*", "Resource": "*"}])})
	count(deny_kms_wildcard_principal) == 1 with input as key
}

test_fail_deny_kms_wildcard_principal__wildcards_in_other_spellings if {
	service := _fx_open_key({"Principal": {"Service": "*"}})
	count(deny_kms_wildcard_principal) == 1 with input as service
	account := _fx_open_key({"Principal": {"AWS": "arn:aws:iam::*:root"}})
	count(deny_kms_wildcard_principal) == 1 with input as account
	listed := _fx_open_key({"Principal": ["*"]})
	count(deny_kms_wildcard_principal) == 1 with input as listed
}

test_fail_deny_kms_wildcard_principal__conditions_that_do_not_pin if {
	not_equals := _fx_open_key({"Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}})
	count(deny_kms_wildcard_principal) == 1 with input as not_equals
	null_check := _fx_open_key({"Condition": {"Null": {"aws:PrincipalOrgID": "false"}}})
	count(deny_kms_wildcard_principal) == 1 with input as null_check
	if_exists := _fx_open_key({"Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}})
	count(deny_kms_wildcard_principal) == 1 with input as if_exists
	for_all := _fx_open_key({"Condition": {"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-abc123/*"}}})
	count(deny_kms_wildcard_principal) == 1 with input as for_all
	star := _fx_open_key({"Condition": {"StringLike": {"aws:PrincipalArn": "*"}}})
	count(deny_kms_wildcard_principal) == 1 with input as star
	any_account := _fx_open_key({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}})
	count(deny_kms_wildcard_principal) == 1 with input as any_account
	any_bucket := _fx_open_key({"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}})
	count(deny_kms_wildcard_principal) == 1 with input as any_bucket
	unrelated := _fx_open_key({"Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})
	count(deny_kms_wildcard_principal) == 1 with input as unrelated
}

test_pass_deny_kms_wildcard_principal__pinned_in_other_spellings if {
	org := _fx_open_key({"Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}})
	count(deny_kms_wildcard_principal) == 0 with input as org
	arn := _fx_open_key({"Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/app-*"}}})
	count(deny_kms_wildcard_principal) == 0 with input as arn
	bucket := _fx_open_key({"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::phi-records"}}})
	count(deny_kms_wildcard_principal) == 0 with input as bucket
	paths := _fx_open_key({"Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc123/r-ab12/*"}}})
	count(deny_kms_wildcard_principal) == 0 with input as paths
}
