"""Per-control status: automated results, drills, manual evidence, inheritance; worst wins."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from evidence_helpers import drill_journal, gate_controls

from imekit.errors import ImekitError
from imekit.evidence import record_drill_journal, record_run
from imekit.evidence.catalog_view import CatalogView, ControlSpec, ManualSpec, RequirementSpec
from imekit.evidence.manual import add_manual_evidence
from imekit.evidence.status import compute_status
from imekit.evidence.stores import FolderStore
from imekit.status import Status

NOW = datetime.now(UTC)
TODAY = NOW.date()

SMALL = CatalogView(
    controls=[
        ControlSpec("IME-ENC-01", "Encrypted", ("164.312(a)(2)(iv)",), rego=("deny_x",)),
        ControlSpec(
            "IME-INT-01",
            "Integrity",
            ("164.312(c)(1)",),
            rego=("deny_y",),
            drills=("s3-ransomware-restore",),
        ),
        ControlSpec(
            "IME-GOV-02",
            "Risk analysis",
            ("164.308(a)(1)(ii)(A)",),
            manual=(ManualSpec("risk-analysis-report", "Risk analysis", "so", "annual", 395),),
        ),
        ControlSpec(
            "IME-PHY-01",
            "Facility",
            ("164.310(a)(1)",),
            inherited="AWS data centres",
        ),
        ControlSpec("IME-DOC-09", "Nothing", ("164.316(a)",)),
    ],
    requirements=[
        RequirementSpec("164.312(a)(1)", "Access control", kind="standard"),
        RequirementSpec("164.312(a)(2)(iv)", "Encryption", parent="164.312(a)(1)"),
        RequirementSpec("164.312(c)(1)", "Integrity"),
        RequirementSpec("164.308(a)(1)(ii)(A)", "Risk analysis"),
        RequirementSpec("164.310(a)(1)", "Facility access"),
        RequirementSpec("164.314(b)(1)", "Group health plans", not_applicable="no plan"),
        RequirementSpec("164.314(b)(2)(i)", "Plan documents", parent="164.314(b)(1)"),
        RequirementSpec("164.316(a)", "Policies"),
        RequirementSpec("164.316(b)(1)", "Documentation"),
    ],
    version="test",
)


def _gate(store: FolderStore, status: str, stack: str = "dev", control: str = "IME-ENC-01"):
    return record_run(
        "gate",
        controls={control: status, "IME-INT-01": "pass"},
        result=status,
        started=NOW,
        ended=NOW,
        stack=stack,
        store=store,
    )


def _by_id(report):
    return {c.control.id: c for c in report.controls}


def test_fresh_state_is_never_a_pass() -> None:
    report = compute_status(SMALL, [])
    status = {k: v.status for k, v in _by_id(report).items()}
    assert status == {
        "IME-ENC-01": Status.UNKNOWN,  # no gate run yet
        "IME-INT-01": Status.UNKNOWN,
        "IME-GOV-02": Status.MISSING,
        "IME-PHY-01": Status.INHERITED,
        "IME-DOC-09": Status.UNKNOWN,  # the catalog names no evidence for it
    }
    assert not report.satisfied


def test_latest_gate_per_stack_counts_and_worst_wins(store: FolderStore) -> None:
    _gate(store, "fail", "dev")
    _gate(store, "pass", "dev")
    assert _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"].status is Status.PASS
    _gate(store, "fail", "prod")
    control = _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"]
    assert control.status is Status.FAIL
    assert control.entries == [2, 3]
    _gate(store, "waived", "prod")
    assert _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"].status is Status.WAIVED


def test_a_run_over_several_stacks_speaks_for_each(store: FolderStore) -> None:
    _gate(store, "fail", "dev,prod")
    _gate(store, "pass", "dev")
    control = _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"]
    assert control.status is Status.FAIL  # prod's latest result is still the failing run
    assert [p.name for p in control.parts] == ["gate on stack dev", "gate on stack prod"]
    _gate(store, "pass", "prod")
    assert _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"].status is Status.PASS


def test_an_old_automated_pass_is_stale_and_an_old_fail_stays_a_fail(store: FolderStore) -> None:
    from imekit.evidence.status import AUTOMATED_VALIDITY_DAYS

    _gate(store, "pass", "dev")
    soon = datetime.now(UTC) + timedelta(days=AUTOMATED_VALIDITY_DAYS - 1)
    later = datetime.now(UTC) + timedelta(days=AUTOMATED_VALIDITY_DAYS + 1)
    assert _by_id(compute_status(SMALL, store.entries(), soon))["IME-ENC-01"].status is (
        Status.PASS
    )
    control = _by_id(compute_status(SMALL, store.entries(), later))["IME-ENC-01"]
    assert control.status is Status.STALE
    assert f"older than {AUTOMATED_VALIDITY_DAYS} days" in control.parts[0].reason
    _gate(store, "fail", "prod")
    much_later = datetime.now(UTC) + timedelta(days=10 * AUTOMATED_VALIDITY_DAYS)
    assert _by_id(compute_status(SMALL, store.entries(), much_later))["IME-ENC-01"].status is (
        Status.FAIL
    )


def test_gating_another_program_does_not_replace_this_ones_result(
    store: FolderStore, tmp_path: Path
) -> None:
    other = tmp_path / "other-program"
    other.mkdir()
    _gate(store, "fail", "dev")
    record_run(
        "gate",
        controls={"IME-ENC-01": "pass", "IME-INT-01": "pass"},
        result="pass",
        started=NOW,
        ended=NOW,
        stack="dev",
        program=other,
        store=store,
    )
    control = _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"]
    assert control.status is Status.FAIL  # the first program's dev result still counts
    assert len(control.parts) == 2 and any("other-program" in p.name for p in control.parts)


def test_policy_tests_alone_do_not_prove_a_control(store: FolderStore) -> None:
    record_run(
        "policy-test",
        controls={"IME-ENC-01": "pass"},
        result="pass",
        started=NOW,
        ended=NOW,
        store=store,
    )
    control = _by_id(compute_status(SMALL, store.entries()))["IME-ENC-01"]
    assert control.status is Status.UNKNOWN


def test_drills_missing_pass_fail_and_stale(store: FolderStore) -> None:
    _gate(store, "pass")
    int01 = lambda: _by_id(compute_status(SMALL, store.entries()))["IME-INT-01"]  # noqa: E731
    assert int01().status is Status.MISSING
    record_drill_journal(drill_journal(status="passed", run_suffix="000001"), store=store)
    assert int01().status is Status.PASS
    record_drill_journal(drill_journal(status="deviated", run_suffix="000002"), store=store)
    assert int01().status is Status.FAIL
    record_drill_journal(drill_journal(status="passed", run_suffix="000003"), store=store)
    assert int01().status is Status.PASS
    later = NOW + timedelta(days=400)
    stale = _by_id(compute_status(SMALL, store.entries(), later))["IME-INT-01"]
    assert stale.status is Status.STALE
    assert "older than 395 days" in stale.parts[-1].reason


def test_status_at_a_past_moment_ignores_later_entries(store: FolderStore) -> None:
    _gate(store, "pass")
    time.sleep(0.002)  # entries carry millisecond timestamps
    before = datetime.now(UTC)
    time.sleep(0.002)
    _gate(store, "fail")
    assert _by_id(compute_status(SMALL, store.entries(), before))["IME-ENC-01"].status is (
        Status.PASS
    )


def test_manual_evidence_missing_then_valid_then_stale(store: FolderStore, tmp_path: Path) -> None:
    document = tmp_path / "risk-analysis.pdf"
    document.write_bytes(b"%PDF-1.7 risk analysis")
    gov = lambda at=None: _by_id(compute_status(SMALL, store.entries(), at))["IME-GOV-02"]  # noqa: E731
    assert gov().status is Status.MISSING
    entry = add_manual_evidence(
        control="IME-GOV-02",
        file=document,
        owner="Ada Official",
        reviewer="Bo Auditor",
        valid_until=TODAY + timedelta(days=30),
        catalog=SMALL,
        store=store,
    )
    assert entry.manual["item"] == "risk-analysis-report"
    assert store.read_blob(entry.doc["attachments"][0]["sha256"]) == document.read_bytes()
    assert gov().status is Status.PASS
    expired = gov(NOW + timedelta(days=31))
    assert expired.status is Status.STALE
    assert "expired on" in expired.parts[0].reason


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"control": "IME-NOPE-01"}, "unknown control"),
        ({"control": "IME-ENC-01"}, "needs no manual evidence"),
        ({"control": "IME-PHY-01"}, "needs no manual evidence"),
        ({"valid_until": TODAY - timedelta(days=1)}, "in the past"),
        ({"valid_until": TODAY + timedelta(days=396)}, "beyond what the catalog allows"),
        ({"valid_until": "31/12/2030"}, "not a date"),
        ({"reviewer": "ada official"}, "someone other than the owner"),
        ({"item": "wrong-item"}, "no evidence item"),
    ],
)
def test_manual_evidence_refusals(
    store: FolderStore, tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("evidence")
    args: dict[str, object] = {
        "control": "IME-GOV-02",
        "file": document,
        "owner": "Ada Official",
        "reviewer": "Bo Auditor",
        "valid_until": TODAY + timedelta(days=10),
        "catalog": SMALL,
        "store": store,
    }
    args.update(changes)
    with pytest.raises(ImekitError, match=message):
        add_manual_evidence(**args)  # type: ignore[arg-type]
    assert store.entry_seqs() == []


def test_manual_evidence_with_several_items_needs_item(
    store: FolderStore, tmp_path: Path, real_catalog: CatalogView
) -> None:
    document = tmp_path / "plan.txt"
    document.write_text("incident response plan")
    with pytest.raises(ImekitError, match="several documents") as raised:
        add_manual_evidence(
            control="IME-IR-01",
            file=document,
            owner="A",
            reviewer="B",
            valid_until=TODAY,
            catalog=real_catalog,
            store=store,
        )
    assert "incident-response-plan" in (raised.value.hint or "")
    entry = add_manual_evidence(
        control="IME-IR-01",
        item="incident-response-plan",
        file=document,
        owner="A",
        reviewer="B",
        valid_until=TODAY,
        catalog=real_catalog,
        store=store,
    )
    assert entry.manual["valid_until"] == TODAY.isoformat()


def test_citations_roll_up_and_not_applicable_is_inherited(store: FolderStore) -> None:
    _gate(store, "pass")
    citations = {
        c.requirement.citation: c for c in compute_status(SMALL, store.entries()).citations
    }
    assert citations["164.312(a)(2)(iv)"].status is Status.PASS
    assert citations["164.312(a)(1)"].status is Status.PASS  # rolled up from its specification
    assert citations["164.310(a)(1)"].status is Status.INHERITED
    assert citations["164.314(b)(1)"].status is Status.NOT_APPLICABLE
    assert citations["164.314(b)(2)(i)"].status is Status.NOT_APPLICABLE  # via its parent
    assert citations["164.316(b)(1)"].status is Status.UNKNOWN  # no control covers it
    assert citations["164.308(a)(1)(ii)(A)"].status is Status.MISSING


def test_real_catalog_fresh_status_counts(real_catalog: CatalogView, store: FolderStore) -> None:
    record_run(
        "gate",
        controls=gate_controls(real_catalog),
        result="pass",
        started=NOW,
        ended=NOW,
        stack="dev",
        store=store,
    )
    report = compute_status(real_catalog, store.entries())
    by_id = _by_id(report)
    gate_only = [c for c in real_catalog.controls if c.automated and not (c.drills or c.manual)]
    with_drill = [c for c in real_catalog.controls if c.automated and c.drills]
    assert gate_only and with_drill
    assert all(by_id[c.id].status is Status.PASS for c in gate_only)
    assert all(by_id[c.id].status is Status.MISSING for c in with_drill)  # drills never ran
    assert by_id["IME-PHY-01"].status is Status.MISSING  # inherited, but its review is missing
    assert sum(report.counts().values()) == len(real_catalog.controls)
    assert date.fromisoformat(report.to_json()["at"][:10]) == TODAY


def test_drill_frequency_from_the_runbook_sets_staleness(
    real_catalog: CatalogView, store: FolderStore
) -> None:
    assert real_catalog.drill_validity_days["s3-ransomware-restore"] == 100  # quarterly
    record_drill_journal(drill_journal(), store=store)
    part = lambda at: next(  # noqa: E731
        p
        for p in _by_id(compute_status(real_catalog, store.entries(), at))["IME-INT-01"].parts
        if p.source == "drill"
    )
    assert part(NOW + timedelta(days=99)).status is Status.PASS
    assert part(NOW + timedelta(days=101)).status is Status.STALE


def test_a_standard_failed_by_its_specification_says_so(store: FolderStore) -> None:
    """The standard's own control passes, one of its specifications fails: the standard
    fails, and its reason names the specifications rather than only its passing control."""
    catalog = CatalogView(
        controls=[
            ControlSpec("IME-TLS-01", "In transit", ("164.312(e)(1)",), rego=("deny_a",)),
            ControlSpec("IME-TLS-02", "Encrypted", ("164.312(e)(2)(ii)",), rego=("deny_b",)),
        ],
        requirements=[
            RequirementSpec("164.312(e)(1)", "Transmission security", kind="standard"),
            RequirementSpec("164.312(e)(2)(ii)", "Encryption", parent="164.312(e)(1)"),
        ],
    )
    record_run(
        "gate",
        controls={"IME-TLS-01": "pass", "IME-TLS-02": "fail"},
        result="fail",
        started=NOW,
        ended=NOW,
        stack="dev",
        store=store,
    )
    citations = {
        c.requirement.citation: c for c in compute_status(catalog, store.entries()).citations
    }
    standard = citations["164.312(e)(1)"]
    assert standard.status is Status.FAIL
    assert standard.controls == ["IME-TLS-01"]
    assert standard.reason == "worst of IME-TLS-01 and its implementation specifications"
    assert citations["164.312(e)(2)(ii)"].reason == "worst of IME-TLS-02"
