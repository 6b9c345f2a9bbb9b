"""Probes and actions one by one against moto's server: each must be able to see a fault (a
probe that cannot fail proves nothing), and actions touch only what this run created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imekit.drills.context import DrillContext
from imekit.drills.errors import AwsOnlyCheck, DrillStepError
from imekit.drills.local_target import LocalTarget

RUN = "20260101T000000Z-abcdef"


@pytest.fixture(scope="module")
def target() -> Iterator[LocalTarget]:
    with LocalTarget() as opened:
        yield opened


@pytest.fixture
def ctx(target: LocalTarget) -> DrillContext:
    return DrillContext(drill="probe-tests", run_id=RUN, suffix="abcdef", target=target)


def test_restored_objects_must_be_encrypted_with_the_key(ctx: DrillContext) -> None:
    from imekit.drills.aws import kms, s3

    key = kms.create_drill_key(ctx, "alias/probe-reports-abcdef", "probe test")
    s3.create_phi_bucket(ctx, "probe-reports-abcdef", key, object_lock=False)
    manifest = s3.seed_reports(ctx, "probe-reports-abcdef", count=2)
    assert s3.objects_not_encrypted_with(ctx, "probe-reports-abcdef", manifest, key) == []
    first = sorted(manifest)[0]
    ctx.client("s3").put_object(Bucket="probe-reports-abcdef", Key=first, Body=b"x",
                                ServerSideEncryption="AES256")
    assert s3.objects_not_encrypted_with(ctx, "probe-reports-abcdef", manifest, key) == [
        f"{first}: AES256 with no KMS key"]
    ctx.client("s3").delete_object(Bucket="probe-reports-abcdef", Key=sorted(manifest)[1])
    assert f"{sorted(manifest)[1]}: missing" in s3.objects_not_encrypted_with(
        ctx, "probe-reports-abcdef", manifest, key)
    s3.delete_drill_bucket(ctx, "probe-reports-abcdef")
    kms.retire_drill_key(ctx, key)


def test_policy_status_sees_a_public_policy(ctx: DrillContext) -> None:
    from imekit.drills.aws import s3

    bucket = "probe-public-abcdef"
    ctx.client("s3").create_bucket(Bucket=bucket)
    ctx.client("s3").put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ctx.tag_list()})
    assert s3.policy_is_public(ctx, bucket) is False  # no policy at all
    s3.attach_public_read_policy(ctx, bucket)
    assert s3.policy_is_public(ctx, bucket) is True
    s3.remove_public_policy_statements(ctx, bucket)
    assert s3.policy_is_public(ctx, bucket) is False
    s3.delete_drill_bucket(ctx, bucket)


def test_the_quarantine_check_is_aws_only(ctx: DrillContext) -> None:
    from imekit.drills.aws import iam

    with pytest.raises(AwsOnlyCheck, match="verified only against AWS: IAM's policy simulator"):
        iam.quarantine_denies(ctx, "nobody-abcdef", ["s3:GetObject"])


def test_seeding_refuses_a_bucket_or_table_the_run_did_not_create(ctx: DrillContext) -> None:
    from imekit.drills.aws import dynamodb, s3

    ctx.client("s3").create_bucket(Bucket="someone-elses-abcdef")
    with pytest.raises(DrillStepError, match="has no imekit-drill tag"):
        s3.seed_reports(ctx, "someone-elses-abcdef", count=1)
    assert "Contents" not in ctx.client("s3").list_objects_v2(Bucket="someone-elses-abcdef")
    ctx.client("s3").delete_bucket(Bucket="someone-elses-abcdef")

    _foreign_table(ctx, "someone-elses-table-abcdef")
    with pytest.raises(DrillStepError, match="has no imekit-drill tag"):
        dynamodb.seed_items(ctx, "someone-elses-table-abcdef", count=1)
    ctx.client("dynamodb").delete_table(TableName="someone-elses-table-abcdef")


def test_a_restore_never_claims_a_table_it_did_not_create(ctx: DrillContext) -> None:
    from imekit.drills.aws import backup, dynamodb

    arn = _foreign_table(ctx, "restored-abcdef")
    # The restore refuses a target table that already exists (before any AWS Backup call).
    with pytest.raises(DrillStepError, match="already exists"):
        backup.restore_dynamodb_table(ctx, vault="v", recovery_point="rp", role_arn="r",
                                      table="restored-abcdef", kms_key="k")
    # Tagging claims only the table this run's restore job created.
    with pytest.raises(DrillStepError, match="not the table this run's restore created"):
        dynamodb.tag_restored_table(ctx, "restored-abcdef", created_arn=f"{arn}-other")
    tags = ctx.client("dynamodb").list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert tags == []
    assert dynamodb.tag_restored_table(ctx, "restored-abcdef", created_arn=arn) == "tagged"
    assert dynamodb.delete_drill_table(ctx, "restored-abcdef") == "deleted"


def test_retiring_a_key_pending_deletion_still_removes_its_aliases(ctx: DrillContext) -> None:
    from imekit.drills.aws import kms

    key = kms.create_drill_key(ctx, "alias/probe-retire-abcdef", "probe test")
    kms.schedule_deletion(ctx, key)  # as the KMS drill's inject leaves it when a run fails
    kms.retire_drill_key(ctx, key)
    aliases = ctx.client("kms").list_aliases()["Aliases"]
    assert "alias/probe-retire-abcdef" not in {a["AliasName"] for a in aliases}


def _foreign_table(ctx: DrillContext, name: str) -> str:
    created = ctx.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    return str(created["TableDescription"]["TableArn"])
