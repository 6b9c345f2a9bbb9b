"""`imekit drill list|show|run` as a user sees it, including one real subprocess run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from drill_helpers import LOCAL_DRILLS


def test_list_shows_every_drill(imekit) -> None:
    result = imekit("list")
    assert result.code == 0
    for name in LOCAL_DRILLS:
        assert name in result.out
    assert "backup-recovery-point-restore  aws" in result.out
    assert "incident-response-tabletop" in result.out and "tabletop" in result.out
    listed = json.loads(imekit("list", "--json").out)
    by_name = {d["name"]: d for d in listed}
    assert by_name["s3-ransomware-restore"]["supported_targets"] == ["local", "aws"]
    assert by_name["s3-ransomware-restore"]["rpo_seconds"] == 3600


def test_show_describes_phases_objectives_and_aws_only_checks(imekit) -> None:
    result = imekit("show", "s3-ransomware-restore")
    assert result.code == 0
    for text in ("targets: RTO 14400 s (4 h), RPO 3600 s (1 h)", "setup:", "inject:",
                 "detect:", "respond:", "restore:", "verification:",
                 "rollbacks (always run):", "s3.restore_last_good_versions",
                 "verified only against AWS:"):
        assert text in result.out
    tabletop = imekit("show", "incident-response-tabletop")
    assert "T+15 min  INJ-2" in tabletop.out
    assert imekit("show", "no-such-drill").code == 2


def test_bad_options_are_refused_before_anything_runs(imekit) -> None:
    assert imekit("run", "kms-key-disabled", "--skip-step", "setup").code == 2
    unknown = imekit("run", "kms-key-disabled", "--set", "colour=blue")
    assert unknown.code == 2 and "not a configuration value" in unknown.err
    assert imekit("run", "kms-key-disabled", "--rto", "-1").code == 2
    undefined = imekit("run", "kms-key-disabled", "--set", "key_alias=alias/x-${nope}")
    assert undefined.code == 2 and "unknown variable ${nope}" in undefined.err
    local = imekit("run", "kms-key-disabled", "--confirm-account", "123456789012")
    assert local.code == 2 and "--target aws only" in local.err
    # A typo in a value is bad input (2), not a failed drill on the evidence record (1).
    typo = imekit("run", "kms-key-disabled", "--set", "pending_days=seven")
    assert typo.code == 2 and 'pending_days="seven": expected integer' in typo.err
    for result in (unknown, local, undefined, typo):
        assert not result.journal_dir.exists()


def test_an_unwritable_journal_folder_is_refused_before_the_run(imekit, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = imekit("run", "kms-key-disabled", "--journal-dir", str(blocker / "journals"),
                    journal=False)
    assert result.code == 2
    assert "cannot write drill journals into" in result.err and "nothing was run" in result.err
    assert "[setup]" not in result.err  # refused before the first step


def test_set_values_keep_the_kind_of_the_drill_value() -> None:
    from imekit.commands.drill import _parse_set

    configuration = {"engine_version": "16.6", "take_snapshot": True, "subnet_group": None,
                     "policies": ["a"]}
    assert _parse_set(("engine_version=16.4", "take_snapshot=false", "subnet_group=db-private",
                       "policies=[]"), configuration) == {
        "engine_version": "16.4", "take_snapshot": False, "subnet_group": "db-private",
        "policies": []}


def test_run_records_the_journal_as_evidence(imekit, monkeypatch, tmp_path: Path) -> None:
    from imekit.evidence.stores import FolderStore

    store = tmp_path / "evidence"
    monkeypatch.delenv("IMEKIT_NO_RECORD")
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(store))
    result = imekit("run", "kms-key-disabled")
    assert result.code == 0, result.err
    assert "evidence: recorded as entry 1" in result.out
    (entry,) = FolderStore(store).entries()
    assert entry.doc["kind"] == "drill" and entry.doc["result"] == "passed"
    assert set(entry.doc["controls"]) == {"IME-IR-01", "IME-KEY-01", "IME-KEY-02"}
    assert entry.doc["summary"]["run_id"] == result.journal()["run_id"]
    skipped = imekit("run", "kms-key-disabled", "--no-record")
    assert skipped.code == 0 and "evidence:" not in skipped.out
    assert len(FolderStore(store).entries()) == 1


def test_real_process_run_writes_a_journal(tmp_path: Path) -> None:
    imekit_bin = Path(sys.executable).with_name("imekit")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["IMEKIT_NO_RECORD"] = "1"
    started = time.monotonic()
    completed = subprocess.run(
        [str(imekit_bin), "drill", "run", "kms-key-disabled", "--journal-dir",
         str(tmp_path)], capture_output=True, text=True, env=env, timeout=120,
        stdin=subprocess.DEVNULL, check=False)
    elapsed = time.monotonic() - started
    assert completed.returncode == 0, completed.stderr
    assert "drill kms-key-disabled: PASSED" in completed.stdout
    assert "[inject] disable-key: pass" in completed.stderr
    (journal,) = tmp_path.glob("kms-key-disabled-*.json")
    assert str(journal) in completed.stdout
    assert elapsed < 60
