"""Checks the components' Args share: values that would quietly weaken a protection.

Only what can be told when the Args are built is checked here; Pulumi outputs (a key's ARN
before it exists) pass through, and the policy gate checks the planned resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# `alias/aws/s3`, `arn:aws:kms:...:alias/aws/rds`: keys AWS creates and manages itself.
_AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")


def require_customer_managed_key(value: Any, what: str) -> None:
    """Refuse a missing key (the service would fall back to its AWS-managed key) and an
    AWS-managed key named outright: both look like encryption but are not under a key
    policy the organisation controls."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{what} must be encrypted with a customer-managed KMS key")
    if isinstance(value, str) and _AWS_MANAGED_ALIAS.search(value):
        raise ValueError(
            f"{what}: {value} is an AWS-managed key; a customer-managed KMS key is required"
        )


def grants_public_access(statement: Mapping[str, Any]) -> bool:
    """Whether a resource policy statement allows anyone: a `*` principal in any of the
    forms AWS accepts (`"*"`, `{"AWS": "*"}`, `{"AWS": ["*", ...]}`), or a NotPrincipal."""
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        for value in principal.values():
            values = value if isinstance(value, list | tuple) else [value]
            if "*" in values:
                return True
    return False
