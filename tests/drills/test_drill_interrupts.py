"""Ctrl-C during a drill, and rollbacks that fail: the interrupted step fails, what never ran
is listed, the rollbacks still run (a second Ctrl-C costs only the rollback it lands in), a
failed rollback fails the run, and the journal says all of it."""

from __future__ import annotations

import functools
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from imekit.drills import registry


def _interrupt(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the registered function `name` behave as if the operator pressed Ctrl-C in it."""
    original = registry.load_registry()[name]

    @functools.wraps(original.function)  # keeps the signature the loader checks
    def pressed_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setitem(registry._REGISTRY, name,
                        registry.Registered(name, original.kind, pressed_ctrl_c))


def test_interrupted_setup_fails_lists_what_never_ran_and_rolls_back(imekit,
                                                                      monkeypatch) -> None:
    _interrupt(monkeypatch, "kms.encrypt_canary")
    result = imekit("run", "kms-key-disabled")
    assert result.code == 1, result.err
    journal = result.journal()
    assert journal["status"] == "failed"
    assert journal["reasons"] == [
        "interrupted by the operator (Ctrl-C) during setup step encrypt-canary; "
        "the rollbacks ran after it"]
    steps = {(s["phase"], s["name"]): s for s in journal["steps"]}
    interrupted = steps[("setup", "encrypt-canary")]
    assert interrupted["outcome"] == "fail" and interrupted["ended_at"]
    assert "interrupted by the operator" in interrupted["reason"]
    never_ran = [s for s in journal["steps"] if s["phase"] not in ("setup", "rollback")]
    assert never_ran and all(s["outcome"] == "not-applicable" and "interrupted" in s["reason"]
                             for s in never_ran)
    # Every planned step is in the journal, once.
    assert [s["phase"] for s in journal["steps"]].count("verification") == 1
    assert steps[("rollback", "retire-phi-key")]["outcome"] == "pass"
    assert "running the rollbacks now" in result.err


def test_a_second_interrupt_costs_one_rollback_not_the_others(imekit, monkeypatch) -> None:
    _interrupt(monkeypatch, "s3.block_public_access")  # the respond step
    _interrupt(monkeypatch, "s3.delete_drill_bucket")  # the first rollback
    result = imekit("run", "s3-public-access-removed")
    assert result.code == 1, result.err
    journal = result.journal()
    rollbacks = {s["name"]: s for s in journal["steps"] if s["phase"] == "rollback"}
    assert rollbacks["delete-phi-bucket"]["outcome"] == "fail"
    assert "interrupted" in rollbacks["delete-phi-bucket"]["reason"]
    assert rollbacks["retire-bucket-key"]["outcome"] == "pass"  # still ran
    assert any(r.startswith("rollback delete-phi-bucket failed: interrupted")
               and f"imekit-drill={journal['run_id']}" in r for r in journal["reasons"])
    assert "respond step block-public-access" in journal["reasons"][0]


@pytest.mark.slow
def test_real_ctrl_c_in_a_running_process(tmp_path: Path) -> None:
    """SIGINT sent to a real `imekit drill run` while a setup step is sleeping."""
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("imekit")), "drill", "run", "s3-ransomware-restore",
         "--journal-dir", str(tmp_path), "--no-record"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        # A child started from a non-interactive shell may inherit SIGINT as ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stderr is not None
    for line in process.stderr:
        if "[setup] seed-synthetic-reports: pass" in line:
            process.send_signal(signal.SIGINT)  # lands in mark-last-good-point's wait
            break
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    (path,) = tmp_path.glob("s3-ransomware-restore-*.json")
    journal = json.loads(path.read_text(encoding="utf-8"))
    assert journal["status"] == "failed"
    assert journal["reasons"][0].startswith("interrupted by the operator (Ctrl-C) during setup")
    assert all(s["outcome"] == "pass" for s in journal["steps"] if s["phase"] == "rollback")
    assert "FAILED" in stdout


def test_a_failed_rollback_fails_an_otherwise_passing_run(imekit, monkeypatch) -> None:
    from imekit.drills.errors import DrillStepError

    original = registry.load_registry()["kms.retire_drill_key"]

    @functools.wraps(original.function)
    def refuses(*args: Any, **kwargs: Any) -> Any:
        raise DrillStepError("kms key k: AccessDeniedException (simulated)")

    monkeypatch.setitem(registry._REGISTRY, "kms.retire_drill_key",
                        registry.Registered("kms.retire_drill_key", "action", refuses))
    result = imekit("run", "kms-key-disabled")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed" and journal["objectives"]["rto"]["met"] is True
    assert journal["reasons"] == [
        "rollback retire-phi-key failed: kms key k: AccessDeniedException (simulated) "
        f"(resources tagged imekit-drill={journal['run_id']} may remain; delete them by hand)"]
