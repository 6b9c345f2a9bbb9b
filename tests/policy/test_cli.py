"""`imekit policy test` and `imekit policy list`, with the kit's exit codes."""

from __future__ import annotations

import json

from policy_packs import write_pack

from imekit.cli import main


def test_policy_test_passes_on_the_kits_pack(capsys):
    code = main(["policy", "test"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("PASS: ")


def test_policy_test_verbose_lists_each_test(capsys):
    assert main(["policy", "test", "-v", "-r", "deny_cognito_mfa"]) == 0
    out = capsys.readouterr().out
    assert "data.imekit_hipaa.test_fail_deny_cognito_mfa__optional: PASS" in out
    assert "PASS: 3/3" in out


def test_a_failing_test_exits_1(tmp_path, capsys):
    root = write_pack(
        tmp_path / "p",
        {
            "a.rego": "package a\n\nimport rego.v1\n\ntest_ok if true\n\ntest_bad if false\n",
        },
    )
    assert main(["policy", "test", "--pack", str(root)]) == 1
    out = capsys.readouterr().out
    assert "data.a.test_bad: FAIL" in out and "a.rego:7: undefined" in out
    assert "FAIL: 1/2" in out


def test_a_pack_that_does_not_compile_exits_2_with_file_and_line(tmp_path, capsys):
    root = write_pack(tmp_path / "p", {"a.rego": "package a\n\nimport rego.v1\n\nx if {\n"})
    assert main(["policy", "test", "--pack", str(root)]) == 2
    err = capsys.readouterr().err
    assert "imekit: error: policy pack does not compile" in err and "a.rego:" in err
    assert "Stack backtrace" not in err


def test_no_tests_exits_2(tmp_path, capsys):
    root = write_pack(tmp_path / "p", {"a.rego": "package a\n\nimport rego.v1\n\nx := 1\n"})
    assert main(["policy", "test", "--pack", str(root)]) == 2
    assert "no tests found" in capsys.readouterr().err


def test_policy_list_shows_every_rule(pack, capsys):
    assert main(["policy", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["RULE", "SCOPE", "LEVEL", "CONTROL", "TITLE"]
    rows = {line.split()[0]: line.split()[1:4] for line in out[1:]}
    assert rows["stack_warn_security_alarms"] == ["stack", "advisory", "IME-AUD-04"]
    assert rows["deny_rds_public"] == ["resource", "mandatory", "IME-ACC-01"]
    assert len(rows) == len(pack.rules)


def test_policy_list_json(pack, capsys):
    assert main(["policy", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pack"] == "imekit_hipaa" and len(data["rules"]) == len(pack.rules)
    retention = next(r for r in data["rules"] if r["rule"] == "deny_log_group_retention")
    assert retention["config"] == ["minimumDays"]
    assert retention["resource_types"] == ["aws:cloudwatch/logGroup:LogGroup"]


def test_an_invalid_test_pattern_exits_2_with_a_reason(capsys):
    assert main(["policy", "test", "-r", "("]) == 2
    err = capsys.readouterr().err
    assert "invalid test name pattern" in err and "internal error" not in err


def test_policy_list_of_a_pack_without_rules(tmp_path, capsys):
    root = write_pack(tmp_path / "p", {"a.rego": "package a\n\nimport rego.v1\n\ntest_x if true\n"})
    assert main(["policy", "list", "--pack", str(root)]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["RULE", "SCOPE", "LEVEL", "CONTROL", "TITLE"]
    assert "0 rules in pack a" in captured.err


def test_policy_test_runs_are_recorded_as_evidence(tmp_path, monkeypatch, capsys):
    from imekit.evidence import open_store

    store = tmp_path / "record"
    monkeypatch.setenv("IMEKIT_EVIDENCE_DIR", str(store))
    assert main(["policy", "test", "-r", "deny_cognito_mfa"]) == 0
    [entry] = open_store(str(store)).entries()
    assert entry.kind == "policy-test" and entry.doc["result"] == "pass"
    assert entry.doc["controls"] == {"IME-IAM-02": "pass"}  # the control of the tested rule
    assert main(["policy", "test", "-r", "deny_cognito_mfa", "--no-record"]) == 0
    assert len(open_store(str(store)).entries()) == 1
