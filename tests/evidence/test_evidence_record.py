"""The append-only record: entries, the hash chain, heads, recording and scrubbing."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imekit.errors import ImekitError
from imekit.evidence import open_store, record_drill_journal, record_run
from imekit.evidence.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from imekit.evidence.chain import head_payload
from imekit.evidence.signing import verify_signature
from imekit.evidence.stores import FolderStore
from imekit.graph.model import SECRET_MARKER

NOW = datetime.now(UTC)
REPO = Path(__file__).resolve().parents[2]


def _gate(store: FolderStore, status: str = "pass", **extra: object) -> object:
    return record_run(
        "gate",
        controls={"IME-ENC-01": status},
        result=status,
        started=NOW - timedelta(seconds=3),
        ended=NOW,
        stack="dev",
        store=store,
        **extra,  # type: ignore[arg-type]
    )


def test_entries_form_a_hash_chain(store: FolderStore) -> None:
    entries = [_gate(store) for _ in range(3)]
    stored = store.entries()
    assert [e.seq for e in stored] == [1, 2, 3]
    assert stored[0].prev == ZERO_HASH
    assert stored[1].prev == stored[0].hash
    assert stored[2].prev == stored[1].hash
    # The hash is the SHA-256 of the entry's canonical JSON, exactly as stored on disk.
    raw = (store.root / "entries" / "000000002.json").read_bytes()
    assert raw == canonical_bytes(json.loads(raw))
    assert sha256_hex(raw) == stored[1].hash == entries[1].hash  # type: ignore[attr-defined]
    assert store.check() == []


def test_head_is_unsigned_without_a_key_and_signed_with_one(
    store: FolderStore, signing_key_env: Path
) -> None:
    os.environ.pop("IMEKIT_EVIDENCE_KEY")
    _gate(store)
    assert store.latest_head()["signature"] is None
    os.environ["IMEKIT_EVIDENCE_KEY"] = str(signing_key_env)
    entry = _gate(store)
    head = store.latest_head()
    assert head["count"] == 2 and head["last_hash"] == entry.hash  # type: ignore[attr-defined]
    assert verify_signature(head["signature"], head_payload(head)) is None
    head["count"] = 1  # a head edited after signing no longer verifies
    assert verify_signature(head["signature"], head_payload(head)) is not None


def test_entry_records_run_facts_and_git_commit(store: FolderStore) -> None:
    entry = _gate(
        store,
        citations=["164.312(a)(2)(iv)"],
        tool_versions={"regorus": "0.13.0"},
        program=REPO,
        summary={"findings": 0},
    )
    doc = entry.doc  # type: ignore[attr-defined]
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert doc["source"]["commit"] == commit
    assert doc["source"]["stack"] == "dev"
    assert doc["tool_versions"]["regorus"] == "0.13.0"
    assert doc["tool_versions"]["imekit"]
    assert doc["citations"] == ["164.312(a)(2)(iv)"]
    assert doc["controls"] == {"IME-ENC-01": "pass"}


def test_program_outside_git_has_unknown_commit(store: FolderStore, tmp_path: Path) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    entry = _gate(store, program=outside)
    assert entry.doc["source"]["commit"] == "unknown"  # type: ignore[attr-defined]


def test_recording_disabled_by_flag_or_environment(
    store: FolderStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _gate(store, enabled=False) is None
    monkeypatch.setenv("IMEKIT_NO_RECORD", "1")
    assert _gate(store) is None
    assert store.entry_seqs() == []
    assert not store.root.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"controls": {"not a control": "pass"}},
        {"controls": {"IME-ENC-01": "green"}},
        {"kind": "deploy"},
        {"started": datetime(2026, 1, 1)},  # no time zone
        {"started": "yesterday"},
    ],
)
def test_malformed_runs_are_refused(store: FolderStore, bad: dict[str, object]) -> None:
    args: dict[str, object] = {
        "kind": "gate",
        "controls": {"IME-ENC-01": "pass"},
        "result": "pass",
        "started": NOW,
        "ended": NOW,
        "store": store,
    }
    args.update(bad)
    kind = args.pop("kind")
    with pytest.raises(ImekitError):
        record_run(kind, **args)  # type: ignore[arg-type]
    assert store.entry_seqs() == []


def test_citations_come_from_the_catalog_when_the_caller_gives_none(store: FolderStore) -> None:
    derived = record_run(
        "checkov",
        controls={"IME-ENC-01": "pass", "IME-AUD-03": "fail"},
        result="fail",
        started=NOW,
        ended=NOW,
        store=store,
    )
    assert derived is not None
    assert "164.312(a)(2)(iv)" in derived.doc["citations"]  # IME-ENC-01
    assert "164.316(b)(2)(i)" in derived.doc["citations"]  # IME-AUD-03
    assert derived.doc["citations"] == sorted(set(derived.doc["citations"]))
    given = _gate(store, citations=["164.312(b)"])
    assert given.doc["citations"] == ["164.312(b)"]  # type: ignore[attr-defined]


def test_secrets_and_phi_are_scrubbed_on_record(store: FolderStore) -> None:
    entry = _gate(
        store,
        summary={
            "message": "key AKIAIOSFODNN7EXAMPLE leaked",
            "db_password": "hunter2",
            "patient": "SSN 123-45-6789",
            "findings": 3,
            "rule": "deny_secret_cmk_encryption",
        },
        attachments={"report.json": b'{"token": "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig", "n": 1}'},
    )
    summary = entry.doc["summary"]  # type: ignore[attr-defined]
    assert summary["message"] == SECRET_MARKER
    assert summary["db_password"] == SECRET_MARKER
    assert summary["patient"] == SECRET_MARKER
    assert summary["findings"] == 3
    assert summary["rule"] == "deny_secret_cmk_encryption"
    attachment = entry.doc["attachments"][0]  # type: ignore[attr-defined]
    stored = json.loads(store.read_blob(attachment["sha256"]))
    assert stored == {"token": SECRET_MARKER, "n": 1}
    everything = b"".join(p.read_bytes() for p in store.root.rglob("*") if p.is_file())
    for leaked in (b"AKIAIOSFODNN7EXAMPLE", b"hunter2", b"123-45-6789", b"eyJhbGciOiJIUzI1"):
        assert leaked not in everything


@pytest.mark.parametrize(
    "text",
    [
        "examinee SSN 123 45 6789 was exposed",  # spaces instead of hyphens
        "ssn: 123456789",  # nine digits right after a label
        "Social Security No. 123456789",
    ],
)
def test_social_security_numbers_in_other_spellings_are_scrubbed(
    store: FolderStore, text: str
) -> None:
    answer = {"answers": [{"id": "Q1.1", "answer": text}], "ok": "no identifier here"}
    entry = _gate(
        store, summary={"note": text}, attachments={"journal.json": json.dumps(answer).encode()}
    )
    assert entry.doc["summary"]["note"] == SECRET_MARKER  # type: ignore[attr-defined]
    attachment = entry.doc["attachments"][0]  # type: ignore[attr-defined]
    stored = json.loads(store.read_blob(attachment["sha256"]))
    assert stored["answers"] == [{"id": "Q1.1", "answer": SECRET_MARKER}]
    assert stored["ok"] == "no identifier here"


def test_scrubbing_long_strings_takes_linear_time() -> None:
    """A long value (a policy document, a drill's output) is scanned in linear time: an
    unbounded pattern once took half a minute on 100 kB and stalled recording."""
    from imekit.evidence.sanitize import find_secret

    n = 200_000
    texts = ["x" * n, "a1" * (n // 2), "h://u:" * (n // 6), "a://" + "b" * n, "eyJa." * (n // 5)]
    started = time.monotonic()
    assert [find_secret(t) for t in texts] == [None] * len(texts)
    assert time.monotonic() - started < 5  # quadratic patterns take minutes here
    assert find_secret("postgres://admin:hunter2@db.internal/x") == "password in a URL"


@pytest.mark.parametrize(
    "name", ["training-123-45-6789.pdf", "AKIAIOSFODNN7EXAMPLE.txt", "ssn 123456789.txt"]
)
def test_attachment_names_with_secrets_or_identifiers_are_refused(
    store: FolderStore, name: str
) -> None:
    """A file name is recorded as it is, so one that names a person's SSN or a key is refused."""
    with pytest.raises(ImekitError, match="file name") as raised:
        _gate(store, attachments={name: b"plain text"})
    assert "rename the file" in (raised.value.hint or "")
    assert store.entry_seqs() == []
    assert not [p for p in store.root.rglob("*") if p.is_file()]  # nothing written at all


def test_opaque_attachment_with_a_private_key_is_refused(store: FolderStore) -> None:
    with pytest.raises(ImekitError, match="private key"):
        _gate(store, attachments={"notes.txt": b"-----BEGIN RSA PRIVATE KEY-----\nabc"})
    assert store.entry_seqs() == []


def test_attachments_are_content_addressed(store: FolderStore, tmp_path: Path) -> None:
    report = tmp_path / "gate-report.json"
    report.write_text('{"findings": []}\n')
    first = _gate(store, attachments={"gate-report.json": report})
    second = _gate(store, attachments={"gate-report.json": report})
    a = first.doc["attachments"][0]  # type: ignore[attr-defined]
    b = second.doc["attachments"][0]  # type: ignore[attr-defined]
    assert a["sha256"] == b["sha256"] == sha256_hex(report.read_bytes())
    assert len(list((store.root / "blobs" / "sha256").iterdir())) == 1
    assert store.read_blob(a["sha256"]) == report.read_bytes()


def test_default_store_location_and_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Path(open_store().location) == Path(".imekit/evidence")
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(tmp_path / "elsewhere"))
    assert open_store().location == str(tmp_path / "elsewhere")
    assert open_store(tmp_path / "explicit").location == str(tmp_path / "explicit")
    assert open_store("s3://bucket/some/prefix").location == "s3://bucket/some/prefix"


