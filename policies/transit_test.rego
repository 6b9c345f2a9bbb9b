package imekit_hipaa

import rego.v1

_fx_tls_deny := {
	"Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
	"Resource": ["arn:aws:s3:::records", "arn:aws:s3:::records/*"],
	"Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

_fx_read_statement := {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}

_fx_bucket_policy(name, bucket_name, policy) := _fx_companion(_bucket_policy_type, name, bucket_name, {"policy": policy}, {})

# --- deny_s3_tls_only ---------------------------------------------------------------------

test_fail_deny_s3_tls_only__policy_without_tls_deny if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_statement])})
	msgs := deny_s3_tls_only with input as bucket
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
}

test_fail_deny_s3_tls_only__tls_version_condition_only if {
	statement := object.union(object.remove(_fx_tls_deny, {"Condition"}), {"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}})
	bucket := _fx("aws:s3/bucketV2:BucketV2", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([statement])})
	count(deny_s3_tls_only) == 1 with input as bucket
}

_fx_tls_bucket(changes) := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([object.union(_fx_tls_deny, changes)])})

test_fail_deny_s3_tls_only__bucket_without_objects if {
	bucket := _fx_tls_bucket({"Resource": "arn:aws:s3:::records"})
	count(deny_s3_tls_only) == 1 with input as bucket
}

test_fail_deny_s3_tls_only__objects_without_bucket if {
	bucket := _fx_tls_bucket({"Resource": "arn:aws:s3:::records/*"})
	count(deny_s3_tls_only) == 1 with input as bucket
}

test_fail_deny_s3_tls_only__one_prefix_only if {
	bucket := _fx_tls_bucket({"Resource": ["arn:aws:s3:::records", "arn:aws:s3:::records/uploads/*"]})
	count(deny_s3_tls_only) == 1 with input as bucket
}

test_fail_deny_s3_tls_only__not_resource if {
	statement := object.union(object.remove(_fx_tls_deny, {"Resource"}), {"NotResource": "arn:aws:s3:::records/public/*"})
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([statement])})
	count(deny_s3_tls_only) == 1 with input as bucket
}

# A second condition narrows the deny: a TLS-version key is absent on plain HTTP, so this
# statement never applies to it.
test_fail_deny_s3_tls_only__narrowed_by_another_condition if {
	version := _fx_tls_bucket({"Condition": {"Bool": {"aws:SecureTransport": "false"}, "NumericLessThan": {"s3:TlsVersion": "1.2"}}})
	count(deny_s3_tls_only) == 1 with input as version
	endpoint := _fx_tls_bucket({"Condition": {"Bool": {"aws:SecureTransport": "false", "aws:SourceVpce": "vpce-1"}}})
	count(deny_s3_tls_only) == 1 with input as endpoint
}

test_pass_deny_s3_tls_only__everything_or_one_wildcard if {
	everything := _fx_tls_bucket({"Resource": "*"})
	count(deny_s3_tls_only) == 0 with input as everything
	prefix := _fx_tls_bucket({"Resource": "arn:aws:s3:::records*"})
	count(deny_s3_tls_only) == 0 with input as prefix
	principal := _fx_tls_bucket({"Principal": {"AWS": ["*"]}})
	count(deny_s3_tls_only) == 0 with input as principal
}

test_fail_deny_s3_tls_only__unknown_policy if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _unknown_marker})
	msgs := deny_s3_tls_only with input as bucket
	count(msgs) == 1
	some m in msgs
	contains(m, "could not be verified")
}

test_pass_deny_s3_tls_only if {
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_read_statement, _fx_tls_deny])})
	count(deny_s3_tls_only) == 0 with input as bucket
}

test_pass_deny_s3_tls_only__statement_object_bool_ifexists if {
	statement := object.union(object.remove(_fx_tls_deny, {"Condition"}), {"Action": ["s3:*"], "Condition": {"BoolIfExists": {"aws:securetransport": false}}})
	bucket := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": {"Statement": statement}})
	count(deny_s3_tls_only) == 0 with input as bucket
}

