"""Fail closed: every input the gate cannot evaluate is exit 2 with a one-line reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from gate_support import INSECURE, REPO, CliRun


def _assert_error(r: CliRun, *needles: str) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    errors = [line for line in r.err.splitlines() if line.startswith("imekit: error: ")]
    assert len(errors) == 1, r.err
    assert "Traceback" not in r.err
    assert "PASS" not in r.out
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


def test_malformed_graph_json(gate_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "graph.json"
    bad.write_text('{"schema": "imekit.graph/v1", "resources": [', encoding="utf-8")
    _assert_error(gate_cli("--graph", str(bad), "--no-record"), "invalid JSON at line 1")


def test_graph_of_another_schema(gate_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "graph.json"
    bad.write_text(json.dumps({"schema": "other/v9", "resources": []}), encoding="utf-8")
    _assert_error(gate_cli("--graph", str(bad), "--no-record"), "schema is 'other/v9'")


def test_graph_with_a_broken_resource(gate_cli: Any, tmp_path: Path, insecure_graph: Path) -> None:
    data = json.loads(insecure_graph.read_text(encoding="utf-8"))
    del data["resources"][3]["__properties"]
    bad = tmp_path / "graph.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    _assert_error(gate_cli("--graph", str(bad), "--no-record"), "lacks __properties")


def test_missing_input_file(gate_cli: Any, tmp_path: Path) -> None:
    _assert_error(gate_cli("--graph", str(tmp_path / "absent.json")), "cannot read graph")


def test_malformed_preview_json(gate_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "preview.json"
    bad.write_text(json.dumps({"steps": 3}), encoding="utf-8")
    _assert_error(gate_cli("--preview-json", str(bad), "--no-record"), "no 'steps' list")
    bad.write_text("not json", encoding="utf-8")
    _assert_error(gate_cli("--preview-json", str(bad), "--no-record"), str(bad))


def test_malformed_stack_export(gate_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps({"version": 3}), encoding="utf-8")
    _assert_error(gate_cli("--stack-export", str(bad), "--no-record"), "not a stack export")


def test_malformed_waivers_name_the_entry_and_field(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- id: W-1\n  rule: deny_rds_public\n  resource: '*'\n  justification: j\n"
        "  approver: a\n  expires: someday\n",
        encoding="utf-8",
    )
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record")
    _assert_error(r, "waiver entry 1 (W-1)", "field 'expires'")


def test_unreadable_waivers(gate_cli: Any, tmp_path: Path, insecure_graph: Path) -> None:
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(tmp_path / "none.yaml"))
    _assert_error(r, "cannot read waivers")


def test_waiver_for_an_unknown_check(gate_cli: Any, tmp_path: Path, insecure_graph: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- {id: W-1, rule: deny_rds_publik, resource: '*', justification: j, approver: a,"
        " expires: 2099-01-01}\n",
        encoding="utf-8",
    )
    r = gate_cli("--graph", str(insecure_graph), "--waivers", str(waivers), "--no-record")
    _assert_error(r, "names no known check: 'deny_rds_publik'")


def _pack_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from imekit import paths

    pack = tmp_path / "policies"
    shutil.copytree(REPO / "policies", pack)
    monkeypatch.setattr(paths, "policies_dir", lambda: pack)
    return pack


def test_broken_rego_syntax(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack_copy(tmp_path, monkeypatch)
    keys = pack / "keys.rego"
    keys.write_text(keys.read_text(encoding="utf-8") + "\ndeny_broken contains msg if {\n",
                    encoding="utf-8")
    _assert_error(gate_cli("--graph", str(insecure_graph), "--no-record", "--no-checkov"))


def test_rego_rule_failing_at_evaluation(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack_copy(tmp_path, monkeypatch)
    # Two bodies giving one function two outputs for the same input: a runtime error.
    (pack / "boom.rego").write_text(
        "package imekit_hipaa\n\nimport rego.v1\n\n"
        "_pick(x) := 1 if x.__type\n_pick(x) := 2 if x.__type\n\n"
        "deny_boom contains msg if {\n\t_pick(input) == 3\n\tmsg := \"never\"\n}\n",
        encoding="utf-8",
    )
    r = gate_cli("--graph", str(insecure_graph), "--no-record", "--no-checkov")
    _assert_error(r, "deny_boom")


def test_program_that_fails_to_synthesize(gate_cli: Any, tmp_path: Path) -> None:
    program = tmp_path / "broken"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: broken\nruntime: python\n", encoding="utf-8")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n", encoding="utf-8")
    (program / "__main__.py").write_text(
        "import pulumi_aws as aws\nraise RuntimeError('the program cannot start')\n",
        encoding="utf-8",
    )
    _assert_error(gate_cli(str(program), "--no-record", "--no-checkov"), "cannot start")


def test_unknown_stack_of_a_program(gate_cli: Any) -> None:
    _assert_error(gate_cli("--stack", "staging", "--no-record", "--no-checkov"), "staging")


def test_malformed_policy_config(gate_cli: Any, tmp_path: Path, insecure_graph: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"deny_rds_public": "blocking"}), encoding="utf-8")
    r = gate_cli("--graph", str(insecure_graph), "--policy-config", str(config), "--no-record")
    _assert_error(r, "'blocking' is not a valid enforcement level")
    config.write_text(json.dumps({"deny_no_such_rule": "advisory"}), encoding="utf-8")
    r = gate_cli("--graph", str(insecure_graph), "--policy-config", str(config), "--no-record")
    _assert_error(r, "no rule 'deny_no_such_rule'")


def test_unwritable_report(gate_cli: Any, tmp_path: Path, insecure_graph: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    r = gate_cli("--graph", str(insecure_graph), "--no-record", "--no-checkov",
                 "--sarif", str(blocker / "out.sarif"))
    _assert_error(r, "cannot write the SARIF report")


def test_reports_that_would_overwrite_each_other_or_an_input(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    graph = tmp_path / "dev.json"
    shutil.copy(insecure_graph, graph)
    before = graph.read_bytes()
    out = tmp_path / "report.out"
    r = gate_cli("--graph", str(graph), "--no-record", "--no-checkov",
                 "--sarif", str(out), "--json", str(tmp_path / "." / "report.out"))
    _assert_error(r, "SARIF and JSON reports would both be written to")
    assert not out.exists()  # refused before anything ran
    r = gate_cli("--graph", str(graph), "--no-record", "--no-checkov", "--json", str(graph))
    _assert_error(r, "would overwrite the input file")
    assert graph.read_bytes() == before


def test_a_run_that_cannot_be_recorded_shows_no_verdict(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imekit import evidence
    from imekit.errors import ImekitError

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ImekitError("the evidence store is not writable")

    monkeypatch.setattr(evidence, "record_run", refuse)
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(insecure_graph), "--no-checkov", "--json", str(out))
    _assert_error(r, "the evidence store is not writable")
    assert "Exit 1." not in r.out and not out.exists()


def test_report_under_a_file_fails_before_the_gate_runs(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    r = gate_cli("--graph", str(insecure_graph), "--no-record", "--no-checkov",
                 "--junit", str(blocker / "deeper" / "out.xml"))
    _assert_error(r, "cannot write the JUnit report", "is not a writable folder")
    assert "rego:" not in r.err  # refused before evaluating anything


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["PROGRAM", "--graph", "GRAPH"], "not both"),
        (["--graph", "GRAPH", "--config", "a=b"], "--config applies"),
        (["--graph", "GRAPH", "--unknowns"], "--unknowns applies"),
        (["--graph", "GRAPH", "--graph", "GRAPH"], "two inputs hold stack dev"),
        (["--graph", "GRAPH", "--stack", "prod"], "no input file holds stack prod"),
        (["--config", "no-equals-sign"], "is not KEY=VALUE"),
    ],
)
def test_contradictory_arguments(
    gate_cli: Any, insecure_graph: Path, args: list[str], needle: str
) -> None:
    resolved = [
        str(REPO) if a == "PROGRAM" else str(insecure_graph) if a == "GRAPH" else a
        for a in args
    ]
    _assert_error(gate_cli(*resolved, "--no-record", "--no-checkov"), needle)


def test_graph_without_resources_to_gate(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    data = json.loads(insecure_graph.read_text(encoding="utf-8"))
    data["resources"] = [d for d in data["resources"] if d["__type"] == "pulumi:pulumi:Stack"]
    data["locations"] = {}
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(data), encoding="utf-8")
    _assert_error(gate_cli("--graph", str(empty), "--no-record", "--no-checkov"),
                  "holds no resource to gate")


def test_graph_of_types_no_check_knows(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    """A stack the gate could not look at is no verdict: not 0 (all not-applicable), not 1
    (only the stack-wide CloudTrail rule firing), but 2."""
    data = json.loads(insecure_graph.read_text(encoding="utf-8"))
    native = [
        json.loads(json.dumps(doc).replace("aws:s3/bucket:Bucket", "aws-native:s3:Bucket"))
        for doc in data["resources"]
        if doc["__type"] == "aws:s3/bucket:Bucket"
    ]
    assert native
    data["resources"] = [
        d for d in data["resources"] if d["__type"].startswith("pulumi:")
    ] + native
    path = tmp_path / "native.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _assert_error(
        gate_cli("--graph", str(path), "--no-record", "--no-checkov"),
        "no check inspects any resource of stack dev",
        "aws-native:s3:Bucket (1)",
    )


def test_every_rule_disabled_and_no_checkov(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"all": "disabled"}), encoding="utf-8")
    r = gate_cli("--graph", str(insecure_graph), "--policy-config", str(config),
                 "--no-record", "--no-checkov")
    _assert_error(r, "no check ran on stack dev")


def test_resources_no_check_inspects_are_listed(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path
) -> None:
    data = json.loads(insecure_graph.read_text(encoding="utf-8"))
    extra = json.loads(
        json.dumps(next(d for d in data["resources"] if d["__type"] == "aws:s3/bucket:Bucket"))
        .replace("aws:s3/bucket:Bucket", "aws-native:s3:Bucket")
        .replace("patient-uploads", "native-uploads")
    )
    data["resources"].append(extra)
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(path), "--no-record", "--no-checkov", "--json", str(out))
    assert r.code == 1, r.err
    report = json.loads(out.read_text(encoding="utf-8"))
    uninspected = report["stacks"][0]["uninspected_types"]
    assert uninspected["aws-native:s3:Bucket"] == 1
    assert "aws:s3/bucket:Bucket" not in uninspected
    count = sum(uninspected.values())
    assert f"not inspected by any check: {count} resource(s): aws-native:s3:Bucket (1)" in r.out


def test_catalog_rule_missing_from_the_pack_is_unknown(
    gate_cli: Any, tmp_path: Path, insecure_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack_copy(tmp_path, monkeypatch)
    # Rename the rule in the pack only: the catalog still counts on deny_rds_public.
    for rego in pack.glob("*.rego"):
        text = rego.read_text(encoding="utf-8")
        rego.write_text(text.replace("deny_rds_public", "deny_rds_public_renamed"),
                        encoding="utf-8")
    out = tmp_path / "g.json"
    r = gate_cli("--graph", str(insecure_graph), "--no-record", "--no-checkov",
                 "--json", str(out))
    assert r.code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    acc = next(c for c in report["controls"] if c["id"] == "IME-ACC-01")
    assert acc["checks"]["deny_rds_public"] == "unknown"
    assert any("the policy pack has no such rule" in n for n in acc["notes"])


def test_untrusted_code_is_not_run_without_isolation_when_required(
    gate_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a machine without user namespaces: the gate must refuse, not run the program.
    monkeypatch.setenv("IMEKIT_SYNTH_ISOLATION", "environment")
    _assert_error(
        gate_cli(str(INSECURE), "--require-isolation", "--no-checkov", "--no-record"),
        "isolation is required",
    )
