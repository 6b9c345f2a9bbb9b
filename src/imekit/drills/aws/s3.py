"""S3: PHI report buckets, synthetic reports, ransomware-style tampering and its repair,
public access blocks, and the CloudTrail log bucket."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, tags_to_dict, utc_iso
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe

_BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_MISSING_BUCKET = ("NoSuchBucket", "404", "NotFound")


# -- creation -------------------------------------------------------------------------------
def _create_bucket(ctx: DrillContext, bucket: str, *, object_lock: bool,
                   extra_tags: dict[str, str]) -> Any:
    s3 = ctx.client("s3")
    if _exists(ctx, bucket):
        # In us-east-1 CreateBucket "succeeds" on a bucket the caller already owns, which
        # would let this run re-tag and later delete it: refuse instead.
        raise DrillStepError(f"s3 bucket {bucket}: already exists; a drill only uses buckets "
                             "it creates")
    kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectLockEnabledForBucket": object_lock}
    if ctx.target.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.target.region}
    s3.create_bucket(**kwargs)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ctx.tag_list(extra_tags)})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(_BLOCK_ALL))
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    return s3


@action
def create_phi_bucket(ctx: DrillContext, bucket: str, kms_key: str, versioning: str = "Enabled",
                      object_lock: bool = True, retention_days: int = 1) -> str:
    """Create a PHI report bucket: CMK encryption, public access blocked, versioning, object lock.

    Object lock uses GOVERNANCE mode so the drill's teardown can remove the versions it made
    (COMPLIANCE mode would make the bucket undeletable for the retention period).
    `versioning` is Enabled, Suspended or Disabled; object lock needs Enabled.
    """
    if object_lock and versioning != "Enabled":
        raise DrillStepError(f"s3 bucket {bucket}: object lock needs versioning Enabled, "
                             f"not {versioning}")
    s3 = _create_bucket(ctx, bucket, object_lock=object_lock, extra_tags={"data-class": "phi"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": kms_key},
            "BucketKeyEnabled": True,
        }]},
    )
    if versioning in ("Enabled", "Suspended") and not object_lock:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
    if object_lock:
        s3.put_object_lock_configuration(
            Bucket=bucket,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": int(retention_days)}},
            },
        )
    return bucket


@action
def create_trail_bucket(ctx: DrillContext, bucket: str, trail: str) -> str:
    """Create the bucket a CloudTrail trail delivers to, with the policy CloudTrail requires."""
    s3 = _create_bucket(ctx, bucket, object_lock=False, extra_tags={"data-class": "logs"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        ]},
    )
    trail_arn = f"arn:aws:cloudtrail:{ctx.target.region}:{ctx.target.account}:trail/{trail}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ctx.target.account}/*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                               "aws:SourceArn": trail_arn}},
            },
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return bucket


# -- synthetic content ----------------------------------------------------------------------
def _synthetic_report(run_id: str, number: int) -> bytes:
    # Obviously fictitious: no real person, no real clinical content, nothing that is PHI.
    lines = [
        "SYNTHETIC DRILL DOCUMENT - NOT A MEDICAL RECORD - CONTAINS NO PHI",
        "Independent Medical Examination report (fictitious, generated by imekit drills)",
        f"Case reference: DRILL-{run_id}-{number:04d}",
        f"Examinee: Test Examinee {number:04d} (fictitious person)",
        "Examiner: Dr. Example Examiner (fictitious)",
        "Findings: lorem ipsum dolor sit amet; this text exists only to be checksummed.",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@action
def seed_reports(ctx: DrillContext, bucket: str, count: int = 12,
                 prefix: str = "reports/") -> dict[str, str]:
    """Write `count` synthetic IME reports; return the manifest {key: SHA-256 of the content}."""
    _require_bucket_owned(ctx, bucket)
    s3 = ctx.client("s3")
    manifest: dict[str, str] = {}
    for number in range(1, int(count) + 1):
        key = f"{prefix}ime-report-{number:04d}.txt"
        body = _synthetic_report(ctx.run_id, number)
        s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256",
                      ContentType="text/plain")
        manifest[key] = hashlib.sha256(body).hexdigest()
    return manifest


@action
def mark_last_good_point(ctx: DrillContext, bucket: str) -> str:
    """Fix the last good point just after the newest version in the bucket and wait past it.

    S3 reports LastModified to the second, so the point is one second after the newest
    good version; waiting until the clock has passed it (plus a margin for clock skew with
    AWS) guarantees every later change carries a LastModified at or after it.
    """
    newest = max((v["LastModified"] for v in _all_versions(ctx, bucket, "")[0]), default=None)
    base = newest if newest is not None else datetime.now(UTC)
    point = base.replace(microsecond=0) + timedelta(seconds=1)
    margin = 2.0 if ctx.is_aws else 0.01
    wait = (point - datetime.now(UTC)).total_seconds() + margin
    if wait > 0:
        time.sleep(wait)
    return utc_iso(point)


# -- ransomware -----------------------------------------------------------------------------
@action
def ransomware_attack(ctx: DrillContext, bucket: str, manifest: dict[str, str], principal: str,
                      overwrite: int = 4, delete: int = 4) -> dict[str, int]:
    """As the simulated attacker `principal`: overwrite some reports with ciphertext-like
    junk and delete others (delete markers), as ransomware does to a versioned bucket."""
    from imekit.drills.aws._common import retry_while

    _require_bucket_owned(ctx, bucket)
    s3 = ctx.client_as("s3", principal)
    keys = sorted(manifest)
    if int(overwrite) + int(delete) > len(keys):
        raise DrillStepError(f"s3 bucket {bucket}: only {len(keys)} reports to attack, "
                             f"asked to overwrite {overwrite} and delete {delete}")
    ctx.mark_incident()
    junk = hashlib.sha256(f"ransom-{ctx.run_id}".encode()).digest() * 16
    # A new access key takes a few seconds to work in AWS; moto accepts it at once.
    for key in keys[: int(overwrite)]:
        retry_while(ctx, f"s3 bucket {bucket}", lambda k=key: s3.put_object(
            Bucket=bucket, Key=k, Body=b"RANSOMWARE-ENCRYPTED:" + junk,
            ChecksumAlgorithm="SHA256"), codes=("InvalidAccessKeyId", "AccessDenied"))
    for key in keys[int(overwrite): int(overwrite) + int(delete)]:
        retry_while(ctx, f"s3 bucket {bucket}", lambda k=key: s3.delete_object(
            Bucket=bucket, Key=k), codes=("InvalidAccessKeyId", "AccessDenied"))
    return {"overwritten": int(overwrite), "deleted": int(delete)}


def _all_versions(ctx: DrillContext, bucket: str, prefix: str) -> tuple[list[dict[str, Any]],
                                                                         list[dict[str, Any]]]:
    paginator = ctx.client("s3").get_paginator("list_object_versions")
    versions: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        versions += page.get("Versions", [])
        markers += page.get("DeleteMarkers", [])
    return versions, markers


def _parse_point(since: str) -> datetime:
    try:
        return datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DrillStepError(f"last good point {since!r} is not an ISO 8601 time") from exc


@action
def detect_tampering(ctx: DrillContext, bucket: str, since: str, prefix: str = "") -> list[str]:
    """List the keys with versions or delete markers newer than the last good point.

    Fails when it finds none: a detection that sees nothing after an attack has failed.
    """
    point = _parse_point(since)
    versions, markers = _all_versions(ctx, bucket, prefix)
    affected = sorted({v["Key"] for v in versions + markers if v["LastModified"] >= point})
    if not affected:
        raise DrillStepError(f"s3 bucket {bucket}: no versions or delete markers newer than "
                             f"the last good point {since}; detection found nothing")
    ctx.note(f"detection: {len(affected)} object(s) in s3 bucket {bucket} changed or deleted "
             "after the last good point")
    return affected


@action
def restore_last_good_versions(ctx: DrillContext, bucket: str, keys: list[str],
                               since: str) -> int:
    """Put back, for every affected key, its newest version older than the last good point.

    The good version is read and written back as a new current version (copying an old
    version fails in a bucket with default object-lock retention; reading it back works and
    keeps the attacker's versions for forensics). Measures RPO from S3's own timestamps:
    the first malicious change minus the restored version's LastModified.
    """
    _require_bucket_owned(ctx, bucket)
    s3 = ctx.client("s3")
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status") or "not enabled"
    if status != "Enabled":
        raise DrillStepError(f"s3 bucket {bucket}: versioning is {status}, cannot restore")
    point = _parse_point(since)
    versions, markers = _all_versions(ctx, bucket, "")
    worst: tuple[datetime, datetime] | None = None  # (restored version, first bad change)
    for key in keys:
        history = [v for v in versions if v["Key"] == key]
        good = [v for v in history if v["LastModified"] < point]
        if not good:
            raise DrillStepError(f"s3 object s3://{bucket}/{key}: no version older than the "
                                 f"last good point {since}, cannot restore")
        last_good = max(good, key=lambda v: v["LastModified"])
        bad_times = [v["LastModified"] for v in history + [m for m in markers if m["Key"] == key]
                     if v["LastModified"] >= point]
        if bad_times:
            window = (last_good["LastModified"], min(bad_times))
            if worst is None or window[1] - window[0] > worst[1] - worst[0]:
                worst = window
        body = s3.get_object(Bucket=bucket, Key=key, VersionId=last_good["VersionId"])["Body"]
        s3.put_object(Bucket=bucket, Key=key, Body=body.read(), ChecksumAlgorithm="SHA256",
                      ContentType="text/plain")
    if worst is not None:
        ctx.measure_rpo(worst[0], worst[1], "S3 object timestamps (whole seconds): first "
                        "malicious change minus the LastModified of the version restored, "
                        "worst object")
    return len(keys)


@probe
def reports_not_matching(ctx: DrillContext, bucket: str, manifest: dict[str, str]) -> list[str]:
    """Keys whose current content is missing or whose SHA-256 differs from the seeded one."""
    s3 = ctx.client("s3")
    bad: list[str] = []
    for key, expected in sorted(manifest.items()):
        try:
            obj = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        except Exception as exc:
            if is_client_error(exc, "NoSuchKey", "404"):
                bad.append(f"{key}: missing")
                continue
            raise
        actual = hashlib.sha256(obj["Body"].read()).hexdigest()
        if actual != expected:
            bad.append(f"{key}: sha256 differs")
    return bad


@probe
def objects_not_encrypted_with(ctx: DrillContext, bucket: str, manifest: dict[str, str],
                               kms_key: str) -> list[str]:
    """Keys whose current version is not stored with SSE-KMS under exactly this key (or is
    missing): restored objects must be as protected as the originals."""
    s3 = ctx.client("s3")
    bad: list[str] = []
    for key in sorted(manifest):
        try:
            head = s3.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            if is_client_error(exc, "NoSuchKey", "404"):
                bad.append(f"{key}: missing")
                continue
            raise
        algorithm = head.get("ServerSideEncryption")
        if algorithm != "aws:kms" or head.get("SSEKMSKeyId") != kms_key:
            bad.append(f"{key}: {algorithm or 'no encryption'} with "
                       f"{head.get('SSEKMSKeyId') or 'no KMS key'}")
    return bad


@probe
def versioning_status(ctx: DrillContext, bucket: str) -> str:
    """Enabled, Suspended or Disabled (never enabled)."""
    return ctx.client("s3").get_bucket_versioning(Bucket=bucket).get("Status") or "Disabled"


@probe
def bucket_encrypted_with(ctx: DrillContext, bucket: str, kms_key: str) -> bool:
    """True when the bucket's default encryption is SSE-KMS with exactly this key."""
    rules = ctx.client("s3").get_bucket_encryption(Bucket=bucket)[
        "ServerSideEncryptionConfiguration"]["Rules"]
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm") == "aws:kms" and default.get("KMSMasterKeyID") == kms_key:
            return True
    return False


# -- public access --------------------------------------------------------------------------
@probe
def public_access_fully_blocked(ctx: DrillContext, bucket: str) -> bool:
    """True only when all four public access block settings are on for the bucket."""
    try:
        config = ctx.client("s3").get_public_access_block(Bucket=bucket)[
            "PublicAccessBlockConfiguration"]
    except Exception as exc:
        if is_client_error(exc, "NoSuchPublicAccessBlockConfiguration"):
            return False
        raise
    return all(config.get(name) is True for name in _BLOCK_ALL)


@action
def remove_public_access_block(ctx: DrillContext, bucket: str) -> str:
    """Delete the bucket's public access block (the misconfiguration being drilled)."""
    _require_bucket_owned(ctx, bucket)
    ctx.client("s3").delete_public_access_block(Bucket=bucket)
    ctx.mark_incident()
    return "removed"


@action
def attach_public_read_policy(ctx: DrillContext, bucket: str) -> str:
    """Attach a bucket policy letting anyone read objects, as a careless change would.

    An account-level Block Public Access setting refuses the policy; that is the account's
    guard working, so the refusal is noted and the drill carries on with the bucket-level
    removal alone.
    """
    _require_bucket_owned(ctx, bucket)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DrillPublicRead", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
    }]}
    try:
        ctx.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    except Exception as exc:
        if is_client_error(exc, "AccessDenied"):
            ctx.note(f"s3 bucket {bucket}: the account-level Block Public Access refused a "
                     "public bucket policy (the account guard works)")
            return "refused by the account-level block"
        raise
    return "attached"


