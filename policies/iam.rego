package imekit_hipaa

import rego.v1

# IME-IAM-01 least privilege, IME-IAM-02 MFA for PHI access, IME-IAM-03 password management
# (164.308(a)(4)(ii)(B)-(C), 164.308(a)(5)(ii)(D), 164.312(a)(1), 164.312(d)).

_policy_holder_types := {
	"aws:iam/policy:Policy",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:iam/userPolicy:UserPolicy",
	"aws:iam/groupPolicy:GroupPolicy",
}

_iam_kind := {
	"aws:iam/policy:Policy": "IAM policy",
	"aws:iam/rolePolicy:RolePolicy": "IAM role policy",
	"aws:iam/userPolicy:UserPolicy": "IAM user policy",
	"aws:iam/groupPolicy:GroupPolicy": "IAM group policy",
	"aws:iam/role:Role": "IAM role",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM role policy attachment",
	"aws:iam/userPolicyAttachment:UserPolicyAttachment": "IAM user policy attachment",
	"aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "IAM group policy attachment",
	"aws:iam/policyAttachment:PolicyAttachment": "IAM policy attachment",
	"aws:iam/userPoliciesExclusive:UserPoliciesExclusive": "IAM user inline policy set",
	"aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "IAM user policy attachment set",
}

# [where, policy value] pairs: the documents a resource carries.
_policy_documents(r) := [["policy", _prop(r, "policy", null)]] if r.__type in _policy_holder_types

_policy_documents(r) := [[sprintf("inline policy %q", [_get(p, "name", "")]), _get(p, "policy", null)] |
	some p in _as_list(_prop(r, "inlinePolicies", []))
	is_object(p)
] if r.__type == "aws:iam/role:Role"

_admin_actions := {"*", "*:*"}

# A Resource matching every resource: "*", or an ARN of wildcards only ("arn:aws:*:*:*:*").
_every_resource(r) if r == "*"

_every_resource(r) if {
	is_string(r)
	startswith(r, "arn:")
	regex.match(`^arn(:[*?]*)+$|^arn:[a-z-]+(:[*?]*){4,}$`, r)
}

# Every resource, or (NotResource) every resource but a few.
_all_resources(s) if {
	some r in _resources(s)
	_every_resource(r)
}

_all_resources(s) if not _blank(_get(s, "NotResource", null))

_admin_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Allow"
	some a in _actions(s)
	a in _admin_actions
	_all_resources(s)
}

# Allow NotAction ... on everything grants everything but a few services: administrator in
# practice.
_admin_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Allow"
	not _blank(_get(s, "NotAction", null))
	_all_resources(s)
}

# AWS-managed policies that grant everything: AdministratorAccess ("*" on "*") and
# PowerUserAccess (NotAction iam:*, organizations:*, account:* on "*").
_admin_policy_arn(v) if {
	is_string(v)
	regex.match(`^arn:aws[a-zA-Z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess)$`, v)
}

_attachment_arns(r) := [_prop(r, "policyArn", null)] if {
	r.__type in {
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:iam/userPolicyAttachment:UserPolicyAttachment",
		"aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
		"aws:iam/policyAttachment:PolicyAttachment",
	}
}

_attachment_arns(r) := _as_list(_prop(r, "managedPolicyArns", [])) if r.__type == "aws:iam/role:Role"

_attachment_arns(r) := _as_list(_prop(r, "policyArns", [])) if {
	r.__type in {
		"aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
		"aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
		"aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
	}
}

_iam_label(r) := sprintf("%s %q", [_iam_kind[r.__type], r.__name]) if _iam_kind[r.__type]

_iam_label(r) := sprintf("%s %q", [r.__type, r.__name]) if not _iam_kind[r.__type]

# The resource's documents, parsed once per query.
_input_documents := [[where, value, _parsed(value)] | some [where, value] in _policy_documents(input)]

