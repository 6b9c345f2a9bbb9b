"""The reference IME platform: one Pulumi ComponentResource per security concern."""

from .audit_logging import AuditLogging, AuditLoggingArgs
from .backup import Backup, BackupArgs
from .case_database import CaseDatabase, CaseDatabaseArgs
from .config import StackSettings, load_settings
from .context import PlatformContext
from .evidence_store import EvidenceStore, EvidenceStoreArgs
from .identity import Identity, IdentityArgs
from .keys import Keys, KeysArgs
from .phi_storage import PhiStorage, PhiStorageArgs
from .secure_bucket import ObjectLock, RetentionSchedule, SecureBucket, SecureBucketArgs

__all__ = [
    "AuditLogging",
    "AuditLoggingArgs",
    "Backup",
    "BackupArgs",
    "CaseDatabase",
    "CaseDatabaseArgs",
    "EvidenceStore",
    "EvidenceStoreArgs",
    "Identity",
    "IdentityArgs",
    "Keys",
    "KeysArgs",
    "ObjectLock",
    "PhiStorage",
    "PhiStorageArgs",
    "PlatformContext",
    "RetentionSchedule",
    "SecureBucket",
    "SecureBucketArgs",
    "StackSettings",
    "load_settings",
]
