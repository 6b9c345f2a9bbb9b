"""Waiver loading (strict, fail-closed) and application (live, expired, unmatched)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from imekit.errors import ImekitError
from imekit.findings import MANDATORY, Finding
from imekit.status import Status
from imekit.waivers import apply_waivers, load_waivers, parse_waivers

TODAY = dt.date(2026, 6, 1)
URN_DB = "urn:pulumi:dev::ime-platform::imekit:data:Database$aws:rds/instance:Instance::db"
URN_BUCKET = "urn:pulumi:dev::ime-platform::aws:s3/bucket:Bucket::phi-records"


def _entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "W-1",
        "rule": "deny_rds_force_ssl",
        "resource": "urn:pulumi:dev::ime-platform::*::db",
        "justification": "legacy client, TLS proxy in front",
        "approver": "security-officer",
        "expires": dt.date(2026, 12, 31),
    }
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def _finding(rule: str = "deny_rds_force_ssl", urn: str = URN_DB, stack: str = "dev") -> Finding:
    return Finding(
        check_id=rule,
        engine="rego",
        enforcement=MANDATORY,
        stack=stack,
        urn=urn,
        resource_type="aws:rds/instance:Instance",
        message="[IME-TLS-01] database does not force SSL",
    )


def test_loads_a_valid_file_with_dates_quoted_or_not(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "- id: W-1\n"
        "  rule: deny_rds_force_ssl\n"
        "  resource: 'urn:pulumi:dev::ime-platform::*::db'\n"
        "  stack: dev\n"
        "  justification: legacy client\n"
        "  approver: ciso\n"
        "  expires: 2026-12-31\n"
        "- id: W-2\n"
        "  rule: CKV_AWS_16\n"
        "  resource: '*'\n"
        "  justification: x\n"
        "  approver: y\n"
        "  expires: '2027-01-02'\n",
        encoding="utf-8",
    )
    waivers = load_waivers(path)
    assert [w.id for w in waivers] == ["W-1", "W-2"]
    assert waivers[0].stack == "dev"
    assert waivers[0].expires == dt.date(2026, 12, 31)
    assert waivers[1].expires == dt.date(2027, 1, 2)
    assert waivers[1].stack is None


def test_mapping_form_is_accepted() -> None:
    assert [w.id for w in parse_waivers({"waivers": [_entry()]})] == ["W-1"]


@pytest.mark.parametrize(
    ("entry", "field", "why"),
    [
        (_entry(justification=None), "justification", "is missing"),
        (_entry(approver="  "), "approver", "non-empty"),
        (_entry(expires="next year"), "expires", "must be a date"),
        (_entry(expires=dt.datetime(2026, 1, 1, 12, 0)), "expires", "must be a date"),
        (_entry(expire="2026-01-01"), "expire", "is not a waiver field"),
        (_entry(rule="deny rds"), "rule", "is not a check id"),
        (_entry(id=7), "id", "non-empty string"),
        (_entry(stack=""), "stack", "non-empty"),
    ],
)
def test_malformed_entry_names_entry_and_field(entry: dict, field: str, why: str) -> None:
    with pytest.raises(ImekitError) as info:
        parse_waivers([_entry(id="W-0"), entry], source="w.yaml")
    text = str(info.value)
    assert "w.yaml: waiver entry 2" in text
    assert f"field '{field}'" in text
    assert why in text


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ImekitError, match="field 'id' duplicates 'W-1'"):
        parse_waivers([_entry(), _entry()])


def test_top_level_must_be_a_list() -> None:
    with pytest.raises(ImekitError, match="list"):
        parse_waivers("W-1")
    with pytest.raises(ImekitError, match="single key 'waivers'"):
        parse_waivers({"waiver": []})


def test_unknown_check_is_refused_when_the_catalog_is_known() -> None:
    with pytest.raises(ImekitError, match="names no known check: 'deny_rds_force_tls'"):
        parse_waivers(
            [_entry(rule="deny_rds_force_tls")], is_known_check=lambda r: r == "deny_rds_force_ssl"
        )


def test_addressable_control_requires_alternative_measure() -> None:
    with pytest.raises(ImekitError, match="alternative_measure.*addressable"):
        parse_waivers([_entry()], needs_alternative=lambda rule: True)
    waivers = parse_waivers(
        [_entry(alternative_measure="TLS terminated at the proxy in the same subnet")],
        needs_alternative=lambda rule: True,
    )
    assert waivers[0].alternative_measure.startswith("TLS terminated")
    # a required specification does not ask for one
    assert parse_waivers([_entry()], needs_alternative=lambda rule: False)


def test_invalid_yaml_and_missing_file_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ImekitError, match="invalid YAML: line 2"):
        load_waivers(bad)
    with pytest.raises(ImekitError, match="cannot read waivers"):
        load_waivers(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # PyYAML alone would keep the later, live date and waive with an expired waiver.
        ("expires: 2020-01-01\n  expires: 2099-01-01\n", "duplicate key 'expires'"),
        ("expires: 2026-02-30\n", "got '2026-02-30'"),  # not a day: no internal error
        ("expires: 20991231\n", "got 20991231"),
        ("expires: 2099-W01-1\n", "got '2099-W01-1'"),
        ("expires: 2099-01-01T00:00:00\n", "got '2099-01-01T00:00:00'"),
    ],
)
def test_a_waiver_file_is_read_strictly(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "- id: W-1\n  rule: deny_rds_public\n  resource: '*'\n  justification: j\n"
        "  approver: a\n  " + text,
        encoding="utf-8",
    )
    with pytest.raises(ImekitError, match=re.escape(why)):
        load_waivers(path)


def test_a_binary_waiver_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(b"\xff\xfe- id: W-1\n")
    with pytest.raises(ImekitError, match="not UTF-8 text"):
        load_waivers(path)


def test_empty_file_means_no_waivers(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("", encoding="utf-8")
    assert load_waivers(path) == []


def test_live_waiver_waives_matching_finding_only() -> None:
    waivers = parse_waivers([_entry()])
    hit, other_rule, other_urn = (
        _finding(),
        _finding(rule="deny_rds_public"),
        _finding(urn=URN_BUCKET),
    )
    report = apply_waivers([hit, other_rule, other_urn], waivers, today=TODAY)
    assert hit.status is Status.WAIVED
    assert hit.waiver is not None and hit.waiver["approver"] == "security-officer"
    assert hit.waiver["expires"] == "2026-12-31"
    assert not hit.blocking
    assert other_rule.status is Status.FAIL and other_rule.blocking
    assert other_urn.status is Status.FAIL
    assert [u.waiver.id for u in report.applied] == ["W-1"]
    assert report.applied[0].matched == 1
    assert report.unmatched == [] and report.expired == [] and report.expiring_soon == []


def test_stack_scoped_waiver_does_not_cross_stacks() -> None:
    waivers = parse_waivers([_entry(stack="prod", resource="*")])
    finding = _finding()
    report = apply_waivers([finding], waivers, today=TODAY, stacks=["dev"])
    assert finding.status is Status.FAIL
    assert report.unmatched[0].note == "stack prod was not gated in this run"


def test_expired_waiver_no_longer_applies_and_says_so() -> None:
    waivers = parse_waivers([_entry(expires=dt.date(2026, 5, 31))])
    finding = _finding()
    report = apply_waivers([finding], waivers, today=TODAY)
    assert finding.status is Status.FAIL and finding.blocking
    assert finding.notes == ["waiver W-1 expired on 2026-05-31; the finding counts"]
    assert [u.waiver.id for u in report.expired] == ["W-1"]
    assert report.expired[0].matched == 1
    assert report.applied == []


def test_waiver_applies_on_its_last_day_and_warns() -> None:
    waivers = parse_waivers([_entry(expires=TODAY)])
    finding = _finding()
    report = apply_waivers([finding], waivers, today=TODAY)
    assert finding.status is Status.WAIVED
    assert [u.waiver.id for u in report.expiring_soon] == ["W-1"]
    assert report.expiring_soon[0].note == "expires in 0 day(s)"


def test_expiring_within_30_days_is_reported_but_31_is_not() -> None:
    waivers = parse_waivers(
        [
            _entry(id="W-30", expires=TODAY + dt.timedelta(days=30)),
            _entry(id="W-31", expires=TODAY + dt.timedelta(days=31)),
        ]
    )
    report = apply_waivers([], waivers, today=TODAY)
    assert [u.waiver.id for u in report.expiring_soon] == ["W-30"]
    assert sorted(u.waiver.id for u in report.unmatched) == ["W-30", "W-31"]


def test_glob_matches_urn_and_first_waiver_wins() -> None:
    waivers = parse_waivers(
        [
            _entry(id="W-A", resource="urn:pulumi:dev::*::db"),
            _entry(id="W-B", resource="*"),
        ]
    )
    finding = _finding()
    report = apply_waivers([finding], waivers, today=TODAY)
    assert finding.waiver is not None and finding.waiver["id"] == "W-A"
    assert [u.waiver.id for u in report.unmatched] == ["W-B"]


def test_report_json_lists_every_category() -> None:
    waivers = parse_waivers([_entry(), _entry(id="W-2", expires=dt.date(2020, 1, 1))])
    report = apply_waivers([_finding()], waivers, today=TODAY, source="w.yaml")
    data = report.to_json()
    assert data["source"] == "w.yaml"
    assert [w["id"] for w in data["applied"]] == ["W-1"]
    assert [w["id"] for w in data["expired"]] == ["W-2"]
    assert data["expired"][0]["note"].startswith("expired on 2020-01-01")