# No inline policy: the per-resource rule defers to the stack rule, which fires.
test_missing_deny_s3_tls_only__policy if {
	bucket := _fx_bucket("records", {})
	count(deny_s3_tls_only) == 0 with input as bucket
	doc := _fx_stack([bucket])
	count(stack_deny_s3_tls_only) == 1 with input as doc
}

# --- stack_deny_s3_tls_only ---------------------------------------------------------------

test_fail_stack_deny_s3_tls_only__no_bucket_policy if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_s3_tls_only with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_s3_tls_only__policy_without_tls_deny if {
	p := _fx_bucket_policy("records-policy", "records", _fx_policy([_fx_read_statement]))
	doc := _fx_stack([_fx_bucket("records", {}), p])
	msgs := stack_deny_s3_tls_only with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, p.__urn)
}

test_fail_stack_deny_s3_tls_only__unknown_policy if {
	p := _fx_bucket_policy("records-policy", "records", _unknown_marker)
	doc := _fx_stack([_fx_bucket("records", {}), p])
	msgs := stack_deny_s3_tls_only with input as doc
	count(msgs) == 1
}

test_fail_stack_deny_s3_tls_only__separate_overrides_inline if {
	bucket := _fxs("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "policy": _fx_policy([_fx_tls_deny])}, {})
	p := _fx_bucket_policy("records-policy", "records", _fx_policy([_fx_read_statement]))
	doc := _fx_stack([bucket, p])
	msgs := stack_deny_s3_tls_only with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, p.__urn)
}

test_pass_stack_deny_s3_tls_only if {
	p := _fx_bucket_policy("records-policy", "records", _fx_policy([_fx_tls_deny]))
	doc := _fx_stack([_fx_bucket("records", {}), p])
	count(stack_deny_s3_tls_only) == 0 with input as doc
}

test_pass_stack_deny_s3_tls_only__logs_bucket if {
	b := _fxs("aws:s3/bucket:Bucket", "trail-logs", {"tags": _fx_logs_tags}, {})
	doc := _fx_stack([b])
	count(stack_deny_s3_tls_only) == 0 with input as doc
}

# A policy whose `bucket` does not depend on the bucket is not joined to it.
test_missing_stack_deny_s3_tls_only__bucket_dependency if {
	p := _fxs(_bucket_policy_type, "records-policy", {"bucket": "records", "policy": _fx_policy([_fx_tls_deny])}, {})
	doc := _fx_stack([_fx_bucket("records", {}), p])
	msgs := stack_deny_s3_tls_only with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

# --- deny_rds_force_ssl ---------------------------------------------------------------------

_fx_pg(family, parameters) := _fx("aws:rds/parameterGroup:ParameterGroup", "phi-pg", {"family": family, "parameters": parameters})

test_fail_deny_rds_force_ssl__postgres_off if {
	doc := _fx_pg("postgres16", [{"name": "rds.force_ssl", "value": "0"}])
	msgs := deny_rds_force_ssl with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
}

test_fail_deny_rds_force_ssl__mysql_cluster_group if {
	g := _fx("aws:rds/clusterParameterGroup:ClusterParameterGroup", "phi-cpg", {"family": "aurora-mysql8.0", "parameters": [{"name": "require_secure_transport", "value": "OFF"}]})
	count(deny_rds_force_ssl) == 1 with input as g
}

test_fail_deny_rds_force_ssl__default_group if {
	doc := _fx_db({"parameterGroupName": "default.postgres16"})
	count(deny_rds_force_ssl) == 1 with input as doc
}

test_fail_deny_rds_force_ssl__family_unknown_until_apply if {
	doc := _fx_pg(_unknown_marker, [{"name": "rds.force_ssl", "value": "1"}])
	msgs := deny_rds_force_ssl with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "not known until apply")
}

test_pass_deny_rds_force_ssl__postgres if {
	doc := _fx_pg("postgres16", [{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}])
	count(deny_rds_force_ssl) == 0 with input as doc
}

