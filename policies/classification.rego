package imekit_hipaa

import rego.v1

# IME-DAT-01: every data store declares its data class (164.308(a)(1)(ii)(A), 164.310(d)(1)).
# The class decides which rules apply; a store without a valid class is treated as PHI by
# every other rule, so this rule only reports the missing declaration.

# METADATA
# title: Every data store declares its data class
# description: >-
#   Every data store (S3 bucket, RDS instance or cluster, EBS volume, DynamoDB table, EFS file
#   system, DocumentDB cluster, Redshift cluster, OpenSearch or Elasticsearch domain,
#   ElastiCache replication group, EC2 instance) and every EC2 launch template must carry a
#   `data-class` tag of phi, logs or internal (on the resource or in the provider's default
#   tags). Without a valid class the store is treated as PHI.
# custom:
#   control: IME-DAT-01
#   message: Tag the store with data-class set to phi, logs or internal.
#   resource_types:
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
#     - aws:ec2/launchTemplate:LaunchTemplate
deny_data_class_tag contains msg if {
	input.__type in _classified_types
	not "data-class" in object.keys(_tags(input))
	msg := sprintf("[IME-DAT-01] %s %q has no data-class tag, so it is treated as PHI", [_store_kind(input), input.__name])
}

deny_data_class_tag contains msg if {
	input.__type in _classified_types
	value := _tags(input)["data-class"]
	not value in _data_classes
	msg := sprintf("[IME-DAT-01] %s %q has data-class %s, not one of phi, logs, internal, so it is treated as PHI", [_store_kind(input), input.__name, _shown_json(value)])
}

_shown_json(v) := "not known until apply" if _undecidable(v)

_shown_json(v) := json.marshal(v) if not _undecidable(v)