@action
def block_public_access(ctx: DrillContext, bucket: str) -> str:
    """Turn all four public access block settings back on."""
    _require_bucket_owned(ctx, bucket)
    ctx.client("s3").put_public_access_block(Bucket=bucket,
                                             PublicAccessBlockConfiguration=dict(_BLOCK_ALL))
    return "blocked"


def _bucket_policy(ctx: DrillContext, bucket: str) -> dict[str, Any] | None:
    try:
        text = ctx.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except Exception as exc:
        if is_client_error(exc, "NoSuchBucketPolicy"):
            return None
        raise
    return json.loads(text)


def _is_public_statement(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    wildcard = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") in
                                    ("*", ["*"]))
    return statement.get("Effect") == "Allow" and wildcard and not statement.get("Condition")


@probe
def public_policy_statements(ctx: DrillContext, bucket: str) -> list[str]:
    """Sids (or positions) of bucket policy statements that allow anyone, unconditionally."""
    policy = _bucket_policy(ctx, bucket)
    if policy is None:
        return []
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [str(s.get("Sid") or f"statement {i}") for i, s in enumerate(statements)
            if _is_public_statement(s)]


@probe
def policy_is_public(ctx: DrillContext, bucket: str) -> bool:
    """S3's own verdict on the bucket policy (GetBucketPolicyStatus): true when it makes the
    bucket public; false when it does not, or there is no policy."""
    try:
        status = ctx.client("s3").get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]
    except Exception as exc:
        if is_client_error(exc, "NoSuchBucketPolicy"):
            return False
        raise
    return bool(status.get("IsPublic"))


