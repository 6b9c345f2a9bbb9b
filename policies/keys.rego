package imekit_hipaa

import rego.v1

# IME-KEY-01..03: the customer-managed keys themselves (164.312(a)(2)(iv), 164.312(a)(1),
# 164.308(a)(7)(ii)(A)).

_key_kind := {
	"aws:kms/key:Key": "KMS key",
	"aws:kms/replicaKey:ReplicaKey": "KMS replica key",
}

# Only symmetric encryption keys can rotate automatically; asymmetric and HMAC keys
# cannot, and are not what encrypts PHI at rest.
_symmetric(k) if _get(k.__properties, "customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"

# A key spec not known until apply may be symmetric: judged as one, never skipped.
_symmetric(k) if _undecidable(_get(k.__properties, "customerMasterKeySpec", null))

default _max_rotation_days := 365

_max_rotation_days := d if {
	d := data.config.deny_kms_key_rotation.maximumRotationPeriodDays
	is_number(d)
}

# METADATA
# title: KMS keys rotate automatically
# description: >-
#   Every symmetric customer-managed KMS key must set enableKeyRotation: true (AWS's default
#   is off), and a rotationPeriodInDays, when set, must not exceed the configured maximum
#   (default 365). Asymmetric and HMAC keys cannot rotate and are not judged.
# custom:
#   control: IME-KEY-01
#   message: Set enable_key_rotation=True (and rotation_period_in_days at most 365).
#   resource_types:
#     - aws:kms/key:Key
deny_kms_key_rotation contains msg if {
	input.__type == "aws:kms/key:Key"
	_symmetric(input)
	not _prop(input, "enableKeyRotation", false) == true
	msg := sprintf("[IME-KEY-01] KMS key %q does not enable automatic rotation (enableKeyRotation is not true)", [input.__name])
}

deny_kms_key_rotation contains msg if {
	input.__type == "aws:kms/key:Key"
	_symmetric(input)
	_prop(input, "enableKeyRotation", false) == true
	days := _prop(input, "rotationPeriodInDays", null)
	is_number(days)
	days > _max_rotation_days
	msg := sprintf("[IME-KEY-01] KMS key %q rotates every %v days, more than the allowed %v", [input.__name, days, _max_rotation_days])
}

default _min_deletion_window := 30

_min_deletion_window := d if {
	d := data.config.deny_kms_deletion_window.minimumDays
	is_number(d)
}

# AWS's own waiting period when none is given.
_aws_default_deletion_window := 30

_deletion_window(k) := _get(k.__properties, "deletionWindowInDays", null)

# METADATA
# title: KMS key deletion window of at least 30 days
# description: >-
#   A customer-managed key scheduled for deletion must stay recoverable for at least the
#   configured number of days (default 30, AWS's maximum). A key without
#   deletionWindowInDays gets AWS's default of 30 days, which passes unless the configured
#   minimum is higher.
# custom:
#   control: IME-KEY-02
#   message: Set deletion_window_in_days=30 on the key.
#   resource_types:
#     - aws:kms/key:Key
#     - aws:kms/replicaKey:ReplicaKey
deny_kms_deletion_window contains msg if {
	input.__type in object.keys(_key_kind)
	days := _deletion_window(input)
	is_number(days)
	days < _min_deletion_window
	msg := sprintf("[IME-KEY-02] %s %q has a deletion window of %v days, less than the required %v", [_key_kind[input.__type], input.__name, days, _min_deletion_window])
}

deny_kms_deletion_window contains msg if {
	input.__type in object.keys(_key_kind)
	_blank(_deletion_window(input))
	_aws_default_deletion_window < _min_deletion_window
	msg := sprintf("[IME-KEY-02] %s %q sets no deletion window, so AWS's default of %v days applies, less than the required %v", [_key_kind[input.__type], input.__name, _aws_default_deletion_window, _min_deletion_window])
}

deny_kms_deletion_window contains msg if {
	input.__type in object.keys(_key_kind)
	days := _deletion_window(input)
	not _blank(days)
	not is_number(days)
	msg := sprintf("[IME-KEY-02] %s %q has a deletion window that is not a known number of days, so it could not be verified", [_key_kind[input.__type], input.__name])
}

# Condition keys that pin a wildcard principal to the organisation's own accounts.
_principal_limiting_keys := {
	"aws:principalaccount",
	"aws:principalarn",
	"aws:principalorgid",
	"aws:principalorgpaths",
	"kms:calleraccount",
	"aws:sourceaccount",
	"aws:sourcearn",
	"aws:sourceorgid",
	"aws:sourceorgpaths",
}

# Operators that pin a key to the values they list. Negated operators (StringNotEquals
# allows every other account), ...IfExists and ForAllValues (both true when the key is
# absent, as aws:PrincipalOrgID is for a principal outside any organisation) and Null do not.
_pinning_operators := {
	"stringequals",
	"stringequalsignorecase",
	"stringlike",
	"arnequals",
	"arnlike",
	"foranyvalue:stringequals",
	"foranyvalue:stringequalsignorecase",
	"foranyvalue:stringlike",
}

# Conditions are ANDed, so one pinning condition limits the whole statement.
_principal_limited(s) if {
	some op, block in _conditions(s)
	_lower(op) in _pinning_operators
	is_object(block)
	some k, v in block
	_lower(k) in _principal_limiting_keys
	values := _as_list(v)
	count(values) > 0
	every x in values {
		_pinning_value(x)
	}
}

# A value that names something: not only wildcards, and, for an ARN, no wildcard in its
# account and a literal resource when the service has no account field (S3).
_pinning_value(x) if {
	is_string(x)
	not regex.match(`^[*?]*$`, x)
	not startswith(x, "arn:")
}

_pinning_value(x) if {
	is_string(x)
	parts := split(x, ":")
	parts[0] == "arn"
	count(parts) >= 6
	not regex.match(`[*?]`, parts[4])
	_arn_names_something(parts)
}

_arn_names_something(parts) if parts[4] != ""

_arn_names_something(parts) if {
	parts[4] == ""
	not regex.match(`^[*?/]*$`, concat(":", array.slice(parts, 5, count(parts))))
}

# Principals the statement cannot name: a wildcard anywhere in Principal ("*",
# {"AWS": "*"}, {"AWS": ["*"]}, {"Service": "*"}, "arn:aws:iam::*:root"), or NotPrincipal,
# which reaches everyone but the principals it lists.
_open_principal(s) if {
	some p in _principal_values(_get(s, "Principal", null))
	contains(p, "*")
}

_open_principal(s) if not _blank(_get(s, "NotPrincipal", null))

_principal_values(p) := [p] if is_string(p)

_principal_values(p) := [v | some _, vs in p; some v in _as_list(vs); is_string(v)] if is_object(p)

_principal_values(p) := [v | some v in p; is_string(v)] if is_array(p)

_input_key_policy := _parsed(_prop(input, "policy", null))

# METADATA
# title: KMS key policies name their principals
# description: >-
#   A key policy must not Allow a wildcard principal ("*", {"AWS": "*"}, a wildcard in any
#   principal) or use NotPrincipal, unless a condition pins it to the organisation's
#   accounts: StringEquals/StringLike/ArnEquals/ArnLike (not negated, not IfExists, not
#   ForAllValues) on aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount, ... with
#   values that are not wildcards. A key without a policy gets AWS's default policy (the
#   account root only), which passes. A policy not known until apply could not be verified
#   and fails.
# custom:
#   control: IME-KEY-03
#   message: >-
#     Name the account root, roles or service principals in the key policy, or add a
#     kms:CallerAccount / aws:PrincipalOrgID condition to any wildcard statement.
#   resource_types:
#     - aws:kms/key:Key
#     - aws:kms/replicaKey:ReplicaKey
deny_kms_wildcard_principal contains msg if {
	input.__type in object.keys(_key_kind)
	doc := _input_key_policy
	doc != null
	some s in _statements(doc)
	is_object(s)
	_get(s, "Effect", "") == "Allow"
	_open_principal(s)
	not _principal_limited(s)
	msg := sprintf("[IME-KEY-03] %s %q has a key policy statement %q that allows any principal (a wildcard principal or NotPrincipal) without a condition pinning it to the organisation's accounts", [_key_kind[input.__type], input.__name, _get(s, "Sid", "(no Sid)")])
}

deny_kms_wildcard_principal contains msg if {
	input.__type in object.keys(_key_kind)
	not _blank(_prop(input, "policy", null))
	_input_key_policy == null
	msg := sprintf("[IME-KEY-03] %s %q has a key policy that is not known until apply or is not a JSON policy document, so it could not be verified", [_key_kind[input.__type], input.__name])
}
