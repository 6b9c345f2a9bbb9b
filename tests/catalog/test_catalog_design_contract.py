"""The control ids, rule names and citations agreed across the kit are in the catalog.

Other parts of the kit (the pack, waivers, reports, evidence) use these names; the catalog
may add controls, rules and citations, but never lose or move these.
"""

from __future__ import annotations

import pytest

from imekit.catalog import Catalog

AGREED = {
    "IME-ENC-01": (
        ["164.312(a)(2)(iv)"],
        [
            "deny_s3_bucket_cmk_encryption",
            "deny_rds_cmk_encryption",
            "deny_ebs_cmk_encryption",
            "deny_secret_cmk_encryption",
        ],
    ),
    "IME-ENC-02": (
        ["164.312(a)(2)(iv)", "164.312(b)", "164.312(c)(1)"],
        [
            "deny_log_group_cmk_encryption",
            "deny_sns_topic_cmk_encryption",
            "deny_backup_vault_cmk_encryption",
            "deny_cloudtrail_cmk_encryption",
        ],
    ),
    "IME-KEY-01": (["164.312(a)(2)(iv)"], ["deny_kms_key_rotation"]),
    "IME-KEY-02": (["164.312(a)(2)(iv)", "164.308(a)(7)(ii)(A)"], ["deny_kms_deletion_window"]),
    "IME-KEY-03": (["164.312(a)(1)"], ["deny_kms_wildcard_principal"]),
    "IME-TLS-01": (
        ["164.312(e)(1)", "164.312(e)(2)(ii)"],
        ["deny_s3_tls_only", "deny_rds_force_ssl", "deny_lb_listener_tls"],
    ),
    "IME-ACC-01": (
        ["164.312(a)(1)", "164.308(a)(4)(ii)(B)"],
        ["deny_s3_public_access_block", "deny_rds_public"],
    ),
    "IME-IAM-01": (
        ["164.308(a)(4)(ii)(B)", "164.308(a)(4)(ii)(C)", "164.312(a)(1)"],
        ["deny_iam_admin_wildcard_policy", "deny_iam_user_attached_policy"],
    ),
    "IME-IAM-02": (
        ["164.312(d)", "164.312(a)(1)"],
        ["deny_phi_access_without_mfa", "deny_cognito_mfa"],
    ),
    "IME-IAM-03": (
        ["164.308(a)(5)(ii)(D)", "164.312(d)"],
        ["deny_iam_password_policy", "deny_cognito_password_policy"],
    ),
    "IME-AUD-01": (["164.312(b)", "164.308(a)(1)(ii)(D)"], ["stack_deny_cloudtrail_required"]),
    "IME-AUD-02": (
        ["164.312(b)"],
        ["stack_deny_phi_bucket_data_events", "deny_s3_phi_access_logging"],
    ),
    "IME-AUD-03": (["164.316(b)(2)(i)", "164.312(b)"], ["deny_log_group_retention"]),
    "IME-AUD-04": (
        ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"],
        ["stack_warn_security_alarms"],
    ),
    "IME-INT-01": (
        ["164.312(c)(1)", "164.312(c)(2)"],
        ["deny_s3_phi_versioning", "deny_s3_phi_object_lock"],
    ),
    "IME-BAK-01": (
        ["164.308(a)(7)(ii)(A)"],
        ["stack_deny_phi_backup_selection", "deny_backup_plan_retention"],
    ),
    "IME-BAK-02": (["164.308(a)(7)(ii)(A)", "164.312(c)(1)"], ["stack_deny_backup_vault_lock"]),
    "IME-BAK-03": (
        ["164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"],
        ["deny_rds_backup_retention", "deny_rds_deletion_protection"],
    ),
    "IME-DAT-01": (["164.308(a)(1)(ii)(A)", "164.310(d)(1)"], ["deny_data_class_tag"]),
}

DRILLS = {
    "s3-ransomware-restore",
    "rds-database-restore",
    "iam-leaked-access-key",
    "kms-key-disabled",
    "cloudtrail-logging-stopped",
    "s3-public-access-removed",
    "backup-recovery-point-restore",
    "incident-response-tabletop",
}


@pytest.mark.parametrize("control_id", sorted(AGREED))
def test_agreed_control_keeps_its_rules_and_citations(catalog: Catalog, control_id: str) -> None:
    citations, rules = AGREED[control_id]
    control = catalog.controls[control_id]
    assert set(citations) <= set(control.citations)
    assert set(rules) <= set(control.rego)
    for rule in rules:
        assert catalog.control_for_rule(rule) is control


def test_drill_controls(catalog: Catalog) -> None:
    assert set(catalog.drills()) == DRILLS
    assert "164.308(a)(6)(ii)" in catalog.controls["IME-IR-01"].citations
    assert {"164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"} <= set(
        catalog.controls["IME-CP-01"].citations
    )
    assert catalog.controls["IME-CP-02"].citations == ("164.308(a)(7)(ii)(D)",)
    # Restore drills test the contingency plan; every drill exercises a technical control.
    assert set(catalog.controls["IME-CP-02"].drills) == {
        "s3-ransomware-restore",
        "rds-database-restore",
        "backup-recovery-point-restore",
    }
    assert "incident-response-tabletop" in catalog.controls["IME-IR-01"].drills
    plans = {"IME-IR-01", "IME-CP-01", "IME-CP-02"}
    for drill, control_ids in catalog.drills().items():
        if drill != "incident-response-tabletop":
            assert set(control_ids) - plans, f"{drill} exercises no technical control"


def test_families_are_the_agreed_prefixes(catalog: Catalog) -> None:
    technical = {"ENC", "KEY", "TLS", "ACC", "IAM", "AUD", "INT", "BAK", "DAT"}
    administrative = {"GOV", "WFS", "IR", "CP", "BAA", "PHY", "DOC"}
    assert set(catalog.families) == technical | administrative
    assert {c.family for c in catalog.controls.values()} == technical | administrative
