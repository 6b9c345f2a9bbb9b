"""Helpers for the evidence tests: drill journals shaped exactly as `imekit drill run`
writes them (valid against runbooks/schema/journal.schema.json) and gate results."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pytest import MonkeyPatch

from imekit.evidence import record_drill_journal, record_run
from imekit.evidence.canonical import sha256_hex
from imekit.evidence.catalog_view import CatalogView
from imekit.evidence.export.bundle import export_bundle
from imekit.evidence.manual import add_manual_evidence
from imekit.evidence.signing import Signer
from imekit.evidence.stores import FolderStore
from imekit.paths import controls_dir


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def drill_journal(
    drill: str = "s3-ransomware-restore",
    *,
    status: str = "passed",
    controls: tuple[str, ...] = ("IME-IR-01", "IME-CP-01", "IME-CP-02", "IME-INT-01"),
    ended: datetime | None = None,
    rto: tuple[float, float] = (95.0, 14400.0),
    rpo: tuple[float, float] = (0.0, 3600.0),
    run_suffix: str = "a1b2c3",
) -> dict[str, Any]:
    """A journal valid against runbooks/schema/journal.schema.json."""
    ended = ended or datetime.now(UTC)
    started = ended - timedelta(seconds=rto[0] + 30)
    return {
        "schema": "imekit.drill-journal/v1",
        "drill": drill,
        "title": f"Drill {drill}",
        "kind": "technical",
        "definition": {"path": f"runbooks/{drill}.yaml", "sha256": "0" * 64},
        "control_ids": list(controls),
        "run_id": f"{started:%Y%m%dT%H%M%SZ}-{run_suffix}",
        "target": "local",
        "account": "123456789012",
        "region": "us-east-1",
        "started_at": iso(started),
        "ended_at": iso(ended),
        "duration_seconds": rto[0] + 30,
        "status": status,
        "control_status": "pass" if status == "passed" else "fail",
        "reasons": [] if status == "passed" else ["RTO target missed"],
        "options": {
            "skipped_phases": [],
            "rto_override_seconds": None,
            "rpo_override_seconds": None,
            "configuration_overrides": {},
        },
        "steps": [],
        "objectives": {
            "rto": {
                "target_seconds": rto[1],
                "measured_seconds": rto[0],
                "met": rto[0] <= rto[1],
                "basis": "attack to verified restore",
            },
            "rpo": {
                "target_seconds": rpo[1],
                "measured_seconds": rpo[0],
                "met": rpo[0] <= rpo[1],
                "basis": "S3 object timestamps",
            },
        },
        "notes": [],
        "tools": {"imekit": "0.1.0", "python": "3.11.7", "moto": "5.2.5"},
    }


def write_journal(folder: Path, journal: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{journal['drill']}-{journal['run_id']}.json"
    path.write_text(json.dumps(journal, indent=2) + "\n", encoding="utf-8")
    return path


def gate_controls(catalog: CatalogView, **overrides: str) -> dict[str, str]:
    """What a gate run reports: a status for every automated control."""
    statuses = {c.id: "pass" for c in catalog.controls if c.automated}
    statuses.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return statuses


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# Fixed inputs, so the bundle's file names are known when tests are collected.
ENDED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
GATE_REPORT = b'{"schema": "imekit.gate-report/v1", "findings": [], "blocking": 0}\n'
JOURNAL = drill_journal(ended=ENDED, rto=(95.0, 14400.0), rpo=(20.0, 3600.0))
JOURNAL_BYTES = (json.dumps(JOURNAL, indent=2) + "\n").encode()
RISK_ANALYSIS = b"Risk analysis 2026: every system holding ePHI, threats, likelihood, impact.\n"

EXPECTED_FILES = sorted(
    [
        "manifest.json",
        "signature.json",
        "README.txt",
        "report.html",
        "chain/head.json",
        "chain/store-head.json",
        "chain/entries/000000001.json",
        "chain/entries/000000002.json",
        "chain/entries/000000003.json",
        "status/status.json",
        "status/controls.csv",
        "status/citations.csv",
        "oscal/catalog.json",
        "oscal/component-definition.json",
        "oscal/assessment-results.json",
        *(
            f"attachments/sha256/{sha256_hex(b)}"
            for b in (GATE_REPORT, JOURNAL_BYTES, RISK_ANALYSIS)
        ),
        *(
            f"catalog/{p.relative_to(controls_dir()).as_posix()}"
            for p in controls_dir().rglob("*")
            if p.is_file() and not any(x.startswith((".", "__")) for x in p.parts)
        ),
    ]
)


def build_bundle(folder: Path, signer: Signer, catalog: CatalogView, key: Path) -> Path:
    """From a fresh state: one gate run, one drill, one piece of manual evidence, export."""
    store = FolderStore(folder / "evidence")
    with MonkeyPatch.context() as patch:
        patch.setenv("IMEKIT_EVIDENCE_KEY", str(key))  # heads signed as they are recorded
        patch.delenv("IMEKIT_NO_RECORD", raising=False)
        record_run(
            "gate",
            controls=gate_controls(catalog, IME_KEY_02="fail"),
            result="fail",
            started=ENDED - timedelta(minutes=2),
            ended=ENDED - timedelta(minutes=1),
            citations=["164.312(a)(2)(iv)"],
            stack="dev",
            tool_versions={"regorus": "0.13.0"},
            attachments={"gate-report.json": GATE_REPORT},
            store=store,
        )
        record_drill_journal(write_journal(folder / "journals", JOURNAL), store=store)
        (folder / "risk-analysis.txt").write_bytes(RISK_ANALYSIS)
        add_manual_evidence(
            control="IME-GOV-02",
            file=folder / "risk-analysis.txt",
            owner="Ada Official",
            reviewer="Bo Auditor",
            valid_until=datetime.now(UTC).date() + timedelta(days=200),
            catalog=catalog,
            store=store,
        )
    return export_bundle(folder / "bundle.zip", signer=signer, store=store, catalog=catalog).path
