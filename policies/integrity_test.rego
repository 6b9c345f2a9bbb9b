package imekit_hipaa

import rego.v1

# Buckets here are created without Object Lock, which would switch versioning on by itself.
_fx_unlocked_bucket(name, extra) := _fxs("aws:s3/bucket:Bucket", name, object.union({"bucket": name, "tags": _fx_phi_tags}, extra), {})

_fx_versioning(status) := _fx_companion("aws:s3/bucketVersioning:BucketVersioning", "records-versioning", "records", {"versioningConfiguration": {"status": status}}, {})

# --- deny_s3_phi_versioning -----------------------------------------------------------------

test_fail_deny_s3_phi_versioning__inline_disabled if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "versioning": {"enabled": false}})
	msgs := deny_s3_phi_versioning with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-INT-01")
}

test_fail_deny_s3_phi_versioning__v2_inline_without_enabled if {
	doc := _fx("aws:s3/bucketV2:BucketV2", "records", {"versionings": [{"mfaDelete": false}]})
	count(deny_s3_phi_versioning) == 1 with input as doc
}

test_pass_deny_s3_phi_versioning if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "versioning": {"enabled": true}})
	count(deny_s3_phi_versioning) == 0 with input as doc
}

test_pass_deny_s3_phi_versioning__object_lock_implies_versioning if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "objectLockEnabled": true, "versioning": {"enabled": false}})
	count(deny_s3_phi_versioning) == 0 with input as doc
}

test_missing_deny_s3_phi_versioning__versioning if {
	bucket := _fx_unlocked_bucket("records", {})
	count(deny_s3_phi_versioning) == 0 with input as bucket
	doc := _fx_stack([bucket])
	count(stack_deny_s3_phi_versioning) == 1 with input as doc
}

# --- stack_deny_s3_phi_versioning -----------------------------------------------------------

test_fail_stack_deny_s3_phi_versioning__none if {
	doc := _fx_stack([_fx_unlocked_bucket("records", {})])
	msgs := stack_deny_s3_phi_versioning with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-INT-01")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_s3_phi_versioning__suspended if {
	v := _fx_versioning("Suspended")
	doc := _fx_stack([_fx_unlocked_bucket("records", {}), v])
	msgs := stack_deny_s3_phi_versioning with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, v.__urn)
}

test_fail_stack_deny_s3_phi_versioning__separate_overrides_inline if {
	v := _fx_versioning("Suspended")
	doc := _fx_stack([_fx_unlocked_bucket("records", {"versioning": {"enabled": true}}), v])
	msgs := stack_deny_s3_phi_versioning with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, v.__urn)
}

test_pass_stack_deny_s3_phi_versioning if {
	doc := _fx_stack([_fx_unlocked_bucket("records", {}), _fx_versioning("Enabled")])
	count(stack_deny_s3_phi_versioning) == 0 with input as doc
}

test_pass_stack_deny_s3_phi_versioning__object_lock if {
	doc := _fx_stack([_fx_bucket("records", {})])
	count(stack_deny_s3_phi_versioning) == 0 with input as doc
}

test_missing_stack_deny_s3_phi_versioning__versioning_configuration if {
	v := _fx_companion("aws:s3/bucketVersioningV2:BucketVersioningV2", "records-versioning", "records", {"mfa": "x"}, {})
	doc := _fx_stack([_fx_unlocked_bucket("records", {}), v])
	count(stack_deny_s3_phi_versioning) == 1 with input as doc
}

# --- deny_s3_phi_object_lock ----------------------------------------------------------------

test_fail_deny_s3_phi_object_lock__inline_without_retention if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "objectLockEnabled": true, "objectLockConfiguration": {"objectLockEnabled": "Enabled"}})
	msgs := deny_s3_phi_object_lock with input as bucket
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-INT-01")
}

test_fail_deny_s3_phi_object_lock__disabled if {
	doc := _fx("aws:s3/bucketV2:BucketV2", "records", {"tags": _fx_phi_tags, "objectLockEnabled": false})
	count(deny_s3_phi_object_lock) == 1 with input as doc
}

test_pass_deny_s3_phi_object_lock__inline if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "objectLockConfiguration": {"objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"mode": "COMPLIANCE", "years": 6}}}})
	count(deny_s3_phi_object_lock) == 0 with input as bucket
}

test_pass_deny_s3_phi_object_lock__v2_inline if {
	bucket := _fx("aws:s3/bucketV2:BucketV2", "records", {"tags": _fx_phi_tags, "objectLockEnabled": true, "objectLockConfiguration": {"objectLockEnabled": "Enabled", "rules": [{"defaultRetentions": [{"mode": "GOVERNANCE", "days": 35}]}]}})
	count(deny_s3_phi_object_lock) == 0 with input as bucket
}

test_missing_deny_s3_phi_object_lock__object_lock_configuration if {
	bucket := _fx_bucket("records", {})
	count(deny_s3_phi_object_lock) == 0 with input as bucket
	doc := _fx_stack([bucket])
	count(stack_deny_s3_phi_object_lock) == 1 with input as doc
}

# --- stack_deny_s3_phi_object_lock ----------------------------------------------------------

_fx_lock(rule, extra) := _fx_companion("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "records-lock", "records", object.union({"rule": rule}, extra), {})

test_fail_stack_deny_s3_phi_object_lock__none if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_s3_phi_object_lock with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-INT-01")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_s3_phi_object_lock__no_mode if {
	lock := _fx_lock({"defaultRetention": {"days": 35}}, {})
	doc := _fx_stack([_fx_bucket("records", {}), lock])
	msgs := stack_deny_s3_phi_object_lock with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, lock.__urn)
}

test_fail_stack_deny_s3_phi_object_lock__separate_overrides_inline if {
	inline := {"objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"mode": "COMPLIANCE", "days": 35}}}
	lock := _fx_lock({"defaultRetention": {"days": 35}}, {})
	doc := _fx_stack([_fx_bucket("records", {"objectLockConfiguration": inline}), lock])
	msgs := stack_deny_s3_phi_object_lock with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, lock.__urn)
}

test_pass_stack_deny_s3_phi_object_lock if {
	lock := _fx_lock({"defaultRetention": {"mode": "GOVERNANCE", "days": 35}}, {})
	doc := _fx_stack([_fx_bucket("records", {}), lock])
	count(stack_deny_s3_phi_object_lock) == 0 with input as doc
}

test_missing_stack_deny_s3_phi_object_lock__rule if {
	lock := _fx_companion("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "records-lock", "records", {"objectLockEnabled": "Enabled"}, {})
	doc := _fx_stack([_fx_bucket("records", {}), lock])
	count(stack_deny_s3_phi_object_lock) == 1 with input as doc
}
