"""The pack's own Rego tests, and the runner that plays `opa test`."""

from __future__ import annotations

import pytest
from policy_packs import write_pack

from imekit.errors import ImekitError
from imekit.policy import load_pack, run_tests


def test_every_rego_test_of_the_pack_passes(pack):
    report = run_tests(pack)
    failures = [f"{r.location} {r.name}: {r.outcome} {r.detail}" for r in report.failed]
    assert not failures, "\n".join(failures)
    # Three tests per rule at least (fail, pass, missing), all run.
    assert len(report.results) == len(pack.tests) >= 3 * len(pack.rules)


def test_a_shared_engine_gives_the_same_outcomes_as_isolated_ones(pack):
    shared = {r.name: r.outcome for r in run_tests(pack).results}
    isolated = {r.name: r.outcome for r in run_tests(pack, isolated=True).results}
    assert shared == isolated


RUNNER_PACK = """package demo

import rego.v1

deny_x contains "[X-01] bad" if input.bad

test_true if true

test_false := false

test_undefined if {
	count(deny_x) == 1 with input as {"bad": false}
}

test_number := 5

test_error if {
	to_number("not a number") == 1
}

test_rule_fires if {
	doc := {"bad": true}
	count(deny_x) == 1 with input as doc
}
"""


def test_the_runner_passes_only_true(tmp_path):
    pack = load_pack(write_pack(tmp_path / "p", {"demo.rego": RUNNER_PACK}))
    outcomes = {r.name: (r.passed, r.outcome) for r in run_tests(pack).results}
    assert outcomes == {
        "test_true": (True, "pass"),
        "test_false": (False, "fail"),
        "test_undefined": (False, "fail"),
        "test_number": (False, "fail"),
        "test_error": (False, "error"),
        "test_rule_fires": (True, "pass"),
    }
    report = run_tests(pack, match="true|fires")
    assert [r.name for r in report.results] == ["test_true", "test_rule_fires"] and report.ok


def test_the_runner_reports_why_a_test_failed(tmp_path):
    pack = load_pack(write_pack(tmp_path / "p", {"demo.rego": RUNNER_PACK}))
    by_name = {r.name: r for r in run_tests(pack).results}
    assert by_name["test_undefined"].detail == "undefined"
    assert by_name["test_number"].detail == "evaluated to 5"
    assert "demo.rego:18" in by_name["test_error"].detail
    assert by_name["test_error"].location == "demo.rego:17"


def test_no_tests_is_not_ok(tmp_path):
    pack = load_pack(
        write_pack(tmp_path / "p", {"a.rego": "package a\n\nimport rego.v1\n\nx := 1\n"})
    )
    assert not run_tests(pack).ok


def test_rewritten_sources_that_do_not_compile_raise(pack):
    files = dict(pack.files)
    files["keys.rego"] = files["keys.rego"].replace(
        "deny_kms_key_rotation contains", "deny_kms_key_rotation contain", 1
    )
    with pytest.raises(ImekitError, match="does not compile"):
        run_tests(pack, files=files)
