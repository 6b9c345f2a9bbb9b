"""Where the platform is deployed: account, region, environment, and the names derived from them.

Physical names (buckets, trail, log groups, aliases, roles) are derived here from plain stack
configuration, never from other resources' outputs, so that the ARNs written into policy
documents are known during `pulumi preview`. The policy gate then sees whole documents instead
of values Pulumi marks unknown until apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROJECT = "ime-platform"

# The documented placeholder account (AWS's own example id) used by the example dev stack.
PLACEHOLDER_ACCOUNT_ID = "111122223333"

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ENVIRONMENT_RE = re.compile(r"^[a-z][a-z0-9-]{1,11}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def partition_for(region: str) -> str:
    """The ARN partition a region belongs to."""
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def validate_region(region: str, what: str = "region") -> str:
    if not _REGION_RE.match(region):
        raise ValueError(f"{what} {region!r} is not an AWS region name (e.g. us-east-1)")
    return region


@dataclass(frozen=True)
class PlatformContext:
    environment: str
    account_id: str
    region: str
    project: str = PROJECT

    def __post_init__(self) -> None:
        if not _ENVIRONMENT_RE.match(self.environment):
            raise ValueError(
                f"environment {self.environment!r} must be 2-12 lowercase letters, digits or"
                " dashes, starting with a letter (it is part of bucket names)"
            )
        if not _ACCOUNT_RE.match(self.account_id):
            raise ValueError(f"account id {self.account_id!r} must be 12 digits")
        validate_region(self.region)

    @property
    def partition(self) -> str:
        return partition_for(self.region)

    @property
    def prefix(self) -> str:
        """Prefix of every physical name, e.g. `ime-dev`."""
        return f"ime-{self.environment}"

    def physical_name(self, role: str) -> str:
        return f"{self.prefix}-{role}"

    def bucket_name(self, purpose: str) -> str:
        """Globally unique bucket name: the account and region make it unique across AWS."""
        name = f"{self.prefix}-{purpose}-{self.account_id}-{self.region}"
        if len(name) > 63:
            raise ValueError(f"bucket name {name!r} is longer than S3's 63 characters")
        return name

    @property
    def root_principal(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def s3_arn(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        """A regional ARN in this account (`region` defaults to the stack's region)."""
        return (
            f"arn:{self.partition}:{service}:{region or self.region}:{self.account_id}:{resource}"
        )

    def global_arn(self, service: str, resource: str) -> str:
        """An ARN of a global service (IAM) in this account."""
        return f"arn:{self.partition}:{service}::{self.account_id}:{resource}"

    def role_arn(self, name: str) -> str:
        return self.global_arn("iam", f"role/{name}")

    def service_endpoint(self, service: str, region: str | None = None) -> str:
        """The `kms:ViaService` value of a regional service, e.g. `s3.us-east-1.amazonaws.com`."""
        return f"{service}.{region or self.region}.amazonaws.com"
