"""Loading: the public API on the kit's catalog, and every validation failing closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imekit.catalog import Catalog, load_catalog
from imekit.errors import ImekitError


# ------------------------------------------------------------------ the kit's catalog
def test_loads_and_exposes_the_api(catalog: Catalog) -> None:
    assert catalog.version == "1.1.0"
    assert catalog.regulation.title == "HIPAA Security Rule"
    assert len(catalog.requirements) == 71
    assert catalog.sections["164.312"] == "Technical safeguards"
    control = catalog.controls["IME-ENC-01"]
    assert control.family == "ENC"
    assert control.implementation is not None
    assert "keys" in control.implementation.components
    assert catalog.control_for_rule("deny_rds_public").id == "IME-ACC-01"
    assert catalog.control_for_rule("no_such_rule") is None
    assert catalog.citations_for_check("deny_kms_key_rotation") == ["164.312(a)(2)(iv)"]
    assert catalog.citations_for_check("CKV_AWS_999999") == []
    ids = [c.id for c in catalog.controls_for_citation("164.312(a)(2)(iv)")]
    assert ids[:2] == ["IME-ENC-01", "IME-ENC-02"]
    # an alias finds the same controls as the canonical citation
    assert catalog.controls_for_citation("164.308(a)(1)") == catalog.controls_for_citation(
        "164.308(a)(1)(i)"
    )


def test_manual_evidence_specs(catalog: Catalog) -> None:
    evidence = catalog.manual_evidence()
    control, spec = evidence["risk-analysis-report"]
    assert control.id == "IME-GOV-02"
    assert spec.frequency == "annual" and spec.validity_days >= 365
    assert spec.owner in catalog.roles


def test_inherited_controls_carry_a_rationale(catalog: Catalog) -> None:
    inherited = [c for c in catalog.controls.values() if c.inherited]
    assert {c.id for c in inherited} == {"IME-PHY-01", "IME-PHY-04"}
    assert all("AWS" in c.inherited for c in inherited)


def test_cached_until_a_file_changes(catalog_copy: Any) -> None:
    first = catalog_copy.load()
    assert catalog_copy.load() is first
    catalog_copy.edit("controls.yaml", lambda d: d.update(catalog_version="1.0.1"))
    second = catalog_copy.load()
    assert second is not first and second.version == "1.0.1"


def test_default_folder_is_the_kits(catalog: Catalog) -> None:
    assert load_catalog() is load_catalog()
    assert load_catalog().folder == catalog.folder
    assert catalog.folder is not None and catalog.folder.name == "controls"


# ------------------------------------------------------------------ failing closed
def _fails(catalog_copy: Any, file: str, *fragments: str) -> ImekitError:
    with pytest.raises(ImekitError) as info:
        catalog_copy.load()
    message = info.value.message
    assert file in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert info.value.hint
    return info.value


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ImekitError, match="catalog folder not found"):
        load_catalog(tmp_path / "nowhere")


def test_missing_file(catalog_copy: Any) -> None:
    (catalog_copy.folder / "checkov.yaml").unlink()
    _fails(catalog_copy, "checkov.yaml", "not found")


def test_yaml_syntax_error(catalog_copy: Any) -> None:
    path = catalog_copy.folder / "controls.yaml"
    path.write_text(path.read_text() + "\n  - id: [unclosed\n")
    _fails(catalog_copy, "controls.yaml", "not valid YAML", "line")


def test_file_that_is_not_text(catalog_copy: Any) -> None:
    (catalog_copy.folder / "requirements.yaml").write_bytes(b"\xff\xfe\x00binary")
    _fails(catalog_copy, "requirements.yaml", "not UTF-8 text")


def test_duplicate_yaml_key_is_not_silently_merged(catalog_copy: Any) -> None:
    path = catalog_copy.folder / "checkov.yaml"
    path.write_text(
        "version: 1\ncheckov_version: '3.3.30'\nknown_false_results: []\nchecks:\n"
        "  CKV_AWS_16: {control: IME-ENC-01, enforcement: mandatory}\n"
        "  CKV_AWS_16: {enforcement: ignored, reason: later entry}\n"
    )
    _fails(catalog_copy, "checkov.yaml", "duplicate key 'CKV_AWS_16'")


def test_schema_violation_names_the_entry(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["citations"] = ["164.312 (a)(2)(iv)"]

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "control IME-KEY-01", "citations[0]")


def test_unknown_field_is_refused(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["rego_rules"] = ["deny_x"]

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "control IME-KEY-01", "rego_rules")


def test_duplicate_control_id(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        copy = dict(catalog_copy.control(doc, "IME-GOV-01"))
        copy["manual_evidence"] = []
        copy["inherited"] = "x"
        doc["controls"].append(copy)

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "control IME-GOV-01", "duplicate control id")


def test_citation_not_in_requirements(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["citations"].append("164.312(a)(2)(v)")

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-KEY-01", "164.312(a)(2)(v) is not in")


def test_alias_must_be_written_in_canonical_form(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-GOV-02")["citations"] = ["164.308(a)(1)"]

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "cite 164.308(a)(1)(i)")


def test_duplicate_citation_in_a_control(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["citations"] *= 2

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-KEY-01", "listed twice")


def test_rule_claimed_by_two_controls(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["rego"].append("deny_kms_deletion_window")

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "deny_kms_deletion_window", "already claimed")


def test_rule_name_the_analyzer_would_not_select(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-KEY-01")["rego"] = ["kms_rotation_helper"]

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-KEY-01", "rego[0]")


def test_undeclared_family(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        del doc["families"]["DOC"]

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-DOC-01", "family DOC")


def test_evidence_owner_must_be_a_declared_role(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-GOV-01")["manual_evidence"][0]["owner"] = "ciso"

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-GOV-01", "owner ciso")


def test_evidence_valid_shorter_than_its_period(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-GOV-02")["manual_evidence"][0]["validity_days"] = 200

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "risk-analysis-report", "stale before it is due")


def test_duplicate_evidence_id(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        item = catalog_copy.control(doc, "IME-GOV-02")["manual_evidence"][0]
        catalog_copy.control(doc, "IME-GOV-03")["manual_evidence"].append(dict(item))

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "risk-analysis-report", "already used by IME-GOV-02")


def test_control_with_no_means(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.control(doc, "IME-GOV-01")["manual_evidence"] = []

    catalog_copy.edit("controls.yaml", change)
    _fails(catalog_copy, "controls.yaml", "IME-GOV-01", "names no way it is met")


def test_requirement_out_of_order(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        reqs = doc["requirements"]
        reqs[1], reqs[2] = reqs[2], reqs[1]

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "164.308(a)(1)(ii)(A)", "out of regulation order")


def test_duplicate_requirement(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["requirements"].insert(1, dict(doc["requirements"][0]))

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "164.308(a)(1)(i)", "already listed")


def test_addressable_without_decision(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        del catalog_copy.requirement(doc, "164.312(a)(2)(iii)")["decision"]

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "requirement 164.312(a)(2)(iii)", "decision")


def test_alternative_measure_must_name_the_alternative(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        decision = catalog_copy.requirement(doc, "164.312(a)(2)(iii)")["decision"]
        decision["outcome"] = "alternative-measure"

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "164.312(a)(2)(iii)", "alternative")


def test_addressable_cannot_be_declared_not_applicable(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.requirement(doc, "164.312(a)(2)(iii)")["not_applicable"] = "we say so"

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "164.312(a)(2)(iii)", "not-reasonable")


def test_parent_must_be_a_paragraph_above(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        catalog_copy.requirement(doc, "164.312(c)(2)")["parent"] = "164.312(b)"

    catalog_copy.edit("requirements.yaml", change)
    _fails(catalog_copy, "requirements.yaml", "164.312(c)(2)", "not a paragraph above")


def test_checkov_check_naming_unknown_control(catalog_copy: Any) -> None:
    catalog_copy.edit(
        "checkov.yaml",
        lambda d: d["checks"].update(
            {"CKV_AWS_16": {"control": "IME-ENC-99", "enforcement": "mandatory"}}
        ),
    )
    _fails(catalog_copy, "checkov.yaml", "check CKV_AWS_16", "IME-ENC-99 does not exist")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"control": "IME-ENC-01", "enforcement": "advisory"}, "reason"),
        ({"enforcement": "ignored"}, "reason"),
        ({"enforcement": "mandatory"}, "control"),
        ({"control": "IME-ENC-01", "enforcement": "blocking"}, "blocking"),
    ],
)
def test_checkov_entry_shapes(catalog_copy: Any, spec: dict[str, Any], fragment: str) -> None:
    catalog_copy.edit("checkov.yaml", lambda d: d["checks"].update({"CKV_AWS_16": spec}))
    _fails(catalog_copy, "checkov.yaml", "CKV_AWS_16", fragment)


def test_checkov_id_shape(catalog_copy: Any) -> None:
    catalog_copy.edit(
        "checkov.yaml",
        lambda d: d["checks"].update({"CKV-AWS-16": {"enforcement": "ignored", "reason": "x"}}),
    )
    _fails(catalog_copy, "checkov.yaml", "CKV-AWS-16")


def test_known_false_result_needs_reason(catalog_copy: Any) -> None:
    catalog_copy.edit(
        "checkov.yaml",
        lambda d: d.update(
            known_false_results=[{"check": "CKV_AWS_18", "resource_type": "aws:s3/bucket:Bucket"}]
        ),
    )
    _fails(catalog_copy, "checkov.yaml", "known_false_results[0]", "reason")
