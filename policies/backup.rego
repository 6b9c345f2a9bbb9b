package imekit_hipaa

import rego.v1

# IME-BAK-01..03: contingency plan, data backup and recoverability (164.308(a)(7)(ii)(A),
# 164.308(a)(7)(ii)(B), 164.312(c)(1)).

_selection_type := "aws:backup/selection:Selection"

_selections := _stack_of_type({_selection_type})

_phi_tag_condition(c) if {
	is_object(c)
	_lower(_get(c, "key", "")) in {"aws:resourcetag/data-class", "data-class"}
	_get(c, "value", "") == "phi"
}

# Conditions of a selection that only ever narrow to data-class=phi (or nothing at all).
_conditions_only_phi(sel) if {
	conditions := [c |
		some block in _as_list(_prop(sel, "conditions", []))
		is_object(block)
		some op, entries in block
		some c in _as_list(entries)
	]
	every c in conditions {
		_phi_tag_condition(c)
	}
}

_declared_phi(r) if _data_class(r) == "phi"

_excluded(sel, r) if r.__urn in _deps(sel, "notResources")

# A selection picks the store by dependency on it, by "*" (possibly narrowed to
# data-class=phi, which only a store tagged phi matches), or by its data-class=phi tag.
_selects(sel, r) if r.__urn in _deps(sel, "resources")

_selects(sel, r) if {
	"*" in _as_list(_prop(sel, "resources", []))
	_blank_conditions(sel)
}

_selects(sel, r) if {
	"*" in _as_list(_prop(sel, "resources", []))
	not _blank_conditions(sel)
	_conditions_only_phi(sel)
	_declared_phi(r)
}

_selects(sel, r) if {
	some t in _as_list(_prop(sel, "selectionTags", []))
	is_object(t)
	_upper(_get(t, "type", "")) == "STRINGEQUALS"
	_get(t, "key", "") == "data-class"
	_get(t, "value", "") == "phi"
	_declared_phi(r)
}

_blank_conditions(sel) if count([c |
	some block in _as_list(_prop(sel, "conditions", []))
	is_object(block)
	some _, entries in block
	some c in _as_list(entries)
]) == 0

# Stores picked by dependency, indexed once; "*" and tag selections are few and checked per
# store. Large stacks stay linear.
_selected_by_dependency := {u |
	some sel in _selections
	some u in _deps(sel, "resources")
	not u in _deps(sel, "notResources")
}

_broad(sel) if "*" in _as_list(_prop(sel, "resources", []))

_broad(sel) if count(_as_list(_prop(sel, "selectionTags", []))) > 0

# A broad selection without exclusions covers every store it selects at once: "*" without
# conditions picks everything; a data-class=phi selection every store tagged phi.
_everything_selected if {
	some sel in _selections
	"*" in _as_list(_prop(sel, "resources", []))
	_blank_conditions(sel)
	count(_deps(sel, "notResources")) == 0
}

_declared_phi_selected if {
	some sel in _selections
	_broad(sel)
	count(_deps(sel, "notResources")) == 0
	_selects(sel, {"__urn": "", "__properties": {"tags": {"data-class": "phi"}}, "__provider": {}})
}

# Broad selections with exclusions are judged store by store (they are rare).
_broad_selections_with_exclusions := [sel |
	some sel in _selections
	_broad(sel)
	count(_deps(sel, "notResources")) > 0
]

_backed_up(r) if r.__urn in _selected_by_dependency

_backed_up(_) if _everything_selected

_backed_up(r) if {
	_declared_phi(r)
	_declared_phi_selected
}

_backed_up(r) if {
	some sel in _broad_selections_with_exclusions
	_selects(sel, r)
	not _excluded(sel, r)
}

# METADATA
# title: Every PHI store is in an AWS Backup selection
# description: >-
#   Every PHI or unclassified S3 bucket, RDS instance or cluster, EBS volume, DynamoDB table
#   and EFS file system must be picked by an aws:backup/selection:Selection: through a
#   resources entry that depends on it (propertyDependencies), "*", or a data-class=phi tag
#   condition (which an untagged store does not match), and not excluded by notResources.
# custom:
#   control: IME-BAK-01
#   message: >-
#     Add the store to an aws.backup.Selection (resources=[store.arn]) of a plan, or tag it
#     data-class=phi and select by that tag.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
#     - aws:ebs/volume:Volume
#     - aws:dynamodb/table:Table
#     - aws:efs/fileSystem:FileSystem
#     - aws:backup/selection:Selection
stack_deny_phi_backup_selection contains msg if {
	some r in _stack_backup_stores
	_is_phi(r)
	not _backed_up(r)
	msg := sprintf("[IME-BAK-01] %s %q (data-class %s) is not in any AWS Backup selection %s", [_store_kind(r), r.__name, _class_label(r), _at(r)])
}

_store_kind(r) := k if k := _kind[r.__type]

_store_kind(r) := r.__type if not _kind[r.__type]

default _min_backup_days := 35

_min_backup_days := d if {
	d := data.config.deny_backup_plan_retention.minimumDays
	is_number(d)
}

# [where, deleteAfter] for every lifecycle of a plan: each rule, and each copy it makes.
_plan_lifecycles(p) := [[where, life] |
	some i, rule in _as_list(_prop(p, "rules", []))
	is_object(rule)
	some [where, life] in array.concat(
		[[sprintf("rule %v", [_get(rule, "ruleName", i)]), _get(rule, "lifecycle", null)]],
		[[sprintf("copy %v of rule %v", [j, _get(rule, "ruleName", i)]), _get(c, "lifecycle", null)] |
			some j, c in _as_list(_get(rule, "copyActions", []))
			is_object(c)
		],
	)
]

_input_lifecycles := _plan_lifecycles(input)

