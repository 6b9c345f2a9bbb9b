package imekit_hipaa

import rego.v1

# Test fixtures shaped exactly like the documents Pulumi's OPA analyzer builds
# (buildOPAInput / buildStackOPAInput): metadata first, every property overlaid at the top
# level, then the collision-safe __ copies. Helper names start with `_` so the analyzer
# never selects them as rules.

_fx_options := {
	"protect": false,
	"ignoreChanges": null,
	"deleteBeforeReplace": false,
	"additionalSecretOutputs": null,
	"aliasURNs": null,
	"aliases": null,
	"customTimeouts": {"create": 0, "update": 0, "delete": 0},
	"parent": "",
}

_fx_urn(type_, name) := sprintf("urn:pulumi:test::ime-platform::%s::%s", [type_, name])

# A per-resource input document.
_fx(type_, name, props) := object.union(
	object.union(
		{
			"type": type_, "urn": _fx_urn(type_, name), "name": name,
			"options": _fx_options, "provider": {}, "properties": props,
		},
		props,
	),
	{
		"__type": type_, "__urn": _fx_urn(type_, name), "__name": name,
		"__options": _fx_options, "__provider": {}, "__properties": props,
	},
)

# A stack-scope document: the same plus dependencies and propertyDependencies.
_fxs(type_, name, props, property_deps) := object.union(_fx(type_, name, props), {
	"dependencies": [u | some urns in property_deps; some u in urns],
	"propertyDependencies": property_deps,
})

_fx_stack(resources) := {"resources": resources}

_fx_phi_tags := {"data-class": "phi", "component": "records"}

_fx_logs_tags := {"data-class": "logs", "component": "audit"}

_fx_internal_tags := {"data-class": "internal", "component": "app"}

_fx_key_arn := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

_fx_key := _fxs("aws:kms/key:Key", "phi-key", {
	"enableKeyRotation": true,
	"deletionWindowInDays": 30,
	"tags": {"component": "keys"},
}, {})

_fx_key_urn := _fx_urn("aws:kms/key:Key", "phi-key")

_fx_bucket_urn(name) := _fx_urn("aws:s3/bucket:Bucket", name)

# A PHI bucket (no inline blocks) with the given extra properties.
_fx_bucket(name, extra) := _fxs("aws:s3/bucket:Bucket", name, object.union(
	{"bucket": name, "tags": _fx_phi_tags, "objectLockEnabled": true},
	extra,
), {"tags": []})

# A companion resource joined to a bucket through propertyDependencies, as a program
# writing `bucket=bucket.id` produces.
_fx_companion(type_, name, bucket_name, props, extra_deps) := _fxs(
	type_, name,
	object.union({"bucket": _unknown_marker}, props),
	object.union({"bucket": [_fx_bucket_urn(bucket_name)]}, extra_deps),
)

# Messages must carry their control id first; tests check it with this.
_fx_all_start_with(msgs, control) if {
	count(msgs) > 0
	every m in msgs {
		startswith(m, sprintf("[%s] ", [control]))
	}
}

# The URN a stack message names, as the kit parses it.
_fx_names_urn(msgs, urn) if {
	some m in msgs
	endswith(m, sprintf("(%s)", [urn]))
}
