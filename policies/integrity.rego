package imekit_hipaa

import rego.v1

# IME-INT-01: integrity of PHI (164.312(c)(1), 164.312(c)(2)). Versions keep every
# overwritten or deleted object recoverable; Object Lock keeps them from being destroyed.

_versioning_types := {
	"aws:s3/bucketVersioning:BucketVersioning",
	"aws:s3/bucketVersioningV2:BucketVersioningV2",
}

_object_lock_types := {
	"aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
}

_inline_versioning(b) := [v] if {
	b.__type == "aws:s3/bucket:Bucket"
	v := _prop(b, "versioning", null)
	not _blank(v)
}

_inline_versioning(b) := _as_list(_prop(b, "versionings", [])) if b.__type == "aws:s3/bucketV2:BucketV2"

_has_inline_versioning(b) if count(_inline_versioning(b)) > 0

# Object Lock switches versioning on for good: such a bucket is versioned whatever else says.
_object_lock_enabled_on_bucket(b) if _prop(b, "objectLockEnabled", false) == true

_object_lock_enabled_on_bucket(b) if _get(_prop(b, "objectLockConfiguration", {}), "objectLockEnabled", "") == "Enabled"

# METADATA
# title: PHI buckets keep object versions (inline versioning)
# description: >-
#   A PHI or unclassified S3 bucket that configures versioning inline (`versioning` on
#   Bucket, `versionings` on BucketV2) must enable it. Buckets without inline versioning are
#   judged by stack_deny_s3_phi_versioning. Object Lock enables versioning for good, so a
#   bucket created with objectLockEnabled passes.
# custom:
#   control: IME-INT-01
#   message: Enable versioning on the bucket (aws.s3.BucketVersioning with status "Enabled").
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
deny_s3_phi_versioning contains msg if {
	_is_phi_bucket(input)
	not _object_lock_enabled_on_bucket(input)
	some v in _inline_versioning(input)
	not _enabled_block(v)
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s) configures versioning inline without enabling it", [input.__name, _class_label(input)])
}

_enabled_block(v) if {
	is_object(v)
	_get(v, "enabled", false) == true
}

_stack_versionings := _stack_of_type(_versioning_types)

_versioned_buckets := {u |
	some v in _stack_versionings
	_get(_prop(v, "versioningConfiguration", {}), "status", "") == "Enabled"
	some u in _deps(v, "bucket")
}

_versioning_resources_buckets := {u |
	some v in _stack_versionings
	some u in _deps(v, "bucket")
}

# METADATA
# title: PHI buckets keep object versions (separate versioning resource)
# description: >-
#   Every PHI or unclassified S3 bucket without inline versioning and without Object Lock
#   must have an aws:s3/bucketVersioning:BucketVersioning (or V2) joined to it through
#   propertyDependencies (`bucket=bucket.id`) with versioningConfiguration.status "Enabled".
#   S3's default is unversioned, so an overwrite or delete destroys PHI. A separate
#   versioning resource is judged even when the bucket also sets an inline block: at apply
#   one replaces the other.
# custom:
#   control: IME-INT-01
#   message: >-
#     Add aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={"status":
#     "Enabled"}).
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketVersioning:BucketVersioning
#     - aws:s3/bucketVersioningV2:BucketVersioningV2
stack_deny_s3_phi_versioning contains msg if {
	some b in _stack_phi_buckets
	not _has_inline_versioning(b)
	not _object_lock_enabled_on_bucket(b)
	not b.__urn in _versioning_resources_buckets
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s) has no versioning joined to it, so overwrites and deletes destroy PHI %s", [b.__name, _class_label(b), _at(b)])
}

stack_deny_s3_phi_versioning contains msg if {
	some v in _stack_versionings
	some u in _deps(v, "bucket")
	b := _resources_by_urn[u]
	_is_phi_bucket(b)
	not _object_lock_enabled_on_bucket(b)
	not u in _versioned_buckets
	status := _get(_prop(v, "versioningConfiguration", {}), "status", null)
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s): versioning %q has status %v, not Enabled %s", [b.__name, _class_label(b), v.__name, _shown(status), _at(v)])
}