# METADATA
# title: Backup plans keep recovery points long enough
# description: >-
#   Every backup plan rule, and every copy it makes, must keep recovery points at least the
#   configured number of days (default 35) when it sets lifecycle.deleteAfter. A rule without
#   deleteAfter keeps recovery points indefinitely, which passes. A value known only at apply
#   could not be verified and fails.
# custom:
#   control: IME-BAK-01
#   message: Set lifecycle.delete_after to at least 35 days (or leave it unset).
#   resource_types:
#     - aws:backup/plan:Plan
deny_backup_plan_retention contains msg if {
	input.__type == "aws:backup/plan:Plan"
	some [where, life] in _input_lifecycles
	is_object(life)
	days := _get(life, "deleteAfter", null)
	is_number(days)
	days < _min_backup_days
	msg := sprintf("[IME-BAK-01] backup plan %q: %s deletes recovery points after %v days, less than the required %v", [input.__name, where, days, _min_backup_days])
}

deny_backup_plan_retention contains msg if {
	input.__type == "aws:backup/plan:Plan"
	some [where, life] in _input_lifecycles
	not _blank(life)
	not is_object(life)
	msg := sprintf("[IME-BAK-01] backup plan %q: %s has a lifecycle not known until apply, so retention could not be verified", [input.__name, where])
}

deny_backup_plan_retention contains msg if {
	input.__type == "aws:backup/plan:Plan"
	some [where, life] in _input_lifecycles
	is_object(life)
	days := _get(life, "deleteAfter", null)
	not _blank(days)
	not is_number(days)
	msg := sprintf("[IME-BAK-01] backup plan %q: %s has a deleteAfter not known until apply, so retention could not be verified", [input.__name, where])
}

# --- IME-BAK-02: vault lock --------------------------------------------------------------------

_vault_lock_type := "aws:backup/vaultLockConfiguration:VaultLockConfiguration"

default _require_compliance_mode := false

_require_compliance_mode := v if {
	v := data.config.stack_deny_backup_vault_lock.requireComplianceMode
	is_boolean(v)
}

_lock_gap(l) := "minRetentionDays is not set, so recovery points can be deleted at any age" if {
	not is_number(_prop(l, "minRetentionDays", null))
}

_lock_gap(l) := "changeableForDays is not set, so the lock stays in governance mode and privileged users can remove it" if {
	_require_compliance_mode
	not is_number(_prop(l, "changeableForDays", null))
}

_stack_vault_locks := _stack_of_type({_vault_lock_type})

_locked_vaults := {u |
	some l in _stack_vault_locks
	some u in _deps(l, "backupVaultName")
}

# METADATA
# title: Backup vaults are locked
# description: >-
#   Every aws:backup/vault:Vault must have a VaultLockConfiguration joined to it through
#   propertyDependencies (`backup_vault_name=vault.name`) that sets minRetentionDays, so no
#   one can delete recovery points early. With requireComplianceMode configured, the lock
#   must also set changeableForDays (compliance mode, immutable after the grace period).
# custom:
#   control: IME-BAK-02
#   message: >-
#     Add aws.backup.VaultLockConfiguration(backup_vault_name=vault.name,
#     min_retention_days=35, max_retention_days=..., changeable_for_days=3).
#   resource_types:
#     - aws:backup/vault:Vault
#     - aws:backup/vaultLockConfiguration:VaultLockConfiguration
stack_deny_backup_vault_lock contains msg if {
	some v in _stack_of_type({"aws:backup/vault:Vault"})
	not v.__urn in _locked_vaults
	msg := sprintf("[IME-BAK-02] backup vault %q has no vault lock joined to it, so recovery points can be deleted %s", [v.__name, _at(v)])
}

stack_deny_backup_vault_lock contains msg if {
	some l in _stack_vault_locks
	some u in _deps(l, "backupVaultName")
	v := _resources_by_urn[u]
	v.__type == "aws:backup/vault:Vault"
	gap := _lock_gap(l)
	msg := sprintf("[IME-BAK-02] backup vault %q: vault lock %q: %s %s", [v.__name, l.__name, gap, _at(l)])
}

# --- IME-BAK-03: database recoverability --------------------------------------------------------

default _min_rds_backup_days := 7

_min_rds_backup_days := d if {
	d := data.config.deny_rds_backup_retention.minimumDays
	is_number(d)
}

# METADATA
# title: PHI databases keep automated backups long enough
# description: >-
#   A PHI or unclassified RDS instance or cluster must keep automated backups (point-in-time
#   recovery) at least the configured number of days (default 7). Without
#   backupRetentionPeriod AWS keeps 1 day, which fails.
# custom:
#   control: IME-BAK-03
#   message: Set backup_retention_period=7 (or more).
#   resource_types:
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
deny_rds_backup_retention contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	days := _prop(input, "backupRetentionPeriod", 1)
	not _number_at_least(days, _min_rds_backup_days)
	msg := sprintf("[IME-BAK-03] %s %q (data-class %s) keeps automated backups %v days, less than the required %v (AWS's default is 1)", [_kind[input.__type], input.__name, _class_label(input), _shown(days), _min_rds_backup_days])
}

# METADATA
# title: PHI databases are protected from deletion
# description: >-
#   A PHI or unclassified RDS instance or cluster must set deletionProtection: true; AWS's
#   default is off, so one API call deletes the database.
# custom:
#   control: IME-BAK-03
#   message: Set deletion_protection=True.
#   resource_types:
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
deny_rds_deletion_protection contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	not _prop(input, "deletionProtection", false) == true
	msg := sprintf("[IME-BAK-03] %s %q (data-class %s) does not set deletionProtection: true", [_kind[input.__type], input.__name, _class_label(input)])
}
