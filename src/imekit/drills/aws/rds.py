"""RDS: the case database, its snapshots, its loss and its restore into a new instance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe

_WAIT = {"Delay": 30, "MaxAttempts": 120}  # up to an hour against AWS


def _waiter_config(ctx: DrillContext) -> dict[str, int]:
    # moto answers with the final state at once; AWS needs minutes.
    return _WAIT if ctx.is_aws else {"Delay": 1, "MaxAttempts": 5}


def _instance(ctx: DrillContext, instance: str) -> dict[str, Any] | None:
    try:
        return ctx.client("rds").describe_db_instances(DBInstanceIdentifier=instance)[
            "DBInstances"][0]
    except Exception as exc:
        if is_client_error(exc, "DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return None
        raise


def _tags(ctx: DrillContext, arn: str) -> dict[str, str]:
    return tags_to_dict(ctx.client("rds").list_tags_for_resource(ResourceName=arn)["TagList"])


def _require_instance_owned(ctx: DrillContext, instance: str) -> dict[str, Any]:
    found = _instance(ctx, instance)
    if found is None:
        raise DrillStepError(f"rds instance {instance}: does not exist")
    require_owned(ctx, f"rds instance {instance}", _tags(ctx, found["DBInstanceArn"]))
    return found


@action
def create_parameter_group(ctx: DrillContext, name: str, family: str) -> str:
    """A parameter group forcing TLS for every connection (rds.force_ssl = 1)."""
    rds = ctx.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family,
                                  Description="imekit drill: TLS required",
                                  Tags=ctx.tag_list())
    rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[{
        "ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate",
    }])
    return name


@action
def create_case_database(ctx: DrillContext, instance: str, kms_key: str, parameter_group: str,
                         engine: str = "postgres", engine_version: str | None = None,
                         instance_class: str = "db.t4g.micro", allocated_storage: int = 20,
                         backup_retention_days: int = 7, subnet_group: str | None = None) -> str:
    """Create the encrypted, private, deletion-protected case database and wait for it.

    The master password is managed by RDS in Secrets Manager (encrypted with the same CMK),
    so the drill never sees or holds it.
    """
    if _instance(ctx, instance) is not None:
        raise DrillStepError(f"rds instance {instance}: already exists; a drill only uses "
                             "instances it creates")
    rds = ctx.client("rds")
    kwargs: dict[str, Any] = {
        "DBInstanceIdentifier": instance,
        "DBInstanceClass": instance_class,
        "Engine": engine,
        "AllocatedStorage": int(allocated_storage),
        "MasterUsername": "drilladmin",
        "ManageMasterUserPassword": True,
        "MasterUserSecretKmsKeyId": kms_key,
        "StorageEncrypted": True,
        "KmsKeyId": kms_key,
        "DBParameterGroupName": parameter_group,
        "BackupRetentionPeriod": int(backup_retention_days),
        "DeletionProtection": True,
        "PubliclyAccessible": False,
        "CopyTagsToSnapshot": True,
        "Tags": ctx.tag_list({"data-class": "phi"}),
    }
    if engine_version:
        kwargs["EngineVersion"] = str(engine_version)
    if subnet_group:
        kwargs["DBSubnetGroupName"] = subnet_group
    arn = rds.create_db_instance(**kwargs)["DBInstance"]["DBInstanceArn"]
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=instance,
                                                 WaiterConfig=_waiter_config(ctx))
    return str(arn)


@action
def take_snapshot(ctx: DrillContext, instance: str, snapshot: str, enabled: bool = True) -> str:
    """Take a manual snapshot (the backup the restore will use) and wait for it.

    `enabled: false` skips it, to show that a restore without a snapshot is impossible.
    """
    if not enabled:
        ctx.note(f"rds instance {instance}: no manual snapshot taken (configuration "
                 "take_snapshot is false)")
        return ""
    _require_instance_owned(ctx, instance)
    rds = ctx.client("rds")
    rds.create_db_snapshot(DBInstanceIdentifier=instance, DBSnapshotIdentifier=snapshot,
                           Tags=ctx.tag_list({"data-class": "phi"}))
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier=snapshot,
                                                 WaiterConfig=_waiter_config(ctx))
    return snapshot


@action
def delete_instance(ctx: DrillContext, instance: str) -> str:
    """Lose the database the worst way: deletion protection off, no final snapshot, automated
    backups deleted with it. Waits until it is gone."""
    _require_instance_owned(ctx, instance)
    rds = ctx.client("rds")
    rds.modify_db_instance(DBInstanceIdentifier=instance, DeletionProtection=False,
                           ApplyImmediately=True)
    ctx.mark_incident()
    rds.delete_db_instance(DBInstanceIdentifier=instance, SkipFinalSnapshot=True,
                           DeleteAutomatedBackups=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=instance,
                                               WaiterConfig=_waiter_config(ctx))
    return "deleted"


@probe
def instance_status(ctx: DrillContext, instance: str) -> str:
    """The instance's status (available, deleting, ...) or absent."""
    found = _instance(ctx, instance)
    return str(found["DBInstanceStatus"]) if found else "absent"


