package imekit_hipaa

import rego.v1

# IME-TLS-01: PHI encrypted in transit (164.312(e)(1), 164.312(e)(2)(ii)).

# --- S3: a bucket policy denying every request not made over TLS --------------------------

_bucket_policy_type := "aws:s3/bucketPolicy:BucketPolicy"

_s3_all_actions := {"s3:*", "*"}

# Deny, for everyone, any S3 action on the bucket and its objects when aws:SecureTransport
# is false, on that condition alone. A TLS-version condition alone does not deny plain HTTP
# (the key is absent there); a further condition (a VPC endpoint, s3:TlsVersion) narrows
# the deny to requests that also meet it, so it may never apply; a Resource naming only the
# bucket leaves object reads over HTTP allowed, one naming only objects leaves listing
# (object keys may name patients) allowed.
_tls_deny_statement(s) if {
	is_object(s)
	_get(s, "Effect", "") == "Deny"
	_wildcard_principal(s)
	some a in _actions(s)
	a in _s3_all_actions
	_covers_bucket_and_objects(_resources(s))
	_only_insecure_transport_condition(s)
}

# "*", or the bucket's ARN and "<bucket ARN>/*" (or "<bucket ARN>*", covering both).
_covers_bucket_and_objects(resources) if {
	some o in resources
	is_string(o)
	regex.match(`^[^/]*/?\*$`, o)
	some b in resources
	is_string(b)
	not contains(b, "/")
}

_only_insecure_transport_condition(s) if {
	keys := [k | some _, block in _conditions(s); is_object(block); some k, _ in block]
	count(keys) == 1
	"false" in _condition_values_for(s, {"Bool", "BoolIfExists"}, "aws:securetransport")
}

_has_tls_deny(doc) if {
	some s in _statements(doc)
	_tls_deny_statement(s)
}

_tls_problem(policy) := _tls_doc_problem(_parsed(policy))

_tls_doc_problem(doc) := "its policy does not deny requests made without TLS (Deny s3:* for Principal \"*\" on the bucket and its objects when aws:SecureTransport is false, on no other condition)" if {
	doc != null
	not _has_tls_deny(doc)
}

_tls_doc_problem(null) := "its policy is not known until apply or is not a JSON policy document, so TLS enforcement could not be verified"

_has_inline_policy(b) if not _blank(_prop(b, "policy", null))

# METADATA
# title: PHI buckets deny requests without TLS (inline policy)
# description: >-
#   A PHI or unclassified S3 bucket whose policy is set inline (`policy` on the bucket) must
#   deny every S3 action for any principal on the bucket and its objects when
#   aws:SecureTransport is false, with no further condition narrowing the deny. Buckets
#   without an inline policy are judged by stack_deny_s3_tls_only, which sees their separate
#   BucketPolicy resources.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Add a statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition":
#     {"Bool": {"aws:SecureTransport": "false"}}} covering the bucket and its objects.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
deny_s3_tls_only contains msg if {
	_is_phi_bucket(input)
	policy := _prop(input, "policy", null)
	not _blank(policy)
	msg := sprintf("[IME-TLS-01] S3 bucket %q (data-class %s) does not enforce TLS: %s", [input.__name, _class_label(input), _tls_problem(policy)])
}

_stack_bucket_policies := _stack_of_type({_bucket_policy_type})

_bucket_policy_buckets := {u |
	some p in _stack_bucket_policies
	some u in _deps(p, "bucket")
}

_tls_policy_buckets := {u |
	some p in _stack_bucket_policies
	_has_tls_deny(_policy_doc(_prop(p, "policy", null)))
	some u in _deps(p, "bucket")
}