# METADATA
# title: No IAM policy grants every action on every resource
# description: >-
#   No IAM policy, inline role/user/group policy or role inline policy may Allow "*" (or use
#   Allow NotAction) on every resource (Resource "*" or "arn:aws:*:*:*:*", or NotResource),
#   and nothing may attach the AWS-managed AdministratorAccess or PowerUserAccess policy. A
#   policy document not known until apply could not be verified and fails.
# custom:
#   control: IME-IAM-01
#   message: Grant the specific actions on the specific resources the principal needs.
#   resource_types:
#     - aws:iam/policy:Policy
#     - aws:iam/rolePolicy:RolePolicy
#     - aws:iam/userPolicy:UserPolicy
#     - aws:iam/groupPolicy:GroupPolicy
#     - aws:iam/role:Role
#     - aws:iam/rolePolicyAttachment:RolePolicyAttachment
#     - aws:iam/userPolicyAttachment:UserPolicyAttachment
#     - aws:iam/groupPolicyAttachment:GroupPolicyAttachment
#     - aws:iam/policyAttachment:PolicyAttachment
#     - aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive
#     - aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive
#     - aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive
deny_iam_admin_wildcard_policy contains msg if {
	some [where, _, doc] in _input_documents
	doc != null
	some s in _statements(doc)
	_admin_statement(s)
	msg := sprintf("[IME-IAM-01] %s: %s has a statement %q that allows every action on every resource", [_iam_label(input), where, _get(s, "Sid", "(no Sid)")])
}

deny_iam_admin_wildcard_policy contains msg if {
	some [where, value, null] in _input_documents
	not _blank(value)
	msg := sprintf("[IME-IAM-01] %s: %s is not known until apply or is not a JSON policy document, so it could not be verified", [_iam_label(input), where])
}

deny_iam_admin_wildcard_policy contains msg if {
	some arn in _attachment_arns(input)
	_admin_policy_arn(arn)
	msg := sprintf("[IME-IAM-01] %s attaches the AWS-managed policy %s, which grants (nearly) every action on every resource", [_iam_label(input), arn])
}

# METADATA
# title: IAM users get permissions through groups or roles only
# description: >-
#   Policies must not be attached to or embedded in IAM users (UserPolicy,
#   UserPolicyAttachment, their Exclusive sets, or a PolicyAttachment naming users):
#   permissions go to groups and roles, so access is reviewed and revoked per role.
# custom:
#   control: IME-IAM-01
#   message: Put the user in an IAM group (or let them assume a role) and attach the policy there.
#   resource_types:
#     - aws:iam/userPolicy:UserPolicy
#     - aws:iam/userPolicyAttachment:UserPolicyAttachment
#     - aws:iam/policyAttachment:PolicyAttachment
#     - aws:iam/userPoliciesExclusive:UserPoliciesExclusive
#     - aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive
deny_iam_user_attached_policy contains msg if {
	input.__type in {
		"aws:iam/userPolicy:UserPolicy",
		"aws:iam/userPolicyAttachment:UserPolicyAttachment",
	}
	msg := sprintf("[IME-IAM-01] %s gives a policy directly to an IAM user", [_iam_label(input)])
}

deny_iam_user_attached_policy contains msg if {
	some [type_, prop] in _user_policy_sets
	input.__type == type_
	count(_as_list(_prop(input, prop, []))) > 0
	msg := sprintf("[IME-IAM-01] %s gives policies directly to an IAM user", [_iam_label(input)])
}

_user_policy_sets := [
	["aws:iam/policyAttachment:PolicyAttachment", "users"],
	["aws:iam/userPoliciesExclusive:UserPoliciesExclusive", "policyNames"],
	["aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", "policyArns"],
]

# --- IME-IAM-02: MFA for PHI access ----------------------------------------------------------

_mfa_key := "aws:multifactorauthpresent"

