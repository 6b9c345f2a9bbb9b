"""Reports, as tags, which parts of the caller's environment the program can see."""

import os
from pathlib import Path

import pulumi_aws as aws

# Set by imekit itself: the config bag, and AWS settings that point away from credentials.
OWN = {
    "PULUMI_CONFIG",
    "PULUMI_CONFIG_SECRET_KEYS",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
}
seen = sorted(n for n in os.environ if n not in OWN)


def listed(match) -> str:
    return ",".join(n for n in seen if match(n)) or "none"


credentials = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"))
aws.s3.Bucket(
    "probe",
    tags={
        "aws-vars": listed(lambda n: n.startswith("AWS_")),
        "pulumi-vars": listed(lambda n: n.startswith("PULUMI_")),
        "token-vars": listed(lambda n: "TOKEN" in n or "SECRET" in n or "PASSWORD" in n),
        "aws-credentials-file": str(credentials.expanduser().exists()),
        "cwd": Path.cwd().name,
    },
)