# METADATA
# title: PHI buckets deny requests without TLS (separate bucket policy)
# description: >-
#   Every PHI or unclassified S3 bucket without an inline policy must have an
#   aws:s3/bucketPolicy:BucketPolicy joined to it through propertyDependencies
#   (`bucket=bucket.id`) whose policy denies every S3 action on the bucket and its objects
#   when aws:SecureTransport is false, with no further condition narrowing the deny. A
#   policy not known until apply could not be verified and fails. A separate bucket policy
#   is judged even when the bucket also sets one inline: at apply one replaces the other.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Add aws.s3.BucketPolicy(bucket=bucket.id, policy=...) with a Deny statement on s3:* for
#     Principal "*" when aws:SecureTransport is false.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketPolicy:BucketPolicy
stack_deny_s3_tls_only contains msg if {
	some b in _stack_phi_buckets
	not _has_inline_policy(b)
	not b.__urn in _bucket_policy_buckets
	msg := sprintf("[IME-TLS-01] S3 bucket %q (data-class %s) has no bucket policy joined to it, so requests without TLS are not denied %s", [b.__name, _class_label(b), _at(b)])
}

stack_deny_s3_tls_only contains msg if {
	some p in _stack_bucket_policies
	some u in _deps(p, "bucket")
	b := _resources_by_urn[u]
	_is_phi_bucket(b)
	not u in _tls_policy_buckets
	msg := sprintf("[IME-TLS-01] S3 bucket %q (data-class %s) does not enforce TLS: bucket policy %q: %s %s", [b.__name, _class_label(b), p.__name, _tls_problem(_prop(p, "policy", null)), _at(p)])
}

# --- RDS: the server refuses connections without TLS --------------------------------------

_parameter_group_types := {
	"aws:rds/parameterGroup:ParameterGroup",
	"aws:rds/clusterParameterGroup:ClusterParameterGroup",
}

# The parameter forcing TLS per engine family, and the values that switch it on. Oracle
# enforces TLS through an option group, which these rules do not judge: a PHI database on
# an engine without such a parameter fails (see _tls_parameter_engine).
_force_ssl_parameter(family) := ["rds.force_ssl", {"1", "true"}] if {
	regex.match(`^(postgres|aurora-postgresql|sqlserver)`, family)
}

_force_ssl_parameter(family) := ["require_secure_transport", {"1", "on", "true"}] if {
	regex.match(`^(mysql|aurora-mysql|mariadb)`, family)
}

_parameter_values(g, name) := {_lower(sprintf("%v", [_get(p, "value", "")])) |
	some p in _as_list(_prop(g, "parameters", []))
	is_object(p)
	_get(p, "name", "") == name
}

_forces_ssl(g) if {
	family := _prop(g, "family", "")
	is_string(family)
	[name, on] := _force_ssl_parameter(family)
	some v in _parameter_values(g, name)
	v in on
}

_group_kind := {
	"aws:rds/parameterGroup:ParameterGroup": "DB parameter group",
	"aws:rds/clusterParameterGroup:ClusterParameterGroup": "DB cluster parameter group",
}

# Which property of a database names the parameter group that holds the TLS switch.
_db_group_prop := {
	"aws:rds/instance:Instance": "parameterGroupName",
	"aws:rds/cluster:Cluster": "dbClusterParameterGroupName",
}

# METADATA
# title: RDS databases refuse connections without TLS
# description: >-
#   Every DB (cluster) parameter group of a PostgreSQL, SQL Server, MySQL or MariaDB family
#   must switch TLS enforcement on (rds.force_ssl=1, require_secure_transport=ON), and a PHI
#   or unclassified RDS instance or cluster must run one of those engines and name a
#   parameter group: without one, or with an AWS `default.*` group, TLS is not enforced on
#   every engine version. Engines whose TLS switch is no parameter (Oracle's option group,
#   Db2, RDS Custom) fail as unverifiable. A group named by a value known only at apply is
#   judged by stack_deny_rds_force_ssl.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Create an aws.rds.ParameterGroup with rds.force_ssl=1 (PostgreSQL, SQL Server) or
#     require_secure_transport=ON (MySQL, MariaDB) and pass its name to the database.
#   resource_types:
#     - aws:rds/parameterGroup:ParameterGroup
#     - aws:rds/clusterParameterGroup:ClusterParameterGroup
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
deny_rds_force_ssl contains msg if {
	input.__type in _parameter_group_types
	family := _prop(input, "family", "")
	is_string(family)
	[name, _] := _force_ssl_parameter(family)
	not _forces_ssl(input)
	msg := sprintf("[IME-TLS-01] %s %q (family %s) does not set %s on, so the database accepts connections without TLS", [_group_kind[input.__type], input.__name, family, name])
}

