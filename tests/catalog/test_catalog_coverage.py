"""Coverage: every requirement is met by a control or a documented reason, and gaps show."""

from __future__ import annotations

from typing import Any

from imekit.catalog import Catalog
from imekit.catalog.coverage import compute_coverage
from imekit.status import Status


def _row(report: Any, citation: str) -> Any:
    return next(r for r in report.rows if r.requirement.citation == citation)


def test_the_kit_catalog_has_no_gap(catalog: Catalog) -> None:
    report = compute_coverage(catalog)
    assert report.gaps == []
    totals = report.totals
    assert totals["leaves"] == 55
    assert totals["required_leaves"] == 33 and totals["addressable_leaves"] == 22
    assert totals["covered_leaves"] == 55 and totals["gaps"] == 0
    assert [r.requirement.citation for r in report.rows] == list(catalog.requirements)


def test_how_each_requirement_is_met(catalog: Catalog) -> None:
    report = compute_coverage(catalog)
    encryption = _row(report, "164.312(a)(2)(iv)")
    assert "automated" in encryption.means and "decision" in encryption.means
    assert "deny_s3_bucket_cmk_encryption" in encryption.checks
    assert encryption.status is Status.UNKNOWN  # the catalog alone never says pass

    testing = _row(report, "164.308(a)(7)(ii)(D)")
    assert "drills" in testing.means and "s3-ransomware-restore" in testing.drills

    facility = _row(report, "164.310(a)(2)(ii)")
    assert facility.status is Status.INHERITED and facility.inherited_by == ("IME-PHY-01",)

    clearinghouse = _row(report, "164.308(a)(4)(ii)(A)")
    assert clearinghouse.status is Status.NOT_APPLICABLE and clearinghouse.controls == ()
    assert "clearinghouse" in clearinghouse.not_applicable

    # group health plan specifications inherit the standard's not-applicable rationale
    sponsor = _row(report, "164.314(b)(2)(iii)")
    assert sponsor.status is Status.NOT_APPLICABLE
    assert sponsor.not_applicable.startswith("164.314(b)(1) does not apply")

    risk = _row(report, "164.308(a)(1)(ii)(A)")
    assert "risk-analysis-report" in risk.manual_evidence


def test_advisory_only_checks_are_told_apart(catalog: Catalog) -> None:
    """Checks that can only warn (AWS Config for the risk analysis, Multi-AZ for emergency
    mode) cover a requirement differently from checks that fail the gate."""
    report = compute_coverage(catalog)
    emergency = _row(report, "164.308(a)(7)(ii)(C)")
    assert "automated" in emergency.means and emergency.advisory_only
    assert not any(catalog.is_mandatory(c) for c in emergency.checks)
    encryption = _row(report, "164.312(a)(2)(iv)")
    assert not encryption.advisory_only
    only = [r for r in report.rows if r.is_leaf and r.advisory_only]
    assert report.totals["leaves_by_advisory_checks_only"] == len(only) > 0
    assert emergency.to_json()["advisory_only"] is True


def test_removing_the_only_control_opens_a_gap(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["controls"] = [c for c in doc["controls"] if c["id"] != "IME-IAM-05"]

    catalog_copy.edit("controls.yaml", change)
    report = compute_coverage(catalog_copy.load())
    gap = _row(report, "164.312(a)(2)(ii)")
    assert not gap.covered and gap.status is Status.MISSING
    assert "required" in gap.gaps[0]
    assert [g.requirement.citation for g in report.gaps] == ["164.312(a)(2)(ii)"]
    assert report.totals["gaps"] == 1
    standard = _row(report, "164.312(a)(1)")
    assert not standard.covered and standard.status is Status.MISSING
    assert "164.312(a)(2)(ii)" in standard.gaps[0]


def test_addressable_decided_implemented_needs_a_control(catalog_copy: Any) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["controls"] = [c for c in doc["controls"] if c["id"] != "IME-IAM-06"]

    catalog_copy.edit("controls.yaml", change)
    gap = _row(compute_coverage(catalog_copy.load()), "164.312(a)(2)(iii)")
    assert not gap.covered
    assert "implemented but no control cites it" in gap.gaps[0]


def test_addressable_assessed_not_reasonable_is_covered_by_its_rationale(
    catalog_copy: Any,
) -> None:
    def controls(doc: dict[str, Any]) -> None:
        doc["controls"] = [c for c in doc["controls"] if c["id"] != "IME-IAM-06"]

    def requirements(doc: dict[str, Any]) -> None:
        catalog_copy.requirement(doc, "164.312(a)(2)(iii)")["decision"] = {
            "outcome": "not-reasonable-and-appropriate",
            "rationale": "no interactive sessions reach PHI",
        }

    catalog_copy.edit("controls.yaml", controls)
    catalog_copy.edit("requirements.yaml", requirements)
    row = _row(compute_coverage(catalog_copy.load()), "164.312(a)(2)(iii)")
    assert row.covered and row.status is Status.NOT_APPLICABLE
    assert row.means == ("decision",)


def test_json_shape(catalog: Catalog) -> None:
    data = compute_coverage(catalog).to_json()
    assert data["catalog_version"] == catalog.version
    first = data["requirements"][0]
    assert set(first) >= {"citation", "covered", "status", "means", "controls", "decision"}
    assert data["totals"]["gaps"] == 0