# Deny statements that fire when MFA is absent, on that condition alone: a further
# condition lets requests that do not meet it through without MFA. BoolIfExists (or Null)
# also catches long-term access keys, which carry no MFA key at all; Bool does not.
_mfa_deny_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Deny"
	_denies_without_mfa(s)
	count([k | some _, block in _conditions(s); is_object(block); some k, _ in block]) == 1
}

_denies_without_mfa(s) if "false" in _condition_values_for(s, {"BoolIfExists"}, _mfa_key)

_denies_without_mfa(s) if "true" in _condition_values_for(s, {"Null"}, _mfa_key)

# An Allow that itself requires MFA: Bool true, or a maximum MFA age (false when the key is
# absent).
_mfa_allow_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Allow"
	"true" in _condition_values_for(s, {"Bool"}, _mfa_key)
}

_mfa_allow_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Allow"
	count(_condition_values_for(s, {"NumericLessThan", "NumericLessThanEquals"}, "aws:multifactorauthage")) > 0
}

# Every Allow of the document requires MFA itself or is covered by one of the given MFA
# denies (they may come from another document of the same role: a deny anywhere wins). A
# document without Allow statements grants nothing.
# A deny on every resource and every action (but the MFA bootstrap ones) covers any Allow:
# checked first, since it is the usual guard and the statement-by-statement check is costly.
_mfa_guarded(doc, denies) := true if {
	some d in denies
	_universal_mfa_deny(d)
} else := true if {
	every s in _statements(doc) {
		_mfa_covered(s, denies)
	}
}

_universal_mfa_deny(d) if {
	some r in _resources(d)
	_every_resource(r)
	_deny_covers_every_action(d)
}

_deny_covers_every_action(d) if {
	some x in _actions(d)
	x in _admin_actions
}

_deny_covers_every_action(d) if {
	excluded := _lower_actions(d, "NotAction")
	count(excluded) > 0
	every n in excluded {
		_mfa_bootstrap_action(n)
	}
}

_mfa_covered(s, denies) := true if {
	not _get(s, "Effect", "") == "Allow"
} else := true if {
	_mfa_allow_statement(s)
} else := true if {
	some d in denies
	_deny_covers_resources(d, s)
	_deny_covers_actions(d, s)
}

_mfa_denies(docs) := [d |
	some doc in docs
	doc != null
	some d in _statements(doc)
	_mfa_deny_statement(d)
]

# --- does a Deny reach everything an Allow grants? ---------------------------------------------

_deny_covers_resources(d, _) if {
	some r in _resources(d)
	_every_resource(r)
}

_deny_covers_resources(d, a) if {
	_blank(_get(a, "NotResource", null))
	allowed := _resources(a)
	count(allowed) > 0
	every r in allowed {
		some p in _resources(d)
		_pattern_covers(p, r)
	}
}

_deny_covers_actions(d, _) if {
	some x in _actions(d)
	x in _admin_actions
}

_deny_covers_actions(d, a) if {
	_blank(_get(a, "NotAction", null))
	allowed := _lower_actions(a, "Action")
	count(allowed) > 0
	every x in allowed {
		some p in _lower_actions(d, "Action")
		_pattern_covers(p, x)
	}
}

# Deny NotAction [...]: every action but the listed ones. The exceptions must not reach what
# the Allow grants, save the iam: and sts: actions a person needs to set MFA up.
_deny_covers_actions(d, a) if {
	not _blank(_get(d, "NotAction", null))
	_blank(_get(a, "NotAction", null))
	allowed := _lower_actions(a, "Action")
	count(allowed) > 0
	every n in _lower_actions(d, "NotAction") {
		not _excludes_granted(n, allowed)
	}
}

_excludes_granted(n, allowed) if {
	not _mfa_bootstrap_action(n)
	some x in allowed
	_overlaps(n, x)
}

_lower_actions(s, key) := {_lower(x) | some x in _as_list(_get(s, key, []))}

# p ("*", "s3:*", "s3:get*", a literal or a resource ARN) covers everything x stands for. Only
# a trailing wildcard is read as a prefix; a pattern with any other wildcard covers only
# itself.
_pattern_covers(p, x) if p == x