def test_drill_journal_is_recorded_with_rto_rpo(store: FolderStore, tmp_path: Path) -> None:
    from evidence_helpers import drill_journal, write_journal

    journal = drill_journal(rto=(120.0, 14400.0), rpo=(30.0, 3600.0))
    path = write_journal(tmp_path / "journals", journal)
    entry = record_drill_journal(path, store=store)
    doc = entry.doc  # type: ignore[union-attr]
    assert doc["kind"] == "drill" and doc["result"] == "passed"
    assert doc["controls"] == {c: "pass" for c in journal["control_ids"]}
    assert doc["summary"]["rto"]["measured_seconds"] == 120.0
    assert doc["summary"]["rpo"]["target_seconds"] == 3600.0
    assert "164.308(a)(7)(ii)(D)" in doc["citations"]  # IME-CP-02's citation, from the catalog
    assert store.read_blob(doc["attachments"][0]["sha256"]) == path.read_bytes()


def test_invalid_drill_journal_is_refused(store: FolderStore, tmp_path: Path) -> None:
    from evidence_helpers import drill_journal, write_journal

    journal = drill_journal()
    del journal["objectives"]
    with pytest.raises(ImekitError, match="journal"):
        record_drill_journal(write_journal(tmp_path, journal), store=store)
    journal = drill_journal(status="running")
    with pytest.raises(ImekitError):
        record_drill_journal(journal, store=store)


