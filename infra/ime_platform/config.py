"""Stack configuration (namespace `ime-platform:`), read once into typed settings.

Only parsing happens here; every limit is enforced by the components' Args, so a value that
would weaken a control fails the same way whether it comes from a stack file or from code.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .context import PLACEHOLDER_ACCOUNT_ID, PROJECT, PlatformContext


@dataclass(frozen=True)
class StackSettings:
    context: PlatformContext
    object_lock_mode: str
    object_lock_days: int
    record_retention_days: int
    log_retention_days: int
    backup_retention_days: int
    backup_monthly_retention_days: int
    backup_copy_region: str
    backup_lock_changeable_days: int
    db_instance_class: str
    db_engine_version: str
    db_allocated_storage_gb: int
    db_max_allocated_storage_gb: int
    db_multi_az: bool
    db_backup_retention_days: int
    db_subnet_ids: list[str]
    db_security_group_ids: list[str]
    alarm_email: str | None


def load_settings() -> StackSettings:
    config = pulumi.Config(PROJECT)
    aws_config = pulumi.Config("aws")

    account_id = config.get("accountId") or PLACEHOLDER_ACCOUNT_ID
    if account_id == PLACEHOLDER_ACCOUNT_ID:
        pulumi.log.warn(
            f"ime-platform:accountId is the placeholder {PLACEHOLDER_ACCOUNT_ID}; set it to the"
            " target account (pulumi config set ime-platform:accountId <12 digits>) before"
            " deploying"
        )
    context = PlatformContext(
        environment=config.get("environment") or pulumi.get_stack(),
        account_id=account_id,
        region=aws_config.require("region"),
    )
    return StackSettings(
        context=context,
        object_lock_mode=config.get("objectLockMode") or "COMPLIANCE",
        object_lock_days=config.get_int("objectLockRetentionDays") or 2192,
        record_retention_days=config.get_int("recordRetentionDays") or 3650,
        log_retention_days=config.get_int("logRetentionDays") or 2192,
        backup_retention_days=config.get_int("backupRetentionDays") or 35,
        backup_monthly_retention_days=config.get_int("backupMonthlyRetentionDays") or 365,
        backup_copy_region=config.require("backupCopyRegion"),
        backup_lock_changeable_days=config.get_int("backupVaultLockChangeableDays") or 3,
        db_instance_class=config.get("dbInstanceClass") or "db.t4g.medium",
        db_engine_version=config.get("dbEngineVersion") or "16",
        db_allocated_storage_gb=config.get_int("dbAllocatedStorageGb") or 50,
        db_max_allocated_storage_gb=config.get_int("dbMaxAllocatedStorageGb") or 200,
        db_multi_az=_bool(config.get_bool("dbMultiAz"), default=True),
        db_backup_retention_days=config.get_int("dbBackupRetentionDays") or 7,
        db_subnet_ids=_string_list(config.require_object("dbSubnetIds"), "dbSubnetIds"),
        db_security_group_ids=_string_list(
            config.get_object("dbSecurityGroupIds") or [], "dbSecurityGroupIds"
        ),
        alarm_email=config.get("alarmEmail") or None,
    )


def _bool(value: bool | None, *, default: bool) -> bool:
    return default if value is None else value


def _string_list(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"ime-platform:{key} must be a list of strings, got {value!r}")
    return list(value)
