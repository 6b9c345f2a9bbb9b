package imekit_hipaa

import rego.v1

# IME-ACC-01: no public access to PHI (164.312(a)(1), 164.308(a)(4)(ii)(B)).

_pab_type := "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

_account_pab_type := "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"

_pab_flags := ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]

_pab_open_flags(r) := [f |
	some f in _pab_flags
	not _prop(r, f, false) == true
]

_pab_complete(r) if count(_pab_open_flags(r)) == 0

_pab_label := {
	_pab_type: "bucket public access block",
	_account_pab_type: "account public access block",
}

# METADATA
# title: S3 public access blocks block everything
# description: >-
#   Every bucket or account public access block must set all four flags
#   (blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets) to true. A
#   flag left out defaults to false and fails; a flag known only at apply could not be
#   verified and fails. Whether each PHI bucket has a block at all is
#   stack_deny_s3_public_access_block's check.
# custom:
#   control: IME-ACC-01
#   message: Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to True.
#   resource_types:
#     - aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock
#     - aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock
deny_s3_public_access_block contains msg if {
	input.__type in object.keys(_pab_label)
	open := _pab_open_flags(input)
	count(open) > 0
	msg := sprintf("[IME-ACC-01] %s %q does not block all public access: %s not true (a missing flag defaults to false)", [_pab_label[input.__type], input.__name, concat(", ", open)])
}

_blocked_buckets := {u |
	some p in _stack_of_type({_pab_type})
	some u in _deps(p, "bucket")
}

# An account-wide block covering every bucket, when this stack manages it.
_account_blocked if {
	some p in _stack_of_type({_account_pab_type})
	_pab_complete(p)
}

# METADATA
# title: PHI buckets have a public access block
# description: >-
#   Every PHI or unclassified S3 bucket must have an aws:s3/bucketPublicAccessBlock joined to
#   it through propertyDependencies (`bucket=bucket.id`), unless the stack manages a complete
#   account public access block. Without one, a bucket policy or ACL can make PHI public.
# custom:
#   control: IME-ACC-01
#   message: >-
#     Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id) with all four flags True, or manage
#     aws.s3.AccountPublicAccessBlock in this stack.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock
#     - aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock
stack_deny_s3_public_access_block contains msg if {
	not _account_blocked
	some b in _stack_phi_buckets
	not b.__urn in _blocked_buckets
	msg := sprintf("[IME-ACC-01] S3 bucket %q (data-class %s) has no public access block joined to it %s", [b.__name, _class_label(b), _at(b)])
}

# METADATA
# title: PHI databases are not publicly accessible
# description: >-
#   A PHI or unclassified RDS instance or cluster or Redshift cluster, and any RDS cluster
#   instance, must not set publiclyAccessible: true. Left out, AWS's default is private,
#   which passes; a value known only at apply could not be verified and fails.
# custom:
#   control: IME-ACC-01
#   message: Set publicly_accessible=False and reach the database through private subnets.
#   resource_types:
#     - aws:rds/instance:Instance
#     - aws:rds/cluster:Cluster
#     - aws:rds/clusterInstance:ClusterInstance
#     - aws:redshift/cluster:Cluster
deny_rds_public contains msg if {
	_public_db_scope(input)
	_truthy(_prop(input, "publiclyAccessible", false))
	msg := sprintf("[IME-ACC-01] %s %q%s is publicly accessible", [_kind[input.__type], input.__name, _class_note(input)])
}

deny_rds_public contains msg if {
	_public_db_scope(input)
	_undecidable(_prop(input, "publiclyAccessible", null))
	msg := sprintf("[IME-ACC-01] %s %q%s has publiclyAccessible not known until apply, so it could not be verified as private", [_kind[input.__type], input.__name, _class_note(input)])
}

_public_db_scope(r) if {
	r.__type in (_rds_types | {"aws:redshift/cluster:Cluster"})
	_is_phi(r)
}

_public_db_scope(r) if r.__type == "aws:rds/clusterInstance:ClusterInstance"