test_pass_deny_rds_force_ssl__mysql_on if {
	doc := _fx_pg("mysql8.0", [{"name": "require_secure_transport", "value": "ON"}])
	count(deny_rds_force_ssl) == 0 with input as doc
}

test_pass_deny_rds_force_ssl__named_group if {
	doc := _fx_db({"parameterGroupName": "phi-pg-1234"})
	count(deny_rds_force_ssl) == 0 with input as doc
}

test_missing_deny_rds_force_ssl__parameters if {
	doc := _fx("aws:rds/parameterGroup:ParameterGroup", "phi-pg", {"family": "postgres16"})
	count(deny_rds_force_ssl) == 1 with input as doc
}

test_missing_deny_rds_force_ssl__parameter_group_name if {
	doc := _fx_db({"storageEncrypted": true})
	msgs := deny_rds_force_ssl with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "default parameter group")
}

# --- stack_deny_rds_force_ssl ---------------------------------------------------------------

test_fail_stack_deny_rds_force_ssl__group_outside_stack if {
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags, "parameterGroupName": "shared-pg"}, {})
	doc := _fx_stack([db])
	msgs := stack_deny_rds_force_ssl with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	_fx_names_urn(msgs, db.__urn)
}

test_pass_stack_deny_rds_force_ssl if {
	pg := _fxs("aws:rds/parameterGroup:ParameterGroup", "phi-pg", {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]}, {})
	db := _fxs("aws:rds/instance:Instance", "phi-db", {"tags": _fx_phi_tags, "parameterGroupName": _unknown_marker}, {"parameterGroupName": [pg.__urn]})
	doc := _fx_stack([pg, db])
	count(stack_deny_rds_force_ssl) == 0 with input as doc
}

test_missing_stack_deny_rds_force_ssl__property_dependencies if {
	db := object.remove(_fxs("aws:rds/cluster:Cluster", "phi-cluster", {"tags": _fx_phi_tags, "dbClusterParameterGroupName": _unknown_marker}, {}), {"propertyDependencies"})
	doc := _fx_stack([db])
	count(stack_deny_rds_force_ssl) == 1 with input as doc
}

# --- deny_lb_listener_tls -------------------------------------------------------------------

_fx_listener(props) := _fx("aws:lb/listener:Listener", "portal-https", props)

