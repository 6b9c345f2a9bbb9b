"""Against a real sandbox account, only when one is named: IMEKIT_DRILL_AWS_ACCOUNT=<id>
with that account's credentials and region in the environment. Creates and deletes real
resources (an RDS instance takes minutes; the KMS keys stay pending deletion for 7 days)."""

from __future__ import annotations

import os

import pytest

ACCOUNT = os.environ.get("IMEKIT_DRILL_AWS_ACCOUNT")
TECHNICAL = (
    "s3-ransomware-restore", "rds-database-restore", "iam-leaked-access-key",
    "kms-key-disabled", "cloudtrail-logging-stopped", "s3-public-access-removed",
    "backup-recovery-point-restore",
)

pytestmark = pytest.mark.skipif(
    not ACCOUNT,
    reason="needs a real AWS sandbox account: set IMEKIT_DRILL_AWS_ACCOUNT and its "
    "credentials (moto cannot show AWS-only checks such as refused keys or Backup restores)")


@pytest.mark.parametrize("name", TECHNICAL)
def test_drill_passes_in_the_sandbox_account(imekit, name: str) -> None:
    result = imekit("run", name, "--target", "aws", "--confirm-account", str(ACCOUNT))
    assert result.code == 0, result.err + result.out
    journal = result.journal()
    assert journal["status"] == "passed"
    assert not [s for s in journal["steps"] if s["outcome"] == "unknown"]
