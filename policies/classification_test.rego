package imekit_hipaa

import rego.v1

test_fail_deny_data_class_tag__invalid_value if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": {"data-class": "secret", "component": "records"}})
	msgs := deny_data_class_tag with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-DAT-01")
	some m in msgs
	contains(m, "treated as PHI")
}

test_fail_deny_data_class_tag__unknown_value if {
	table := _fx("aws:dynamodb/table:Table", "referrals", {"tags": {"data-class": _unknown_marker}})
	count(deny_data_class_tag) == 1 with input as table
}

test_pass_deny_data_class_tag if {
	doc := _fx("aws:efs/fileSystem:FileSystem", "scans", {"tags": _fx_internal_tags})
	count(deny_data_class_tag) == 0 with input as doc
}

test_pass_deny_data_class_tag__provider_default_tags if {
	doc := object.union(_fx("aws:ebs/volume:Volume", "scratch", {"size": 10}), {"__provider": {"type": "pulumi:providers:aws", "name": "default", "urn": "urn:x", "properties": {"defaultTags": "{\"tags\":{\"data-class\":\"logs\"}}"}}})
	count(deny_data_class_tag) == 0 with input as doc
}

test_pass_deny_data_class_tag__not_a_data_store if {
	doc := _fx("aws:sns/topic:Topic", "alerts", {})
	count(deny_data_class_tag) == 0 with input as doc
}

test_missing_deny_data_class_tag__tags if {
	doc := _fx("aws:rds/cluster:Cluster", "phi-cluster", {"engine": "aurora-postgresql"})
	msgs := deny_data_class_tag with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "no data-class tag")
}

test_fail_deny_data_class_tag__other_data_stores if {
	every type_ in [
		"aws:docdb/cluster:Cluster",
		"aws:redshift/cluster:Cluster",
		"aws:opensearch/domain:Domain",
		"aws:elasticsearch/domain:Domain",
		"aws:elasticache/replicationGroup:ReplicationGroup",
		"aws:ec2/instance:Instance",
		"aws:ec2/launchTemplate:LaunchTemplate",
	] {
		untagged := _fx(type_, "store", {"tags": {"component": "cases"}})
		count(deny_data_class_tag) == 1 with input as untagged
		tagged := _fx(type_, "store", {"tags": _fx_phi_tags})
		count(deny_data_class_tag) == 0 with input as tagged
	}
}
