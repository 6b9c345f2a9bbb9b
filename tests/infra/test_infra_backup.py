"""Backup: locked vaults under CMKs, daily and monthly rules, cross-region copies, selection."""

from __future__ import annotations

import pytest
from ime_platform.backup import Backup, BackupArgs
from infra_harness import KEY_ARN, Registry, synthesize

VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
DB_ARN = "arn:aws:rds:us-east-1:111122223333:db:ime-test-cases"
REFERRALS = "arn:aws:s3:::ime-test-phi-referrals-111122223333-us-east-1"


def _args(ctx, **overrides) -> BackupArgs:
    values = dict(
        context=ctx,
        kms_key_arn=KEY_ARN,
        protected_resource_arns=[DB_ARN, REFERRALS],
        copy_region="us-west-2",
        daily_retention_days=35,
        monthly_retention_days=400,
    )
    values.update(overrides)
    return BackupArgs(**values)


@pytest.fixture
def backup(ctx) -> Registry:
    return synthesize(lambda: Backup("backup", _args(ctx)))


def test_primary_vault_uses_its_cmk_and_is_locked(backup: Registry):
    vault = backup.one(VAULT, "backup-vault")
    assert vault.inputs["kmsKeyArn"] == KEY_ARN
    assert vault.tags["data-class"] == "phi"
    locks = backup.attached_to(vault, LOCK, "backupVaultName")
    assert len(locks) == 1
    lock = locks[0].inputs
    assert lock["minRetentionDays"] == 35
    assert lock["maxRetentionDays"] == 400
    assert lock["changeableForDays"] == 3  # compliance mode once the grace period ends


def test_copy_vault_lives_in_the_copy_region_under_its_own_key(backup: Registry):
    provider = backup.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "us-west-2"
    copy_vault = backup.one(VAULT, "backup-copy-vault")
    copy_key = backup.one("aws:kms/key:Key", "backup-copy-key")
    for resource in (copy_vault, copy_key):
        assert resource.provider.startswith(provider.urn), resource.name
    assert copy_vault.depends_on("kmsKeyArn", copy_key)
    assert copy_key.inputs["enableKeyRotation"] is True
    use = copy_key.policy()["Statement"][1]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == [
        "backup.us-west-2.amazonaws.com",
        "rds.us-west-2.amazonaws.com",
    ]
    assert len(backup.attached_to(copy_vault, LOCK, "backupVaultName")) == 1


def test_plan_has_daily_and_monthly_rules_copied_across_regions(backup: Registry):
    plan = backup.one("aws:backup/plan:Plan")
    rules = {r["ruleName"]: r for r in plan.inputs["rules"]}
    assert set(rules) == {"daily", "monthly"}
    assert rules["daily"]["lifecycle"] == {"deleteAfter": 35}
    assert rules["monthly"]["lifecycle"] == {"deleteAfter": 400}
    copy_vault = backup.one(VAULT, "backup-copy-vault")
    for rule in rules.values():
        assert rule["targetVaultName"] == "ime-test-phi-backups"
        (copy,) = rule["copyActions"]
        assert copy["destinationVaultArn"] == (
            "arn:aws:backup:us-west-2:111122223333:backup-vault:ime-test-phi-backups-copy"
        )
        assert copy["lifecycle"] == rule["lifecycle"]
    assert plan.depends_on("rules", copy_vault)


def test_selection_covers_the_given_stores_with_its_role(backup: Registry):
    selection = backup.one("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == [DB_ARN, REFERRALS]
    role = backup.one("aws:iam/role:Role")
    assert selection.depends_on("iamRoleArn", role)
    assert selection.depends_on("planId", backup.one("aws:backup/plan:Plan"))
    policies = sorted(
        a.inputs["policyArn"]
        for a in backup.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert policies == [
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]


def test_platform_selection_covers_the_database_and_every_phi_bucket(platform: Registry):
    selection = platform.one("aws:backup/selection:Selection")
    database = platform.one("aws:rds/instance:Instance")
    assert selection.depends_on("resources", database)
    assert f":db:{database.inputs['identifier']}" in " ".join(selection.inputs["resources"])
    phi = [b for b in platform.of_type("aws:s3/bucket:Bucket") if b.tags["data-class"] == "phi"]
    assert len(phi) == 2
    for bucket in phi:
        assert selection.depends_on("resources", bucket), bucket.name
        assert f"arn:aws:s3:::{bucket.inputs['bucket']}" in selection.inputs["resources"]
    vault = platform.one(VAULT, "backup-vault")
    assert vault.depends_on("kmsKeyArn", platform.one("aws:kms/key:Key", "keys-backups-key"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"daily_retention_days": 7}, "at least 35 days"),
        ({"monthly_retention_days": 90}, "monthly backups must be kept at least 365"),
        ({"copy_region": "us-east-1"}, "another region"),
        ({"copy_region": "mars-1"}, "is not an AWS region name"),
        ({"lock_changeable_days": 0}, "grace period must be at least 3 days"),
        ({"protected_resource_arns": []}, "must name the PHI stores"),
        ({"kms_key_arn": None}, "customer-managed KMS key"),
        ({"kms_key_arn": "arn:aws:kms:us-east-1:111122223333:alias/aws/backup"}, "AWS-managed"),
    ],
)
def test_backup_args_refuse_weakening(ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        _args(ctx, **overrides)
