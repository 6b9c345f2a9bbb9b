"""Fails while building resources, inside a helper module."""

import pulumi_aws as aws
from naming import bucket_name

aws.s3.Bucket("ok", bucket=bucket_name("standard"))
aws.s3.Bucket("bad", bucket=bucket_name("platinum"))