deny_rds_force_ssl contains msg if {
	input.__type in _parameter_group_types
	_undecidable(_prop(input, "family", null))
	msg := sprintf("[IME-TLS-01] %s %q has a family not known until apply, so TLS enforcement could not be verified", [_group_kind[input.__type], input.__name])
}

# Engines whose TLS switch is a parameter these rules know. Oracle enforces TLS through an
# option group, Db2 and RDS Custom otherwise: a PHI database on them cannot be verified.
_tls_parameter_engine(engine) if regex.match(`^(postgres|aurora-postgresql|sqlserver-|mysql|aurora-mysql|mariadb)`, engine)

deny_rds_force_ssl contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	engine := _prop(input, "engine", null)
	_known_string(engine)
	not _tls_parameter_engine(engine)
	msg := sprintf("[IME-TLS-01] %s %q (data-class %s) runs engine %s, whose TLS enforcement is not a parameter this rule can verify (Oracle uses an option group)", [_kind[input.__type], input.__name, _class_label(input), engine])
}

deny_rds_force_ssl contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	prop := _db_group_prop[input.__type]
	_blank(_prop(input, prop, null))
	msg := sprintf("[IME-TLS-01] %s %q (data-class %s) sets no %s, so it uses the engine's default parameter group, which does not force TLS on every engine version", [_kind[input.__type], input.__name, _class_label(input), prop])
}

deny_rds_force_ssl contains msg if {
	input.__type in _rds_types
	_is_phi(input)
	prop := _db_group_prop[input.__type]
	group := _prop(input, prop, null)
	_known_string(group)
	startswith(group, "default.")
	msg := sprintf("[IME-TLS-01] %s %q (data-class %s) uses the AWS default parameter group %q, which does not force TLS on every engine version", [_kind[input.__type], input.__name, _class_label(input), group])
}

# METADATA
# title: PHI databases use a parameter group of this stack
# description: >-
#   A PHI or unclassified RDS instance or cluster that names a non-default parameter group
#   must depend (propertyDependencies) on a parameter group resource of the same stack,
#   which deny_rds_force_ssl judges. A group defined elsewhere could not be verified.
# custom:
#   control: IME-TLS-01
#   message: Pass the name of an aws.rds.ParameterGroup created in this program (group.name).
#   resource_types:
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
#     - aws:rds/parameterGroup:ParameterGroup
#     - aws:rds/clusterParameterGroup:ClusterParameterGroup
stack_deny_rds_force_ssl contains msg if {
	some db in _stack_rds
	_is_phi(db)
	prop := _db_group_prop[db.__type]
	group := _prop(db, prop, null)
	not _blank(group)
	not _default_group(group)
	not _depends_on_type(db, prop, _parameter_group_types)
	msg := sprintf("[IME-TLS-01] %s %q (data-class %s): %s does not depend on a parameter group of this stack, so TLS enforcement could not be verified %s", [_kind[db.__type], db.__name, _class_label(db), prop, _at(db)])
}

_default_group(g) if {
	_known_string(g)
	startswith(g, "default.")
}

# --- load balancer listeners ----------------------------------------------------------------

_listener_types := {"aws:lb/listener:Listener", "aws:alb/listener:Listener"}

_classic_lb_type := "aws:elb/loadBalancer:LoadBalancer"

# Policies that refuse TLS 1.0 and 1.1 (Elastic Load Balancing's own naming).
_tls12_policy(p) if regex.match(`^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-|$)`, p)

# The provider accepts protocols in any case and sends them upper-cased.
_protocol(v) := upper(v) if _known_string(v)