test_fail_deny_lb_listener_tls__http if {
	doc := _fx_listener({"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "forward"}]})
	msgs := deny_lb_listener_tls with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
}

test_fail_deny_lb_listener_tls__old_policy if {
	doc := _fx("aws:alb/listener:Listener", "portal", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"})
	count(deny_lb_listener_tls) == 1 with input as doc
}

test_fail_deny_lb_listener_tls__tls13_allowing_tls10 if {
	doc := _fx_listener({"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-0-2021-06"})
	count(deny_lb_listener_tls) == 1 with input as doc
}

test_pass_deny_lb_listener_tls if {
	doc := _fx_listener({"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "port": 443})
	count(deny_lb_listener_tls) == 0 with input as doc
}

test_pass_deny_lb_listener_tls__redirect if {
	doc := _fx_listener({"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]})
	count(deny_lb_listener_tls) == 0 with input as doc
}

test_missing_deny_lb_listener_tls__protocol if {
	doc := _fx_listener({"port": 80})
	count(deny_lb_listener_tls) == 1 with input as doc
}

test_missing_deny_lb_listener_tls__ssl_policy if {
	doc := _fx_listener({"protocol": "TLS", "port": 443})
	count(deny_lb_listener_tls) == 1 with input as doc
}

test_pass_deny_lb_listener_tls__lower_case_protocols if {
	https := _fx_listener({"protocol": "https", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})
	count(deny_lb_listener_tls) == 0 with input as https
	redirect := _fx_listener({"protocol": "http", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "https"}}]})
	count(deny_lb_listener_tls) == 0 with input as redirect
}

test_fail_deny_lb_listener_tls__redirect_to_http if {
	doc := _fx_listener({"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "#{protocol}", "host": "example.org"}}]})
	count(deny_lb_listener_tls) == 1 with input as doc
}

_fx_classic_lb(listeners) := _fx("aws:elb/loadBalancer:LoadBalancer", "legacy", {"listeners": listeners})

# Every classic listener fails: plain ones for lack of TLS, TLS ones because their policy
# (separate resources) defaults to one allowing TLS 1.0.
test_fail_deny_lb_listener_tls__classic_load_balancer if {
	doc := _fx_classic_lb([
		{"lbProtocol": "http", "lbPort": 80, "instanceProtocol": "http", "instancePort": 8080},
		{"lbProtocol": "https", "lbPort": 443, "instanceProtocol": "http", "instancePort": 8080, "sslCertificateId": "arn:aws:acm:us-east-1:123456789012:certificate/x"},
	])
	msgs := deny_lb_listener_tls with input as doc
	count(msgs) == 2
	_fx_all_start_with(msgs, "IME-TLS-01")
	unknown := _fx_classic_lb(_unknown_marker)
	count(deny_lb_listener_tls) == 1 with input as unknown
}

# Classic Load Balancers need listeners: AWS refuses one without, so there is nothing to judge.
test_missing_deny_lb_listener_tls__classic_listeners if {
	doc := _fx("aws:elb/loadBalancer:LoadBalancer", "legacy", {"internal": true})
	count(deny_lb_listener_tls) == 0 with input as doc
}

test_fail_deny_rds_force_ssl__engine_without_tls_parameter if {
	oracle := _fx_db({"engine": "oracle-ee", "parameterGroupName": "phi-oracle-pg"})
	msgs := deny_rds_force_ssl with input as oracle
	count(msgs) == 1
	some m in msgs
	contains(m, "oracle-ee")
	db2 := _fx("aws:rds/cluster:Cluster", "db2", {"tags": _fx_phi_tags, "engine": "db2-se", "dbClusterParameterGroupName": "x"})
	count(deny_rds_force_ssl) == 1 with input as db2
}

test_pass_deny_rds_force_ssl__engines_with_tls_parameter if {
	every engine in ["postgres", "aurora-postgresql", "mysql", "aurora-mysql", "mariadb", "sqlserver-se"] {
		doc := _fx_db({"engine": engine, "parameterGroupName": "phi-pg-1234"})
		count(deny_rds_force_ssl) == 0 with input as doc
	}
}

test_fail_deny_lb_listener_tls__values_unknown_until_apply if {
	protocol := _fx_listener({"protocol": _unknown_marker, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})
	msgs := deny_lb_listener_tls with input as protocol
	count(msgs) == 1
	some m in msgs
	contains(m, "not known until apply")
	policy := _fx_listener({"protocol": "HTTPS", "sslPolicy": _unknown_marker})
	count(deny_lb_listener_tls) == 1 with input as policy
}

# --- deny_redshift_require_ssl ----------------------------------------------------------------

_fx_redshift_pg(parameters) := _fx(_redshift_group_type, "warehouse-params", {"family": "redshift-1.0", "parameters": parameters})

test_fail_deny_redshift_require_ssl__group_without_ssl if {
	doc := _fx_redshift_pg([{"name": "require_ssl", "value": "false"}, {"name": "enable_user_activity_logging", "value": "true"}])
	msgs := deny_redshift_require_ssl with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	unknown := _fx_redshift_pg(_unknown_marker)
	found := deny_redshift_require_ssl with input as unknown
	count(found) == 1
	some f in found
	contains(f, "not known until apply")
}

test_fail_deny_redshift_require_ssl__default_group if {
	doc := _fx_redshift({"clusterParameterGroupName": "default.redshift-1.0"})
	msgs := deny_redshift_require_ssl with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "AWS default parameter group")
}

test_pass_deny_redshift_require_ssl if {
	doc := _fx_redshift_pg([{"name": "require_ssl", "value": "TRUE"}])
	count(deny_redshift_require_ssl) == 0 with input as doc
	cluster := _fx_redshift({"clusterParameterGroupName": "warehouse-params-1234"})
	count(deny_redshift_require_ssl) == 0 with input as cluster
	internal := _fx("aws:redshift/cluster:Cluster", "metrics", {"tags": _fx_internal_tags})
	count(deny_redshift_require_ssl) == 0 with input as internal
}

test_missing_deny_redshift_require_ssl__parameters if {
	doc := _fx(_redshift_group_type, "warehouse-params", {"family": "redshift-1.0"})
	count(deny_redshift_require_ssl) == 1 with input as doc
}

# Without a group the cluster uses AWS's default, whose require_ssl the program cannot show.
test_missing_deny_redshift_require_ssl__cluster_parameter_group_name if {
	doc := _fx_redshift({"kmsKeyId": _fx_key_arn})
	msgs := deny_redshift_require_ssl with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "sets no clusterParameterGroupName")
}

# --- stack_deny_redshift_require_ssl ----------------------------------------------------------

test_fail_stack_deny_redshift_require_ssl__group_outside_stack if {
	cluster := _fxs("aws:redshift/cluster:Cluster", "claims-warehouse", {"tags": _fx_phi_tags, "clusterParameterGroupName": "shared-params"}, {})
	doc := _fx_stack([cluster])
	msgs := stack_deny_redshift_require_ssl with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	_fx_names_urn(msgs, cluster.__urn)
}

test_pass_stack_deny_redshift_require_ssl if {
	pg := _fxs(_redshift_group_type, "warehouse-params", {"family": "redshift-1.0", "parameters": [{"name": "require_ssl", "value": "true"}]}, {})
	cluster := _fxs("aws:redshift/cluster:Cluster", "claims-warehouse", {"tags": _fx_phi_tags, "clusterParameterGroupName": _unknown_marker}, {"clusterParameterGroupName": [pg.__urn]})
	doc := _fx_stack([pg, cluster])
	count(stack_deny_redshift_require_ssl) == 0 with input as doc
	# A default group is deny_redshift_require_ssl's finding, not this rule's.
	default_group := _fxs("aws:redshift/cluster:Cluster", "claims-warehouse", {"tags": _fx_phi_tags, "clusterParameterGroupName": "default.redshift-1.0"}, {})
	defaults := _fx_stack([default_group])
	count(stack_deny_redshift_require_ssl) == 0 with input as defaults
}

test_missing_stack_deny_redshift_require_ssl__property_dependencies if {
	cluster := object.remove(_fxs("aws:redshift/cluster:Cluster", "claims-warehouse", {"tags": _fx_phi_tags, "clusterParameterGroupName": _unknown_marker}, {}), {"propertyDependencies"})
	doc := _fx_stack([cluster])
	count(stack_deny_redshift_require_ssl) == 1 with input as doc
}

# --- deny_opensearch_https ---------------------------------------------------------------------

_fx_tls12_options := {"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"}

test_fail_deny_opensearch_https__http_allowed if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"domainEndpointOptions": object.union(_fx_tls12_options, {"enforceHttps": false})})
	msgs := deny_opensearch_https with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	some m in msgs
	contains(m, "accepts plain HTTP")
	unknown := _fx_domain("aws:elasticsearch/domain:Domain", {"domainEndpointOptions": object.union(_fx_tls12_options, {"enforceHttps": _unknown_marker})})
	count(deny_opensearch_https) == 1 with input as unknown
}

test_fail_deny_opensearch_https__tls10_policy if {
	doc := _fx_domain("aws:elasticsearch/domain:Domain", {"domainEndpointOptions": object.union(_fx_tls12_options, {"tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"})})
	msgs := deny_opensearch_https with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "Policy-Min-TLS-1-0-2019-07")
}