@action
def select_recovery_point(ctx: DrillContext, instance: str, kms_key: str) -> str:
    """Choose the newest available snapshot of the lost instance that is encrypted with the
    platform key and was made by this run; measure RPO (incident minus snapshot time)."""
    paginator = ctx.client("rds").get_paginator("describe_db_snapshots")
    candidates = []
    for page in paginator.paginate(DBInstanceIdentifier=instance):
        for snap in page["DBSnapshots"]:
            if snap.get("Status") != "available":
                continue
            if not ctx.owns(_tags(ctx, snap["DBSnapshotArn"])):
                continue
            if not snap.get("Encrypted") or snap.get("KmsKeyId") != kms_key:
                ctx.note(f"rds snapshot {snap['DBSnapshotIdentifier']}: skipped, not encrypted "
                         "with the platform key")
                continue
            candidates.append(snap)
    if not candidates:
        raise DrillStepError(f"rds instance {instance}: no available snapshot to restore from, "
                             "cannot restore")
    newest = max(candidates, key=lambda s: s["SnapshotCreateTime"])
    incident = ctx.incident.at if ctx.incident else datetime.now(UTC)
    ctx.measure_rpo(newest["SnapshotCreateTime"], incident,
                    "RDS snapshot: incident time (this process's clock) minus "
                    "SnapshotCreateTime of the snapshot restored")
    return str(newest["DBSnapshotIdentifier"])


@action
def restore_from_snapshot(ctx: DrillContext, snapshot: str, instance: str, parameter_group: str,
                          instance_class: str = "db.t4g.micro", backup_retention_days: int = 7,
                          subnet_group: str | None = None) -> str:
    """Restore the snapshot into a new instance (encrypted with the snapshot's key, private,
    deletion-protected, TLS parameter group, backups on) and wait until it is available."""
    if not snapshot:
        raise DrillStepError("rds restore: no snapshot was selected, cannot restore")
    if _instance(ctx, instance) is not None:
        raise DrillStepError(f"rds instance {instance}: already exists, will not restore over it")
    rds = ctx.client("rds")
    kwargs: dict[str, Any] = {
        "DBInstanceIdentifier": instance,
        "DBSnapshotIdentifier": snapshot,
        "DBInstanceClass": instance_class,
        "DBParameterGroupName": parameter_group,
        "DeletionProtection": True,
        "PubliclyAccessible": False,
        "CopyTagsToSnapshot": True,
        "BackupRetentionPeriod": int(backup_retention_days),
        "Tags": ctx.tag_list({"data-class": "phi"}),
    }
    if subnet_group:
        kwargs["DBSubnetGroupName"] = subnet_group
    arn = rds.restore_db_instance_from_db_snapshot(**kwargs)["DBInstance"]["DBInstanceArn"]
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=instance,
                                                 WaiterConfig=_waiter_config(ctx))
    found = _instance(ctx, instance) or {}
    if int(found.get("BackupRetentionPeriod") or 0) < int(backup_retention_days):
        rds.modify_db_instance(DBInstanceIdentifier=instance,
                               BackupRetentionPeriod=int(backup_retention_days),
                               ApplyImmediately=True)
    return str(arn)


