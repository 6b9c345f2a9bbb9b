"""IAM: drill users and their access keys, quarantine (deny-all), rotation, service roles."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from imekit.drills.aws._common import (
    is_client_error,
    require_owned,
    retry_while,
    tags_to_dict,
)
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe
from imekit.drills.targets import Credentials

DRILL_PATH = "/imekit-drill/"
QUARANTINE_POLICY = "imekit-quarantine-deny-all"
_PERMISSIONS_POLICY = "imekit-drill-permissions"
_DENY_ALL = {"Version": "2012-10-17",
             "Statement": [{"Sid": "QuarantineDenyAll", "Effect": "Deny", "Action": "*",
                            "Resource": "*"}]}


def _user_tags(ctx: DrillContext, user: str) -> dict[str, str] | None:
    try:
        return tags_to_dict(ctx.client("iam").list_user_tags(UserName=user)["Tags"])
    except Exception as exc:
        if is_client_error(exc, "NoSuchEntity"):
            return None
        raise


def _require_user_owned(ctx: DrillContext, user: str) -> None:
    tags = _user_tags(ctx, user)
    if tags is None:
        raise DrillStepError(f"iam user {user}: does not exist")
    require_owned(ctx, f"iam user {user}", tags)


@action
def create_user_with_key(ctx: DrillContext, user: str,
                         policy: dict[str, Any] | None = None) -> str:
    """Create a drill user (path /imekit-drill/) with an optional inline policy and one access
    key; return the key id. The secret stays in this process's memory, never on disk."""
    iam = ctx.client("iam")
    if _user_tags(ctx, user) is not None:
        raise DrillStepError(f"iam user {user}: already exists; a drill only uses users it "
                             "creates")
    iam.create_user(UserName=user, Path=DRILL_PATH, Tags=ctx.tag_list())
    if policy:
        iam.put_user_policy(UserName=user, PolicyName=_PERMISSIONS_POLICY,
                            PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    ctx.remember_credentials(user, Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    return key["AccessKeyId"]


@action
def use_leaked_key(ctx: DrillContext, user: str) -> str:
    """Act as whoever found the leaked key: identify the caller with it (a harmless read)."""
    sts = ctx.client_as("sts", user)
    identity = retry_while(ctx, f"iam user {user}", sts.get_caller_identity,
                           codes=("InvalidClientTokenId",))
    ctx.mark_incident()
    if not identity["Arn"].endswith(f"/{user}"):
        raise DrillStepError(f"iam user {user}: the leaked key identified as {identity['Arn']}")
    return "used"


@action
def find_key_owner(ctx: DrillContext, access_key_id: str) -> str:
    """Find which user owns a reported access key id; refuse if it is not this run's user."""
    try:
        owner = ctx.client("iam").get_access_key_last_used(AccessKeyId=access_key_id)["UserName"]
    except Exception as exc:
        if is_client_error(exc, "NoSuchEntity", "AccessDenied"):
            raise DrillStepError(f"iam access key {access_key_id[:4]}...: no user in this "
                                 "account owns it") from exc
        raise
    _require_user_owned(ctx, owner)
    return owner


def _access_keys(ctx: DrillContext, user: str) -> list[dict[str, Any]]:
    return ctx.client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]


@action
def deactivate_access_key(ctx: DrillContext, user: str, access_key_id: str) -> str:
    """Set the leaked key Inactive (reversible, unlike deletion, while the incident is open)."""
    _require_user_owned(ctx, user)
    ctx.client("iam").update_access_key(UserName=user, AccessKeyId=access_key_id,
                                        Status="Inactive")
    return "Inactive"


@action
def attach_deny_all(ctx: DrillContext, user: str) -> str:
    """Quarantine the user: an inline policy denying every action on every resource."""
    _require_user_owned(ctx, user)
    ctx.client("iam").put_user_policy(UserName=user, PolicyName=QUARANTINE_POLICY,
                                      PolicyDocument=json.dumps(_DENY_ALL))
    return QUARANTINE_POLICY


@action
def rotate_access_key(ctx: DrillContext, user: str, old_access_key_id: str) -> str:
    """Issue a replacement key (the leaked one stays Inactive for the investigation).

    The new secret would go to the application's secret store; the drill holds it in memory
    only and never prints or journals it.
    """
    _require_user_owned(ctx, user)
    keys = _access_keys(ctx, user)
    if len(keys) >= 2:
        raise DrillStepError(f"iam user {user}: already has two access keys, cannot rotate "
                             "without deleting one")
    if not any(k["AccessKeyId"] == old_access_key_id for k in keys):
        raise DrillStepError(f"iam user {user}: the leaked key is not one of its keys")
    key = ctx.client("iam").create_access_key(UserName=user)["AccessKey"]
    ctx.remember_credentials(f"{user}#replacement",
                             Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    return key["AccessKeyId"]


@probe
def access_key_status(ctx: DrillContext, user: str, access_key_id: str) -> str:
    """Active, Inactive, or absent."""
    for key in _access_keys(ctx, user):
        if key["AccessKeyId"] == access_key_id:
            return str(key["Status"])
    return "absent"


@probe
def active_key_count(ctx: DrillContext, user: str) -> int:
    """How many Active access keys the user has."""
    return sum(1 for k in _access_keys(ctx, user) if k["Status"] == "Active")


@probe
def other_active_keys(ctx: DrillContext, user: str, access_key_id: str) -> int:
    """How many Active keys the user has besides `access_key_id`."""
    return sum(1 for k in _access_keys(ctx, user)
               if k["Status"] == "Active" and k["AccessKeyId"] != access_key_id)


@probe
def deny_all_attached(ctx: DrillContext, user: str) -> bool:
    """True when the quarantine policy is attached and denies every action on everything."""
    try:
        document = ctx.client("iam").get_user_policy(UserName=user,
                                                      PolicyName=QUARANTINE_POLICY)
    except Exception as exc:
        if is_client_error(exc, "NoSuchEntity"):
            return False
        raise
    policy = document["PolicyDocument"]
    if isinstance(policy, str):
        from urllib.parse import unquote

        policy = json.loads(unquote(policy))
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return any(s.get("Effect") == "Deny" and s.get("Action") in ("*", ["*"])
               and s.get("Resource") in ("*", ["*"]) and not s.get("Condition")
               for s in statements)


@probe
def old_key_refused(ctx: DrillContext, user: str, timeout_seconds: int = 120) -> bool:
    """True once AWS refuses the deactivated key (it takes effect within seconds to minutes)."""
    ctx.aws_only("the deactivated access key is refused by AWS (moto's IAM authentication is "
                 "off, so a deactivated key still works locally)")
    sts = ctx.client_as("sts", user)

    def refused() -> bool:
        try:
            sts.get_caller_identity()
        except Exception as exc:
            if is_client_error(exc, "InvalidClientTokenId", "AccessDenied"):
                return True
            raise
        return False

    return bool(ctx.poll(f"iam user {user}: deactivated key still accepted", refused,
                         timeout=float(timeout_seconds), interval=10.0))


@probe
def quarantine_denies(ctx: DrillContext, user: str, actions: list[str],
                      resources: list[str] | None = None, timeout_seconds: int = 120) -> list[str]:
    """The actions IAM's policy simulator does not explicitly deny the user (on `resources`,
    default every resource); [] once the quarantine holds. AWS evaluates the user's real
    policies; the simulator sees a new policy within seconds, so it is polled briefly."""
    ctx.aws_only("IAM's policy simulator explicitly denies the quarantined user every call "
                 "checked (moto has no policy simulator and does not evaluate IAM policies)")
    arn = ctx.client("iam").get_user(UserName=user)["User"]["Arn"]
    paginator = ctx.client("iam").get_paginator("simulate_principal_policy")
    allowed: list[str] = []

    def denied() -> bool:
        allowed.clear()
        for page in paginator.paginate(PolicySourceArn=arn, ActionNames=list(actions),
                                       ResourceArns=list(resources or ["*"])):
            for result in page["EvaluationResults"]:
                decisions = [result["EvalDecision"]] + [
                    r["EvalResourceDecision"] for r in result.get("ResourceSpecificResults", [])]
                if any(d != "explicitDeny" for d in decisions):
                    allowed.append(f"{result['EvalActionName']}: {result['EvalDecision']}")
        return not allowed

    # On timeout, report what is still allowed: the tolerance fails the probe with it.
    with contextlib.suppress(DrillStepError):
        ctx.poll(f"iam user {user}: quarantine not yet effective", denied,
                 timeout=float(timeout_seconds), interval=10.0)
    return sorted(allowed)


@action
def create_service_role(ctx: DrillContext, role: str, service: str,
                        managed_policies: list[str] | None = None,
                        policy: dict[str, Any] | None = None) -> str:
    """Create a role `service` (e.g. backup.amazonaws.com) can assume; return its ARN."""
    iam = ctx.client("iam")
    # No aws:SourceAccount condition: not every service (AWS Backup among them) passes it
    # when assuming a role, and the role lives only for the drill's run.
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
    }]}
    arn = iam.create_role(RoleName=role, Path=DRILL_PATH, Tags=ctx.tag_list(),
                          AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy_arn in managed_policies or ():
        iam.attach_role_policy(RoleName=role, PolicyArn=policy_arn)
    if policy:
        iam.put_role_policy(RoleName=role, PolicyName=_PERMISSIONS_POLICY,
                            PolicyDocument=json.dumps(policy))
    return str(arn)


@action
def delete_drill_user(ctx: DrillContext, user: str) -> str:
    """Delete the user's keys, policies and the user itself (only if this run tagged it)."""
    tags = _user_tags(ctx, user)
    if tags is None:
        return "absent"
    require_owned(ctx, f"iam user {user}", tags)
    iam = ctx.client("iam")
    for key in _access_keys(ctx, user):
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    for attached in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=user, PolicyArn=attached["PolicyArn"])
    iam.delete_user(UserName=user)
    ctx.forget_credentials(user)
    ctx.forget_credentials(f"{user}#replacement")
    return "deleted"


@action
def delete_drill_role(ctx: DrillContext, role: str) -> str:
    """Delete the role's policies and the role (only if this run tagged it)."""
    iam = ctx.client("iam")
    try:
        tags = tags_to_dict(iam.list_role_tags(RoleName=role)["Tags"])
    except Exception as exc:
        if is_client_error(exc, "NoSuchEntity"):
            return "absent"
        raise
    require_owned(ctx, f"iam role {role}", tags)
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=role)
    return "deleted"