_pattern_covers(p, x) if {
	prefix := _wildcard_prefix(p)
	startswith(x, prefix)
}

_wildcard_prefix(p) := prefix if {
	is_string(p)
	endswith(p, "*")
	prefix := trim_suffix(p, "*")
	not regex.match(`[*?]`, prefix)
}

_mfa_bootstrap_action(n) if regex.match(`^(iam|sts):`, n)

# Whether NotAction n may exclude something x grants: the same action, a prefix of the
# other, or a pattern with inner wildcards in the same service.
_overlaps(n, x) if n == x

_overlaps(n, x) if startswith(x, _wildcard_prefix(n))

_overlaps(n, x) if startswith(n, _wildcard_prefix(x))

_overlaps(n, x) if {
	regex.match(`[*?]`, n)
	not _wildcard_prefix(n)
	_same_service(n, x)
}

_overlaps(n, x) if {
	regex.match(`[*?]`, x)
	not _wildcard_prefix(x)
	_same_service(n, x)
}

_same_service(n, x) if split(n, ":")[0] == split(x, ":")[0]

# A role only AWS services can assume: its sessions never carry MFA, and no person holds it.
_service_only_trust(role) if _service_only_trust_doc(_parsed(_prop(role, "assumeRolePolicy", null)))

_service_only_trust_doc(doc) if {
	doc != null
	allows := [s | some s in _statements(doc); is_object(s); _get(s, "Effect", "") == "Allow"]
	count(allows) > 0
	every s in allows {
		is_object(s.Principal)
		object.keys(s.Principal) == {"Service"}
	}
}

# People can assume the role only with MFA.
_trust_requires_mfa(role) if _trust_requires_mfa_doc(_parsed(_prop(role, "assumeRolePolicy", null)))

_trust_requires_mfa_doc(doc) if {
	doc != null
	allows := [s | some s in _statements(doc); is_object(s); _get(s, "Effect", "") == "Allow"]
	count(allows) > 0
	every s in allows {
		_mfa_allow_statement(s)
	}
}

_declares_phi(r) if _tags(r)["data-class"] == "phi"

_mfa_problem(doc, denies) := "some Allow neither requires MFA nor is covered, on all its actions and resources, by a Deny when aws:MultiFactorAuthPresent is false or absent (BoolIfExists) on that condition alone" if {
	doc != null
	not _mfa_guarded(doc, denies)
}

_mfa_problem(null, _) := "it is not known until apply or is not a JSON policy document, so MFA enforcement could not be verified"

# The MFA denies of all of a resource's documents.
_all_mfa_denies(docs) := _mfa_denies([d | some [_, d] in docs])

# [where, parsed document] of a resource that must carry the MFA guard. A role passes as a
# whole when its trust policy already requires MFA to assume it.
_mfa_documents(r, trust) := [[where, _parsed(value)] | some [where, value] in _policy_documents(r)] if {
	r.__type in _policy_holder_types
}

_mfa_documents(r, trust) := [[where, _parsed(value)] | some [where, value] in _policy_documents(r)] if {
	r.__type == "aws:iam/role:Role"
	not _service_only_trust_doc(trust)
	not _trust_requires_mfa_doc(trust)
}

_input_trust := _parsed(_prop(input, "assumeRolePolicy", null))