@action
def remove_public_policy_statements(ctx: DrillContext, bucket: str) -> list[str]:
    """Remove the unconditional public statements from the bucket policy (the rest stays)."""
    _require_bucket_owned(ctx, bucket)
    policy = _bucket_policy(ctx, bucket)
    if policy is None:
        return []
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    keep = [s for s in statements if not _is_public_statement(s)]
    removed = [str(s.get("Sid") or "unnamed") for s in statements if _is_public_statement(s)]
    s3 = ctx.client("s3")
    if keep:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": keep}))
    else:
        s3.delete_bucket_policy(Bucket=bucket)
    return removed


# -- ownership and teardown -----------------------------------------------------------------
def _exists(ctx: DrillContext, bucket: str) -> bool:
    try:
        ctx.client("s3").head_bucket(Bucket=bucket)
    except Exception as exc:
        if is_client_error(exc, *_MISSING_BUCKET):
            return False
        raise
    return True


def _bucket_tags(ctx: DrillContext, bucket: str) -> dict[str, str]:
    try:
        return tags_to_dict(ctx.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"])
    except Exception as exc:
        if is_client_error(exc, "NoSuchTagSet"):
            return {}
        raise


def _require_bucket_owned(ctx: DrillContext, bucket: str) -> None:
    require_owned(ctx, f"s3 bucket {bucket}", _bucket_tags(ctx, bucket))


@action
def delete_drill_bucket(ctx: DrillContext, bucket: str) -> str:
    """Delete every version and delete marker, then the bucket (only if this run tagged it)."""
    if not _exists(ctx, bucket):
        return "absent"
    _require_bucket_owned(ctx, bucket)
    s3 = ctx.client("s3")
    versions, markers = _all_versions(ctx, bucket, "")
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers]
    for start in range(0, len(objects), 1000):
        result = s3.delete_objects(Bucket=bucket, BypassGovernanceRetention=True,
                                   Delete={"Objects": objects[start:start + 1000], "Quiet": True})
        if result.get("Errors"):
            first = result["Errors"][0]
            raise DrillStepError(f"s3 bucket {bucket}: could not delete {first['Key']} "
                                 f"({first.get('Code')}: {first.get('Message')})")
    s3.delete_bucket(Bucket=bucket)
    return "deleted"