_protocol(v) := v if not _known_string(v)

_listener_protocol(l) := _protocol(_prop(l, "protocol", null))

_redirects_to_https(l) if {
	actions := _as_list(_prop(l, "defaultActions", []))
	count(actions) > 0
	every a in actions {
		is_object(a)
		_get(a, "type", "") == "redirect"
		_protocol(_get(a, ["redirect", "protocol"], "")) == "HTTPS"
	}
}

_listener_problem(l) := "its protocol is not set, so AWS uses HTTP (or TCP), without TLS" if {
	_blank(_prop(l, "protocol", null))
	not _redirects_to_https(l)
}

_listener_problem(l) := sprintf("it listens with %v, without TLS", [p]) if {
	p := _listener_protocol(l)
	not _blank(p)
	not _undecidable(p)
	not p in {"HTTPS", "TLS"}
	not _redirects_to_https(l)
}

_listener_problem(l) := "its protocol is not known until apply, so it could not be verified" if {
	_undecidable(_prop(l, "protocol", null))
}

_listener_problem(l) := "it sets no sslPolicy, so AWS picks one that may allow TLS 1.0 and 1.1" if {
	_listener_protocol(l) in {"HTTPS", "TLS"}
	_blank(_prop(l, "sslPolicy", null))
}

_listener_problem(l) := sprintf("its sslPolicy %v allows TLS versions older than 1.2", [p]) if {
	_listener_protocol(l) in {"HTTPS", "TLS"}
	p := _prop(l, "sslPolicy", null)
	not _blank(p)
	not _undecidable(p)
	not _tls12_string_policy(p)
}

_listener_problem(l) := "its sslPolicy is not known until apply, so it could not be verified" if {
	_listener_protocol(l) in {"HTTPS", "TLS"}
	_undecidable(_prop(l, "sslPolicy", null))
}

_tls12_string_policy(p) if {
	is_string(p)
	_tls12_policy(p)
}

# A Classic Load Balancer's TLS policy lives in separate LoadBalancerPolicy and
# ListenerPolicy resources; without one AWS applies ELBSecurityPolicy-2016-08, which allows
# TLS 1.0. The rule does not follow that chain: every classic listener fails.
_classic_listener_problem(l) := sprintf("its listener on port %v uses %v, without TLS", [_get(l, "lbPort", "?"), _shown(p)]) if {
	p := _get(l, "lbProtocol", null)
	not _undecidable(p)
	not _lower(p) in {"https", "ssl"}
}

_classic_listener_problem(l) := sprintf("its listener on port %v has a protocol not known until apply, so it could not be verified", [_get(l, "lbPort", "?")]) if {
	_undecidable(_get(l, "lbProtocol", null))
}

_classic_listener_problem(l) := sprintf("its %v listener on port %v takes its TLS policy from separate policy resources this rule does not judge, and AWS's default (ELBSecurityPolicy-2016-08) allows TLS 1.0", [_get(l, "lbProtocol", ""), _get(l, "lbPort", "?")]) if {
	_lower(_get(l, "lbProtocol", null)) in {"https", "ssl"}
}

# METADATA
# title: Load balancer listeners use TLS 1.2 or newer
# description: >-
#   Every load balancer listener must terminate TLS (protocol HTTPS or TLS) with an
#   ELBSecurityPolicy that refuses TLS 1.0 and 1.1 (TLS13-1-2..., TLS-1-2..., FS-1-2...),
#   or be a plain-HTTP listener whose every default action redirects to HTTPS. A listener
#   without a protocol gets AWS's HTTP/TCP default and fails; one without an sslPolicy gets a
#   default that may allow old TLS and fails. Classic Load Balancer listeners always fail:
#   their TLS policy is set by separate policy resources the rule does not judge, and AWS's
#   default for them allows TLS 1.0.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Use protocol="HTTPS" (or "TLS") with ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
#     or make an HTTP listener redirect to HTTPS; replace a Classic Load Balancer with an
#     Application or Network Load Balancer.
#   resource_types:
#     - aws:lb/listener:Listener
#     - aws:alb/listener:Listener
#     - aws:elb/loadBalancer:LoadBalancer
deny_lb_listener_tls contains msg if {
	input.__type in _listener_types
	msg := sprintf("[IME-TLS-01] load balancer listener %q does not protect data in transit: %s", [input.__name, _listener_problem(input)])
}