# METADATA
# title: PHI access requires MFA (declared PHI policies and roles)
# description: >-
#   An IAM policy or role tagged data-class=phi (the kit's way of declaring that it grants
#   PHI access) must enforce MFA: its documents deny access when
#   aws:MultiFactorAuthPresent is false or absent, or require it on every Allow; a role may
#   instead require MFA in its trust policy. Roles only AWS services can assume are exempt.
#   Policies that reach PHI stores without the tag are judged by
#   stack_deny_phi_access_without_mfa.
# custom:
#   control: IME-IAM-02
#   message: >-
#     Add {"Effect": "Deny", "NotAction": ["iam:*MFA*", "sts:GetSessionToken"], "Resource":
#     "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}, or require
#     MFA in the role's trust policy.
#   resource_types:
#     - aws:iam/policy:Policy
#     - aws:iam/role:Role
deny_phi_access_without_mfa contains msg if {
	input.__type in {"aws:iam/policy:Policy", "aws:iam/role:Role"}
	_declares_phi(input)
	docs := _mfa_documents(input, _input_trust)
	denies := _all_mfa_denies(docs)
	some [where, doc] in docs
	msg := sprintf("[IME-IAM-02] %s (data-class phi): %s does not enforce MFA: %s", [_iam_label(input), where, _mfa_problem(doc, denies)])
}

deny_phi_access_without_mfa contains msg if {
	input.__type == "aws:iam/role:Role"
	_declares_phi(input)
	count(_policy_documents(input)) == 0
	not _service_only_trust_doc(_input_trust)
	not _trust_requires_mfa_doc(_input_trust)
	msg := sprintf("[IME-IAM-02] %s (data-class phi) can be assumed without MFA: its trust policy does not require aws:MultiFactorAuthPresent", [_iam_label(input)])
}

_phi_store_urns := {r.__urn |
	some r in _stack_data_stores
	_is_phi(r)
}

_document_prop := {
	"aws:iam/policy:Policy": "policy",
	"aws:iam/rolePolicy:RolePolicy": "policy",
	"aws:iam/userPolicy:UserPolicy": "policy",
	"aws:iam/groupPolicy:GroupPolicy": "policy",
	"aws:iam/role:Role": "inlinePolicies",
}

_reaches_phi(r) if {
	some u in _deps(r, _document_prop[r.__type])
	u in _phi_store_urns
}

_service_only_role_urns := {r.__urn |
	some r in _stack_of_type({"aws:iam/role:Role"})
	_service_only_trust(r)
}

# Policies attached (through propertyDependencies) to roles, users or groups.
_attachment_targets := {[p, t] |
	some a in _stack_of_type({
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:iam/userPolicyAttachment:UserPolicyAttachment",
		"aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
		"aws:iam/policyAttachment:PolicyAttachment",
	})
	some p in _deps(a, "policyArn")
	t := _attachment_target(a)
}

_attachment_target(a) := u if {
	a.__type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	some u in _deps(a, "role")
	u in _service_only_role_urns
} else := "person"

# Exempt: it only ever acts for AWS services.
_service_only(r) if r.__urn in _service_only_role_urns

_service_only(r) if {
	r.__type == "aws:iam/rolePolicy:RolePolicy"
	some u in _deps(r, "role")
	u in _service_only_role_urns
}

_attached_policies := {p | some [p, _] in _attachment_targets}

_person_attached_policies := {p | some [p, "person"] in _attachment_targets}

_service_only(r) if {
	r.__type == "aws:iam/policy:Policy"
	r.__urn in _attached_policies
	not r.__urn in _person_attached_policies
}

