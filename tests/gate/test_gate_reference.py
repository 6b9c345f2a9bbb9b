"""`imekit gate` on the reference platform: the README's quick start must pass, clearly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gate_support import REPO, checkov_ready

from imekit.catalog import load_catalog


def _check_reference_report(report: dict[str, Any], *, with_checkov: bool) -> None:
    catalog = load_catalog()
    statuses = {c["id"]: c for c in report["controls"]}
    assert set(statuses) == {c.id for c in catalog.controls.values() if c.automated}
    passed = 0
    for control_id, control in statuses.items():
        if with_checkov or catalog.controls[control_id].rego:
            assert control["status"] in ("pass", "not-applicable"), control
            passed += control["status"] == "pass"
        else:
            # decided by checkov alone, and checkov was not run: unknown, never a pass
            assert control["status"] == "unknown", control
            assert "--no-checkov" in control["notes"][0]
    # The platform exercises nearly every automated control: a gate that inspected nothing
    # would report not-applicable everywhere and must not look like a pass.
    assert passed >= 18
    assert report["summary"]["findings"]["blocking"] == 0
    assert report["exit_code"] == 0


@pytest.mark.parametrize("mode", ["resolved", "unknowns"])
def test_reference_platform_passes_in_both_synth_modes(
    gate_cli: Any, tmp_path: Path, mode: str
) -> None:
    args = ["--no-checkov", "--json", str(tmp_path / "g.json")]
    if mode == "unknowns":
        args.append("--unknowns")
    r = gate_cli(*args)
    assert r.code == 0, r.out + r.err
    report = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert [s["stack"] for s in report["stacks"]] == ["dev"]
    source = report["stacks"][0]["source"]
    assert source["kind"] == "synth" and source["mode"] == mode
    # The program is named relative to the working directory, never by an absolute path.
    assert not Path(source["program"]).is_absolute()
    assert (Path.cwd() / source["program"]).resolve() == REPO or source["program"] == REPO.name
    assert report["stacks"][0]["resources"] > 100
    _check_reference_report(report, with_checkov=False)
    # What a newcomer sees: a verdict, the controls with citations, progress and timing.
    assert "PASS: no blocking finding" in r.out
    assert "IME-ENC-01  pass" in r.out and "164.312(a)(2)(iv)" in r.out
    assert "Not decided by the gate:" in r.out
    # The risk analysis rests on a document; its checks (checkov) did not run here.
    assert "IME-GOV-02  checks UNKNOWN" in r.out
    assert f"(stack dev, {mode})" in r.err
    assert "rego: dev: " in r.err and "gate: done in" in r.err
    assert "evidence: recorded as entry" in r.err


@pytest.mark.needs_checkov
@pytest.mark.skipif(not checkov_ready(), reason="checkov environment not provisioned here")
def test_reference_platform_passes_with_checkov(gate_cli: Any, tmp_path: Path) -> None:
    r = gate_cli("--no-record", "--json", str(tmp_path / "g.json"))
    assert r.code == 0, r.out + r.err
    report = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    _check_reference_report(report, with_checkov=True)
    assert report["engines"]["checkov"]["ran"] is True
    # the documented advisory findings stay visible, without failing their control
    assert all(f["enforcement"] == "advisory" for f in report["findings"])
    # No AWS Config resource for the risk analysis's advisory checks: that never reads as
    # the risk analysis being not applicable.
    gov = next(c for c in report["controls"] if c["id"] == "IME-GOV-02")
    assert gov["status"] == "not-applicable" and gov["decided_by_gate"] is False
    assert "IME-GOV-02  checks n/a" in r.out and "IME-GOV-02  not-applicable" not in r.out


@pytest.mark.needs_checkov
@pytest.mark.skipif(not checkov_ready(), reason="checkov environment not provisioned here")
def test_a_checkov_pass_on_an_unknown_value_is_not_a_pass(gate_cli: Any, tmp_path: Path) -> None:
    from imekit.graph import UNKNOWN_MARKER, synthesize

    graph = synthesize(REPO, "dev", unknowns=True)
    key = next(d for d in graph.resources if d["__type"] == "aws:kms/key:Key")
    for bag in (key, key["__properties"], key["properties"]):
        bag["policy"] = UNKNOWN_MARKER  # as a preview shows a policy built from outputs
    graph.write(tmp_path / "graph.json")
    r = gate_cli("--graph", str(tmp_path / "graph.json"), "--no-record",
                 "--json", str(tmp_path / "g.json"))
    report = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    # checkov reads the unknown policy as absent and "passes" CKV_AWS_33 (no wildcard
    # principal): the gate lists it as not evaluated instead of counting a pass.
    assert "CKV_AWS_33" in report["stacks"][0]["unknown"], report["stacks"][0]["unknown"]
    assert r.code == 1  # and the pack's own rule refuses to pass an unverifiable policy
    assert any(
        f["check_id"] == "deny_kms_wildcard_principal" and f["urn"] == key["__urn"]
        for f in report["findings"]
    )


def test_two_stacks_in_one_run(gate_cli: Any, tmp_path: Path, junit_schema: Any) -> None:
    r = gate_cli(
        "--stack", "dev", "--stack", "prod", "--no-checkov", "--no-record",
        "--json", str(tmp_path / "g.json"), "--junit", str(tmp_path / "g.xml"),
    )
    assert r.code == 0, r.err
    report = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert [s["stack"] for s in report["stacks"]] == ["dev", "prod"]
    for control in report["controls"]:
        assert set(control["stacks"]) == {"dev", "prod"}
    junit_schema.validate(str(tmp_path / "g.xml"))
    xml = (tmp_path / "g.xml").read_text(encoding="utf-8")
    assert 'name="ime-platform/dev"' in xml and 'name="ime-platform/prod"' in xml
    assert "Stack dev of ime-platform" in r.out and "Stack prod of ime-platform" in r.out


def test_graph_file_gives_the_same_verdict_as_the_program(
    gate_cli: Any, tmp_path: Path
) -> None:
    from imekit.graph import synthesize

    graph = tmp_path / "dev.json"
    synthesize(None, "dev").write(graph)
    r = gate_cli("--graph", str(graph), "--no-checkov", "--no-record", "--sarif",
                 str(tmp_path / "g.sarif"))
    assert r.code == 0, r.err
    sarif = json.loads((tmp_path / "g.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"] == []
    assert len(sarif["runs"][0]["tool"]["driver"]["rules"]) >= 40
