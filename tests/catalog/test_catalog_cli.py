"""`imekit controls ...` through the real CLI entry point: output, width, JSON, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from imekit.cli import main
from imekit.paths import controls_dir


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _fits(text: str) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > 100]
    assert too_wide == []


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "list")
    assert code == 0
    assert out.splitlines()[0].split()[:2] == ["ID", "TITLE"]
    assert "IME-ENC-01" in out and "IME-PHY-01" in out
    assert "2013-03-26" in out and "not in force" in out
    _fits(out)


def test_list_family_filter_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "list", "--family", "key", "--json")
    assert code == 0
    data = json.loads(out)
    assert [c["id"] for c in data["controls"]] == ["IME-KEY-01", "IME-KEY-02", "IME-KEY-03"]
    assert data["regulation"]["pending_changes"][0]["kind"] == "proposed-rule"


def test_unknown_family_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "controls", "list", "--family", "XYZ")
    assert code == 2
    assert "no control family 'XYZ'" in err and "hint:" in err


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "show", "ime-iam-02")
    assert code == 0
    assert out.startswith("IME-IAM-02  Access to PHI requires multi-factor authentication")
    assert "164.312(d)" in out and "Person or entity authentication (standard)" in out
    assert "rego     deny_phi_access_without_mfa" in out
    assert "components: identity" in out
    _fits(out)


def test_show_fits_for_every_control(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "list", "--json")
    for control in json.loads(out)["controls"]:
        code, out, _ = _run(capsys, "controls", "show", control["id"])
        assert code == 0
        _fits(out)


def test_show_manual_and_inherited(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "show", "IME-PHY-01")
    assert code == 0
    assert "Inherited from AWS under the BAA:" in out
    assert "aws-attestation-review  annual, valid 395 days, owner security-official" in out
    _fits(out)


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "show", "IME-CP-02", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["citations"] == [
        {
            "citation": "164.308(a)(7)(ii)(D)",
            "title": "Testing and revision procedures",
            "obligation": "addressable",
            "kind": "implementation-specification",
        }
    ]
    assert "backup-recovery-point-restore" in data["drills"]


def test_show_unknown_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "controls", "show", "IME-NOPE-01")
    assert code == 2 and "no control 'IME-NOPE-01'" in err


def test_coverage_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "coverage")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CITATION", "OBL", "TITLE", "STATUS", "HOW", "CONTROLS"]
    citations = [line.split()[0] for line in lines[1:] if line.lstrip().startswith("164.")]
    assert citations[0] == "164.308(a)(1)(i)" and citations[-1] == "164.316(b)(2)(iii)"
    assert len(citations) == 71
    assert "Covered 55, gaps 0." in out
    row = next(line for line in lines if line.lstrip().startswith("164.310(a)(2)(ii) "))
    assert "inherited" in row and "IME-PHY-01" in row
    # advisory-only checks (they warn, never fail the gate) show as a lowercase `a`
    emergency = next(line for line in lines if line.lstrip().startswith("164.308(a)(7)(ii)(C)"))
    assert emergency.split()[-2] == "aM", emergency
    encryption = next(line for line in lines if line.lstrip().startswith("164.312(a)(2)(iv)"))
    assert " AD " in encryption
    _fits(out)


def test_coverage_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "controls", "coverage", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"]["leaves"] == 55
    assert data["regulation"]["text_version"] == "2013-03-26"


def test_coverage_shows_gaps_and_still_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "controls"
    shutil.copytree(controls_dir(), folder)
    doc = yaml.safe_load((folder / "controls.yaml").read_text())
    doc["controls"] = [c for c in doc["controls"] if c["id"] != "IME-GOV-01"]
    (folder / "controls.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    code, out, _ = _run(capsys, "controls", "coverage", "--catalog", str(folder))
    assert code == 0
    assert "Covered 54, gaps 1." in out
    assert "gap: required: no control cites it" in out


def test_check_consistent_kit_exit_0(
    capsys: pytest.CaptureFixture[str], consistent_kit: Path
) -> None:
    code, out, _ = _run(capsys, "controls", "check", "--root", str(consistent_kit))
    assert code == 0, out
    assert "policies:" in out and "problem" not in out


def test_check_dangling_reference_exit_1(
    capsys: pytest.CaptureFixture[str], consistent_kit: Path
) -> None:
    (consistent_kit / "runbooks" / "rds-database-restore.yaml").unlink()
    code, out, err = _run(capsys, "controls", "check", "--root", str(consistent_kit), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    runbooks = next(a for a in data["areas"] if a["area"] == "runbooks")
    assert any("rds-database-restore has no runbook" in p["message"] for p in runbooks["problems"])


def test_check_empty_area_is_not_a_pass(
    capsys: pytest.CaptureFixture[str], consistent_kit: Path
) -> None:
    shutil.rmtree(consistent_kit / "policies")
    (consistent_kit / "policies").mkdir()
    code, out, err = _run(capsys, "controls", "check", "--root", str(consistent_kit))
    assert code == 1
    assert "policies: NOT CHECKED: policies holds no .rego files yet" in out
    assert "1 area(s) not checked" in err


def test_broken_catalog_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "controls"
    shutil.copytree(controls_dir(), folder)
    (folder / "requirements.yaml").write_text("format: 2\n")
    for args in (["list"], ["coverage"], ["show", "IME-ENC-01"]):
        code, _, err = _run(capsys, "controls", *args, "--catalog", str(folder))
        assert code == 2, args
        assert "requirements.yaml" in err and "hint:" in err
