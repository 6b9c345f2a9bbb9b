"""From a fresh state: `imekit gate` and `imekit drill run` record evidence, one command
exports a bundle, and `imekit evidence verify` passes. Real commands, real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


def imekit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imekit.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_gate_and_drill_then_export_and_verify(tmp_path: Path, keys: dict[str, Path]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMEKIT_")}
    env["IMEKIT_EVIDENCE_DIR"] = str(tmp_path / "record")

    gate = imekit("gate", "--no-checkov", cwd=tmp_path, env=env)
    assert gate.returncode == 0, gate.stdout + gate.stderr  # the reference platform passes
    assert "evidence: recorded as entry 1" in gate.stdout + gate.stderr
    drill = imekit(
        "drill",
        "run",
        "s3-ransomware-restore",
        "--journal-dir",
        str(tmp_path / "journals"),
        cwd=tmp_path,
        env=env,
    )
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "evidence: recorded as entry 2" in drill.stdout  # the drill recorded itself
    journals = sorted((tmp_path / "journals").glob("*.json"))
    assert len(journals) == 1
    # Recording the same journal again by hand is skipped, never doubled.
    recorded = imekit("evidence", "record", *map(str, journals), cwd=tmp_path, env=env)
    assert recorded.returncode == 0 and "already recorded" in recorded.stderr

    bundle = tmp_path / "bundle.zip"
    export = imekit(
        "evidence",
        "export",
        "--key",
        str(keys["private"]),
        "-o",
        str(bundle),
        cwd=tmp_path,
        env=env,
    )
    assert export.returncode == 0, export.stderr
    verify = imekit(
        "evidence",
        "verify",
        str(bundle),
        "--public-key",
        str(keys["public"]),
        cwd=tmp_path,
        env=env,
    )
    assert verify.returncode == 0, verify.stdout
    assert verify.stdout.startswith("verified:")

    with zipfile.ZipFile(bundle) as archive:
        entries = [
            json.loads(archive.read(name))
            for name in sorted(archive.namelist())
            if name.startswith("chain/entries/")
        ]
        status = json.loads(archive.read("status/status.json"))
    kinds = [e["kind"] for e in entries]
    assert kinds.count("gate") == 1 and kinds.count("drill") == 1
    gate_entry = next(e for e in entries if e["kind"] == "gate")
    assert gate_entry["source"]["stack"] == "dev"
    assert len(gate_entry["source"]["commit"]) == 40  # the reference program's git commit
    drill_entry = next(e for e in entries if e["kind"] == "drill")
    assert drill_entry["summary"]["drill"] == "s3-ransomware-restore"
    assert drill_entry["summary"]["rto"]["met"] is True
    int01 = next(c for c in status["controls"] if c["id"] == "IME-INT-01")
    sources = {p["source"] for p in int01["parts"]}
    assert {"automated", "drill"} <= sources
    assert any(p["source"] == "drill" and p["status"] == "pass" for p in int01["parts"])
