"""S3 storage: PHI buckets, their access-log bucket and the evidence store."""

from __future__ import annotations

from dataclasses import fields

import pytest
from ime_platform.evidence_store import EvidenceStore, EvidenceStoreArgs
from ime_platform.phi_storage import PhiStorage, PhiStorageArgs
from ime_platform.secure_bucket import ObjectLock, RetentionSchedule, SecureBucketArgs
from infra_harness import KEY_ARN, LOG_KEY_ARN, Registered, Registry, synthesize

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"


@pytest.fixture
def storage(ctx) -> Registry:
    return synthesize(
        lambda: PhiStorage(
            "phi-storage",
            PhiStorageArgs(
                context=ctx,
                phi_key_arn=KEY_ARN,
                log_key_arn=LOG_KEY_ARN,
                object_lock_mode="COMPLIANCE",
                object_lock_days=400,
                record_retention_days=3000,
            ),
        )
    )


def _attached(registry: Registry, bucket: Registered, type_token: str) -> Registered:
    attached = registry.attached_to(bucket, type_token, "bucket")
    assert len(attached) == 1, (bucket.name, type_token, [a.name for a in attached])
    return attached[0]


def _phi_buckets(registry: Registry) -> list[Registered]:
    return [b for b in registry.of_type(BUCKET) if b.tags.get("data-class") == "phi"]


def test_phi_storage_creates_two_phi_buckets_and_a_log_bucket(storage: Registry):
    names = {b.name: b.inputs["bucket"] for b in storage.of_type(BUCKET)}
    assert names == {
        "phi-storage-referrals-bucket": "ime-test-phi-referrals-111122223333-us-east-1",
        "phi-storage-reports-bucket": "ime-test-phi-reports-111122223333-us-east-1",
        "phi-storage-access-logs-bucket": "ime-test-access-logs-111122223333-us-east-1",
    }
    assert len(_phi_buckets(storage)) == 2


def test_every_bucket_is_kms_encrypted_with_bucket_keys(platform: Registry):
    buckets = platform.of_type(BUCKET)
    assert len(buckets) == 5
    for bucket in buckets:
        rule = _attached(platform, bucket, SSE).inputs["rules"][0]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] == "aws:kms", bucket.name
        assert default["kmsMasterKeyId"].startswith("arn:aws:kms:"), bucket.name
        assert rule["bucketKeyEnabled"] is True


