"""The aws target's safety: no confirmation, no call; a wrong account, one call and a
refusal; a confirmed account (a moto server behind AWS_ENDPOINT_URL plays it here) runs
the drill, touches only what it created, and cleans up even when a step fails."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from drill_helpers import aws_client

from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.local_target import LocalTarget


class CallCounter:
    """Counts every AWS request botocore sends and every outbound socket connection."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import botocore.endpoint

        self.operations: list[str] = []
        self.connections: list[Any] = []
        original_request = botocore.endpoint.Endpoint.make_request
        original_connect = socket.socket.connect

        def make_request(endpoint: Any, operation_model: Any, request_dict: Any) -> Any:
            self.operations.append(operation_model.name)
            return original_request(endpoint, operation_model, request_dict)

        def connect(sock: socket.socket, address: Any) -> Any:
            self.connections.append(address)
            return original_connect(sock, address)

        monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", make_request)
        monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.mark.parametrize("extra", [[], ["--confirm-account", ""],
                                   ["--confirm-account", "12345"]])
def test_refusal_without_confirmation_makes_no_aws_call(imekit, monkeypatch, extra) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    counter = CallCounter(monkeypatch)
    result = imekit("run", "kms-key-disabled", "--target", "aws", *extra)
    assert result.code == 2
    assert "confirm-account" in result.err
    assert counter.operations == []
    assert counter.connections == []
    assert not result.journal_dir.exists()  # nothing ran, so nothing to journal


def test_wrong_account_is_refused_after_one_identity_call(imekit, monkeypatch,
                                                          fake_account) -> None:
    counter = CallCounter(monkeypatch)
    result = imekit("run", "kms-key-disabled", "--target", "aws",
                    "--confirm-account", "111111111111")
    assert result.code == 2
    assert "belong to account 123456789012, not the confirmed account 111111111111" in result.err
    assert counter.operations == ["GetCallerIdentity"]
    assert not result.journal_dir.exists()


