"""What the gate reads from the catalog: which controls its checks decide."""

from __future__ import annotations

from imekit.catalog import load_catalog
from imekit.gate.catalog_view import control_specs, is_mandatory_check


def test_controls_resting_on_documents_are_only_checked_in_part() -> None:
    catalog = load_catalog()
    specs = {s.control_id: s for s in control_specs(catalog, with_checkov=True)}
    # A risk analysis supported by advisory AWS Config checks is not decided by the gate.
    gov = specs["IME-GOV-02"]
    assert gov.decided is False and gov.manual_evidence == ("risk-analysis-report",)
    assert not any(is_mandatory_check(catalog, c) for c in gov.checks)
    # A technical control decided by mandatory checks (drills exercise it besides).
    enc = specs["IME-ENC-01"]
    assert enc.decided is True and enc.drills == ("rds-database-restore",)
    for spec in specs.values():
        control = catalog.controls[spec.control_id]
        mandatory = any(is_mandatory_check(catalog, c) for c in control.checks)
        assert spec.decided is (mandatory and not control.manual_evidence), spec.control_id


def test_check_levels_follow_rule_names_and_the_checkov_mapping() -> None:
    catalog = load_catalog()
    assert is_mandatory_check(catalog, "deny_rds_public")
    assert is_mandatory_check(catalog, "stack_deny_cloudtrail_required")
    assert not is_mandatory_check(catalog, "stack_warn_security_alarms")
    assert is_mandatory_check(catalog, "CKV_AWS_16")
    assert not is_mandatory_check(catalog, "CKV_AWS_144")  # advisory in checkov.yaml