def test_phi_buckets_use_the_phi_key(storage: Registry):
    for bucket in _phi_buckets(storage):
        default = _attached(storage, bucket, SSE).inputs["rules"][0]
        assert default["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == KEY_ARN
    logs = storage.one(BUCKET, "phi-storage-access-logs-bucket")
    default = _attached(storage, logs, SSE).inputs["rules"][0]
    assert default["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == LOG_KEY_ARN


def test_every_bucket_blocks_all_public_access_and_disables_acls(platform: Registry):
    for bucket in platform.of_type(BUCKET):
        block = _attached(platform, bucket, PAB).inputs
        for setting in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ):
            assert block[setting] is True, (bucket.name, setting)
        ownership = _attached(platform, bucket, OWNERSHIP).inputs
        assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_every_bucket_policy_denies_requests_without_tls(platform: Registry):
    for bucket in platform.of_type(BUCKET):
        policy = _attached(platform, bucket, POLICY).policy()
        arn = f"arn:aws:s3:::{bucket.inputs['bucket']}"
        deny = next(s for s in policy["Statement"] if s["Sid"] == "DenyInsecureTransport")
        assert deny["Effect"] == "Deny"
        assert deny["Principal"] == "*"
        assert deny["Action"] == "s3:*"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert sorted(deny["Resource"]) == [arn, f"{arn}/*"]
        old_tls = next(s for s in policy["Statement"] if s["Sid"] == "DenyOutdatedTls")
        assert old_tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
        for statement in policy["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] != "*", bucket.name


def test_every_bucket_is_versioned(platform: Registry):
    for bucket in platform.of_type(BUCKET):
        versioning = _attached(platform, bucket, VERSIONING).inputs
        assert versioning["versioningConfiguration"]["status"] == "Enabled"


def test_phi_buckets_have_object_lock_logging_and_retention(storage: Registry):
    log_bucket = storage.one(BUCKET, "phi-storage-access-logs-bucket")
    for bucket in _phi_buckets(storage):
        assert bucket.inputs["objectLockEnabled"] is True
        lock = _attached(storage, bucket, LOCK).inputs
        assert lock["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 400}
        logging = _attached(storage, bucket, LOGGING)
        assert logging.inputs["targetBucket"] == log_bucket.inputs["bucket"]
        assert logging.depends_on("targetBucket", log_bucket)
        assert logging.inputs["targetPrefix"] == f"{bucket.inputs['bucket']}/"
        rules = {r["id"]: r for r in _attached(storage, bucket, LIFECYCLE).inputs["rules"]}
        schedule = rules["retention-schedule"]
        assert schedule["expiration"]["days"] == 3000
        assert schedule["noncurrentVersionExpiration"]["noncurrentDays"] == 400
        assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"] == {
            "daysAfterInitiation": 7
        }


def test_log_bucket_accepts_only_this_accounts_access_logs(storage: Registry):
    log_bucket = storage.one(BUCKET, "phi-storage-access-logs-bucket")
    assert log_bucket.tags["data-class"] == "logs"
    assert "objectLockEnabled" not in log_bucket.inputs  # S3 cannot log into locked buckets
    policy = _attached(storage, log_bucket, POLICY).policy()
    delivery = next(s for s in policy["Statement"] if s["Sid"] == "S3ServerAccessLogDelivery")
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:s3:::ime-test-*"}


def test_evidence_store_is_locked_in_compliance_mode_for_six_years(ctx):
    registry = synthesize(
        lambda: EvidenceStore(
            "evidence-store",
            EvidenceStoreArgs(
                context=ctx, kms_key_arn=LOG_KEY_ARN, kms_key_alias="alias/ime-test-audit-logs"
            ),
        )
    )
    bucket = registry.one(BUCKET)
    assert bucket.tags["data-class"] == "internal"
    assert bucket.tags["component"] == "evidence-store"
    assert bucket.inputs["objectLockEnabled"] is True
    lock = _attached(registry, bucket, LOCK).inputs
    assert lock["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 2192}
    rules = {r["id"]: r for r in _attached(registry, bucket, LIFECYCLE).inputs["rules"]}
    assert "expiration" not in rules["retention-schedule"]
    assert _attached(registry, bucket, VERSIONING).inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }
    assert _attached(registry, bucket, PAB).inputs["restrictPublicBuckets"] is True
    _attached(registry, bucket, POLICY)
    # The pipeline's writer policy appends and reads; it can delete nothing.
    writer = registry.one("aws:iam/policy:Policy")
    assert writer.depends_on("policy", bucket)
    statements = writer.policy()["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:PutObjectRetention",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetBucketObjectLockConfiguration",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    # Everything imekit's S3 evidence store calls is granted, and nothing that deletes.
    from imekit.evidence.stores.s3 import PERMISSIONS

    assert set(PERMISSIONS) <= actions
    assert not any("Delete" in a or "BypassGovernance" in a for a in actions)
    arn = f"arn:aws:s3:::{bucket.inputs['bucket']}"
    assert {r for s in statements for r in s["Resource"]} == {
        arn,
        f"{arn}/*",
        "arn:aws:kms:us-east-1:111122223333:key/*",
    }


def test_evidence_store_needs_a_key_alias(ctx):
    with pytest.raises(ValueError, match="is not a KMS alias name"):
        EvidenceStoreArgs(context=ctx, kms_key_arn=LOG_KEY_ARN, kms_key_alias=LOG_KEY_ARN)


def test_secure_bucket_has_no_switch_to_turn_protections_off():
    names = {f.name for f in fields(SecureBucketArgs)}
    for forbidden in ("encryption", "sse_algorithm", "versioning", "public", "block_public"):
        assert not any(forbidden in name for name in names), forbidden


def _bucket_args(ctx, **overrides) -> SecureBucketArgs:
    values = dict(
        context=ctx,
        component="phi-storage",
        purpose="phi-referrals",
        data_class="phi",
        kms_key_arn=KEY_ARN,
        retention=RetentionSchedule(noncurrent_expire_after_days=365, expire_after_days=3650),
        object_lock=ObjectLock("COMPLIANCE", 365),
        access_log_bucket="ime-test-access-logs",
    )
    values.update(overrides)
    return SecureBucketArgs(**values)


def test_secure_bucket_args_accept_the_secure_shape(ctx):
    assert _bucket_args(ctx).data_class == "phi"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kms_key_arn": None}, "customer-managed KMS key"),
        ({"kms_key_arn": ""}, "customer-managed KMS key"),
        ({"kms_key_arn": "alias/aws/s3"}, "is an AWS-managed key"),
        ({"object_lock": None}, "must have object lock"),
        ({"access_log_bucket": None}, "must have server access logging"),
        ({"data_class": "public"}, "is not one of phi, logs, internal"),
        (
            {
                "retention": RetentionSchedule(
                    noncurrent_expire_after_days=365, expire_after_days=30
                )
            },
            "cannot expire",
        ),
        (
            {"retention": RetentionSchedule(noncurrent_expire_after_days=10)},
            "less than the object lock retention",
        ),
        (
            {
                "extra_policy_statements": [
                    {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
                ]
            },
            "would make the bucket public",
        ),
        *[
            (
                {"extra_policy_statements": [{"Sid": "Open", "Effect": "Allow", **who}]},
                "would make the bucket public",
            )
            for who in (
                {"Principal": {"AWS": "*"}},
                {"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}},
                {"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}},
            )
        ],
    ],
)
def test_secure_bucket_args_refuse_weakening(ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        _bucket_args(ctx, **overrides)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: ObjectLock("NONE", 30), "object lock mode 'NONE'"),
        (lambda: ObjectLock("COMPLIANCE", 0), "at least 1 day"),
        (lambda: RetentionSchedule(noncurrent_expire_after_days=0), "at least 1 day"),
        (
            lambda: RetentionSchedule(
                noncurrent_expire_after_days=30, expire_after_days=100, archive_after_days=200
            ),
            "archived before they expire",
        ),
    ],
)
def test_lock_and_retention_values_are_validated(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"record_retention_days": 365}, "below the organisation's minimum of 2192"),
        ({"access_log_retention_days": 90}, "access log retention of 90 days"),
        ({"object_lock_days": 4000}, "longer than the record retention"),
        ({"object_lock_mode": "OFF"}, "object lock mode 'OFF'"),
        ({"phi_key_arn": None}, "PHI buckets must be encrypted with a customer-managed KMS key"),
        ({"log_key_arn": "alias/aws/s3"}, "access-log bucket: alias/aws/s3 is an AWS-managed"),
    ],
)
def test_phi_storage_args_refuse_weakening(ctx, overrides, message):
    values = dict(context=ctx, phi_key_arn=KEY_ARN, log_key_arn=LOG_KEY_ARN, object_lock_days=30)
    values.update(overrides)
    with pytest.raises(ValueError, match=message):
        PhiStorageArgs(**values)


def test_bucket_names_must_fit_s3_limits():
    from ime_platform.context import PlatformContext

    ctx = PlatformContext(environment="production01", account_id="111122223333", region="us-east-1")
    with pytest.raises(ValueError, match="longer than S3's 63 characters"):
        ctx.bucket_name("phi-referrals-and-more-text")
