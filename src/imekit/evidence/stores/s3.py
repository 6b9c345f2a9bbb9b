"""The S3 store with object lock: the production evidence record (`s3://bucket/prefix`).

Every object (entry, head, attachment) is written once with a create-only conditional
write (`If-None-Match: *`) and an object lock retention in compliance mode (2192 days, six
years, by default), so nobody, root included, can alter or delete it before then. The
conditional write is the writer lock: two writers racing for entry n+1 cannot both win,
the loser re-reads the tip and retries, so the chain never forks.

Object lock keeps the first version of every key, but anyone allowed to put objects can
still write a newer version over it, or hide it behind a delete marker; a plain GET would
then read the newer object, and under the bucket's default retention that newer version can
never be removed either. So the store reads every key's first version (the one its
create-only write made), by version id, and reports any later version or delete marker as
an attempt to alter the record.

The bucket must have object lock enabled (the reference platform's evidence bucket does);
the store refuses to write to one without. Credentials and region come from the usual AWS
chain; AWS_ENDPOINT_URL_S3 points it at another endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from imekit.errors import ImekitError
from imekit.evidence.chain import entry_name, seq_from_name
from imekit.evidence.stores.base import EvidenceStore

DEFAULT_RETENTION_DAYS = 2192
RETENTION_ENV = "IMEKIT_EVIDENCE_RETENTION_DAYS"
_HINT = "check AWS credentials, region and the bucket name (imekit evidence --store s3://...)"
# What the store calls: readers need the first two, writers all of them (docs/evidence.md).
PERMISSIONS = (
    "s3:ListBucketVersions",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:PutObjectRetention",
    "s3:GetBucketObjectLockConfiguration",
)


class S3Store(EvidenceStore):
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        retention_days: int | None = None,
        mode: str = "COMPLIANCE",
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.location = f"s3://{bucket}/{self.prefix}".rstrip("/")
        if retention_days is None:
            text = os.environ.get(RETENTION_ENV, "").strip() or str(DEFAULT_RETENTION_DAYS)
            if not text.isdigit():
                raise ImekitError(
                    f"{RETENTION_ENV}={text!r} is not a number of days",
                    hint=f"unset it for the default ({DEFAULT_RETENTION_DAYS} days, six years)",
                )
            retention_days = int(text)
        if retention_days < 1:
            raise ImekitError("object lock retention must be at least one day")
        if mode not in ("COMPLIANCE", "GOVERNANCE"):
            raise ImekitError(f"unknown object lock mode {mode!r}")
        self.retention_days = retention_days
        self.mode = mode
        self._client = client
        self._checked = False
        self._first_version: dict[str, str] = {}  # key -> version id of its first version
        self._overwritten: dict[str, str] = {}  # key -> how someone tried to alter it

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> S3Store:
        rest = url[len("s3://") :]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise ImekitError(f"{url!r} names no bucket", hint="use s3://bucket/prefix")
        return cls(bucket, prefix, **kwargs)

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def prepare_for_writing(self) -> None:
        if self._checked:
            return
        try:
            config = self.client.get_object_lock_configuration(Bucket=self.bucket)
            enabled = config["ObjectLockConfiguration"].get("ObjectLockEnabled") == "Enabled"
        except Exception as exc:  # noqa: BLE001 - any failure means we cannot prove the lock
            if _code(exc) == "ObjectLockConfigurationNotFoundError":
                enabled = False
            else:
                raise _error(f"cannot read the object lock setting of {self.bucket}", exc) from exc
        if not enabled:
            raise ImekitError(
                f"bucket {self.bucket} has no object lock; evidence there could be deleted",
                hint="use a bucket created with object lock enabled (the platform's evidence "
                "bucket), or a local folder for development",
            )
        self._checked = True

    def entry_seqs(self, after: int = 0) -> list[int]:
        base = f"{self.prefix}entries/"
        start = f"{base}{entry_name(after)}" if after else ""
        return sorted(
            s for s in (seq_from_name(k) for k in self._keys(base, start)) if s and s > after
        )

    def integrity_problems(self) -> list[str]:
        return [
            f"s3://{self.bucket}/{key} {how}; the original, locked version is the one read"
            for key, how in sorted(self._overwritten.items())
        ]

    def read_entry_bytes(self, seq: int) -> bytes:
        return self._get(f"{self.prefix}entries/{entry_name(seq)}")

    def create_entry(self, seq: int, data: bytes) -> bool:
        return self._put_once(f"{self.prefix}entries/{entry_name(seq)}", data)

    def put_blob(self, sha256: str, data: bytes) -> None:
        self._put_once(f"{self.prefix}blobs/sha256/{sha256}", data)

    def read_blob_bytes(self, sha256: str) -> bytes:
        return self._get(f"{self.prefix}blobs/sha256/{sha256}")

    def latest_head_bytes(self) -> bytes | None:
        keys = [k for k in self._keys(f"{self.prefix}heads/", "") if seq_from_name(k)]
        return self._get(max(keys, key=lambda k: seq_from_name(k) or 0)) if keys else None

    def put_head(self, count: int, data: bytes) -> None:
        self._put_once(f"{self.prefix}heads/{entry_name(count)}", data)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        # Conditional writes make a separate lock unnecessary (see the module docstring).
        yield

    def _keys(self, prefix: str, start_after: str) -> list[str]:
        """Keys under `prefix` (after `start_after`) that have a stored version, even if a
        delete marker hides them; remembers each key's first version."""
        versions: dict[str, list[str]] = {}  # newest first, as S3 lists them
        hidden: set[str] = set()
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if start_after:
            kwargs["KeyMarker"] = start_after
        try:
            for page in self.client.get_paginator("list_object_versions").paginate(**kwargs):
                for item in page.get("Versions", []):
                    versions.setdefault(item["Key"], []).append(item["VersionId"])
                hidden.update(item["Key"] for item in page.get("DeleteMarkers", []))
        except Exception as exc:  # noqa: BLE001
            raise _error(f"cannot list {self.location}", exc) from exc
        for key, ids in versions.items():
            self._first_version[key] = ids[-1]
            if len(ids) > 1:
                self._overwritten[key] = f"was written over {len(ids) - 1} time(s)"
            elif key in hidden:
                self._overwritten[key] = "was deleted (a delete marker hides it)"
        return sorted(versions)

    def _get(self, key: str) -> bytes:
        version = self._first_version.get(key)
        if version is None and self._keys(key, ""):
            version = self._first_version.get(key)
        if version is None:
            raise ImekitError(
                f"cannot read s3://{self.bucket}/{key}: it does not exist",
                hint="the record is incomplete; check the bucket and prefix",
            )
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, VersionId=version)
            return response["Body"].read()
        except Exception as exc:  # noqa: BLE001
            raise _error(f"cannot read s3://{self.bucket}/{key}", exc) from exc

    def _put_once(self, key: str, data: bytes) -> bool:
        until = datetime.now(UTC) + timedelta(days=self.retention_days)
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                IfNoneMatch="*",
                ObjectLockMode=self.mode,
                ObjectLockRetainUntilDate=until,
                ChecksumAlgorithm="SHA256",  # object lock writes need an integrity checksum
            )
        except Exception as exc:  # noqa: BLE001
            # 412: the key exists. 409: a concurrent conditional write is in flight.
            if _code(exc) in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise _error(f"cannot write s3://{self.bucket}/{key}", exc) from exc
        return True


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _error(message: str, exc: Exception) -> ImekitError:
    detail = _code(exc) or type(exc).__name__
    hint = _HINT
    if detail in ("AccessDenied", "AllAccessDisabled", "403"):
        hint = f"the store needs {', '.join(PERMISSIONS)} on the bucket (readers: the first two)"
    return ImekitError(f"{message}: {detail}", hint=hint)