deny_lb_listener_tls contains msg if {
	input.__type == _classic_lb_type
	some l in _as_list(_prop(input, "listeners", []))
	is_object(l)
	msg := sprintf("[IME-TLS-01] Classic Load Balancer %q does not protect data in transit: %s", [input.__name, _classic_listener_problem(l)])
}

deny_lb_listener_tls contains msg if {
	input.__type == _classic_lb_type
	_undecidable(_prop(input, "listeners", null))
	msg := sprintf("[IME-TLS-01] Classic Load Balancer %q has listeners not known until apply, so they could not be verified", [input.__name])
}

# --- Redshift: the cluster refuses connections without TLS -----------------------------------

_redshift_group_type := "aws:redshift/parameterGroup:ParameterGroup"

_redshift_group_problem(g) := "its parameters are not known until apply, so require_ssl could not be verified" if {
	_undecidable(_prop(g, "parameters", null))
} else := "it does not set require_ssl to true, so clusters using it accept connections without TLS" if {
	not "true" in _parameter_values(g, "require_ssl")
}

# METADATA
# title: Redshift clusters refuse connections without TLS
# description: >-
#   Every Redshift parameter group must set require_ssl to true, and a PHI or unclassified
#   Redshift cluster must name a parameter group that is not an AWS `default.*` group:
#   without one the cluster uses AWS's default group, whose require_ssl the program cannot
#   show (default.redshift-1.0 leaves it false). A group named by a value known only at
#   apply is judged by stack_deny_redshift_require_ssl.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Create an aws.redshift.ParameterGroup with require_ssl=true and pass its name as the
#     cluster's cluster_parameter_group_name.
#   resource_types:
#     - aws:redshift/parameterGroup:ParameterGroup
#     - aws:redshift/cluster:Cluster
deny_redshift_require_ssl contains msg if {
	input.__type == _redshift_group_type
	msg := sprintf("[IME-TLS-01] Redshift parameter group %q: %s", [input.__name, _redshift_group_problem(input)])
}

deny_redshift_require_ssl contains msg if {
	input.__type == "aws:redshift/cluster:Cluster"
	_is_phi(input)
	_blank(_prop(input, "clusterParameterGroupName", null))
	msg := sprintf("[IME-TLS-01] Redshift cluster %q (data-class %s) sets no clusterParameterGroupName, so it uses AWS's default parameter group, whose require_ssl the program cannot show", [input.__name, _class_label(input)])
}

deny_redshift_require_ssl contains msg if {
	input.__type == "aws:redshift/cluster:Cluster"
	_is_phi(input)
	group := _prop(input, "clusterParameterGroupName", null)
	_default_group(group)
	msg := sprintf("[IME-TLS-01] Redshift cluster %q (data-class %s) uses the AWS default parameter group %q, which does not require TLS", [input.__name, _class_label(input), group])
}

# METADATA
# title: PHI Redshift clusters use a parameter group of this stack
# description: >-
#   A PHI or unclassified Redshift cluster that names a non-default parameter group must
#   depend (propertyDependencies) on an aws:redshift/parameterGroup:ParameterGroup of the same
#   stack, which deny_redshift_require_ssl judges. A group defined elsewhere could not be
#   verified.
# custom:
#   control: IME-TLS-01
#   message: Pass the name of an aws.redshift.ParameterGroup created in this program (group.name).
#   resource_types:
#     - aws:redshift/cluster:Cluster
#     - aws:redshift/parameterGroup:ParameterGroup
stack_deny_redshift_require_ssl contains msg if {
	some c in _stack_of_type({"aws:redshift/cluster:Cluster"})
	_is_phi(c)
	group := _prop(c, "clusterParameterGroupName", null)
	not _blank(group)
	not _default_group(group)
	not _depends_on_type(c, "clusterParameterGroupName", {_redshift_group_type})
	msg := sprintf("[IME-TLS-01] Redshift cluster %q (data-class %s): clusterParameterGroupName does not depend on a parameter group of this stack, so TLS enforcement could not be verified %s", [c.__name, _class_label(c), _at(c)])
}

