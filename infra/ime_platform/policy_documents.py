"""Builders for the IAM, key and resource policy documents the platform writes.

Documents are plain JSON strings built from names known before deployment, so the policy gate
can read them during `pulumi preview`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

Statement = dict[str, Any]

POLICY_VERSION = "2012-10-17"

# The condition every PHI-access policy carries in an explicit Deny: BoolIfExists also denies
# requests that carry no MFA context at all (long-term access keys).
MFA_ABSENT_CONDITION = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}


def policy_document(statements: Sequence[Statement]) -> str:
    if not statements:
        raise ValueError("a policy document needs at least one statement")
    sids = [s["Sid"] for s in statements if "Sid" in s]
    if len(sids) != len(set(sids)):
        raise ValueError(f"duplicate statement ids in policy document: {sids}")
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, indent=2)


def allow(sid: str, actions: Sequence[str], resources: Sequence[str], **extra: Any) -> Statement:
    """An Allow statement; refuses the administrator wildcard (every action on every resource)."""
    if "*" in actions and "*" in resources:
        raise ValueError(f"statement {sid}: Allow * on * is never granted")
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": list(resources),
    }
    statement.update(extra)
    return statement


# What a user may do before signing in with MFA: set a first password and enrol a device.
MFA_BOOTSTRAP_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)


def deny_without_mfa() -> Statement:
    """Explicit Deny of everything but MFA enrolment unless the caller signed in with MFA.

    AWS's documented shape: a Deny on every action (NotAction the bootstrap set) cannot miss an
    action a later Allow adds, where a Deny listing the granted actions could.
    """
    return {
        "Sid": "DenyPhiAccessWithoutMfa",
        "Effect": "Deny",
        "NotAction": list(MFA_BOOTSTRAP_ACTIONS),
        "Resource": "*",
        "Condition": MFA_ABSENT_CONDITION,
    }


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Deny every S3 request on the bucket and its objects that is not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_outdated_tls(bucket_arn: str) -> Statement:
    """Deny S3 requests negotiated with TLS older than 1.2."""
    return {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }


def service_trust_policy(service: str, conditions: dict[str, Any] | None = None) -> str:
    """Role trust policy letting one AWS service assume the role, optionally conditioned."""
    statement: Statement = {
        "Sid": "AllowServiceToAssume",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if conditions:
        statement["Condition"] = conditions
    return policy_document([statement])
