"""AWS Backup: an encrypted vault, an on-demand backup, a recovery point and its restore.

moto implements vaults but not backup jobs, recovery points or restore jobs, so the drill
using these runs only against a real (sandbox) account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, retry_while
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action

_DONE = ("COMPLETED",)
_FAILED = ("ABORTED", "FAILED", "EXPIRED", "PARTIAL")


def _vault(ctx: DrillContext, vault: str) -> dict[str, Any] | None:
    try:
        return ctx.client("backup").describe_backup_vault(BackupVaultName=vault)
    except Exception as exc:
        if is_client_error(exc, "ResourceNotFoundException", "AccessDeniedException"):
            return None
        raise


def _require_vault_owned(ctx: DrillContext, vault: str) -> dict[str, Any]:
    found = _vault(ctx, vault)
    if found is None:
        raise DrillStepError(f"backup vault {vault}: does not exist")
    tags = ctx.client("backup").list_tags(ResourceArn=found["BackupVaultArn"]).get("Tags", {})
    require_owned(ctx, f"backup vault {vault}", tags)
    return found


@action
def create_vault(ctx: DrillContext, vault: str, kms_key: str) -> str:
    """Create a backup vault encrypted with the CMK; return its ARN."""
    if _vault(ctx, vault) is not None:
        raise DrillStepError(f"backup vault {vault}: already exists; a drill only uses vaults "
                             "it creates")
    created = ctx.client("backup").create_backup_vault(
        BackupVaultName=vault, EncryptionKeyArn=kms_key, BackupVaultTags=dict(ctx.tags))
    return str(created["BackupVaultArn"])


def _wait_job(ctx: DrillContext, what: str, describe: Any, timeout: float) -> dict[str, Any]:
    result: dict[str, Any] = {}

    def finished() -> bool:
        nonlocal result
        result = describe()
        state = result.get("State") or result.get("Status")
        if state in _FAILED:
            raise DrillStepError(f"{what}: ended {state}: {result.get('StatusMessage', '')}")
        return state in _DONE

    ctx.poll(what, finished, timeout=timeout, interval=20)
    return result


@action
def start_backup(ctx: DrillContext, vault: str, resource_arn: str, role_arn: str,
                 timeout_seconds: int = 3600) -> str:
    """Run an on-demand backup of the resource into the vault; return the recovery point ARN."""
    _require_vault_owned(ctx, vault)
    backup = ctx.client("backup")
    job = retry_while(
        ctx, f"backup vault {vault}",
        lambda: backup.start_backup_job(BackupVaultName=vault, ResourceArn=resource_arn,
                                        IamRoleArn=role_arn, RecoveryPointTags=dict(ctx.tags)),
        codes=("InvalidParameterValueException", "AccessDeniedException"))
    done = _wait_job(ctx, f"backup job for {resource_arn}",
                     lambda: backup.describe_backup_job(BackupJobId=job["BackupJobId"]),
                     float(timeout_seconds))
    return str(done["RecoveryPointArn"])


@action
def select_recovery_point(ctx: DrillContext, vault: str, resource_arn: str) -> str:
    """Choose the newest completed recovery point of the lost resource; measure RPO."""
    _require_vault_owned(ctx, vault)
    paginator = ctx.client("backup").get_paginator("list_recovery_points_by_backup_vault")
    points = [p for page in paginator.paginate(BackupVaultName=vault, ByResourceArn=resource_arn)
              for p in page["RecoveryPoints"] if p.get("Status") == "COMPLETED"]
    if not points:
        raise DrillStepError(f"backup vault {vault}: no completed recovery point for "
                             f"{resource_arn}, cannot restore")
    newest = max(points, key=lambda p: p["CreationDate"])
    incident = ctx.incident.at if ctx.incident else datetime.now(UTC)
    ctx.measure_rpo(newest["CreationDate"], incident,
                    "AWS Backup: incident time (this process's clock) minus CreationDate of "
                    "the recovery point restored")
    return str(newest["RecoveryPointArn"])


@action
def restore_dynamodb_table(ctx: DrillContext, vault: str, recovery_point: str, role_arn: str,
                           table: str, kms_key: str, timeout_seconds: int = 3600) -> str:
    """Restore the recovery point into a new table encrypted with the CMK; wait for it and
    return the ARN of the table the restore job reports it created."""
    from imekit.drills.aws.dynamodb import table_exists

    if table_exists(ctx, table):
        raise DrillStepError(f"dynamodb table {table}: already exists, will not restore into "
                             "it (a drill only uses resources it creates)")
    backup = ctx.client("backup")
    metadata = backup.get_recovery_point_restore_metadata(
        BackupVaultName=vault, RecoveryPointArn=recovery_point)["RestoreMetadata"]
    metadata.update({"targetTableName": table, "encryptionType": "KMS",
                     "kmsMasterKeyArn": kms_key})
    job = backup.start_restore_job(RecoveryPointArn=recovery_point, Metadata=metadata,
                                   IamRoleArn=role_arn, ResourceType="DynamoDB")
    done = _wait_job(ctx, f"restore job into dynamodb table {table}",
                     lambda: backup.describe_restore_job(RestoreJobId=job["RestoreJobId"]),
                     float(timeout_seconds))
    created = str(done.get("CreatedResourceArn") or "")
    if not created:
        raise DrillStepError(f"restore job into dynamodb table {table}: completed without "
                             "reporting the table it created")
    return created


@action
def delete_recovery_point(ctx: DrillContext, vault: str, recovery_point: str) -> str:
    """Delete a recovery point this run made and wait until it is gone."""
    _require_vault_owned(ctx, vault)
    backup = ctx.client("backup")
    try:
        backup.delete_recovery_point(BackupVaultName=vault, RecoveryPointArn=recovery_point)
    except Exception as exc:
        if is_client_error(exc, "ResourceNotFoundException"):
            return "absent"
        raise

    def gone() -> bool:
        try:
            status = backup.describe_recovery_point(
                BackupVaultName=vault, RecoveryPointArn=recovery_point)["Status"]
        except Exception as exc:
            if is_client_error(exc, "ResourceNotFoundException"):
                return True
            raise
        return status == "DELETED"

    ctx.poll(f"backup recovery point in {vault}: still being deleted", gone, timeout=900,
             interval=15)
    return "deleted"


@action
def delete_drill_vault(ctx: DrillContext, vault: str) -> str:
    """Delete the vault (only if this run tagged it); it must be empty by then."""
    if _vault(ctx, vault) is None:
        return "absent"
    _require_vault_owned(ctx, vault)
    ctx.client("backup").delete_backup_vault(BackupVaultName=vault)
    return "deleted"
