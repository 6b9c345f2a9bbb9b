"""`imekit checkov setup|status|plan|run` through the real CLI entry point."""

from __future__ import annotations

import json

import pytest

from imekit.cli import main


def test_status_says_not_ready_with_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMEKIT_HOME", str(tmp_path))
    assert main(["checkov", "status"]) == 2
    captured = capsys.readouterr()
    assert "not installed" in captured.out and "imekit checkov setup" in captured.err


def test_plan_writes_the_plan_and_the_address_map(tmp_path, reference_dev, capsys):
    graph_file = tmp_path / "graph.json"
    reference_dev.write(graph_file)
    plan_file, map_file = tmp_path / "plan.json", tmp_path / "addresses.json"
    code = main(["checkov", "plan", str(graph_file), "-o", str(plan_file),
                 "--addresses", str(map_file)])
    assert code == 0
    plan = json.loads(plan_file.read_text())
    table = json.loads(map_file.read_text())
    addresses = [r["address"] for r in plan["planned_values"]["root_module"]["resources"]]
    assert sorted(addresses) == sorted(table)
    urns = {d["__urn"] for d in reference_dev.resources}
    assert all(entry["urn"] in urns and entry["stack"] == "dev" for entry in table.values())
    assert all(entry["unknown_attributes"] == [] for entry in table.values())
    assert "resources written" in capsys.readouterr().err


def test_plan_of_a_broken_graph_exits_2(tmp_path, capsys):
    bad = tmp_path / "graph.json"
    bad.write_text('{"schema": "something-else"}')
    assert main(["checkov", "plan", str(bad), "-o", str(tmp_path / "p.json")]) == 2
    assert "not an imekit graph" in capsys.readouterr().err


def test_run_rejects_graphs_and_program_together(tmp_path, capsys):
    graph_file = tmp_path / "g.json"
    graph_file.write_text("{}")
    assert main(["checkov", "run", str(graph_file), "--stack", "dev"]) == 2


@pytest.mark.needs_checkov
def test_run_on_the_insecure_program_exits_1_and_records_evidence(
    checkov_env, insecure_dev, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.delenv("IMEKIT_NO_RECORD", raising=False)
    graph_file, out = tmp_path / "graph.json", tmp_path / "result.json"
    insecure_dev.write(graph_file)
    assert main(["checkov", "run", str(graph_file), "--json", str(out), "--no-install"]) == 1
    printed = capsys.readouterr().out
    assert "MANDATORY CKV_AWS_16" in printed and "[IME-ENC-01]" in printed
    result = json.loads(out.read_text())
    assert result["summary"]["blocking"] > 10
    assert result["summary"]["checkov_version"] == "3.3.30"
    assert any(f["check_id"] == "CKV_AWS_17" and f["enforcement"] == "mandatory"
               for f in result["findings"])
    entries = list((tmp_path / "evidence").rglob("*.json"))
    recorded = [json.loads(p.read_text()) for p in entries]
    checkov_entries = [e for e in recorded if e.get("kind") == "checkov"]
    assert checkov_entries, "the run is recorded as evidence"
    entry = checkov_entries[0]
    assert entry["result"] == "fail"
    assert entry["controls"]["IME-ENC-01"] == "fail"


def test_evidence_never_records_a_control_as_passed_on_unknown_values():
    from imekit.checkov.results import CheckovResult
    from imekit.commands.checkov import _control_statuses

    urn = "urn:pulumi:dev::p::aws:kms/key:Key::k"
    result = CheckovResult(
        findings=[], passed={"CKV_AWS_33": {"urn:pulumi:dev::p::aws:kms/key:Key::other"},
                             "CKV_AWS_7": {urn}},
        unmapped_types={}, unmapped_checks={}, ignored={}, version="3.3.30", resources=2,
        unknown={"CKV_AWS_33": {urn: "checkov read policy, unknown until deployment"}},
    )
    statuses = _control_statuses(result)
    assert statuses["IME-KEY-03"] == "unknown"  # one pass elsewhere does not outweigh it
    assert statuses["IME-KEY-01"] == "pass"
