"""Journals: the v1 contract other parts of the kit read, validation, and redaction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imekit.drills.journal import (
    SCHEMA_ID,
    journal_control_status,
    load_journal,
    redact,
    validate_journal,
)
from imekit.errors import ImekitError
from imekit.status import Status


@pytest.fixture(scope="module")
def journal_path(tmp_path_factory) -> Path:
    from imekit.cli import main

    folder = tmp_path_factory.mktemp("journals")
    assert main(["drill", "run", "iam-leaked-access-key", "--journal-dir", str(folder)]) == 0
    (path,) = folder.glob("iam-leaked-access-key-*.json")
    return path


def test_a_written_journal_loads_and_carries_the_contract(journal_path: Path) -> None:
    journal = load_journal(journal_path)
    assert journal["schema"] == SCHEMA_ID
    assert journal_path.name == f"{journal['drill']}-{journal['run_id']}.json"
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", journal["run_id"])
    assert journal["control_ids"] == ["IME-IR-01", "IME-IAM-01"]
    assert journal["started_at"] <= journal["ended_at"]
    assert set(journal["tools"]) >= {"imekit", "boto3", "botocore", "moto", "python"}
    assert journal_control_status(journal) is Status.PASS
    assert len(journal["definition"]["sha256"]) == 64
    for step in journal["steps"]:
        if step["started_at"]:
            assert step["duration_seconds"] >= 0


def test_journal_holds_no_access_key_or_secret(journal_path: Path) -> None:
    text = journal_path.read_text(encoding="utf-8")
    assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)
    assert "SecretAccessKey" not in text
    assert not re.search(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", text)


def test_redact_removes_secrets_and_key_ids() -> None:
    data = {"reason": "key AKIAABCDEFGHIJKLMNOP with secret s3cr3t/value+x",
            "nested": ["s3cr3t/value+x"]}
    clean = redact(data, ["s3cr3t/value+x"])
    text = json.dumps(clean)
    assert "s3cr3t" not in text and "AKIAABCDEFGHIJKLMNOP" not in text
    assert "AKIA[redacted]" in text


def test_load_journal_fails_closed(journal_path: Path, tmp_path: Path) -> None:
    original = json.loads(journal_path.read_text(encoding="utf-8"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**original, "schema": "imekit.drill-journal/v2"}), "utf-8")
    with pytest.raises(ImekitError, match="not a drill journal of schema"):
        load_journal(other)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**original, "status": "fine"}), "utf-8")
    with pytest.raises(ImekitError, match="invalid drill journal"):
        load_journal(broken)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", "utf-8")
    with pytest.raises(ImekitError, match="cannot read"):
        load_journal(garbage)
    assert validate_journal({**original, "steps": [{"phase": "nowhere"}]})


def test_failed_or_deviated_runs_count_as_fail() -> None:
    assert journal_control_status({"status": "failed"}) is Status.FAIL
    assert journal_control_status({"status": "deviated"}) is Status.FAIL
    assert journal_control_status({"status": "passed"}) is Status.PASS