test_fail_deny_opensearch_https__options_unknown_until_apply if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"domainEndpointOptions": _unknown_marker})
	msgs := deny_opensearch_https with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "not known until apply")
}

test_pass_deny_opensearch_https if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"domainEndpointOptions": _fx_tls12_options})
	count(deny_opensearch_https) == 0 with input as doc
	older := _fx_domain("aws:elasticsearch/domain:Domain", {"domainEndpointOptions": {"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}})
	count(deny_opensearch_https) == 0 with input as older
	internal := _fx("aws:opensearch/domain:Domain", "metrics", {"tags": _fx_internal_tags})
	count(deny_opensearch_https) == 0 with input as internal
}

# Within the block the provider's default for enforceHttps is true.
test_missing_deny_opensearch_https__enforce_https if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"domainEndpointOptions": {"tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}})
	count(deny_opensearch_https) == 0 with input as doc
}

# Without the block AWS does not require HTTPS.
test_missing_deny_opensearch_https__domain_endpoint_options if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {})
	msgs := deny_opensearch_https with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "no domainEndpointOptions is set")
}

# Without a policy AWS's default applies, which the program cannot show.
test_missing_deny_opensearch_https__tls_security_policy if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"domainEndpointOptions": {"enforceHttps": true}})
	msgs := deny_opensearch_https with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "sets no tlsSecurityPolicy")
}