# --- OpenSearch: HTTPS with TLS 1.2+ and node-to-node encryption ------------------------------

# Policies that refuse TLS 1.0 and 1.1 (Policy-Min-TLS-1-2-2019-07, Policy-Min-TLS-1-2-PFS-2023-10).
_domain_tls12_policy(p) if {
	is_string(p)
	regex.match(`^Policy-Min-TLS-1-[2-9](-|$)`, p)
}

_domain_kind := {
	"aws:opensearch/domain:Domain": "OpenSearch domain",
	"aws:elasticsearch/domain:Domain": "Elasticsearch domain",
}

_domain_msg(r, problem) := sprintf("[IME-TLS-01] %s %q (data-class %s) does not protect data in transit: %s", [_domain_kind[r.__type], r.__name, _class_label(r), problem])

_endpoint_options(r) := _prop(r, "domainEndpointOptions", null)

_endpoint_options_problem(opts) := "no domainEndpointOptions is set, so AWS does not require HTTPS and may allow TLS 1.0" if {
	_blank(opts)
} else := "domainEndpointOptions is not known until apply, so it could not be verified" if {
	_undecidable(opts)
} else := "domainEndpointOptions is not a configuration block, so it could not be verified" if {
	not is_object(opts)
}

_https_problem(opts) := "domainEndpointOptions.enforceHttps is not known until apply, so it could not be verified" if {
	_undecidable(_get(opts, "enforceHttps", null))
} else := sprintf("domainEndpointOptions.enforceHttps is %s, so the domain accepts plain HTTP", [_shown(v)]) if {
	v := _get(opts, "enforceHttps", null)
	not _blank(v)
	not _truthy(v)
}

_tls_policy_problem(opts) := "domainEndpointOptions sets no tlsSecurityPolicy, so AWS's default applies, which the program cannot show and which has allowed TLS 1.0 (Policy-Min-TLS-1-0-2019-07)" if {
	_blank(_get(opts, "tlsSecurityPolicy", null))
} else := "domainEndpointOptions.tlsSecurityPolicy is not known until apply, so it could not be verified" if {
	_undecidable(_get(opts, "tlsSecurityPolicy", null))
} else := sprintf("its tlsSecurityPolicy %s allows TLS versions older than 1.2", [_shown(p)]) if {
	p := _get(opts, "tlsSecurityPolicy", null)
	not _domain_tls12_policy(p)
}

# METADATA
# title: OpenSearch domains require HTTPS with TLS 1.2 or newer
# description: >-
#   A PHI or unclassified OpenSearch (or Elasticsearch) domain must set domainEndpointOptions
#   with enforceHttps left at the provider's default (true) or set to true, and a
#   tlsSecurityPolicy refusing TLS 1.0 and 1.1 (Policy-Min-TLS-1-2-...). Without the block AWS
#   does not require HTTPS; without a policy AWS's default applies, which the program cannot
#   show and which has allowed TLS 1.0.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Set domain_endpoint_options={"enforce_https": True, "tls_security_policy":
#     "Policy-Min-TLS-1-2-PFS-2023-10"}.
#   resource_types:
#     - aws:opensearch/domain:Domain
#     - aws:elasticsearch/domain:Domain
deny_opensearch_https contains msg if {
	input.__type in _domain_types
	_is_phi(input)
	msg := _domain_msg(input, _endpoint_options_problem(_endpoint_options(input)))
}

deny_opensearch_https contains msg if {
	input.__type in _domain_types
	_is_phi(input)
	opts := _endpoint_options(input)
	is_object(opts)
	not _undecidable(opts)
	msg := _domain_msg(input, _https_problem(opts))
}

