"""The S3 store with object lock, against moto's server over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from imekit.errors import ImekitError
from imekit.evidence import record_run
from imekit.evidence.stores import S3Store

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


_bucket_counter = iter(range(10_000))


@pytest.fixture
def bucket(endpoint: str) -> str:
    name = f"ime-evidence-{next(_bucket_counter)}"
    _client(endpoint).create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def _record(store: S3Store, index: int = 0) -> Any:
    return record_run(
        "gate",
        controls={"IME-ENC-01": "pass"},
        result="pass",
        started=NOW,
        ended=NOW,
        stack="prod",
        summary={"index": index},
        attachments={"gate-report.json": b'{"findings": []}'},
        store=store,
    )


def test_entries_are_immutable_objects_under_compliance_retention(
    endpoint: str, bucket: str
) -> None:
    client = _client(endpoint)
    store = S3Store(bucket, "evidence/ime", client=client)
    assert store.location == f"s3://{bucket}/evidence/ime"
    for index in range(3):
        _record(store, index)
    entries = store.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[2].prev == entries[1].hash
    assert store.check() == []

    key = "evidence/ime/entries/000000002.json"
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    retain = head["ObjectLockRetainUntilDate"]
    assert retain - datetime.now(UTC) > timedelta(days=2191)
    version = client.list_object_versions(Bucket=bucket, Prefix=key)["Versions"][0]["VersionId"]
    with pytest.raises(Exception) as denied:
        client.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert "AccessDenied" in str(denied.value)
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert "evidence/ime/heads/000000003.json" in keys
    assert sum(k.startswith("evidence/ime/blobs/sha256/") for k in keys) == 1


def test_retention_is_configurable(
    endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMEKIT_EVIDENCE_RETENTION_DAYS", "30")
    client = _client(endpoint)
    _record(S3Store(bucket, "", client=client))
    head = client.head_object(Bucket=bucket, Key="entries/000000001.json")
    assert timedelta(days=29) < head["ObjectLockRetainUntilDate"] - datetime.now(UTC)
    assert head["ObjectLockRetainUntilDate"] - datetime.now(UTC) < timedelta(days=31)


@pytest.mark.parametrize("value", ["six years", "-5", "0", "1.5"])
def test_unusable_retention_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("IMEKIT_EVIDENCE_RETENTION_DAYS", value)
    with pytest.raises(ImekitError, match="days|at least one day"):
        S3Store("ime-evidence", "")


def test_bucket_without_object_lock_is_refused(endpoint: str) -> None:
    client = _client(endpoint)
    client.create_bucket(Bucket="ime-no-lock")
    store = S3Store("ime-no-lock", "evidence", client=client)
    with pytest.raises(ImekitError, match="no object lock"):
        _record(store)
    assert client.list_objects_v2(Bucket="ime-no-lock").get("KeyCount", 0) == 0


def test_unreachable_endpoint_is_a_clear_error() -> None:
    store = S3Store("ime-evidence", "", client=_client("http://127.0.0.1:9"))
    with pytest.raises(ImekitError, match="cannot"):
        store.entry_seqs()


def test_create_entry_is_create_only(endpoint: str, bucket: str) -> None:
    store = S3Store(bucket, "p", client=_client(endpoint))
    _record(store)
    assert store.create_entry(1, b"{}") is False  # If-None-Match: * refused the overwrite
    assert store.read_entry(1).seq == 1


def test_concurrent_writers_do_not_fork_the_chain(endpoint: str, bucket: str) -> None:
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        store = S3Store(bucket, "race", client=_client(endpoint))  # one client per writer
        try:
            for index in range(6):
                _record(store, worker * 100 + index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    store = S3Store(bucket, "race", client=_client(endpoint))
    entries = store.entries()
    assert [e.seq for e in entries] == list(range(1, 25))
    assert len({e.summary["index"] for e in entries}) == 24
    assert store.check() == []


def test_export_and_verify_from_s3(endpoint: str, bucket: str, signer: Any, tmp_path: Any) -> None:
    from evidence_helpers import drill_journal

    from imekit.evidence import record_drill_journal
    from imekit.evidence.export.bundle import export_bundle
    from imekit.evidence.verify import verify_bundle

    store = S3Store(bucket, "prod", client=_client(endpoint))
    _record(store)
    record_drill_journal(drill_journal(), store=store)
    result = export_bundle(tmp_path / "s3-bundle.zip", signer=signer, store=store)
    assert (result.first_seq, result.last_seq) == (1, 2)
    verification = verify_bundle(result.path, public_key=signer.public_raw)
    assert verification.ok, verification.problems


def test_a_writer_that_loses_the_race_retries_on_the_new_tip(endpoint: str, bucket: str) -> None:
    """Deterministic race: another writer appends between our tip read and our write."""
    rival = S3Store(bucket, "lost-race", client=_client(endpoint))
    attempts: list[tuple[int, bool]] = []

    class Interrupted(S3Store):
        def create_entry(self, seq: int, data: bytes) -> bool:
            if not attempts:
                _record(rival, 99)  # the rival takes entry `seq` first
            created = super().create_entry(seq, data)
            attempts.append((seq, created))
            return created

    _record(Interrupted(bucket, "lost-race", client=_client(endpoint)), 1)
    assert attempts == [(1, False), (2, True)]
    entries = S3Store(bucket, "lost-race", client=_client(endpoint)).entries()
    assert [e.summary["index"] for e in entries] == [99, 1]
    assert entries[1].prev == entries[0].hash


def test_a_version_written_over_an_entry_is_ignored_and_reported(
    endpoint: str, bucket: str, signer: Any, tmp_path: Any
) -> None:
    """Object lock keeps the first version, but a PutObject without If-None-Match still
    adds a newer one that a plain GET would return; the store reads the first version."""
    from imekit.evidence.export.bundle import export_bundle
    from imekit.evidence.verify import verify_bundle

    client = _client(endpoint)
    store = S3Store(bucket, "ime", client=client)
    for index in range(3):
        _record(store, index)
    original = [e.hash for e in store.entries()]
    forged = store.read_entry_bytes(2).replace(b'"result":"pass"', b'"result":"fail"')
    client.put_object(Bucket=bucket, Key="ime/entries/000000002.json", Body=forged)
    client.delete_object(Bucket=bucket, Key="ime/heads/000000003.json")  # a delete marker
    assert client.get_object(Bucket=bucket, Key="ime/entries/000000002.json")["Body"].read() == (
        forged
    )

    reader = S3Store(bucket, "ime", client=_client(endpoint))
    assert [e.hash for e in reader.entries()] == original
    assert reader.latest_head()["count"] == 3  # type: ignore[index]
    problems = reader.check()
    assert any("ime/entries/000000002.json was written over 1 time" in p for p in problems)
    assert any("ime/heads/000000003.json was deleted" in p for p in problems)
    assert len(problems) == 2, problems
    _record(reader, 3)  # appending still works on the intact record
    assert [e.seq for e in reader.entries()] == [1, 2, 3, 4]
    result = export_bundle(tmp_path / "b.zip", signer=signer, store=reader)
    assert verify_bundle(result.path, public_key=signer.public_raw).ok


def test_missing_read_permission_names_the_permissions(endpoint: str, bucket: str) -> None:
    class Denied:
        def get_paginator(self, name: str) -> Any:
            from botocore.exceptions import ClientError

            error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
            raise ClientError(error, "ListObjectVersions")

    with pytest.raises(ImekitError) as raised:
        S3Store(bucket, "ime", client=Denied()).entry_seqs()
    assert "AccessDenied" in raised.value.message
    assert "s3:ListBucketVersions" in (raised.value.hint or "")
