"""Integrity between the catalog and the pack, runbooks and infra, on generated kits.

A kit generated from the catalog agrees with it in every direction; each test then breaks
one reference and expects exactly that problem to be reported.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from imekit.catalog import load_catalog
from imekit.catalog.integrity import (
    check_all,
    check_components,
    check_policies,
    check_runbooks,
)


def _messages(result) -> list[str]:  # noqa: ANN001 - AreaResult
    return [str(p) for p in result.problems]


def test_consistent_kit_has_no_problem(consistent_kit: Path) -> None:
    catalog = load_catalog(consistent_kit / "controls")
    results = check_all(catalog, consistent_kit)
    assert [r.area for r in results] == ["coverage", "policies", "runbooks", "infra"]
    for result in results:
        assert result.skipped is None, result.area
        assert result.problems == [], result.area
        assert result.checked > 0, result.area
    policies = results[1]
    assert policies.checked == sum(len(c.rego) for c in catalog.controls.values())


# ------------------------------------------------------------------ policies
def _pack(kit: Path) -> Path:
    return kit / "policies" / "pack.rego"


def test_rule_missing_from_the_pack(consistent_kit: Path) -> None:
    pack = _pack(consistent_kit)
    text = pack.read_text()
    pack.write_text(text.replace("deny_kms_key_rotation contains", "_gone contains"))
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_policies(catalog, consistent_kit / "policies", consistent_kit))
    assert messages == [
        "controls.yaml IME-KEY-01: rule deny_kms_key_rotation is not defined in policies/*.rego"
    ]


def test_orphan_rule(consistent_kit: Path) -> None:
    extra = (
        "\n# METADATA\n# custom:\n#   control: IME-KEY-01\n"
        'deny_kms_key_alias contains msg if {\n\tmsg := "[IME-KEY-01] x"\n}\n'
    )
    _pack(consistent_kit).write_text(_pack(consistent_kit).read_text() + extra)
    catalog = load_catalog(consistent_kit / "controls")
    [message] = _messages(check_policies(catalog, consistent_kit / "policies", consistent_kit))
    assert "deny_kms_key_alias: orphan rule: IME-KEY-01 does not list it" in message
    assert message.startswith("policies/pack.rego:")


def test_rule_without_metadata_control(consistent_kit: Path) -> None:
    extra = '\nwarn_something contains msg if {\n\tmsg := "x"\n}\n'
    _pack(consistent_kit).write_text(_pack(consistent_kit).read_text() + extra)
    catalog = load_catalog(consistent_kit / "controls")
    [message] = _messages(check_policies(catalog, consistent_kit / "policies", consistent_kit))
    assert "warn_something: no METADATA `custom.control`" in message


def test_metadata_names_another_or_unknown_control(consistent_kit: Path) -> None:
    pack = _pack(consistent_kit)
    text = pack.read_text()
    text = text.replace(
        "#   control: IME-KEY-01\ndeny_kms_key_rotation",
        "#   control: IME-KEY-02\ndeny_kms_key_rotation",
    )
    text = text.replace(
        "#   control: IME-KEY-03\ndeny_kms_wildcard", "#   control: IME-KEY-09\ndeny_kms_wildcard"
    )
    pack.write_text(text)
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_policies(catalog, consistent_kit / "policies", consistent_kit))
    assert any(
        "deny_kms_key_rotation: METADATA names IME-KEY-02 but the catalog lists the rule under"
        " IME-KEY-01" in m
        for m in messages
    ), messages
    assert any(
        "deny_kms_wildcard_principal: METADATA names IME-KEY-09, which is not in the catalog" in m
        for m in messages
    ), messages


def test_message_starting_with_another_control(consistent_kit: Path) -> None:
    pack = _pack(consistent_kit)
    pack.write_text(pack.read_text().replace('"[IME-KEY-01] %s', '"[IME-KEY-02] %s'))
    catalog = load_catalog(consistent_kit / "controls")
    [message] = _messages(check_policies(catalog, consistent_kit / "policies", consistent_kit))
    assert "messages start with IME-KEY-02, not its control IME-KEY-01" in message


def test_empty_pack_is_skipped_not_passed(tmp_path: Path, consistent_kit: Path) -> None:
    catalog = load_catalog(consistent_kit / "controls")
    empty = tmp_path / "empty-policies"
    empty.mkdir()
    result = check_policies(catalog, empty)
    assert result.skipped and "no .rego files" in result.skipped
    assert result.problems == [] and result.checked == 0


# ------------------------------------------------------------------ runbooks
def test_drill_without_runbook(consistent_kit: Path) -> None:
    (consistent_kit / "runbooks" / "kms-key-disabled.yaml").unlink()
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_runbooks(catalog, consistent_kit / "runbooks", consistent_kit))
    naming = [c.id for c in catalog.controls.values() if "kms-key-disabled" in c.drills]
    assert len(naming) >= 2
    assert messages == [
        f"controls.yaml {control_id}: drill kms-key-disabled has no runbook"
        " runbooks/kms-key-disabled.yaml"
        for control_id in naming
    ]


def test_runbook_naming_unknown_control(consistent_kit: Path) -> None:
    path = consistent_kit / "runbooks" / "rds-database-restore.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["controls"].append("IME-BAK-99")
    path.write_text(yaml.safe_dump(doc))
    catalog = load_catalog(consistent_kit / "controls")
    [message] = _messages(check_runbooks(catalog, consistent_kit / "runbooks", consistent_kit))
    assert message == "runbooks/rds-database-restore.yaml: control IME-BAK-99 is not in the catalog"


def test_back_references_both_ways(consistent_kit: Path) -> None:
    path = consistent_kit / "runbooks" / "rds-database-restore.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["controls"].remove("IME-BAK-03")
    doc["controls"].append("IME-ACC-01")
    path.write_text(yaml.safe_dump(doc))
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_runbooks(catalog, consistent_kit / "runbooks", consistent_kit))
    assert sorted(messages) == [
        "controls.yaml IME-BAK-03: lists drill rds-database-restore, but runbook"
        " rds-database-restore does not list IME-BAK-03",
        "runbooks/rds-database-restore.yaml: lists IME-ACC-01, but that control does not list"
        " drill rds-database-restore under `drills` in controls.yaml",
    ]


def test_runbook_without_controls_or_broken(consistent_kit: Path) -> None:
    (consistent_kit / "runbooks" / "s3-public-access-removed.yaml").write_text("name: x\n")
    (consistent_kit / "runbooks" / "kms-key-disabled.yaml").write_text("controls: [unclosed\n")
    (consistent_kit / "runbooks" / "_shared.yaml").write_text("not: a runbook\n")
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_runbooks(catalog, consistent_kit / "runbooks", consistent_kit))
    assert any("kms-key-disabled.yaml" in m and "not valid YAML" in m for m in messages)
    assert any(
        "s3-public-access-removed.yaml: name 'x' differs from the file name" in m for m in messages
    )
    assert any("s3-public-access-removed.yaml: no `controls:` list" in m for m in messages)
    assert not any("_shared" in m for m in messages)


# ------------------------------------------------------------------ infra
def test_component_not_in_infra(consistent_kit: Path) -> None:
    path = consistent_kit / "infra" / "components.py"
    path.write_text(path.read_text().replace('"case-database"', '"database"'))
    catalog = load_catalog(consistent_kit / "controls")
    messages = _messages(check_components(catalog, consistent_kit / "infra", consistent_kit))
    assert messages
    assert all("component case-database is not declared in infra" in m for m in messages)
    assert len(messages) == sum(
        "case-database" in c.implementation.components
        for c in catalog.controls.values()
        if c.implementation
    )


# ------------------------------------------------------------------ coverage
def test_coverage_gap_is_a_problem(consistent_kit: Path) -> None:
    path = consistent_kit / "controls" / "controls.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["controls"] = [c for c in doc["controls"] if c["id"] != "IME-GOV-04"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    catalog = load_catalog(consistent_kit / "controls")
    [coverage, *_] = check_all(catalog, consistent_kit)
    assert _messages(coverage) == [
        "requirement 164.308(a)(1)(ii)(C): required: no control cites it and no"
        " not_applicable rationale"
    ]