deny_opensearch_https contains msg if {
	input.__type in _domain_types
	_is_phi(input)
	opts := _endpoint_options(input)
	is_object(opts)
	not _undecidable(opts)
	msg := _domain_msg(input, _tls_policy_problem(opts))
}

_node_to_node_problem(b) := "no nodeToNodeEncryption is set, and AWS's default leaves traffic between the domain's nodes unencrypted" if {
	_blank(b)
} else := "nodeToNodeEncryption is not known until apply, so it could not be verified" if {
	_undecidable(b)
} else := "nodeToNodeEncryption is not a configuration block, so it could not be verified" if {
	not is_object(b)
} else := "nodeToNodeEncryption.enabled is not known until apply, so it could not be verified" if {
	_undecidable(_get(b, "enabled", null))
} else := sprintf("nodeToNodeEncryption.enabled is %s, so traffic between the domain's nodes is unencrypted", [_shown(_get(b, "enabled", null))]) if {
	not _truthy(_get(b, "enabled", null))
}

# METADATA
# title: OpenSearch domains encrypt traffic between their nodes
# description: >-
#   A PHI or unclassified OpenSearch (or Elasticsearch) domain must set nodeToNodeEncryption
#   with enabled: true. AWS's default leaves traffic between the domain's nodes unencrypted.
# custom:
#   control: IME-TLS-01
#   message: >-
#     Set node_to_node_encryption={"enabled": True}.
#   resource_types:
#     - aws:opensearch/domain:Domain
#     - aws:elasticsearch/domain:Domain
deny_opensearch_node_to_node_encryption contains msg if {
	input.__type in _domain_types
	_is_phi(input)
	msg := _domain_msg(input, _node_to_node_problem(_prop(input, "nodeToNodeEncryption", null)))
}

# --- ElastiCache: TLS between clients and the cache ------------------------------------------

_elasticache_msg(r, problem) := sprintf("[IME-TLS-01] ElastiCache replication group %q (data-class %s) does not protect data in transit: %s", [r.__name, _class_label(r), problem])

_transit_problem(v) := "transitEncryptionEnabled is not set, and AWS's default is no TLS" if {
	_blank(v)
} else := "transitEncryptionEnabled is not known until apply, so it could not be verified" if {
	_undecidable(v)
} else := sprintf("transitEncryptionEnabled is %s, so clients connect without TLS", [_shown(v)]) if {
	not _truthy(v)
}

_transit_mode_problem(m) := "transitEncryptionMode is not known until apply, so it could not be verified" if {
	_undecidable(m)
} else := sprintf("transitEncryptionMode is %s, so clients may still connect without TLS", [_shown(m)]) if {
	not _blank(m)
	_lower(m) != "required"
}

# METADATA
# title: ElastiCache replication groups require TLS
# description: >-
#   A PHI or unclassified ElastiCache replication group must set transitEncryptionEnabled:
#   true (AWS's default is off) and must not relax it with transitEncryptionMode
#   "preferred", which also accepts connections without TLS (left out, AWS requires TLS).
# custom:
#   control: IME-TLS-01
#   message: Set transit_encryption_enabled=True and leave transit_encryption_mode unset or "required".
#   resource_types:
#     - aws:elasticache/replicationGroup:ReplicationGroup
deny_elasticache_transit_encryption contains msg if {
	input.__type == "aws:elasticache/replicationGroup:ReplicationGroup"
	_is_phi(input)
	msg := _elasticache_msg(input, _transit_problem(_prop(input, "transitEncryptionEnabled", null)))
}

deny_elasticache_transit_encryption contains msg if {
	input.__type == "aws:elasticache/replicationGroup:ReplicationGroup"
	_is_phi(input)
	_truthy(_prop(input, "transitEncryptionEnabled", null))
	msg := _elasticache_msg(input, _transit_mode_problem(_prop(input, "transitEncryptionMode", null)))
}
