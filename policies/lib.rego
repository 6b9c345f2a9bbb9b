# METADATA
# title: imekit HIPAA Security Rule pack
# description: >-
#   Technical safeguards of the HIPAA Security Rule (45 CFR 164.308-316) for an IME
#   organisation's AWS platform, as Pulumi OPA rules. Every message starts with its
#   control id; the rule name is the check id everywhere in imekit.
# scope: package
package imekit_hipaa

import rego.v1

# Shared helpers. Every name here starts with `_`, so Pulumi's analyzer never mistakes a
# helper for a deny/warn rule (it selects rules by name alone).

# Pulumi's sentinel for a value not known until apply, and the marker imekit writes in
# place of any secret. Neither can be judged: rules treat both as "cannot tell".
_unknown_marker := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_secret_marker := "[secret]"

# --- properties and tags -------------------------------------------------------------

# Properties are read from __properties: a property named `type` or `name` (an EBS
# volume's `type`, a log group's `name`) overwrites the metadata at the top level.
_prop(r, key, fallback) := object.get(r.__properties, key, fallback)

# Provider default tags do not reach a resource's inputs in Pulumi, but the analyzer hands
# rules the provider's own inputs, so a data class set there still counts.
_provider_tags(r) := tags if {
	tags := _object_or_json(r.__provider.properties.defaultTags).tags
	is_object(tags)
} else := {}

# Provider inputs carry nested objects as JSON text; resource inputs as objects.
_object_or_json(v) := v if is_object(v)

_object_or_json(v) := d if {
	is_string(v)
	json.is_valid(v)
	d := json.unmarshal(v)
}

_tags(r) := object.union(_provider_tags(r), tags) if {
	tags := _prop(r, "tags", {})
	is_object(tags)
} else := _provider_tags(r)

_data_classes := {"phi", "logs", "internal"}

# The declared data class, when it is one of the vocabulary.
_data_class(r) := c if {
	c := _tags(r)["data-class"]
	c in _data_classes
}

# A data store without a valid data class is treated as PHI (deny_data_class_tag also
# reports it), so a missing tag can never switch a PHI rule off.
_is_phi(r) if _data_class(r) == "phi"

_is_phi(r) if not _data_class(r)

_class_label(r) := c if c := _data_class(r)

_class_label(r) := "unclassified, treated as phi" if not _data_class(r)

# Stores AWS Backup protects and stack_deny_phi_backup_selection judges.
_backup_store_types := {
	"aws:s3/bucket:Bucket",
	"aws:s3/bucketV2:BucketV2",
	"aws:rds/instance:Instance",
	"aws:rds/cluster:Cluster",
	"aws:ebs/volume:Volume",
	"aws:dynamodb/table:Table",
	"aws:efs/fileSystem:FileSystem",
}

# Types that hold data and so must carry a data class. An EC2 instance holds data on the
# EBS volumes it declares.
_data_store_types := _backup_store_types | {
	"aws:docdb/cluster:Cluster",
	"aws:redshift/cluster:Cluster",
	"aws:opensearch/domain:Domain",
	"aws:elasticsearch/domain:Domain",
	"aws:elasticache/replicationGroup:ReplicationGroup",
	"aws:ec2/instance:Instance",
}

# Types that declare a data class: the stores, and launch templates, whose class is that of
# the volumes of the instances they launch.
_classified_types := _data_store_types | {"aws:ec2/launchTemplate:LaunchTemplate"}

_bucket_types := {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}

_rds_types := {"aws:rds/instance:Instance", "aws:rds/cluster:Cluster"}

_is_phi_bucket(r) if {
	r.__type in _bucket_types
	_is_phi(r)
}

# --- values ----------------------------------------------------------------------------

_blank(v) if v == null

_blank(v) if v == ""

# A value that is present but cannot be judged: unknown until apply, a secret, or (in
# Pulumi's own analyzer) an engine object standing for an unknown.
_undecidable(v) if v == _unknown_marker

_undecidable(v) if v == _secret_marker

_undecidable(v) if {
	is_object(v)
	"Element" in object.keys(v)
}

_known_string(v) if {
	is_string(v)
	v != ""
	not _undecidable(v)
}

# object.get and lower/upper that never fail on a value of the wrong type: Pulumi's
# analyzer (OPA, non-strict builtins) would treat such a call as undefined, regorus raises
# an error, and a rule must behave the same in both.
_get(x, path, fallback) := object.get(x, path, fallback) if {
	is_object(x)
} else := fallback

_lower(x) := lower(x) if {
	is_string(x)
} else := ""

_upper(x) := upper(x) if {
	is_string(x)
} else := ""

