"""`imekit evidence ...` end to end through the CLI, with its exit codes."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from evidence_helpers import drill_journal, gate_controls, write_journal

from imekit.cli import main
from imekit.evidence import record_run
from imekit.evidence.catalog_view import CatalogView

TODAY = datetime.now(UTC).date()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_keygen_makes_a_private_key_only_its_owner_can_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "evidence", "keygen", "-o", str(tmp_path / "k"))
    assert code == 0 and "key id:" in out
    private = tmp_path / "k" / "imekit-evidence.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "k" / "imekit-evidence.pub").read_text().startswith("-----BEGIN PUBLIC")
    code, _, err = run(capsys, "evidence", "keygen", "-o", str(tmp_path / "k"))
    assert code == 2 and "refusing to overwrite" in err


def test_export_without_a_key_refuses_and_says_how_to_make_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "evidence", "export", "-o", str(tmp_path / "b.zip"))
    assert code == 2
    assert "no signing key" in err and "imekit evidence keygen" in err
    assert not (tmp_path / "b.zip").exists()


def test_full_flow_from_a_fresh_state(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    real_catalog: CatalogView,
    keys: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(tmp_path / "record"))
    now = datetime.now(UTC)
    record_run(  # what `imekit gate` records after a run
        "gate",
        controls=gate_controls(real_catalog),
        result="pass",
        started=now - timedelta(seconds=4),
        ended=now,
        stack="dev",
    )
    journal = write_journal(tmp_path / "journals", drill_journal())
    code, out, _ = run(capsys, "evidence", "record", str(journal))
    assert code == 0 and "as entry 2" in out
    code, _, err = run(capsys, "evidence", "record", str(journal))
    assert code == 0 and "already recorded" in err

    document = tmp_path / "baa-register.csv"
    document.write_text("associate,signed\ntranscription co,2026-01-10\n")
    code, _, err = run(
        capsys,
        "evidence",
        "add",
        "--control",
        "IME-BAA-01",
        "--item",
        "baa-register",
        "--file",
        str(document),
        "--owner",
        "Pat Privacy",
        "--reviewer",
        "Sam Security",
        "--valid-until",
        str(TODAY + timedelta(days=300)),
    )
    assert code == 0, err
    code, _, err = run(
        capsys,
        "evidence",
        "add",
        "--control",
        "IME-XYZ-01",
        "--file",
        str(document),
        "--owner",
        "a",
        "--reviewer",
        "b",
        "--valid-until",
        str(TODAY),
    )
    assert code == 2 and "unknown control" in err
    code, _, err = run(
        capsys,
        "evidence",
        "add",
        "--control",
        "IME-BAA-01",
        "--item",
        "baa-register",
        "--file",
        str(document),
        "--owner",
        "a",
        "--reviewer",
        "b",
        "--valid-until",
        str(TODAY - timedelta(days=1)),
    )
    assert code == 2 and "in the past" in err

    code, out, _ = run(capsys, "evidence", "status", "--json")
    assert code == 1  # many controls still lack evidence
    status = json.loads(out)
    by_id = {c["id"]: c["status"] for c in status["controls"]}
    assert by_id["IME-GOV-01"] == "missing"
    assert any(
        p["name"] == "baa-register" and p["status"] == "pass"
        for c in status["controls"]
        if c["id"] == "IME-BAA-01"
        for p in c["parts"]
    )
    code, out, _ = run(capsys, "evidence", "status")
    assert code == 1 and "controls satisfied" in out

    bundle = tmp_path / "bundle.zip"
    code, out, err = run(
        capsys, "evidence", "export", "--key", str(keys["private"]), "-o", str(bundle)
    )
    assert code == 0, err
    assert "entries 1-3" in out and "exporting entries" in err  # progress goes to stderr

    code, out, _ = run(capsys, "evidence", "verify", str(bundle))
    assert code == 0 and out.startswith("verified:") and "NOT pinned" in out
    code, out, _ = run(
        capsys, "evidence", "verify", str(bundle), "--public-key", str(keys["public"])
    )
    assert code == 0 and "pinned key" in out and "NOT pinned" not in out
    code, out, _ = run(
        capsys, "evidence", "verify", str(bundle), "--public-key", str(keys["attacker_public"])
    )
    assert code == 1 and "not by the pinned key" in out

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "status/controls.csv":
                data = data.replace(b"missing", b"pass   ")
            target.writestr(name, data)
    code, out, _ = run(capsys, "evidence", "verify", str(tampered), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["verified"] is False
    assert report["problems"][0].startswith("status/controls.csv was altered")

    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"\x00" * 100)
    code, _, err = run(capsys, "evidence", "verify", str(junk))
    assert code == 2 and "not a readable zip" in err

    code, out, err = run(capsys, "evidence", "log")
    assert code == 0 and "chain intact" in err and len(out.splitlines()) == 3


def test_log_reports_a_broken_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "record"
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(store))
    now = datetime.now(UTC)
    for _ in range(3):
        record_run("gate", controls={"IME-ENC-01": "pass"}, result="pass", started=now, ended=now)
    (store / "entries" / "000000002.json").chmod(0o644)
    (store / "entries" / "000000002.json").unlink()
    code, _, err = run(capsys, "evidence", "log")
    assert code == 1 and "entry 2 missing" in err


def test_store_option_overrides_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(tmp_path / "env-store"))
    now = datetime.now(UTC)
    record_run(
        "gate",
        controls={"IME-ENC-01": "pass"},
        result="pass",
        started=now,
        ended=now,
        store=tmp_path / "flag-store",
    )
    code, _, err = run(capsys, "evidence", "log", "--store", str(tmp_path / "flag-store"))
    assert code == 0 and "1 entries" in err
    code, _, err = run(capsys, "evidence", "log")  # the environment's store is empty
    assert code == 2 and "no evidence recorded in" in err and "env-store" in err