# METADATA
# title: PHI access requires MFA (policies reaching PHI stores)
# description: >-
#   An IAM policy document whose value depends (propertyDependencies) on a PHI or unclassified
#   data store (it names the store's ARN or name) grants PHI access and must enforce MFA, as
#   deny_phi_access_without_mfa describes, unless only AWS services can use it (a role, role
#   policy or managed policy attached only to roles whose trust names service principals
#   only).
# custom:
#   control: IME-IAM-02
#   message: >-
#     Add a Deny statement for requests where aws:MultiFactorAuthPresent is false (BoolIfExists),
#     or tag the policy data-class=phi and require MFA in the assuming role's trust policy.
#   resource_types:
#     - aws:iam/policy:Policy
#     - aws:iam/rolePolicy:RolePolicy
#     - aws:iam/userPolicy:UserPolicy
#     - aws:iam/groupPolicy:GroupPolicy
#     - aws:iam/role:Role
#     - aws:iam/rolePolicyAttachment:RolePolicyAttachment
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
#     - aws:ebs/volume:Volume
#     - aws:dynamodb/table:Table
#     - aws:efs/fileSystem:FileSystem
#     - aws:docdb/cluster:Cluster
#     - aws:redshift/cluster:Cluster
#     - aws:opensearch/domain:Domain
#     - aws:elasticsearch/domain:Domain
#     - aws:elasticache/replicationGroup:ReplicationGroup
#     - aws:ec2/instance:Instance
#     - aws:iam/userPolicyAttachment:UserPolicyAttachment
#     - aws:iam/groupPolicyAttachment:GroupPolicyAttachment
#     - aws:iam/policyAttachment:PolicyAttachment
stack_deny_phi_access_without_mfa contains msg if {
	some r in _stack_of_type(object.keys(_document_prop))
	not _declares_phi(r)
	_reaches_phi(r)
	not _service_only(r)
	docs := _mfa_documents(r, _parsed(_prop(r, "assumeRolePolicy", null)))
	denies := _all_mfa_denies(docs)
	some [where, doc] in docs
	msg := sprintf("[IME-IAM-02] %s reaches a PHI data store but %s does not enforce MFA: %s %s", [_iam_label(r), where, _mfa_problem(doc, denies), _at(r)])
}

# METADATA
# title: Cognito user pools require MFA
# description: >-
#   Every Cognito user pool (patients, examiners and staff sign in to PHI applications) must
#   set mfaConfiguration "ON". AWS's default is "OFF"; "OPTIONAL" lets users skip it.
# custom:
#   control: IME-IAM-02
#   message: Set mfa_configuration="ON" with software_token_mfa_configuration enabled.
#   resource_types:
#     - aws:cognito/userPool:UserPool
deny_cognito_mfa contains msg if {
	input.__type == "aws:cognito/userPool:UserPool"
	mode := _prop(input, "mfaConfiguration", "OFF")
	mode != "ON"
	msg := sprintf("[IME-IAM-02] Cognito user pool %q does not require MFA (mfaConfiguration is %v; AWS's default is OFF)", [input.__name, _shown(mode)])
}

_shown(v) := "not known until apply" if _undecidable(v)

_shown(v) := sprintf("%v", [v]) if not _undecidable(v)

# --- IME-IAM-03: password management ---------------------------------------------------------

default _iam_min_length := 14

_iam_min_length := v if {
	v := data.config.deny_iam_password_policy.minimumLength
	is_number(v)
}

default _iam_reuse_prevention := 24

_iam_reuse_prevention := v if {
	v := data.config.deny_iam_password_policy.passwordReusePrevention
	is_number(v)
}

# 0 means passwords need not expire (NIST SP 800-63B advises against forced rotation).
default _iam_max_age := 0

_iam_max_age := v if {
	v := data.config.deny_iam_password_policy.maximumPasswordAgeDays
	is_number(v)
}

_at_least(r, prop, minimum, fallback) := sprintf("%s is %v, below %v", [prop, _shown(v), minimum]) if {
	v := _prop(r, prop, fallback)
	not _number_at_least(v, minimum)
}

_number_at_least(v, minimum) if {
	is_number(v)
	v >= minimum
}

_required_true(r, prop) := sprintf("%s is not true", [prop]) if not _prop(r, prop, false) == true

_iam_password_gaps(r) := array.concat(
	array.concat(
		[p | p := _at_least(r, "minimumPasswordLength", _iam_min_length, 6)],
		[p | p := _at_least(r, "passwordReusePrevention", _iam_reuse_prevention, 0)],
	),
	array.concat(
		[p | some f in ["requireLowercaseCharacters", "requireUppercaseCharacters", "requireNumbers", "requireSymbols"]; p := _required_true(r, f)],
		[p | p := _max_age_gap(r)],
	),
)

