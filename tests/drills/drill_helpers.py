"""Helpers the drill tests import (a module name no other test folder uses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imekit.drills.journal import load_journal

# The drills moto can run end to end; backup-recovery-point-restore needs a real account.
LOCAL_DRILLS = (
    "s3-ransomware-restore",
    "rds-database-restore",
    "iam-leaked-access-key",
    "kms-key-disabled",
    "cloudtrail-logging-stopped",
    "s3-public-access-removed",
)


@dataclass
class Result:
    code: int
    out: str
    err: str
    journal_dir: Path

    def journal(self) -> dict[str, Any]:
        paths = sorted(self.journal_dir.glob("*.json"))
        assert len(paths) == 1, f"expected one journal, found {paths}\n{self.err}"
        return load_journal(paths[0])


def aws_client(endpoint: str, service: str) -> Any:
    import boto3

    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1").client(service, endpoint_url=endpoint)