# --- deny_opensearch_node_to_node_encryption ---------------------------------------------------

test_fail_deny_opensearch_node_to_node_encryption__disabled if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"nodeToNodeEncryption": {"enabled": false}})
	msgs := deny_opensearch_node_to_node_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	unknown := _fx_domain("aws:elasticsearch/domain:Domain", {"nodeToNodeEncryption": {"enabled": _unknown_marker}})
	found := deny_opensearch_node_to_node_encryption with input as unknown
	count(found) == 1
	some f in found
	contains(f, "not known until apply")
}

test_pass_deny_opensearch_node_to_node_encryption if {
	doc := _fx_domain("aws:elasticsearch/domain:Domain", {"nodeToNodeEncryption": {"enabled": true}})
	count(deny_opensearch_node_to_node_encryption) == 0 with input as doc
}

test_missing_deny_opensearch_node_to_node_encryption__node_to_node_encryption if {
	doc := _fx_domain("aws:opensearch/domain:Domain", {"encryptAtRest": {"enabled": true}})
	msgs := deny_opensearch_node_to_node_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "no nodeToNodeEncryption is set")
}

# --- deny_elasticache_transit_encryption ------------------------------------------------------

test_fail_deny_elasticache_transit_encryption__disabled if {
	doc := _fx_cache({"transitEncryptionEnabled": false})
	msgs := deny_elasticache_transit_encryption with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-TLS-01")
	unknown := _fx_cache({"transitEncryptionEnabled": _unknown_marker})
	count(deny_elasticache_transit_encryption) == 1 with input as unknown
}

test_fail_deny_elasticache_transit_encryption__preferred_mode if {
	doc := _fx_cache({"transitEncryptionEnabled": true, "transitEncryptionMode": "preferred"})
	msgs := deny_elasticache_transit_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "transitEncryptionMode is preferred")
}

test_pass_deny_elasticache_transit_encryption if {
	doc := _fx_cache({"transitEncryptionEnabled": true, "transitEncryptionMode": "required"})
	count(deny_elasticache_transit_encryption) == 0 with input as doc
	internal := _fx("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {"tags": _fx_internal_tags})
	count(deny_elasticache_transit_encryption) == 0 with input as internal
}

# AWS's default is no TLS; with TLS on, a mode left out is "required".
test_missing_deny_elasticache_transit_encryption__transit_encryption_enabled if {
	doc := _fx_cache({"atRestEncryptionEnabled": true})
	msgs := deny_elasticache_transit_encryption with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "transitEncryptionEnabled is not set")
}

test_missing_deny_elasticache_transit_encryption__transit_encryption_mode if {
	doc := _fx_cache({"transitEncryptionEnabled": true})
	count(deny_elasticache_transit_encryption) == 0 with input as doc
}
