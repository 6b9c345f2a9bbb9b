"""A small synthetic gate result, built from the real model, for the report tests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from imekit.findings import ADVISORY, MANDATORY, Finding, Location
from imekit.gate.result import CheckInfo, GateResult, ManualControl, StackRun
from imekit.gate.rollup import ControlSpec, roll_up
from imekit.waivers import apply_waivers, parse_waivers

SCHEMAS = Path(__file__).parent / "schemas"
TODAY = dt.date(2026, 6, 1)


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::ime-platform::{type_}::{name}"


CHECKS = {
    "deny_rds_public": CheckInfo(
        "deny_rds_public",
        "rego",
        MANDATORY,
        ("IME-ACC-01",),
        "RDS instances are not publicly accessible",
        "PHI databases must not be reachable from the internet.",
        "Set publiclyAccessible=False on the instance.",
        ("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
    ),
    "deny_s3_public_access_block": CheckInfo(
        "deny_s3_public_access_block",
        "rego",
        MANDATORY,
        ("IME-ACC-01",),
        "Buckets block public access",
        fix="Attach a BucketPublicAccessBlock with all four settings true.",
        citations=("164.312(a)(1)", "164.308(a)(4)(ii)(B)"),
    ),
    "deny_kms_key_rotation": CheckInfo(
        "deny_kms_key_rotation",
        "rego",
        MANDATORY,
        ("IME-KEY-01",),
        "KMS keys rotate",
        fix="Set enableKeyRotation=True.",
        citations=("164.312(a)(2)(iv)",),
    ),
    "stack_warn_security_alarms": CheckInfo(
        "stack_warn_security_alarms",
        "rego",
        ADVISORY,
        ("IME-AUD-04",),
        "Security alarms exist",
        fix="Add metric filters and alarms.",
        citations=("164.308(a)(1)(ii)(D)",),
    ),
    "deny_cognito_mfa": CheckInfo(
        "deny_cognito_mfa",
        "rego",
        MANDATORY,
        ("IME-IAM-02",),
        "Cognito requires MFA",
        fix="Set mfaConfiguration=ON.",
        citations=("164.312(d)",),
    ),
}

CONTROLS = [
    ControlSpec("IME-ACC-01", "No public access to PHI", ("164.312(a)(1)",),
                ("deny_rds_public", "deny_s3_public_access_block")),
    ControlSpec("IME-KEY-01", "KMS key rotation", ("164.312(a)(2)(iv)",),
                ("deny_kms_key_rotation",)),
    ControlSpec("IME-AUD-04", "Security alarms", ("164.308(a)(1)(ii)(D)",),
                ("stack_warn_security_alarms",)),
    ControlSpec("IME-IAM-02", "MFA for PHI access", ("164.312(d)",), ("deny_cognito_mfa",)),
]


def _finding(check: str, stack: str, type_: str, name: str, message: str, line: int) -> Finding:
    info = CHECKS[check]
    return Finding(
        check_id=check,
        engine="rego",
        enforcement=info.enforcement,
        stack=stack,
        urn=urn(stack, type_, name),
        resource_type=type_,
        message=message,
        control_ids=info.control_ids,
        location=Location("infra/components/data.py", line),
    )


def make_result(stacks: tuple[str, ...] = ("dev",), waived: bool = True) -> GateResult:
    runs = []
    findings: list[Finding] = []
    for stack in stacks:
        runs.append(
            StackRun(
                stack=stack,
                project="ime-platform",
                source={"kind": "synth"},
                resource_count=12,
                inspected={
                    "deny_rds_public": 1,
                    "deny_s3_public_access_block": 2,
                    "deny_kms_key_rotation": 2,
                    "stack_warn_security_alarms": 1,
                },
                seconds=0.25,
            )
        )
        findings += [
            _finding("deny_rds_public", stack, "aws:rds/instance:Instance", "db",
                     "[IME-ACC-01] RDS instance db is publicly accessible", 40),
            _finding("deny_s3_public_access_block", stack, "aws:s3/bucket:Bucket", "scans",
                     "[IME-ACC-01] bucket scans has no public access block | pipe", 12),
            _finding("deny_kms_key_rotation", stack, "aws:kms/key:Key", "legacy-key",
                     "[IME-KEY-01] key legacy-key does not rotate", 7),
            _finding("stack_warn_security_alarms", stack, "pulumi:pulumi:Stack",
                     f"ime-platform-{stack}", "[IME-AUD-04] no alarm for root use", 1),
        ]
    waivers = parse_waivers(
        [
            {"id": "W-1", "rule": "deny_kms_key_rotation", "resource": "*::legacy-key",
             "justification": "imported key, rotated by hand", "approver": "ciso",
             "expires": TODAY + dt.timedelta(days=10)},
            {"id": "W-2", "rule": "deny_rds_public", "resource": "*::old-db",
             "justification": "gone", "approver": "ciso", "expires": dt.date(2027, 1, 1)},
            {"id": "W-3", "rule": "deny_rds_public", "resource": "*::db",
             "justification": "was temporary", "approver": "ciso",
             "expires": dt.date(2026, 1, 1)},
        ]
        if waived
        else []
    )
    report = apply_waivers(findings, waivers, today=TODAY, stacks=stacks, source="waivers.yaml")
    controls = roll_up(CONTROLS, runs, findings)
    return GateResult(
        stacks=runs,
        findings=findings,
        checks=dict(CHECKS),
        controls=controls,
        manual=[
            ManualControl("IME-GOV-01", "Risk analysis", ("164.308(a)(1)(ii)(A)",), "manual"),
            ManualControl("IME-PHY-01", "Facility access", ("164.310(a)(1)",), "inherited"),
        ],
        waivers=report,
        engines={"rego": {"engine": "regorus"}},
        timings={"evaluate": 0.5},
        started_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC),
        tool_version="0.1.0",
    )


@pytest.fixture
def result() -> GateResult:
    return make_result()


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


# --------------------------------------------------------------- end-to-end fixtures
REPO = Path(__file__).resolve().parents[2]
INSECURE = REPO / "tests" / "programs" / "insecure"


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def gate_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run `imekit gate ...` in process, as the console script does; return code and output."""
    from imekit.cli import main

    def run(*args: str) -> CliRun:
        capsys.readouterr()
        code = main(["gate", *args])
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _evidence_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Recorded runs go to a per-test folder, never to the checkout's .imekit/."""
    folder = tmp_path / "evidence"
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def insecure_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The insecure program's dev graph, synthesized once per session."""
    from imekit.graph import synthesize

    path = tmp_path_factory.mktemp("insecure") / "insecure-dev.json"
    synthesize(INSECURE, "dev").write(path)
    return path


def checkov_ready() -> bool:
    from imekit.checkov import status

    return status().ready