_as_list(x) := x if {
	is_array(x)
} else := [x]

# A boolean input given as a bool or a string ("true"), as IAM conditions allow.
_truthy(v) if v == true

_truthy(v) if {
	is_string(v)
	_lower(v) == "true"
}

_num(v) := v if is_number(v)

_num(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+(\.[0-9]+)?$`, v)
}

# --- KMS key references ----------------------------------------------------------------

_kms_key_types := {
	"aws:kms/key:Key",
	"aws:kms/replicaKey:ReplicaKey",
	"aws:kms/externalKey:ExternalKey",
	"aws:kms/replicaExternalKey:ReplicaExternalKey",
	"aws:kms/alias:Alias",
}

_aws_managed_key(v) if regex.match(`(^|:)alias/aws/`, v)

_key_reference_pattern(v) if regex.match(`^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$`, v)

_key_reference_pattern(v) if regex.match(`^alias/.+$`, v)

_key_reference_pattern(v) if regex.match(`^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`, v)

# How far a key property can be judged from the resource alone:
#   missing     - no key: AWS falls back to its AWS-managed key (or none)
#   aws-managed - a literal alias/aws/... key
#   invalid     - a literal that is no KMS key ARN, id or alias
#   undecidable - unknown until apply or secret: judged by the stack rules through
#                 propertyDependencies, never passed
#   cmk         - a literal customer-managed key reference
_key_state(v) := "missing" if {
	_blank(v)
} else := "undecidable" if {
	_undecidable(v)
} else := "invalid" if {
	not is_string(v)
} else := "aws-managed" if {
	_aws_managed_key(v)
} else := "cmk" if {
	_key_reference_pattern(v)
} else := "invalid"

_key_problem(state, aws_default) := sprintf("no KMS key is set, so %s", [aws_default]) if state == "missing"

_key_problem(state, _) := "the key is an AWS-managed key (alias/aws/...), not a customer-managed one" if state == "aws-managed"

_key_problem(state, _) := "the key is not a KMS key ARN, key id or alias" if state == "invalid"

# --- policy documents (IAM, key and bucket policies) -----------------------------------

# Policies arrive as JSON strings (Output.json_dumps, get_policy_document) or as objects.
_policy_doc(v) := d if {
	is_string(v)
	json.is_valid(v)
	d := json.unmarshal(v)
	is_object(d)
}

_policy_doc(v) := v if is_object(v)

# The parsed document, or null when it cannot be read (unknown, secret, not JSON). Parse
# through a rule-level helper when several bodies need it: regorus caches rules per query,
# not function calls.
_parsed(v) := d if {
	d := _policy_doc(v)
} else := null

_statements(d) := d.Statement if is_array(d.Statement)

_statements(d) := [d.Statement] if is_object(d.Statement)

_statements(d) := [] if not d.Statement

_actions(s) := {a | some a in _as_list(_get(s, "Action", []))}

_resources(s) := {a | some a in _as_list(_get(s, "Resource", []))}

# Principal "*", {"AWS": "*"} or a list holding "*".
_wildcard_principal(s) if s.Principal == "*"

_wildcard_principal(s) if {
	is_object(s.Principal)
	"*" in _as_list(_get(s.Principal, "AWS", []))
}

# The values of a condition key under any of the given operators, keys compared
# case-insensitively as IAM does.
_condition_values_for(s, operators, key) := {_lower(sprintf("%v", [x])) |
	some op, block in _conditions(s)
	op in operators
	is_object(block)
	some k, v in block
	_lower(k) == key
	some x in _as_list(v)
}

_conditions(s) := c if {
	c := s.Condition
	is_object(c)
} else := {}

# --- stack helpers (input.resources) -----------------------------------------------------

_deps(r, prop) := _get(r, ["propertyDependencies", prop], [])

_types_by_urn := {r.__urn: r.__type | some r in input.resources}

# Typed lists of the stack's resources. Stack rules iterate these rather than every
# resource, so each costs one pass over the stack, shared by all stack rules when they are
# evaluated in one query.
_stack_of_type(types) := [r | some r in input.resources; r.__type in types]

_stack_buckets := _stack_of_type(_bucket_types)

_stack_phi_buckets := [b | some b in _stack_buckets; _is_phi(b)]

_stack_data_stores := _stack_of_type(_data_store_types)

_stack_backup_stores := _stack_of_type(_backup_store_types)

_stack_rds := _stack_of_type(_rds_types)

_depends_on_type(r, prop, types) if {
	some u in _deps(r, prop)
	_types_by_urn[u] in types
}

# The URN goes last, in parentheses, so the kit attributes a stack finding to it.
_at(r) := sprintf("(%s)", [r.__urn])
