"""The reference IME platform (Pulumi project `ime-platform`): composes the components.

Each concern lives in its own component under ime_platform/; this file only reads the stack
configuration, wires components together and exports what operators and the kit need.
"""

import pulumi
from ime_platform import (
    AuditLogging,
    AuditLoggingArgs,
    Backup,
    BackupArgs,
    CaseDatabase,
    CaseDatabaseArgs,
    EvidenceStore,
    EvidenceStoreArgs,
    Identity,
    IdentityArgs,
    Keys,
    KeysArgs,
    PhiStorage,
    PhiStorageArgs,
    load_settings,
)

settings = load_settings()
ctx = settings.context

keys = Keys("keys", KeysArgs(context=ctx))

phi_storage = PhiStorage(
    "phi-storage",
    PhiStorageArgs(
        context=ctx,
        phi_key_arn=keys.phi_documents.arn,
        log_key_arn=keys.audit_logs.arn,
        object_lock_mode=settings.object_lock_mode,
        object_lock_days=settings.object_lock_days,
        record_retention_days=settings.record_retention_days,
        access_log_retention_days=settings.log_retention_days,
    ),
)

evidence_store = EvidenceStore(
    "evidence-store",
    EvidenceStoreArgs(
        context=ctx,
        kms_key_arn=keys.audit_logs.arn,
        kms_key_alias=keys.audit_logs.alias_name,
        access_log_bucket=phi_storage.access_logs.name,
    ),
)

case_database = CaseDatabase(
    "case-database",
    CaseDatabaseArgs(
        context=ctx,
        kms_key_arn=keys.case_database.arn,
        log_key_arn=keys.audit_logs.arn,
        subnet_ids=settings.db_subnet_ids,
        security_group_ids=settings.db_security_group_ids,
        instance_class=settings.db_instance_class,
        engine_version=settings.db_engine_version,
        allocated_storage_gb=settings.db_allocated_storage_gb,
        max_allocated_storage_gb=settings.db_max_allocated_storage_gb,
        multi_az=settings.db_multi_az,
        backup_retention_days=settings.db_backup_retention_days,
        log_retention_days=settings.log_retention_days,
    ),
)

audit_logging = AuditLogging(
    "audit-logging",
    AuditLoggingArgs(
        context=ctx,
        kms_key_arn=keys.audit_logs.arn,
        data_event_bucket_arns=[
            phi_storage.referrals.arn,
            phi_storage.reports.arn,
            evidence_store.arn,
        ],
        access_log_bucket=phi_storage.access_logs.name,
        alarm_email=settings.alarm_email,
        log_retention_days=settings.log_retention_days,
    ),
)

identity = Identity(
    "identity",
    IdentityArgs(
        context=ctx,
        referrals_bucket_arn=phi_storage.referrals.arn,
        reports_bucket_arn=phi_storage.reports.arn,
        evidence_bucket_arn=evidence_store.arn,
        audit_log_group_arn=audit_logging.log_group_arn,
        phi_key_alias=keys.phi_documents.alias_name,
        audit_key_alias=keys.audit_logs.alias_name,
    ),
)

backup = Backup(
    "backup",
    BackupArgs(
        context=ctx,
        kms_key_arn=keys.backups.arn,
        protected_resource_arns=[
            case_database.arn,
            phi_storage.referrals.arn,
            phi_storage.reports.arn,
        ],
        copy_region=settings.backup_copy_region,
        daily_retention_days=settings.backup_retention_days,
        monthly_retention_days=settings.backup_monthly_retention_days,
        lock_changeable_days=settings.backup_lock_changeable_days,
    ),
)

pulumi.export("environment", ctx.environment)
pulumi.export("referralsBucket", phi_storage.referrals.name)
pulumi.export("reportsBucket", phi_storage.reports.name)
pulumi.export("accessLogsBucket", phi_storage.access_logs.name)
pulumi.export("evidenceBucket", evidence_store.name)
pulumi.export("evidenceWriterPolicy", evidence_store.writer_policy.name)
pulumi.export("caseDatabaseIdentifier", case_database.instance.identifier)
pulumi.export("caseDatabaseArn", case_database.arn)
pulumi.export("trailName", audit_logging.trail.name)
pulumi.export("auditLogGroup", audit_logging.log_group.name)
pulumi.export("securityAlarmTopicArn", audit_logging.alarm_topic_arn)
pulumi.export("backupVault", backup.vault.name)
pulumi.export("backupCopyVault", backup.copy_vault.name)
pulumi.export("portalUserPoolId", identity.user_pool.id)
pulumi.export("workforceGroups", {role: group.name for role, group in identity.groups.items()})
pulumi.export("kmsKeyAliases", {role: key.alias_name for role, key in keys.all.items()})
