"""Runbook validation: every shipped drill is valid, and each kind of mistake is caught."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from imekit.drills.definition import (
    drill_schema,
    list_drills,
    load_drill,
    validate_definition,
)
from imekit.drills.registry import names_by_kind
from imekit.errors import ImekitError
from imekit.paths import runbooks_dir

EXPECTED = {
    "s3-ransomware-restore", "rds-database-restore", "iam-leaked-access-key",
    "kms-key-disabled", "cloudtrail-logging-stopped", "s3-public-access-removed",
    "backup-recovery-point-restore", "incident-response-tabletop",
}


def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((runbooks_dir() / f"{name}.yaml").read_text(encoding="utf-8"))


def test_every_shipped_drill_is_valid() -> None:
    drills = {d.name: d for d in list_drills()}
    assert set(drills) >= EXPECTED
    assert drills["incident-response-tabletop"].is_tabletop
    assert drills["backup-recovery-point-restore"].supported_targets == ("aws",)
    for drill in drills.values():
        assert drill.controls, drill.name
        assert all(c.startswith("IME-") for c in drill.controls)


def test_schema_lists_exactly_the_registered_functions() -> None:
    names = names_by_kind()
    defs = drill_schema()["$defs"]
    assert defs["action_name"]["enum"] == names["action"], \
        "run `python -m imekit.drills.registry` to refresh the schema"
    assert defs["probe_name"]["enum"] == names["probe"]


def test_restore_drills_carry_rto_and_rpo_targets() -> None:
    for name in ("s3-ransomware-restore", "rds-database-restore",
                 "backup-recovery-point-restore"):
        drill = load_drill(name)
        assert drill.rto_seconds and drill.rpo_seconds, name


def _problems(data: dict[str, Any]) -> list[str]:
    return validate_definition(data, Path("/elsewhere/custom.yaml"))


def test_unknown_action_name_is_an_error() -> None:
    data = _raw("kms-key-disabled")
    data["method"]["inject"][0]["action"] = "kms.melt_key"
    problems = _problems(data)
    assert any("unknown action 'kms.melt_key'" in p for p in problems), problems


def test_unknown_probe_name_is_an_error() -> None:
    data = _raw("kms-key-disabled")
    data["verification"][0]["probe"] = "kms.is_happy"
    problems = _problems(data)
    assert any("unknown probe 'kms.is_happy'" in p for p in problems), problems


def test_a_probe_cannot_be_used_as_an_action() -> None:
    data = _raw("kms-key-disabled")
    data["method"]["restore"][0]["action"] = "kms.key_state"
    problems = _problems(data)
    assert any("kms.key_state" in p for p in problems), problems


def test_arguments_are_checked_against_the_function_signature() -> None:
    data = _raw("kms-key-disabled")
    step = data["method"]["inject"][0]
    step["arguments"] = {"kee": "${phi_key}"}
    problems = _problems(data)
    assert any("unknown argument 'kee' for kms.disable_key" in p for p in problems), problems
    assert any("missing argument 'key' for kms.disable_key" in p for p in problems), problems


def test_undefined_variable_is_an_error() -> None:
    data = _raw("s3-public-access-removed")
    data["method"]["respond"][0]["arguments"]["bucket"] = "${buckit}"
    problems = _problems(data)
    assert any("unknown variable ${buckit}" in p for p in problems), problems


def test_variable_used_before_the_step_that_stores_it() -> None:
    data = _raw("rds-database-restore")
    data["method"]["detect"][0]["arguments"]["instance"] = "${recovery_snapshot}"
    problems = _problems(data)
    assert any("used before the step that stores it" in p for p in problems), problems


def test_technical_drill_needs_rollbacks_and_verification() -> None:
    data = _raw("kms-key-disabled")
    del data["rollbacks"]
    assert any("rollbacks" in p for p in _problems(data))
    data = _raw("kms-key-disabled")
    data["verification"] = []
    assert _problems(data)


def test_aws_only_drill_must_say_why() -> None:
    data = _raw("backup-recovery-point-restore")
    del data["local_unsupported_reason"]
    assert any("local_unsupported_reason" in p for p in _problems(data))


def test_tabletop_checks_ids_and_order() -> None:
    data = _raw("incident-response-tabletop")
    broken = copy.deepcopy(data)
    broken["tabletop"]["injects"][1]["questions"][0]["id"] = "Q1.1"
    assert any("duplicate question id" in p for p in _problems(broken))
    broken = copy.deepcopy(data)
    broken["tabletop"]["injects"][0]["at_minute"] = 50
    assert any("time order" in p for p in _problems(broken))


def test_name_must_match_the_file_name(tmp_path: Path) -> None:
    data = _raw("kms-key-disabled")
    assert validate_definition(data, runbooks_dir() / "other-name.yaml")


def test_load_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ImekitError, match="unknown drill 'no-such-drill'"):
        load_drill("no-such-drill")
    bad = tmp_path / "bad.yaml"
    data = _raw("kms-key-disabled")
    data["method"]["inject"][0]["action"] = "kms.melt_key"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ImekitError, match="melt_key"):
        load_drill(str(bad))


def test_cli_validate_exits_1_on_an_invalid_file(imekit, tmp_path: Path) -> None:
    good = imekit("validate")
    assert good.code == 0, good.out
    assert good.out.count(": ok") >= len(EXPECTED)
    data = _raw("kms-key-disabled")
    data["method"]["inject"][0]["action"] = "kms.melt_key"
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = imekit("validate", str(bad))
    assert result.code == 1
    assert "kms.melt_key" in result.out


def test_a_missing_phase_is_an_error() -> None:
    data = _raw("kms-key-disabled")
    del data["method"]["respond"]
    assert "method: 'respond' is a required property" in _problems(data)


@pytest.mark.parametrize("phase", ["inject", "detect", "respond"])
def test_a_drill_must_inject_detect_and_respond(phase: str) -> None:
    # An empty respond phase would make the negative control (--skip-step respond) vacuous.
    data = _raw("kms-key-disabled")
    data["method"][phase] = []
    assert f"method/{phase}: [] should be non-empty" in _problems(data)


@pytest.mark.parametrize("targets", [["local", "gcp"], ["prod"], []])
def test_a_bad_target_is_an_error(targets: list[str]) -> None:
    data = _raw("kms-key-disabled")
    data["supported_targets"] = targets
    assert any(p.startswith("supported_targets") for p in _problems(data)), _problems(data)


def test_configuration_cannot_redefine_a_built_in_variable() -> None:
    data = _raw("kms-key-disabled")
    data["configuration"]["suffix"] = "fixed"  # every run would reuse the same names
    assert "configuration/suffix: redefines the built-in variable ${suffix}" in _problems(data)


def test_a_stored_value_cannot_be_overwritten() -> None:
    data = _raw("kms-key-disabled")
    data["method"]["inject"][0]["store"] = "phi_key"  # the rollback would retire "Disabled"
    assert any("store 'phi_key' is already stored by step method/setup/create-phi-key" in p
               for p in _problems(data)), _problems(data)
    data = _raw("kms-key-disabled")
    data["method"]["inject"][0]["store"] = "key_alias"
    assert any("store 'key_alias' would overwrite the variable ${key_alias}" in p
               for p in _problems(data)), _problems(data)


def test_a_drill_that_creates_resources_must_roll_back() -> None:
    data = _raw("kms-key-disabled")
    data["rollbacks"] = []
    assert any(p.startswith("rollbacks: none, but setup creates resources")
               for p in _problems(data))


def test_schema_messages_stay_short() -> None:
    data = _raw("kms-key-disabled")
    data["kind"] = "tabletop"
    problems = _problems(data)
    assert "(top level): a tabletop drill cannot have method, steady_state_hypothesis, " \
        "verification, rollbacks" in problems
    assert all(len(p) < 400 for p in problems), problems
