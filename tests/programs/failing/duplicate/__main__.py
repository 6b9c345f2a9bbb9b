"""Two resources with one name: the engine refuses the second, and so must synth."""

import pulumi_aws as aws

aws.s3.Bucket("records", tags={"copy": "first"})
aws.s3.Bucket("records", tags={"copy": "second"})