def test_a_broken_aws_profile_is_a_clear_refusal(imekit, monkeypatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-here")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    counter = CallCounter(monkeypatch)
    result = imekit("run", "kms-key-disabled", "--target", "aws",
                    "--confirm-account", "123456789012")
    assert result.code == 2
    assert "cannot read the AWS configuration" in result.err and "internal" not in result.err
    assert counter.operations == []


def test_aws_only_drill_refuses_the_local_target_with_its_reason(imekit, monkeypatch) -> None:
    counter = CallCounter(monkeypatch)
    result = imekit("run", "backup-recovery-point-restore")
    assert result.code == 2
    assert "cannot run on --target local" in result.err
    assert "start_restore_job" in result.err
    assert counter.operations == []


def test_confirmed_account_runs_and_leaves_others_resources_alone(
        imekit, fake_account, moto_endpoint) -> None:
    s3 = aws_client(moto_endpoint, "s3")
    s3.create_bucket(Bucket="someone-elses-bucket")
    s3.put_bucket_tagging(Bucket="someone-elses-bucket",
                          Tagging={"TagSet": [{"Key": "owner", "Value": "platform"}]})
    result = imekit("run", "s3-public-access-removed", "--target", "aws",
                    "--confirm-account", fake_account)
    assert result.code == 0, result.err
    journal = result.journal()
    assert journal["target"] == "aws" and journal["account"] == fake_account
    assert not any("only AWS can show" in n for n in journal["notes"])
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert "someone-elses-bucket" in buckets
    assert not any(name.startswith("ime-phi-exchange-drill-") for name in buckets)
    assert s3.get_bucket_tagging(Bucket="someone-elses-bucket")["TagSet"] == [
        {"Key": "owner", "Value": "platform"}]


def test_aws_journals_say_what_no_target_verifies(imekit, fake_account) -> None:
    # The restored rows are out of the drill's reach on AWS too: the journal must say so
    # rather than let an AWS run read as having checked them.
    result = imekit("run", "rds-database-restore", "--target", "aws",
                    "--confirm-account", fake_account)
    assert result.code == 0, result.err
    notes = result.journal()["notes"]
    assert any(n.startswith("not verified by this drill on any target: the restored rows")
               for n in notes), notes
    assert not any(n.startswith("verified only against AWS") for n in notes)
    assert "1 thing(s) this drill does not verify on any target" in result.out


def test_cleans_up_when_a_step_fails(imekit, fake_account, moto_endpoint) -> None:
    # moto lacks AWS Backup jobs, so the backup step fails after the key, role, vault and
    # table exist; its managed policies are left out because moto does not ship them.
    result = imekit("run", "backup-recovery-point-restore", "--target", "aws",
                    "--confirm-account", fake_account, "--set", "backup_role_policies=[]")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed"
    assert any("back-up-table failed" in r and "StartBackupJob" in r
               for r in journal["reasons"]), journal["reasons"]
    created = [s["name"] for s in journal["steps"]
               if s["phase"] == "setup" and s["outcome"] == "pass"]
    assert created == ["create-backup-key", "create-backup-role", "create-vault",
                       "create-case-index-table", "seed-synthetic-records"]
    rollbacks = {s["name"]: s["outcome"] for s in journal["steps"] if s["phase"] == "rollback"}
    assert rollbacks["delete-recovery-point"] == "not-applicable"  # never created
    assert all(v == "pass" for k, v in rollbacks.items() if k != "delete-recovery-point")

    run_id = journal["run_id"]
    suffix = run_id.rsplit("-", 1)[1]
    tables = aws_client(moto_endpoint, "dynamodb").list_tables()["TableNames"]
    assert not [t for t in tables if suffix in t]
    vaults = aws_client(moto_endpoint, "backup").list_backup_vaults()["BackupVaultList"]
    assert not [v for v in vaults if suffix in v["BackupVaultName"]]
    roles = aws_client(moto_endpoint, "iam").list_roles(PathPrefix="/imekit-drill/")["Roles"]
    assert not [r for r in roles if suffix in r["RoleName"]]
    kms = aws_client(moto_endpoint, "kms")
    for key in kms.list_keys()["Keys"]:
        tags = {t["TagKey"]: t["TagValue"]
                for t in kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])}
        if tags.get("imekit-drill") == run_id:
            assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == \
                "PendingDeletion"


def test_teardown_refuses_a_resource_the_run_did_not_create() -> None:
    from imekit.drills.aws import iam, kms, s3

    with LocalTarget() as target:
        ctx = DrillContext(drill="test", run_id="20260101T000000Z-abcdef", suffix="abcdef",
                           target=target)
        client = target.client("s3")
        client.create_bucket(Bucket="untagged-bucket-abcdef")
        with pytest.raises(DrillStepError, match="has no imekit-drill tag"):
            s3.delete_drill_bucket(ctx, "untagged-bucket-abcdef")
        assert "untagged-bucket-abcdef" in {b["Name"] for b in client.list_buckets()["Buckets"]}

        other = DrillContext(drill="test", run_id="20260101T000000Z-123456", suffix="123456",
                             target=target)
        iam.create_user_with_key(other, "someone-else-123456")
        with pytest.raises(DrillStepError, match="tagged imekit-drill=20260101T000000Z-123456"):
            iam.delete_drill_user(ctx, "someone-else-123456")
        with pytest.raises(DrillStepError, match="already exists"):
            iam.create_user_with_key(ctx, "someone-else-123456")
        key = kms.create_drill_key(other, "alias/someone-else-123456", "not ours")
        with pytest.raises(DrillStepError, match="refusing to touch"):
            kms.disable_key(ctx, key)
        assert kms.key_state(ctx, key) == "Enabled"
        assert iam.delete_drill_user(other, "someone-else-123456") == "deleted"
        client.delete_bucket(Bucket="untagged-bucket-abcdef")
        kms.retire_drill_key(other, key)
