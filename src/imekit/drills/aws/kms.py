"""KMS: customer-managed keys, their state, rotation, and a decrypt round trip."""

from __future__ import annotations

import base64
from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe


def _key_id(key: str) -> str:
    # Some moto operations only accept the bare key id, and AWS accepts it everywhere.
    return key.split("/")[-1] if key.startswith("arn:") else key


def _describe(ctx: DrillContext, key: str) -> dict[str, Any] | None:
    try:
        return ctx.client("kms").describe_key(KeyId=_key_id(key))["KeyMetadata"]
    except Exception as exc:
        if is_client_error(exc, "NotFoundException"):
            return None
        raise


def _require_key_owned(ctx: DrillContext, key: str) -> None:
    tags = ctx.client("kms").list_resource_tags(KeyId=_key_id(key)).get("Tags", [])
    require_owned(ctx, f"kms key {key}", tags_to_dict(tags, "TagKey", "TagValue"))


@action
def create_drill_key(ctx: DrillContext, alias: str, description: str,
                     rotation: bool = True, service_principals: list[str] | None = None) -> str:
    """Create a symmetric customer-managed key (rotation on, an alias); return its ARN.

    `service_principals` (e.g. ["logs.amazonaws.com"]) are allowed to use the key, which AWS
    services writing encrypted data on the account's behalf need; the account root keeps
    administration, as in AWS's default key policy.
    """
    import json

    kms = ctx.client("kms")
    kwargs: dict[str, Any] = {
        "Description": description,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "Tags": ctx.tag_list(key="TagKey", value="TagValue"),
    }
    if service_principals:
        account = ctx.target.account
        kwargs["Policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "AccountAdministers", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Sid": "ServicesUseKey", "Effect": "Allow",
             "Principal": {"Service": list(service_principals)},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:Describe*"],
             "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
        ]})
    metadata = kms.create_key(**kwargs)["KeyMetadata"]
    try:
        if rotation:
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        kms.create_alias(AliasName=alias if alias.startswith("alias/") else f"alias/{alias}",
                         TargetKeyId=metadata["KeyId"])
    except Exception:
        # The step fails without storing the key, so no rollback would find it: retire it here.
        kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=7)
        raise
    return metadata["Arn"]


def _canary(ctx: DrillContext) -> bytes:
    return f"imekit drill canary {ctx.run_id} (synthetic, not PHI)".encode()


@action
def encrypt_canary(ctx: DrillContext, key: str) -> str:
    """Encrypt a synthetic canary with the key; return the ciphertext (base64)."""
    blob = ctx.client("kms").encrypt(KeyId=_key_id(key), Plaintext=_canary(ctx))["CiphertextBlob"]
    return base64.b64encode(blob).decode("ascii")


@probe
def decrypt_round_trip(ctx: DrillContext, key: str, ciphertext: str) -> bool:
    """True when the canary ciphertext decrypts, with this key, back to the canary.

    AWS refuses to decrypt under a disabled or pending-deletion key; moto does not, so on the
    local target this probe cannot show that the key was unusable, only that it works again.
    """
    try:
        plain = ctx.client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext),
                                          KeyId=_key_id(key))["Plaintext"]
    except Exception as exc:
        if is_client_error(exc, "DisabledException", "KMSInvalidStateException",
                           "NotFoundException", "InvalidCiphertextException",
                           "IncorrectKeyException"):
            return False
        raise
    return plain == _canary(ctx)


@probe
def decrypt_refused(ctx: DrillContext, key: str, ciphertext: str) -> bool:
    """True when AWS refuses to decrypt under the key (it is disabled or pending deletion)."""
    ctx.aws_only("a disabled or pending-deletion KMS key refuses decrypt (moto's keys keep "
                 "decrypting)")
    return not decrypt_round_trip(ctx, key, ciphertext)


@probe
def key_state(ctx: DrillContext, key: str) -> str:
    """The key's state: Enabled, Disabled, PendingDeletion, ... or absent."""
    metadata = _describe(ctx, key)
    return metadata["KeyState"] if metadata else "absent"


@probe
def rotation_enabled(ctx: DrillContext, key: str) -> bool:
    """True when automatic rotation is on."""
    return bool(ctx.client("kms").get_key_rotation_status(KeyId=_key_id(key))[
        "KeyRotationEnabled"])


@action
def disable_key(ctx: DrillContext, key: str) -> str:
    """Disable the key (the fault being drilled)."""
    _require_key_owned(ctx, key)
    ctx.client("kms").disable_key(KeyId=_key_id(key))
    ctx.mark_incident()
    return "Disabled"


@action
def schedule_deletion(ctx: DrillContext, key: str, pending_days: int = 7) -> str:
    """Schedule the key for deletion (AWS's shortest window is 7 days)."""
    _require_key_owned(ctx, key)
    result = ctx.client("kms").schedule_key_deletion(KeyId=_key_id(key),
                                                      PendingWindowInDays=int(pending_days))
    ctx.mark_incident()
    return str(result.get("KeyState") or "PendingDeletion")


@action
def cancel_deletion(ctx: DrillContext, key: str) -> str:
    """Cancel a scheduled deletion (the key comes back Disabled); no-op when none is pending."""
    _require_key_owned(ctx, key)
    if key_state(ctx, key) == "PendingDeletion":
        ctx.client("kms").cancel_key_deletion(KeyId=_key_id(key))
        return "cancelled"
    return "nothing pending"


@action
def enable_key(ctx: DrillContext, key: str) -> str:
    """Enable the key; fails, naming the key, while a deletion is still pending."""
    _require_key_owned(ctx, key)
    state = key_state(ctx, key)
    if state == "PendingDeletion":
        raise DrillStepError(f"kms key {key}: deletion is still pending, cancel it before "
                             "enabling the key")
    if state == "absent":
        raise DrillStepError(f"kms key {key}: the key no longer exists, cannot enable it")
    ctx.client("kms").enable_key(KeyId=_key_id(key))
    return "Enabled"


@action
def ensure_rotation(ctx: DrillContext, key: str) -> str:
    """Turn automatic rotation back on if the incident turned it off."""
    _require_key_owned(ctx, key)
    if rotation_enabled(ctx, key):
        return "already on"
    ctx.client("kms").enable_key_rotation(KeyId=_key_id(key))
    return "enabled"


@action
def retire_drill_key(ctx: DrillContext, key: str, pending_days: int = 7) -> str:
    """Delete the key's aliases and schedule the key's deletion (KMS keys cannot be deleted
    at once; 7 days is the shortest window AWS allows)."""
    metadata = _describe(ctx, key)
    if metadata is None:
        return "absent"
    _require_key_owned(ctx, key)
    kms = ctx.client("kms")
    # Aliases go now even when the key is already pending deletion (a drill that failed after
    # its inject): otherwise they would name a dead key for the whole waiting period.
    for alias in kms.list_aliases(KeyId=metadata["KeyId"]).get("Aliases", []):
        kms.delete_alias(AliasName=alias["AliasName"])
    if metadata["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
        return "already pending deletion"
    kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=int(pending_days))
    return f"deletion scheduled in {int(pending_days)} days"