_max_age_gap(r) := sprintf("maxPasswordAge is %v, not between 1 and %v", [_shown(age), _iam_max_age]) if {
	_iam_max_age > 0
	age := _prop(r, "maxPasswordAge", 0)
	not _within_max_age(age)
}

_within_max_age(age) if {
	is_number(age)
	age > 0
	age <= _iam_max_age
}

# METADATA
# title: IAM account password policy is strong
# description: >-
#   The account password policy must require at least the configured length (default 14),
#   lower- and upper-case letters, numbers and symbols, and prevent reuse of the last 24
#   passwords (configurable); a maximum age is enforced only when
#   maximumPasswordAgeDays is configured. Left-out settings take AWS's defaults (length 6,
#   nothing required), which fail.
# custom:
#   control: IME-IAM-03
#   message: >-
#     Set minimum_password_length=14, require_lowercase_characters, require_uppercase_characters,
#     require_numbers, require_symbols=True and password_reuse_prevention=24.
#   resource_types:
#     - aws:iam/accountPasswordPolicy:AccountPasswordPolicy
deny_iam_password_policy contains msg if {
	input.__type == "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
	gaps := _iam_password_gaps(input)
	count(gaps) > 0
	msg := sprintf("[IME-IAM-03] IAM account password policy %q is too weak: %s", [input.__name, concat("; ", gaps)])
}

default _cognito_min_length := 14

_cognito_min_length := v if {
	v := data.config.deny_cognito_password_policy.minimumLength
	is_number(v)
}

default _cognito_max_temporary_days := 7

_cognito_max_temporary_days := v if {
	v := data.config.deny_cognito_password_policy.maximumTemporaryPasswordValidityDays
	is_number(v)
}

_cognito_password_gaps(pool) := ["no passwordPolicy is set, so Cognito's default minimum length of 8 applies"] if {
	_blank(_prop(pool, "passwordPolicy", null))
	8 < _cognito_min_length
}

_cognito_password_gaps(pool) := ["passwordPolicy is not known until apply, so it could not be verified"] if {
	policy := _prop(pool, "passwordPolicy", null)
	not _blank(policy)
	not is_object(policy)
}

_cognito_password_gaps(pool) := array.concat(
	array.concat(
		[p | p := _at_least(_as_resource(policy), "minimumLength", _cognito_min_length, 8)],
		[p | some f in ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"]; p := _required_true(_as_resource(policy), f)],
	),
	[p | p := _temporary_validity_gap(policy)],
) if {
	policy := _prop(pool, "passwordPolicy", null)
	is_object(policy)
}

# Lets the property helpers read a nested block.
_as_resource(block) := {"__properties": block}

_temporary_validity_gap(policy) := sprintf("temporaryPasswordValidityDays is %v, above %v", [_shown(days), _cognito_max_temporary_days]) if {
	days := _get(policy, "temporaryPasswordValidityDays", 7)
	not _number_at_most(days, _cognito_max_temporary_days)
}

_number_at_most(v, maximum) if {
	is_number(v)
	v <= maximum
}

# METADATA
# title: Cognito user pool password policy is strong
# description: >-
#   Every Cognito user pool must require passwords of at least the configured length (default
#   14) with lower- and upper-case letters, numbers and symbols, and temporary passwords valid
#   at most 7 days (configurable). Without a passwordPolicy Cognito's default minimum of 8
#   applies, which fails.
# custom:
#   control: IME-IAM-03
#   message: >-
#     Set password_policy with minimum_length=14, require_lowercase, require_uppercase,
#     require_numbers, require_symbols=True and temporary_password_validity_days=7.
#   resource_types:
#     - aws:cognito/userPool:UserPool
deny_cognito_password_policy contains msg if {
	input.__type == "aws:cognito/userPool:UserPool"
	gaps := _cognito_password_gaps(input)
	count(gaps) > 0
	msg := sprintf("[IME-IAM-03] Cognito user pool %q has a weak password policy: %s", [input.__name, concat("; ", gaps)])
}