# --- Object Lock ------------------------------------------------------------------------------

_lock_modes := {"GOVERNANCE", "COMPLIANCE"}

# The default retention of an inline or separate object lock configuration.
_default_retention_mode(cfg) := _get(cfg, ["rule", "defaultRetention", "mode"], null) if {
	is_object(_get(cfg, "rule", null))
}

_default_retention_mode(cfg) := _get(r, ["defaultRetentions", 0, "mode"], null) if {
	some r in _as_list(_get(cfg, "rules", []))
	is_object(r)
}

_retains(cfg) if _default_retention_mode(cfg) in _lock_modes

_inline_lock(b) := cfg if {
	cfg := _prop(b, "objectLockConfiguration", null)
	is_object(cfg)
}

# METADATA
# title: PHI buckets lock objects by default (inline configuration)
# description: >-
#   A PHI or unclassified S3 bucket that configures Object Lock inline must enable it and set
#   a default retention in GOVERNANCE or COMPLIANCE mode, so no one can destroy a version
#   before it expires. Buckets without an inline configuration are judged by
#   stack_deny_s3_phi_object_lock.
# custom:
#   control: IME-INT-01
#   message: >-
#     Create the bucket with object_lock_enabled=True and add
#     aws.s3.BucketObjectLockConfiguration with a default retention (mode GOVERNANCE or
#     COMPLIANCE).
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
deny_s3_phi_object_lock contains msg if {
	_is_phi_bucket(input)
	cfg := _inline_lock(input)
	not _inline_lock_complete(input, cfg)
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s) configures Object Lock inline without enabling it with a default retention mode (GOVERNANCE or COMPLIANCE)", [input.__name, _class_label(input)])
}

deny_s3_phi_object_lock contains msg if {
	_is_phi_bucket(input)
	_prop(input, "objectLockEnabled", null) == false
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s) sets objectLockEnabled to false", [input.__name, _class_label(input)])
}

_inline_lock_complete(b, cfg) if {
	_object_lock_enabled_on_bucket(b)
	_retains(cfg)
}

_stack_object_locks := _stack_of_type(_object_lock_types)

_locked_buckets := {u |
	some c in _stack_object_locks
	_retains(_properties_of(c))
	_get(_properties_of(c), "objectLockEnabled", "Enabled") == "Enabled"
	some u in _deps(c, "bucket")
}

_properties_of(r) := r.__properties

_lock_resources_buckets := {u |
	some c in _stack_object_locks
	some u in _deps(c, "bucket")
}

# METADATA
# title: PHI buckets lock objects by default (separate configuration)
# description: >-
#   Every PHI or unclassified S3 bucket without an inline Object Lock configuration must have
#   an aws:s3/bucketObjectLockConfiguration (or V2) joined to it through propertyDependencies
#   (`bucket=bucket.id`), enabled, with a default retention in GOVERNANCE or COMPLIANCE mode.
#   S3's default is no lock. A separate configuration is judged even when the bucket also
#   sets an inline one: at apply one replaces the other.
# custom:
#   control: IME-INT-01
#   message: >-
#     Add aws.s3.BucketObjectLockConfiguration(bucket=bucket.id, rule={"default_retention":
#     {"mode": "GOVERNANCE", "days": 35}}).
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration
#     - aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2
stack_deny_s3_phi_object_lock contains msg if {
	some b in _stack_phi_buckets
	not _inline_lock(b)
	not b.__urn in _lock_resources_buckets
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s) has no Object Lock configuration joined to it, so versions can be destroyed %s", [b.__name, _class_label(b), _at(b)])
}

stack_deny_s3_phi_object_lock contains msg if {
	some c in _stack_object_locks
	some u in _deps(c, "bucket")
	b := _resources_by_urn[u]
	_is_phi_bucket(b)
	not u in _locked_buckets
	msg := sprintf("[IME-INT-01] S3 bucket %q (data-class %s): Object Lock configuration %q is not enabled with a default retention mode (GOVERNANCE or COMPLIANCE) %s", [b.__name, _class_label(b), c.__name, _at(c)])
}
