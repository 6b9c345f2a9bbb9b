"""Every drill moto supports, run locally over HTTP against moto's server, three ways:
as written (it must pass), with the respond phase skipped (a negative control: it must
fail, and say why), and with an impossible RTO (it must deviate). Restore drills also get
an impossible restore (no versioning / no snapshot: it must fail with that reason)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from drill_helpers import LOCAL_DRILLS

from imekit.drills.definition import load_drill

# What each negative control must be caught by: the probe or step that notices the missing
# response. A run that fails for another reason would not prove the drill's checks work.
NEGATIVE_CONTROL_CAUGHT_BY = {
    "s3-ransomware-restore": "compromised-key-inactive",
    "rds-database-restore": "choose-recovery-point",
    "iam-leaked-access-key": "leaked-key-inactive",
    "kms-key-disabled": "key-enabled",
    "cloudtrail-logging-stopped": "trail-logging",
    "s3-public-access-removed": "public-access-blocked",
}

# The checks only AWS can show: locally each must be recorded as unknown, never as a pass.
AWS_ONLY_CHECKS = {
    "s3-ransomware-restore": {"compromised-key-refused", "compromised-workload-denied",
                              "compromised-workload-denied-the-key"},
    "rds-database-restore": set(),
    "iam-leaked-access-key": {"leaked-key-refused", "user-denied-everything"},
    "kms-key-disabled": {"decrypt-refused"},
    "cloudtrail-logging-stopped": {"security-alarm-fired", "stop-recorded-in-event-history"},
    "s3-public-access-removed": set(),
}


@pytest.mark.parametrize("name", LOCAL_DRILLS)
def test_drill_passes_locally(imekit, name: str) -> None:
    started = time.monotonic()
    result = imekit("run", name)
    elapsed = time.monotonic() - started
    assert result.code == 0, result.err + result.out
    journal = result.journal()
    assert journal["status"] == "passed"
    assert journal["control_status"] == "pass"
    assert journal["target"] == "local"
    assert journal["reasons"] == []
    outcomes = {s["outcome"] for s in journal["steps"]}
    assert outcomes <= {"pass", "unknown"}, journal["steps"]
    phases = {s["phase"] for s in journal["steps"]}
    assert {"setup", "steady-state-before", "inject", "detect", "respond", "verification",
            "rollback"} <= phases
    assert all(s["outcome"] == "pass" for s in journal["steps"] if s["phase"] == "rollback")
    rto = journal["objectives"]["rto"]
    assert rto["met"] is True and 0 <= rto["measured_seconds"] < rto["target_seconds"]
    # Whatever moto cannot show is named, never silently passed.
    assert {s["name"] for s in journal["steps"] if s["outcome"] == "unknown"} == \
        AWS_ONLY_CHECKS[name]
    for step in journal["steps"]:
        if step["outcome"] == "unknown":
            assert step["reason"].startswith("verified only against AWS")
            assert any(step["name"] in note for note in journal["notes"])
    assert any("only AWS can show" in note for note in journal["notes"])
    for text in load_drill(name).not_verified:  # out of reach on every target: said so
        assert f"not verified by this drill on any target: {text}" in journal["notes"]
    assert "PASSED" in result.out and "journal:" in result.out
    assert f"[{journal['steps'][0]['phase']}]" in result.err  # progress per step on stderr
    assert elapsed < 30, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize("name", LOCAL_DRILLS)
def test_negative_control_fails_and_says_why(imekit, name: str) -> None:
    result = imekit("run", name, "--skip-step", "respond")
    assert result.code == 1, result.err + result.out
    journal = result.journal()
    assert journal["status"] == "failed"
    assert journal["control_status"] == "fail"
    caught_by = NEGATIVE_CONTROL_CAUGHT_BY[name]
    assert any(caught_by in reason for reason in journal["reasons"]), journal["reasons"]
    respond = [s for s in journal["steps"] if s["phase"] == "respond"]
    assert respond and all(s["outcome"] == "not-applicable" for s in respond)
    assert all("skipped on request" in s["reason"] for s in respond)
    assert journal["options"]["skipped_phases"] == ["respond"]
    # Rollbacks still ran and cleaned up.
    rollbacks = [s for s in journal["steps"] if s["phase"] == "rollback"]
    assert rollbacks and all(s["outcome"] in ("pass", "not-applicable") for s in rollbacks)
    assert journal["objectives"]["rto"]["met"] is False


@pytest.mark.parametrize("name", LOCAL_DRILLS)
def test_rto_breach_deviates(imekit, name: str) -> None:
    result = imekit("run", name, "--rto", "0.000001")
    assert result.code == 1, result.err + result.out
    journal = result.journal()
    assert journal["status"] == "deviated"
    assert journal["control_status"] == "fail"
    rto = journal["objectives"]["rto"]
    assert rto["target_seconds"] == 0.000001
    assert rto["met"] is False and rto["measured_seconds"] > rto["target_seconds"]
    assert any(r.startswith("RTO ") and "exceeded the target" in r for r in journal["reasons"])
    # Deviated, not failed: every step did its job.
    assert {s["outcome"] for s in journal["steps"]} <= {"pass", "unknown"}
    assert "DEVIATED" in result.out and "MISSED" in result.out


def test_rpo_breach_deviates(imekit) -> None:
    result = imekit("run", "rds-database-restore", "--rpo", "0.000001")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "deviated"
    rpo = journal["objectives"]["rpo"]
    assert rpo["met"] is False and rpo["measured_seconds"] > 0
    assert "SnapshotCreateTime" in rpo["basis"]
    assert any(r.startswith("RPO ") for r in journal["reasons"])
    _assert_rpo_instants(rpo, journal)


def test_ransomware_restore_is_impossible_without_versioning(imekit) -> None:
    result = imekit("run", "s3-ransomware-restore", "--set", "object_lock=false",
                    "--set", "versioning=Suspended")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed"
    assert any("versioning is Suspended, cannot restore" in r for r in journal["reasons"])
    restore = next(s for s in journal["steps"] if s["name"] == "restore-last-good-versions")
    assert restore["outcome"] == "fail"
    assert restore["reason"].startswith("s3 bucket ime-reports-drill-")
    assert journal["options"]["configuration_overrides"] == {"object_lock": False,
                                                             "versioning": "Suspended"}
    assert all(s["outcome"] in ("pass", "not-applicable") for s in journal["steps"]
               if s["phase"] == "rollback")


def test_database_restore_is_impossible_without_a_snapshot(imekit) -> None:
    result = imekit("run", "rds-database-restore", "--set", "take_snapshot=false")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed"
    assert any("no available snapshot to restore from, cannot restore" in r
               for r in journal["reasons"]), journal["reasons"]
    assert journal["objectives"]["rpo"]["measured_seconds"] is None


def test_ransomware_measures_rpo_from_object_timestamps(imekit) -> None:
    journal = imekit("run", "s3-ransomware-restore").journal()
    rpo = journal["objectives"]["rpo"]
    assert rpo["met"] is True
    assert 0 <= rpo["measured_seconds"] <= 10
    assert "S3 object timestamps" in rpo["basis"]
    _assert_rpo_instants(rpo, journal)
    detect = next(n for n in journal["notes"] if n.startswith("detection:"))
    assert "8 object(s)" in detect  # 4 overwritten + 4 deleted, all found


def _assert_rpo_instants(rpo: dict, journal: dict) -> None:
    """The journal names the two instants the RPO is measured between, and they add up."""
    start, end = (datetime.fromisoformat(rpo[k].replace("Z", "+00:00")) for k in ("from", "to"))
    assert abs((end - start).total_seconds() - rpo["measured_seconds"]) < 0.002
    run_started = datetime.fromisoformat(journal["started_at"].replace("Z", "+00:00"))
    assert run_started - timedelta(seconds=2) <= start <= end


@pytest.mark.parametrize(("name", "caught_by"), [
    ("s3-ransomware-restore", "detection found nothing"),
    ("kms-key-disabled", "key-unusable"),
    ("s3-public-access-removed", "public-access-not-blocked"),
])
def test_detection_must_see_the_fault(imekit, name: str, caught_by: str) -> None:
    # With nothing injected, a detection that still "detects" would prove nothing.
    result = imekit("run", name, "--skip-step", "inject")
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed"
    assert any(r.startswith("detect step") and caught_by in r for r in journal["reasons"]), \
        journal["reasons"]