@probe
def configuration_problems(ctx: DrillContext, instance: str, kms_key: str,
                           parameter_group: str, backup_retention_days: int = 7) -> list[str]:
    """Everything about the instance that differs from the platform's configuration
    (encryption and key, privacy, deletion protection, TLS parameter group, backups, tags)."""
    found = _instance(ctx, instance)
    if found is None:
        return [f"rds instance {instance}: does not exist"]
    problems = []
    if not found.get("StorageEncrypted"):
        problems.append("storage is not encrypted")
    if found.get("KmsKeyId") != kms_key:
        problems.append(f"encrypted with {found.get('KmsKeyId')}, not the platform key")
    if found.get("PubliclyAccessible"):
        problems.append("publicly accessible")
    if not found.get("DeletionProtection"):
        problems.append("deletion protection is off")
    if int(found.get("BackupRetentionPeriod") or 0) < int(backup_retention_days):
        problems.append(f"backup retention {found.get('BackupRetentionPeriod')} days "
                        f"< {backup_retention_days}")
    groups = [g["DBParameterGroupName"] for g in found.get("DBParameterGroups", [])]
    if parameter_group not in groups:
        problems.append(f"parameter group {groups} is not {parameter_group} (TLS required)")
    tags = _tags(ctx, found["DBInstanceArn"])
    if tags.get("data-class") != "phi":
        problems.append("tag data-class is not phi")
    if not ctx.owns(tags):
        problems.append("missing this run's imekit-drill tag")
    return problems


@probe
def parameter_forces_tls(ctx: DrillContext, parameter_group: str) -> bool:
    """True when the parameter group sets rds.force_ssl to 1."""
    paginator = ctx.client("rds").get_paginator("describe_db_parameters")
    for page in paginator.paginate(DBParameterGroupName=parameter_group):
        for parameter in page["Parameters"]:
            if parameter["ParameterName"] == "rds.force_ssl":
                return str(parameter.get("ParameterValue")) == "1"
    return False


@action
def delete_drill_instance(ctx: DrillContext, instance: str) -> str:
    """Delete the instance (protection off, no final snapshot) and wait; only this run's."""
    found = _instance(ctx, instance)
    if found is None:
        return "absent"
    require_owned(ctx, f"rds instance {instance}", _tags(ctx, found["DBInstanceArn"]))
    rds = ctx.client("rds")
    if found.get("DeletionProtection"):
        rds.modify_db_instance(DBInstanceIdentifier=instance, DeletionProtection=False,
                               ApplyImmediately=True)
    if found.get("DBInstanceStatus") != "deleting":
        rds.delete_db_instance(DBInstanceIdentifier=instance, SkipFinalSnapshot=True,
                               DeleteAutomatedBackups=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=instance,
                                               WaiterConfig=_waiter_config(ctx))
    return "deleted"


@action
def delete_drill_snapshots(ctx: DrillContext, instance: str) -> str:
    """Delete the manual snapshots of `instance` that this run made."""
    rds = ctx.client("rds")
    deleted = 0
    paginator = rds.get_paginator("describe_db_snapshots")
    for page in paginator.paginate(DBInstanceIdentifier=instance, SnapshotType="manual"):
        for snap in page["DBSnapshots"]:
            if ctx.owns(_tags(ctx, snap["DBSnapshotArn"])):
                rds.delete_db_snapshot(DBSnapshotIdentifier=snap["DBSnapshotIdentifier"])
                deleted += 1
    return f"{deleted} deleted"


@action
def delete_parameter_group(ctx: DrillContext, name: str) -> str:
    """Delete the drill's parameter group (after the instances using it are gone)."""
    rds = ctx.client("rds")
    try:
        group = rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]
    except Exception as exc:
        if is_client_error(exc, "DBParameterGroupNotFound", "DBParameterGroupNotFoundFault"):
            return "absent"
        raise
    require_owned(ctx, f"rds parameter group {name}", _tags(ctx, group["DBParameterGroupArn"]))
    rds.delete_db_parameter_group(DBParameterGroupName=name)
    return "deleted"