# -- tampering with the store itself -----------------------------------------------------


def test_truncated_store_refuses_to_append(store: FolderStore) -> None:
    for _ in range(3):
        _gate(store)
    last = store.root / "entries" / "000000003.json"
    os.chmod(last, 0o644)
    last.unlink()
    with pytest.raises(ImekitError, match="truncated|lost entries"):
        _gate(store)
    assert any("entries" in p or "head" in p for p in store.check())


def test_altered_entry_is_detected(store: FolderStore) -> None:
    for _ in range(3):
        _gate(store)
    path = store.root / "entries" / "000000002.json"
    doc = json.loads(path.read_bytes())
    doc["controls"]["IME-ENC-01"] = "fail"
    os.chmod(path, 0o644)
    path.write_bytes(canonical_bytes(doc))
    problems = store.check()
    assert problems and "entry 3 does not link to entry 2" in problems[0]
    with pytest.raises(ImekitError, match="broken"):
        store.entries()


def test_entry_copied_under_another_number_is_named(store: FolderStore) -> None:
    for _ in range(3):
        _gate(store)
    folder = store.root / "entries"
    os.chmod(folder / "000000003.json", 0o644)
    (folder / "000000003.json").write_bytes((folder / "000000002.json").read_bytes())
    problems = store.check()
    assert problems[0] == "000000003.json holds entry 2: entries were reordered or renamed"
    assert any("entry 2 comes after entry 2" in p for p in problems)
    with pytest.raises(ImekitError, match="000000003.json holds entry 2"):
        store.entries()


def test_tip_altered_refuses_to_append(store: FolderStore) -> None:
    _gate(store)
    path = store.root / "entries" / "000000001.json"
    doc = json.loads(path.read_bytes())
    doc["result"] = "fail"
    os.chmod(path, 0o644)
    path.write_bytes(canonical_bytes(doc))
    with pytest.raises(ImekitError, match="does not match the head"):
        _gate(store)


def test_entries_are_created_read_only_and_never_overwritten(store: FolderStore) -> None:
    _gate(store)
    path = store.root / "entries" / "000000001.json"
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert store.create_entry(1, b"{}") is False
    assert json.loads(path.read_bytes())["seq"] == 1


def _append_many(root: str, count: int, worker: int) -> None:
    store = FolderStore(root)
    for index in range(count):
        record_run(
            "gate",
            controls={"IME-ENC-01": "pass"},
            result="pass",
            started=NOW,
            ended=NOW,
            summary={"worker": worker, "index": index},
            store=store,
        )


def test_concurrent_appends_do_not_fork_the_chain(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(root), 8, w)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = FolderStore(root)
    entries = store.entries()
    assert [e.seq for e in entries] == list(range(1, 33))
    assert store.check() == []
    seen = {(e.summary["worker"], e.summary["index"]) for e in entries}
    assert len(seen) == 32  # every append landed exactly once


def test_an_unwritable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    with pytest.raises(ImekitError, match="cannot write the evidence record") as err:
        record_run(
            "gate",
            controls={"IME-ENC-01": "pass"},
            result="pass",
            started=datetime.now(UTC),
            ended=datetime.now(UTC),
            store=open_store(str(blocker / "evidence")),
        )
    assert "--no-record" in (err.value.hint or "")
