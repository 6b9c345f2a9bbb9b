package imekit_hipaa

import rego.v1

_fx_admin_statement := {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}

_fx_read_records := {"Sid": "ReadRecords", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::records/*"}

_fx_mfa_deny := {
	"Sid": "DenyWithoutMfa", "Effect": "Deny",
	"NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "sts:GetSessionToken"],
	"Resource": "*",
	"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}

_fx_service_trust := _fx_policy([{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}])

_fx_people_trust := _fx_policy([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}])

_fx_people_mfa_trust := _fx_policy([{
	"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
	"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
}])

# --- deny_iam_admin_wildcard_policy ---------------------------------------------------------

test_fail_deny_iam_admin_wildcard_policy__star_on_star if {
	p := _fx("aws:iam/policy:Policy", "ops", {"policy": _fx_policy([_fx_read_records, _fx_admin_statement])})
	msgs := deny_iam_admin_wildcard_policy with input as p
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-01")
}

test_fail_deny_iam_admin_wildcard_policy__role_inline_object_statement if {
	role := _fx("aws:iam/role:Role", "ops", {"inlinePolicies": [{"name": "all", "policy": {"Statement": {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}}}]})
	count(deny_iam_admin_wildcard_policy) == 1 with input as role
}

test_fail_deny_iam_admin_wildcard_policy__not_action if {
	p := _fx("aws:iam/rolePolicy:RolePolicy", "power", {"policy": _fx_policy([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])})
	count(deny_iam_admin_wildcard_policy) == 1 with input as p
}

test_fail_deny_iam_admin_wildcard_policy__administrator_access if {
	a := _fx("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ops-admin", {"role": "ops", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})
	count(deny_iam_admin_wildcard_policy) == 1 with input as a
}

test_fail_deny_iam_admin_wildcard_policy__power_user_access if {
	role := _fx("aws:iam/role:Role", "ops", {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]})
	msgs := deny_iam_admin_wildcard_policy with input as role
	count(msgs) == 1
	some m in msgs
	contains(m, "PowerUserAccess")
}

test_fail_deny_iam_admin_wildcard_policy__unknown_document if {
	p := _fx("aws:iam/policy:Policy", "ops", {"policy": _unknown_marker})
	msgs := deny_iam_admin_wildcard_policy with input as p
	count(msgs) == 1
	some m in msgs
	contains(m, "could not be verified")
}

test_fail_deny_iam_admin_wildcard_policy__every_resource_spelled_otherwise if {
	not_resource := _fx("aws:iam/policy:Policy", "ops", {"policy": _fx_policy([{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit/*"}])})
	count(deny_iam_admin_wildcard_policy) == 1 with input as not_resource
	wildcard_arn := _fx("aws:iam/policy:Policy", "ops", {"policy": _fx_policy([{"Effect": "Allow", "Action": ["*"], "Resource": "arn:aws:*:*:*:*"}])})
	count(deny_iam_admin_wildcard_policy) == 1 with input as wildcard_arn
	not_both := _fx("aws:iam/groupPolicy:GroupPolicy", "ops", {"policy": _fx_policy([{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::audit"}])})
	count(deny_iam_admin_wildcard_policy) == 1 with input as not_both
}

test_pass_deny_iam_admin_wildcard_policy__every_action_on_one_service if {
	s3 := _fx("aws:iam/policy:Policy", "s3", {"policy": _fx_policy([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"}])})
	count(deny_iam_admin_wildcard_policy) == 0 with input as s3
}

test_pass_deny_iam_admin_wildcard_policy if {
	p := _fx("aws:iam/policy:Policy", "reader", {"policy": _fx_policy([_fx_read_records, {"Effect": "Deny", "Action": "*", "Resource": "*"}])})
	count(deny_iam_admin_wildcard_policy) == 0 with input as p
}

test_pass_deny_iam_admin_wildcard_policy__read_only_attachment if {
	a := _fx("aws:iam/role:Role", "auditor", {"managedPolicyArns": ["arn:aws:iam::aws:policy/SecurityAudit"]})
	count(deny_iam_admin_wildcard_policy) == 0 with input as a
}

test_missing_deny_iam_admin_wildcard_policy__policy if {
	doc := _fx("aws:iam/role:Role", "app", {"assumeRolePolicy": _fx_service_trust})
	count(deny_iam_admin_wildcard_policy) == 0 with input as doc
}

# --- deny_iam_user_attached_policy ----------------------------------------------------------

test_fail_deny_iam_user_attached_policy__user_policy if {
	doc := _fx("aws:iam/userPolicy:UserPolicy", "alice-inline", {"user": "alice", "policy": _fx_policy([_fx_read_records])})
	msgs := deny_iam_user_attached_policy with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-01")
}

test_fail_deny_iam_user_attached_policy__policy_attachment_users if {
	doc := _fx("aws:iam/policyAttachment:PolicyAttachment", "readers", {"policyArn": "arn:aws:iam::123456789012:policy/read", "users": ["alice"]})
	count(deny_iam_user_attached_policy) == 1 with input as doc
}

test_fail_deny_iam_user_attached_policy__exclusive_set if {
	doc := _fx("aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "alice-set", {"userName": "alice", "policyArns": ["arn:aws:iam::123456789012:policy/read"]})
	count(deny_iam_user_attached_policy) == 1 with input as doc
}

test_pass_deny_iam_user_attached_policy__groups_only if {
	doc := _fx("aws:iam/policyAttachment:PolicyAttachment", "readers", {"policyArn": "arn:aws:iam::123456789012:policy/read", "groups": ["readers"], "users": []})
	count(deny_iam_user_attached_policy) == 0 with input as doc
}

test_missing_deny_iam_user_attached_policy__users if {
	doc := _fx("aws:iam/policyAttachment:PolicyAttachment", "readers", {"policyArn": "arn:aws:iam::123456789012:policy/read", "roles": ["app"]})
	count(deny_iam_user_attached_policy) == 0 with input as doc
}

# --- deny_phi_access_without_mfa ------------------------------------------------------------

test_fail_deny_phi_access_without_mfa__policy_without_guard if {
	p := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_records])})
	msgs := deny_phi_access_without_mfa with input as p
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-02")
}

test_fail_deny_phi_access_without_mfa__bool_deny_misses_access_keys if {
	weak := object.union(object.remove(_fx_mfa_deny, {"Condition"}), {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
	p := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_records, weak])})
	count(deny_phi_access_without_mfa) == 1 with input as p
}

test_fail_deny_phi_access_without_mfa__role_people_trust if {
	role := _fx("aws:iam/role:Role", "examiner", {"tags": _fx_phi_tags, "assumeRolePolicy": _fx_people_trust})
	count(deny_phi_access_without_mfa) == 1 with input as role
}

test_fail_deny_phi_access_without_mfa__unknown_document if {
	p := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _unknown_marker})
	count(deny_phi_access_without_mfa) == 1 with input as p
}

_fx_phi_policy(statements) := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _fx_policy(statements)})

_fx_mfa_deny_with(changes) := object.union(_fx_mfa_deny, changes)

# A Deny that leaves some of what the Allow grants reachable without MFA.
test_fail_deny_phi_access_without_mfa__deny_misses_the_resources if {
	other := _fx_phi_policy([_fx_read_records, _fx_mfa_deny_with({"Resource": "arn:aws:s3:::other/*"})])
	count(deny_phi_access_without_mfa) == 1 with input as other
	not_resource := _fx_phi_policy([_fx_read_records, object.union(object.remove(_fx_mfa_deny, {"Resource"}), {"NotResource": "arn:aws:s3:::records/*"})])
	count(deny_phi_access_without_mfa) == 1 with input as not_resource
}

test_fail_deny_phi_access_without_mfa__deny_misses_the_actions if {
	excluded := _fx_phi_policy([_fx_read_records, _fx_mfa_deny_with({"NotAction": ["s3:Get*", "sts:GetSessionToken"]})])
	count(deny_phi_access_without_mfa) == 1 with input as excluded
	other := _fx_phi_policy([_fx_read_records, object.union(object.remove(_fx_mfa_deny, {"NotAction"}), {"Action": "dynamodb:*"})])
	count(deny_phi_access_without_mfa) == 1 with input as other
	everything := _fx_phi_policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}, object.union(object.remove(_fx_mfa_deny, {"NotAction"}), {"Action": "s3:*"})])
	count(deny_phi_access_without_mfa) == 1 with input as everything
}

# Conditions are ANDed: a second one lets requests that do not meet it through without MFA
# (object.union merges these into the guard's BoolIfExists condition).
test_fail_deny_phi_access_without_mfa__deny_narrowed_by_another_condition if {
	region := _fx_phi_policy([_fx_read_records, _fx_mfa_deny_with({"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})])
	count(deny_phi_access_without_mfa) == 1 with input as region
	absent_only := _fx_phi_policy([_fx_read_records, _fx_mfa_deny_with({"Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}})])
	count(deny_phi_access_without_mfa) == 1 with input as absent_only
}

test_pass_deny_phi_access_without_mfa__deny_covering_exactly if {
	same := _fx_phi_policy([_fx_read_records, object.union(object.remove(_fx_mfa_deny, {"NotAction"}), {"Action": "s3:*", "Resource": ["arn:aws:s3:::records*"]})])
	count(deny_phi_access_without_mfa) == 0 with input as same
	null_check := _fx_phi_policy([_fx_read_records, object.union(object.remove(_fx_mfa_deny, {"Condition"}), {"Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}})])
	count(deny_phi_access_without_mfa) == 0 with input as null_check
}

test_pass_deny_phi_access_without_mfa__mfa_age_and_admin_bootstrap if {
	age := _fx_phi_policy([object.union(_fx_read_records, {"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})])
	count(deny_phi_access_without_mfa) == 0 with input as age
	everything := _fx_phi_policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}, _fx_mfa_deny_with({"NotAction": ["iam:*MFA*", "sts:GetSessionToken"]})])
	count(deny_phi_access_without_mfa) == 0 with input as everything
}

# A deny in one inline policy of a role guards the others: IAM applies every policy of the
# principal.
test_pass_deny_phi_access_without_mfa__role_deny_in_another_inline_policy if {
	role := _fx("aws:iam/role:Role", "examiner", {"tags": _fx_phi_tags, "assumeRolePolicy": _fx_people_trust, "inlinePolicies": [
		{"name": "read", "policy": _fx_policy([_fx_read_records])},
		{"name": "mfa", "policy": _fx_policy([_fx_mfa_deny])},
	]})
	count(deny_phi_access_without_mfa) == 0 with input as role
}

test_pass_deny_phi_access_without_mfa__deny_guard if {
	p := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_records, _fx_mfa_deny])})
	count(deny_phi_access_without_mfa) == 0 with input as p
}

test_pass_deny_phi_access_without_mfa__allow_requires_mfa if {
	statement := object.union(_fx_read_records, {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}}})
	p := _fx("aws:iam/policy:Policy", "phi-readers", {"tags": _fx_phi_tags, "policy": _fx_policy([statement])})
	count(deny_phi_access_without_mfa) == 0 with input as p
}

test_pass_deny_phi_access_without_mfa__role_trust_requires_mfa if {
	role := _fx("aws:iam/role:Role", "examiner", {"tags": _fx_phi_tags, "assumeRolePolicy": _fx_people_mfa_trust, "inlinePolicies": [{"name": "read", "policy": _fx_policy([_fx_read_records])}]})
	count(deny_phi_access_without_mfa) == 0 with input as role
}

test_pass_deny_phi_access_without_mfa__service_role if {
	role := _fx("aws:iam/role:Role", "backup", {"tags": _fx_phi_tags, "assumeRolePolicy": _fx_service_trust})
	count(deny_phi_access_without_mfa) == 0 with input as role
}

# Untagged IAM resources are not declared PHI access; the stack rule judges them by what
# they reach.
test_missing_deny_phi_access_without_mfa__tags if {
	doc := _fx("aws:iam/policy:Policy", "readers", {"policy": _fx_policy([_fx_read_records])})
	count(deny_phi_access_without_mfa) == 0 with input as doc
}

# --- stack_deny_phi_access_without_mfa ------------------------------------------------------

_fx_records := _fx_bucket("records", {})

_fx_reading_policy(name, policy) := _fxs("aws:iam/policy:Policy", name, {"policy": policy}, {"policy": [_fx_bucket_urn("records")]})

test_fail_stack_deny_phi_access_without_mfa__policy_reaching_phi_bucket if {
	p := _fx_reading_policy("records-read", _unknown_marker)
	doc := _fx_stack([_fx_records, p])
	msgs := stack_deny_phi_access_without_mfa with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-02")
	_fx_names_urn(msgs, p.__urn)
}

test_fail_stack_deny_phi_access_without_mfa__role_policy_of_people_role if {
	role := _fxs("aws:iam/role:Role", "examiner", {"assumeRolePolicy": _fx_people_trust}, {})
	rp := _fxs("aws:iam/rolePolicy:RolePolicy", "examiner-read", {"role": _unknown_marker, "policy": _unknown_marker}, {"role": [role.__urn], "policy": [_fx_bucket_urn("records")]})
	doc := _fx_stack([_fx_records, role, rp])
	count(stack_deny_phi_access_without_mfa) == 1 with input as doc
}

test_fail_stack_deny_phi_access_without_mfa__policy_attached_to_people if {
	p := _fx_reading_policy("records-read", _fx_policy([_fx_read_records]))
	role := _fxs("aws:iam/role:Role", "examiner", {"assumeRolePolicy": _fx_people_trust}, {})
	a := _fxs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "examiner-read", {"role": _unknown_marker, "policyArn": _unknown_marker}, {"role": [role.__urn], "policyArn": [p.__urn]})
	doc := _fx_stack([_fx_records, p, role, a])
	count(stack_deny_phi_access_without_mfa) == 1 with input as doc
}

test_pass_stack_deny_phi_access_without_mfa__guarded if {
	p := _fx_reading_policy("records-read", _fx_policy([_fx_read_records, _fx_mfa_deny]))
	doc := _fx_stack([_fx_records, p])
	count(stack_deny_phi_access_without_mfa) == 0 with input as doc
}

test_pass_stack_deny_phi_access_without_mfa__service_role_only if {
	p := _fx_reading_policy("records-backup", _fx_policy([_fx_read_records]))
	role := _fxs("aws:iam/role:Role", "backup", {"assumeRolePolicy": _fx_service_trust}, {})
	a := _fxs("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "backup-read", {"role": _unknown_marker, "policyArn": _unknown_marker}, {"role": [role.__urn], "policyArn": [p.__urn]})
	doc := _fx_stack([_fx_records, p, role, a])
	count(stack_deny_phi_access_without_mfa) == 0 with input as doc
}

test_pass_stack_deny_phi_access_without_mfa__logs_bucket if {
	logs := _fxs("aws:s3/bucket:Bucket", "trail-logs", {"tags": _fx_logs_tags}, {})
	p := _fxs("aws:iam/policy:Policy", "logs-read", {"policy": _unknown_marker}, {"policy": [logs.__urn]})
	doc := _fx_stack([logs, p])
	count(stack_deny_phi_access_without_mfa) == 0 with input as doc
}

# Without a dependency on a PHI store, nothing shows the policy grants PHI access.
test_missing_stack_deny_phi_access_without_mfa__property_dependencies if {
	p := _fxs("aws:iam/policy:Policy", "records-read", {"policy": _fx_policy([_fx_read_records])}, {})
	doc := _fx_stack([_fx_records, p])
	count(stack_deny_phi_access_without_mfa) == 0 with input as doc
	tagged := _fxs("aws:iam/policy:Policy", "records-read", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_records])}, {})
	count(deny_phi_access_without_mfa) == 1 with input as tagged
}

# --- deny_cognito_mfa -----------------------------------------------------------------------

test_fail_deny_cognito_mfa__optional if {
	doc := _fx("aws:cognito/userPool:UserPool", "portal-users", {"mfaConfiguration": "OPTIONAL"})
	msgs := deny_cognito_mfa with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-02")
}

test_pass_deny_cognito_mfa if {
	doc := _fx("aws:cognito/userPool:UserPool", "portal-users", {"mfaConfiguration": "ON", "softwareTokenMfaConfiguration": {"enabled": true}})
	count(deny_cognito_mfa) == 0 with input as doc
}

test_missing_deny_cognito_mfa__mfa_configuration if {
	doc := _fx("aws:cognito/userPool:UserPool", "portal-users", {"name": "portal"})
	count(deny_cognito_mfa) == 1 with input as doc
}

# --- deny_iam_password_policy ---------------------------------------------------------------

_fx_strong_iam_password := {
	"minimumPasswordLength": 14, "passwordReusePrevention": 24,
	"requireLowercaseCharacters": true, "requireUppercaseCharacters": true,
	"requireNumbers": true, "requireSymbols": true, "allowUsersToChangePassword": true,
}

test_fail_deny_iam_password_policy__short if {
	doc := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", object.union(_fx_strong_iam_password, {"minimumPasswordLength": 8}))
	msgs := deny_iam_password_policy with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-03")
	some m in msgs
	contains(m, "minimumPasswordLength is 8")
}

test_fail_deny_iam_password_policy__configured_max_age if {
	policy := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", _fx_strong_iam_password)
	count(deny_iam_password_policy) == 1 with input as policy with data.config.deny_iam_password_policy.maximumPasswordAgeDays as 90
}

test_pass_deny_iam_password_policy if {
	doc := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", _fx_strong_iam_password)
	count(deny_iam_password_policy) == 0 with input as doc
}

test_pass_deny_iam_password_policy__configured_length if {
	policy := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", object.union(_fx_strong_iam_password, {"minimumPasswordLength": 12}))
	count(deny_iam_password_policy) == 0 with input as policy with data.config.deny_iam_password_policy.minimumLength as 12
}

test_missing_deny_iam_password_policy__require_symbols if {
	doc := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", object.remove(_fx_strong_iam_password, {"requireSymbols"}))
	msgs := deny_iam_password_policy with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "requireSymbols")
}

test_missing_deny_iam_password_policy__minimum_password_length if {
	doc := _fx("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", object.remove(_fx_strong_iam_password, {"minimumPasswordLength"}))
	count(deny_iam_password_policy) == 1 with input as doc
}

# --- deny_cognito_password_policy -----------------------------------------------------------

_fx_strong_cognito_password := {
	"minimumLength": 14, "requireLowercase": true, "requireUppercase": true,
	"requireNumbers": true, "requireSymbols": true, "temporaryPasswordValidityDays": 3,
}

test_fail_deny_cognito_password_policy__no_symbols if {
	pool := _fx("aws:cognito/userPool:UserPool", "portal-users", {"passwordPolicy": object.union(_fx_strong_cognito_password, {"requireSymbols": false})})
	msgs := deny_cognito_password_policy with input as pool
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-IAM-03")
}

test_fail_deny_cognito_password_policy__long_temporary_password if {
	pool := _fx("aws:cognito/userPool:UserPool", "portal-users", {"passwordPolicy": object.union(_fx_strong_cognito_password, {"temporaryPasswordValidityDays": 30})})
	count(deny_cognito_password_policy) == 1 with input as pool
}

test_pass_deny_cognito_password_policy if {
	pool := _fx("aws:cognito/userPool:UserPool", "portal-users", {"passwordPolicy": _fx_strong_cognito_password})
	count(deny_cognito_password_policy) == 0 with input as pool
}

test_missing_deny_cognito_password_policy__password_policy if {
	doc := _fx("aws:cognito/userPool:UserPool", "portal-users", {"mfaConfiguration": "ON"})
	count(deny_cognito_password_policy) == 1 with input as doc
}

test_missing_deny_cognito_password_policy__minimum_length if {
	pool := _fx("aws:cognito/userPool:UserPool", "portal-users", {"passwordPolicy": object.remove(_fx_strong_cognito_password, {"minimumLength"})})
	count(deny_cognito_password_policy) == 1 with input as pool
}

# Every data store counts, not only buckets and RDS.
test_fail_stack_deny_phi_access_without_mfa__policy_reaching_other_stores if {
	every type_ in [
		"aws:docdb/cluster:Cluster",
		"aws:redshift/cluster:Cluster",
		"aws:opensearch/domain:Domain",
		"aws:elasticsearch/domain:Domain",
		"aws:elasticache/replicationGroup:ReplicationGroup",
		"aws:ec2/instance:Instance",
	] {
		store := _fxs(type_, "store", {"tags": _fx_phi_tags}, {})
		p := _fxs("aws:iam/policy:Policy", "store-read", {"policy": _unknown_marker}, {"policy": [store.__urn]})
		doc := _fx_stack([store, p])
		count(stack_deny_phi_access_without_mfa) == 1 with input as doc
	}
}
