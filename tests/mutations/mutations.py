"""Mutations of the secure reference platform's program: small source edits (and stack
config overrides), each with exactly the (check, resource) findings the gate must report.

Each edit names a file under the program root, a text that must occur exactly `count`
times, and its replacement. Expected findings name resources by their Pulumi name (or
`type::name` where a name repeats); the test resolves each to exactly one full URN of the
unmutated graph, so no other resource can pass for the expected one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    file: str  # relative to the program root
    old: str
    new: str
    count: int = 1


@dataclass(frozen=True)
class Mutation:
    id: str
    why: str
    edits: tuple[Edit, ...]
    expected: frozenset[tuple[str, str]]  # (check id, resource name)
    config: dict[str, str] = field(default_factory=dict)  # stack config overrides
    exit_code: int = 1


def _expect(*pairs: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(pairs)


SECURE_BUCKET = "infra/ime_platform/secure_bucket.py"
KEYS = "infra/ime_platform/keys.py"
DATABASE = "infra/ime_platform/case_database.py"
AUDIT = "infra/ime_platform/audit_logging.py"
BACKUP = "infra/ime_platform/backup.py"
IDENTITY = "infra/ime_platform/identity.py"
PHI_STORAGE = "infra/ime_platform/phi_storage.py"
MAIN = "infra/__main__.py"

PHI_BUCKETS = ("phi-storage-referrals-bucket", "phi-storage-reports-bucket")
ALL_BUCKETS = (
    *PHI_BUCKETS,
    "phi-storage-access-logs-bucket",
    "audit-logging-trail-logs-bucket",
    "evidence-store-records-bucket",
)
KEYS_ALL = (
    "keys-phi-documents-key",
    "keys-case-database-key",
    "keys-audit-logs-key",
    "keys-backups-key",
    "backup-copy-key",
)
DB = "case-database-instance"


def _each(check: str, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((check, n) for n in names)


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "bucket-sse-s3-instead-of-kms",
        "every bucket encrypted with S3-managed keys instead of the customer-managed key",
        (
            Edit(
                SECURE_BUCKET,
                'sse_algorithm="aws:kms",\n                            '
                "kms_master_key_id=args.kms_key_arn,",
                'sse_algorithm="AES256",',
            ),
        ),
        # PHI buckets (IME-ENC-01), reported on the encryption configuration joined to them
        _expect(
            *_each(
                "stack_deny_s3_bucket_cmk_encryption",
                ("phi-storage-referrals-encryption", "phi-storage-reports-encryption"),
            )
        ),
    ),
    Mutation(
        "key-rotation-off",
        "automatic key rotation disabled on every customer-managed key",
        (Edit(KEYS, "enable_key_rotation=True,", "enable_key_rotation=False,"),),
        _expect(*_each("deny_kms_key_rotation", KEYS_ALL)),
    ),
    Mutation(
        "key-deletion-window-7-days",
        "keys deletable after 7 days",
        (Edit(KEYS, "DELETION_WINDOW_DAYS = 30", "DELETION_WINDOW_DAYS = 7"),),
        _expect(*_each("deny_kms_deletion_window", KEYS_ALL)),
    ),
    Mutation(
        "key-policy-any-principal",
        "key policies grant to any principal instead of the account",
        (Edit(KEYS, 'account = {"AWS": context.root_principal}', 'account = "*"'),),
        _expect(*_each("deny_kms_wildcard_principal", KEYS_ALL)),
    ),
    Mutation(
        "mfa-condition-removed",
        "workforce policies no longer deny PHI access without MFA",
        (Edit(IDENTITY, "statements.append(deny_without_mfa())", "pass"),),
        _expect(
            *_each(
                "stack_deny_phi_access_without_mfa",
                (
                    "aws:iam/policy:Policy::identity-examiners-access",
                    "aws:iam/policy:Policy::identity-intake-staff-access",
                    "aws:iam/policy:Policy::identity-qa-reviewers-access",
                ),
            )
        ),
    ),
    Mutation(
        "trail-log-retention-30-days",
        "the audit trail's log group keeps 30 days",
        (
            Edit(
                AUDIT,
                "kms_key_id=args.kms_key_arn,\n"
                "            retention_in_days=args.log_retention_days,",
                "kms_key_id=args.kms_key_arn,\n            retention_in_days=30,",
            ),
        ),
        _expect(("deny_log_group_retention", "audit-logging-trail-log-group")),
    ),
    Mutation(
        "backup-retention-7-days-by-config",
        "the component's minimum lowered and the stack configured for 7-day backups",
        (Edit(BACKUP, "MIN_DAILY_RETENTION_DAYS = 35", "MIN_DAILY_RETENTION_DAYS = 7"),),
        _expect(("deny_backup_plan_retention", "backup-plan")),
        config={"ime-platform:backupRetentionDays": "7"},
    ),
    Mutation(
        "bucket-public-acls-allowed",
        "public ACLs no longer blocked on any bucket",
        (Edit(SECURE_BUCKET, "block_public_acls=True,", "block_public_acls=False,"),),
        _expect(
            *_each(
                "deny_s3_public_access_block",
                tuple(n.removesuffix("-bucket") + "-public-access-block" for n in ALL_BUCKETS),
            )
        ),
    ),
    Mutation(
        "database-public",
        "the case database is publicly accessible",
        (Edit(DATABASE, "publicly_accessible=False,", "publicly_accessible=True,"),),
        _expect(("deny_rds_public", DB)),
    ),
    Mutation(
        "database-deletion-protection-off",
        "the case database can be deleted",
        (Edit(DATABASE, "deletion_protection=True,", "deletion_protection=False,"),),
        _expect(("deny_rds_deletion_protection", DB)),
    ),
    Mutation(
        "database-unencrypted",
        "the case database's storage is not encrypted",
        (
            Edit(
                DATABASE,
                "storage_encrypted=True,\n            kms_key_id=args.kms_key_arn,",
                "storage_encrypted=False,",
            ),
        ),
        _expect(("deny_rds_cmk_encryption", DB)),
    ),
    Mutation(
        "database-ssl-not-forced",
        "the database parameter group no longer forces TLS",
        (Edit(DATABASE, '"rds.force_ssl": "1",', '"rds.force_ssl": "0",'),),
        _expect(("deny_rds_force_ssl", "case-database-parameters")),
    ),
    Mutation(
        "database-backups-1-day-by-config",
        "the component's minimum lowered and the stack configured for 1-day database backups",
        (Edit(DATABASE, "MIN_BACKUP_RETENTION_DAYS = 7", "MIN_BACKUP_RETENTION_DAYS = 1"),),
        _expect(("deny_rds_backup_retention", DB)),
        config={"ime-platform:dbBackupRetentionDays": "1"},
    ),
    Mutation(
        "database-data-class-tag-removed",
        "the case database no longer says it holds PHI",
        (
            Edit(
                DATABASE,
                'tags=resource_tags(ctx, self.COMPONENT, "phi"),',
                "tags=resource_tags(ctx, self.COMPONENT),",
            ),
        ),
        _expect(("deny_data_class_tag", DB)),
    ),
    Mutation(
        "vault-lock-dropped",
        "the primary backup vault is not locked",
        (
            Edit(
                BACKUP,
                'self.vault_lock = self._lock(f"{name}-vault-lock", self.vault, args, child)',
                "self.vault_lock = None",
            ),
        ),
        _expect(("stack_deny_backup_vault_lock", "backup-vault")),
    ),
    Mutation(
        "reports-bucket-not-backed-up",
        "the reports bucket is left out of the backup selection",
        (
            Edit(
                MAIN,
                "            case_database.arn,\n            phi_storage.referrals.arn,\n"
                "            phi_storage.reports.arn,\n",
                "            case_database.arn,\n            phi_storage.referrals.arn,\n",
            ),
        ),
        _expect(("stack_deny_phi_backup_selection", "phi-storage-reports-bucket")),
    ),
    Mutation(
        "referrals-data-events-dropped",
        "the trail no longer records object access to the referrals bucket",
        (
            Edit(
                MAIN,
                "data_event_bucket_arns=[\n            phi_storage.referrals.arn,\n",
                "data_event_bucket_arns=[\n",
            ),
        ),
        _expect(("stack_deny_phi_bucket_data_events", "phi-storage-referrals-bucket")),
    ),
    Mutation(
        "trail-log-file-validation-off",
        "the trail's log files can be altered undetected",
        (Edit(AUDIT, "enable_log_file_validation=True,", "enable_log_file_validation=False,"),),
        _expect(("stack_deny_cloudtrail_required", "audit-logging-trail")),
    ),
    Mutation(
        "tls-only-policy-removed",
        "bucket policies no longer deny requests without TLS",
        (
            Edit(
                SECURE_BUCKET,
                "[deny_insecure_transport(arn), deny_outdated_tls(arn), *extra]",
                "[deny_outdated_tls(arn), *extra]",
            ),
        ),
        # PHI buckets (IME-TLS-01), reported on the bucket policy joined to them
        _expect(
            *_each(
                "stack_deny_s3_tls_only",
                ("phi-storage-referrals-policy", "phi-storage-reports-policy"),
            )
        ),
    ),
    Mutation(
        "object-lock-removed",
        "PHI buckets created without object lock (the component's guard removed)",
        (
            Edit(PHI_STORAGE, "object_lock=lock,", "object_lock=None,"),
            Edit(
                SECURE_BUCKET,
                'raise ValueError(f"PHI bucket {self.purpose} must have object lock")',
                "pass",
            ),
        ),
        _expect(*_each("stack_deny_s3_phi_object_lock", PHI_BUCKETS)),
    ),
    Mutation(
        "versioning-suspended-without-object-lock",
        "object lock removed and versioning suspended: overwrites destroy PHI",
        (
            Edit(PHI_STORAGE, "object_lock=lock,", "object_lock=None,"),
            Edit(
                SECURE_BUCKET,
                'raise ValueError(f"PHI bucket {self.purpose} must have object lock")',
                "pass",
            ),
            Edit(
                SECURE_BUCKET,
                "versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(\n"
                '                status="Enabled"',
                "versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(\n"
                '                status="Suspended"',
            ),
        ),
        _expect(
            *_each("stack_deny_s3_phi_object_lock", PHI_BUCKETS),
            *_each(
                "stack_deny_s3_phi_versioning",
                ("phi-storage-referrals-versioning", "phi-storage-reports-versioning"),
            ),
        ),
    ),
    Mutation(
        "trail-log-group-without-cmk",
        "the trail's log group uses the service-owned key",
        (
            Edit(
                AUDIT,
                "kms_key_id=args.kms_key_arn,\n"
                "            retention_in_days=args.log_retention_days,",
                "retention_in_days=args.log_retention_days,",
            ),
        ),
        _expect(("deny_log_group_cmk_encryption", "audit-logging-trail-log-group")),
    ),
    Mutation(
        "alarm-topic-without-cmk",
        "security alarms published to an unencrypted topic",
        (Edit(AUDIT, "kms_master_key_id=args.kms_key_arn,\n", ""),),
        _expect(("deny_sns_topic_cmk_encryption", "audit-logging-security-alarms")),
    ),
    Mutation(
        "portal-mfa-off",
        "the examinee portal's user pool does not require MFA",
        (Edit(IDENTITY, 'mfa_configuration="ON",', 'mfa_configuration="OFF",'),),
        _expect(("deny_cognito_mfa", "identity-portal-users")),
    ),
    Mutation(
        "workforce-password-reuse-5",
        "workforce passwords may repeat after 5 changes",
        (
            Edit(
                IDENTITY,
                "password_reuse_prevention=PASSWORD_REUSE_PREVENTION,",
                "password_reuse_prevention=5,",
            ),
        ),
        _expect(("deny_iam_password_policy", "identity-password-policy")),
    ),
    Mutation(
        "root-use-alarm-dropped",
        "no alarm on root account use (advisory: reported, does not block)",
        (
            Edit(AUDIT, '{ $.userIdentity.type = "Root"', '{ $.userIdentity.type = "Nobody"'),
        ),
        _expect(("stack_warn_security_alarms", "ime-platform-dev")),
        exit_code=0,
    ),
)
