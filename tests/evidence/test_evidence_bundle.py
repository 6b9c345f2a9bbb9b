"""Export after a gate run and a drill, then verify; every kind of tampering is caught and
named."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from evidence_helpers import (
    ENDED,
    EXPECTED_FILES,
    build_bundle,
    gate_controls,
    read_zip,
    write_zip,
)

from imekit.errors import ImekitError
from imekit.evidence import record_run
from imekit.evidence.canonical import sha256_hex
from imekit.evidence.catalog_view import CatalogView
from imekit.evidence.export.bundle import export_bundle
from imekit.evidence.signing import Signer
from imekit.evidence.stores import FolderStore
from imekit.evidence.verify import verify_bundle
from imekit.status import Status, worst


@pytest.fixture
def members(bundle: Path) -> dict[str, bytes]:
    return read_zip(bundle)


def _resign(members: dict[str, bytes], signer: Signer) -> dict[str, bytes]:
    """What an attacker does after editing: rewrite the manifest and sign it again."""
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = {
        name: {"sha256": sha256_hex(data), "size": len(data)}
        for name, data in sorted(members.items())
        if name not in ("manifest.json", "signature.json")
    }
    manifest["signer"] = {"key_id": signer.key_id}
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    signature = {"schema": "imekit.evidence-signature/v1", "signed_file": "manifest.json"}
    signature.update(signer.sign(data))
    return {**members, "manifest.json": data, "signature.json": json.dumps(signature).encode()}


def _verify(tmp_path: Path, members: dict[str, bytes], pinned: bytes | None = None) -> Any:
    return verify_bundle(write_zip(tmp_path / "tampered.zip", members), public_key=pinned)


# -- the happy path ------------------------------------------------------------------------


def test_bundle_holds_exactly_the_documented_files(members: dict[str, bytes]) -> None:
    assert sorted(members) == EXPECTED_FILES
    assert list(members)[:2] == ["manifest.json", "signature.json"]


def test_untouched_bundle_verifies_pinned_and_unpinned(bundle: Path, signer: Signer) -> None:
    pinned = verify_bundle(bundle, public_key=signer.public_raw)
    assert pinned.ok, pinned.problems
    assert (pinned.first_seq, pinned.last_seq) == (1, 3)
    assert pinned.key_id == signer.key_id
    assert not any("not pinned" in note for note in pinned.notes)
    assert any("store's own head" in note for note in pinned.notes)
    unpinned = verify_bundle(bundle)
    assert unpinned.ok
    assert any("signer was not pinned" in note for note in unpinned.notes)


def _expected_status(control: Any) -> str:
    """An independent reading of the status rules for this bundle's evidence."""
    parts = []
    if control.automated:
        parts.append(Status.FAIL if control.id == "IME-KEY-02" else Status.PASS)
    for drill in control.drills:
        parts.append(Status.PASS if drill == "s3-ransomware-restore" else Status.MISSING)
    for item in control.manual:
        done = (control.id, item.id) == ("IME-GOV-02", "risk-analysis-report")
        parts.append(Status.PASS if done else Status.MISSING)
    if control.inherited:
        parts.append(Status.INHERITED)
    return worst(parts).value if parts else Status.UNKNOWN.value


def test_status_in_bundle_reflects_gate_drill_and_manual_evidence(
    members: dict[str, bytes], real_catalog: CatalogView
) -> None:
    status = json.loads(members["status/status.json"])
    by_id = {c["id"]: c for c in status["controls"]}
    assert {k: v["status"] for k, v in by_id.items()} == {
        c.id: _expected_status(c) for c in real_catalog.controls
    }
    assert by_id["IME-KEY-02"]["status"] == "fail"  # the gate failed it
    assert 2 in by_id["IME-INT-01"]["entries"]  # the drill run stands behind it
    assert 3 in by_id["IME-GOV-02"]["entries"]  # the manual evidence stands behind it
    assert status["satisfied"] is False


# -- tampering: each case fails and names what changed --------------------------------------


@pytest.mark.parametrize("where", [0.0, 0.5, 0.97])
@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_one_flipped_byte_in_any_file_is_named(
    tmp_path: Path, members: dict[str, bytes], signer: Signer, name: str, where: float
) -> None:
    data = bytearray(members[name])
    data[int(len(data) * where)] ^= 0x01
    result = _verify(tmp_path, {**members, name: bytes(data)}, signer.public_raw)
    assert not result.ok
    assert name in result.problems[0], result.problems


def test_dropped_entry_is_named(
    tmp_path: Path, members: dict[str, bytes], attacker: Signer
) -> None:
    dropped = {k: v for k, v in members.items() if k != "chain/entries/000000002.json"}
    naive = _verify(tmp_path, dropped)
    assert "chain/entries/000000002.json is missing" in naive.problems[0]
    # An attacker who also rewrites and re-signs the manifest still breaks the chain.
    forged = _verify(tmp_path, _resign(dropped, attacker))
    assert forged.problems[0].startswith("entry 2 missing"), forged.problems


def test_reordered_entries_are_named(
    tmp_path: Path, members: dict[str, bytes], attacker: Signer
) -> None:
    swapped = {
        **members,
        "chain/entries/000000002.json": members["chain/entries/000000003.json"],
        "chain/entries/000000003.json": members["chain/entries/000000002.json"],
    }
    naive = _verify(tmp_path, swapped)
    assert "chain/entries/000000002.json was altered" in naive.problems[0]
    forged = _verify(tmp_path, _resign(swapped, attacker))
    assert "chain/entries/000000002.json holds entry 3" in forged.problems[0], forged.problems


def test_truncated_last_entry_is_named(
    tmp_path: Path, members: dict[str, bytes], attacker: Signer
) -> None:
    truncated = {k: v for k, v in members.items() if k != "chain/entries/000000003.json"}
    manifest = json.loads(truncated["manifest.json"])
    entry2 = json.loads(truncated["chain/entries/000000002.json"])
    from imekit.evidence.entry import Entry

    manifest["chain"].update(last_seq=2, last_hash=Entry.from_doc(entry2).hash)
    truncated["manifest.json"] = json.dumps(manifest).encode()
    forged = _verify(tmp_path, _resign(truncated, attacker))
    assert "head says the chain has 3 entries but it ends at entry 2" in forged.problems[0]
    assert any("truncated" in p for p in forged.problems)


def test_truncation_by_the_key_holder_is_named_by_the_store_head(
    tmp_path: Path, members: dict[str, bytes], signer: Signer
) -> None:
    """Whoever holds the signing key can drop the last entry and sign a matching head and
    manifest; the store's own head, read before the entries, still says how many there were."""
    from imekit.evidence.chain import make_head
    from imekit.evidence.entry import Entry

    truncated = {k: v for k, v in members.items() if k != "chain/entries/000000003.json"}
    entry2 = Entry.from_doc(json.loads(truncated["chain/entries/000000002.json"]))
    truncated["chain/head.json"] = json.dumps(make_head(2, entry2.hash, signer)).encode()
    manifest = json.loads(truncated["manifest.json"])
    manifest["chain"].update(last_seq=2, last_hash=entry2.hash)
    truncated["manifest.json"] = json.dumps(manifest).encode()
    forged = _verify(tmp_path, _resign(truncated, signer), signer.public_raw)
    assert forged.problems == [
        "chain/store-head.json says the record had 3 entries but the bundle ends at entry 2: "
        "entries were truncated"
    ]


def test_head_signed_by_another_key_names_the_bundle_signer_when_unpinned(
    tmp_path: Path, members: dict[str, bytes], attacker: Signer
) -> None:
    forged = _verify(tmp_path, _resign(members, attacker))  # head still signed by the owner
    assert "head signature" in forged.problems[0]
    assert "not by the bundle's signer" in forged.problems[0]
    assert "pinned" not in forged.problems[0]


def test_swapped_signature_is_named(
    tmp_path: Path,
    members: dict[str, bytes],
    signer: Signer,
    real_catalog: CatalogView,
    keys: dict[str, Path],
) -> None:
    other = read_zip(build_bundle(tmp_path / "other", signer, real_catalog, keys["private"]))
    swapped = {**members, "signature.json": other["signature.json"]}
    result = _verify(tmp_path, swapped, signer.public_raw)
    assert result.problems[0].startswith("signature.json: the signature does not match")
    assert "manifest.json" in result.problems[0]


def test_resigned_with_another_key_fails_when_pinned(
    tmp_path: Path, members: dict[str, bytes], signer: Signer, attacker: Signer
) -> None:
    edited = dict(members)
    status = json.loads(edited["status/status.json"])
    for control in status["controls"]:
        control["status"] = "pass"  # the forger's goal: a clean report
    edited["status/status.json"] = json.dumps(status).encode()
    forged = _resign(edited, attacker)
    pinned = _verify(tmp_path, forged, signer.public_raw)
    assert not pinned.ok
    assert "not by the pinned key" in pinned.problems[0]
    assert signer.key_id[:16] in pinned.problems[0]


def test_fully_reforged_bundle_passes_only_unpinned(
    tmp_path: Path, members: dict[str, bytes], signer: Signer, attacker: Signer
) -> None:
    """Why --public-key matters: a forger can rebuild head and manifest with their own key."""
    from imekit.evidence.chain import make_head
    from imekit.evidence.entry import Entry

    forged = {k: v for k, v in members.items() if k != "chain/store-head.json"}
    last = Entry.from_doc(json.loads(forged["chain/entries/000000003.json"]))
    forged["chain/head.json"] = json.dumps(make_head(3, last.hash, attacker)).encode()
    forged = _resign(forged, attacker)
    unpinned = _verify(tmp_path, forged)
    assert unpinned.ok and any("not pinned" in n for n in unpinned.notes)
    assert unpinned.key_id == attacker.key_id
    assert not _verify(tmp_path, forged, signer.public_raw).ok


def test_added_and_duplicate_files_are_named(tmp_path: Path, members: dict[str, bytes]) -> None:
    added = _verify(tmp_path, {**members, "status/extra.csv": b"a,b\n"})
    assert added.problems == ["status/extra.csv was added: it is not listed in manifest.json"]


@pytest.mark.parametrize(
    "name", ["../x", "/etc/cron.d/x", "chain/../../x", "./report.html", "a//b", "C:/x", "..\\x"]
)
def test_unsafe_member_paths_fail_even_when_signed_into_the_manifest(
    tmp_path: Path, members: dict[str, bytes], attacker: Signer, name: str
) -> None:
    """A path that would unzip outside the folder fails verification, even in a bundle whose
    manifest lists it and is validly signed (unpinned)."""
    forged = _verify(tmp_path, _resign({**members, name: b"payload"}, attacker))
    assert not forged.ok
    assert f"{name!r}" in forged.problems[0]
    assert "never holds such a path" in forged.problems[0]


def test_unreadable_bundles_raise(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ImekitError, match="not a readable zip"):
        verify_bundle(junk)
    with pytest.raises(ImekitError, match="does not exist"):
        verify_bundle(tmp_path / "absent.zip")
    with pytest.raises(ImekitError, match="not an imekit evidence bundle"):
        verify_bundle(write_zip(tmp_path / "other.zip", {"hello.txt": b"hi"}))


# -- what the bundle holds ----------------------------------------------------------------


def test_oscal_documents_parse_with_trestle(
    members: dict[str, bytes], real_catalog: CatalogView
) -> None:
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.catalog import Catalog
    from trestle.oscal.component import ComponentDefinition

    results = AssessmentResults.model_validate(
        json.loads(members["oscal/assessment-results.json"])["assessment-results"]
    )
    components = ComponentDefinition.model_validate(
        json.loads(members["oscal/component-definition.json"])["component-definition"]
    )
    catalog = Catalog.model_validate(json.loads(members["oscal/catalog.json"])["catalog"])
    assert results.metadata.oscal_version.root.root == OSCAL_VERSION

    status = {c["id"]: c["status"] for c in json.loads(members["status/status.json"])["controls"]}
    findings = results.results[0].findings
    assert len(findings) == len(real_catalog.controls)
    for finding in findings:
        control = finding.target.target_id.removesuffix("_smt")
        satisfied = status[control] in ("pass", "waived", "inherited", "not-applicable")
        assert finding.target.status.state.value == (
            "satisfied" if satisfied else "not-satisfied"
        ), control
    # Every piece of relevant evidence points at a file inside the bundle.
    hrefs = [
        e.href for o in results.results[0].observations or [] for e in o.relevant_evidence or []
    ]
    assert hrefs and all(h.removeprefix("../") in members for h in hrefs)
    catalog_ids = {c.id for g in catalog.groups or [] for c in g.controls or []}
    assert catalog_ids == {c.id for c in real_catalog.controls}
    implemented = {
        r.control_id
        for comp in components.components or []
        for impl in comp.control_implementations or []
        for r in impl.implemented_requirements
    }
    assert implemented == catalog_ids


def _citations(props: Any) -> list[str]:
    return [p.value for p in props or [] if p.name == "hipaa-citation"]


def test_oscal_names_the_citations_of_every_implemented_requirement_and_finding(
    members: dict[str, bytes], real_catalog: CatalogView
) -> None:
    """Read alone, the component definition and the assessment results still say which
    Security Rule citation each implemented requirement and finding answers."""
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.component import ComponentDefinition

    components = ComponentDefinition.model_validate(
        json.loads(members["oscal/component-definition.json"])["component-definition"]
    )
    results = AssessmentResults.model_validate(
        json.loads(members["oscal/assessment-results.json"])["assessment-results"]
    )
    expected = {c.id: [f"45 CFR {x}" for x in c.citations] for c in real_catalog.controls}
    requirements = [
        r
        for comp in components.components or []
        for impl in comp.control_implementations or []
        for r in impl.implemented_requirements
    ]
    assert len(requirements) >= len(expected)
    for requirement in requirements:
        assert _citations(requirement.props) == expected[requirement.control_id]
    for finding in results.results[0].findings or []:
        control = finding.target.target_id.removesuffix("_smt")
        assert _citations(finding.props) == expected[control]
    assert "45 CFR 164.312(a)(2)(iv)" in expected["IME-ENC-01"]


def test_csv_has_a_row_per_control_and_per_citation(
    members: dict[str, bytes], real_catalog: CatalogView
) -> None:
    controls = list(csv.DictReader(io.StringIO(members["status/controls.csv"].decode())))
    citations = list(csv.DictReader(io.StringIO(members["status/citations.csv"].decode())))
    assert [r["control_id"] for r in controls] == [c.id for c in real_catalog.controls]
    assert len(citations) == len(real_catalog.requirements)
    by_id = {r["control_id"]: r for r in controls}
    assert by_id["IME-KEY-02"]["status"] == "fail" and by_id["IME-KEY-02"]["satisfied"] == "no"
    assert by_id["IME-GOV-02"]["entries"].endswith("3")


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(lead: str) -> None:
    from imekit.evidence.catalog_view import ControlSpec, RequirementSpec
    from imekit.evidence.export.tables import citations_csv, controls_csv
    from imekit.evidence.status import compute_status

    formula = f'{lead}HYPERLINK("http://x.invalid","open")'
    catalog = CatalogView(
        controls=[ControlSpec("IME-DOC-01", formula, ("164.316(a)",))],
        requirements=[RequirementSpec("164.316(a)", formula)],
    )
    report = compute_status(catalog, [])
    for data in (controls_csv(report), citations_csv(report)):
        rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + formula in cells
        assert formula not in cells


def test_html_report_is_self_contained(members: dict[str, bytes]) -> None:
    html = members["report.html"].decode()
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "url(" not in html and "@import" not in html
    assert "://" not in html  # no absolute URL of any scheme, not even as text
    references = re.findall(r"""\b(?:src|href|action|data)\s*=\s*["']([^"']*)""", html)
    assert references and all(r.startswith("#") for r in references)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<svg" in html  # the RTO/RPO chart
    assert html.count("<details") == 45
    # Each entry says which of its files are where in the bundle (as text, not links).
    risk = sha256_hex(members["attachments/sha256/" + _attachment_of(members, 3)])
    assert "risk-analysis.txt: <span" in html and f"attachments/sha256/{risk[:16]}" in html


def _attachment_of(members: dict[str, bytes], seq: int) -> str:
    entry = json.loads(members[f"chain/entries/{seq:09d}.json"])
    return entry["attachments"][0]["sha256"]


def test_bundle_has_no_secrets(tmp_path: Path, real_catalog: CatalogView, signer: Signer) -> None:
    store = FolderStore(tmp_path / "evidence")
    record_run(
        "gate",
        controls=gate_controls(real_catalog),
        result="pass",
        started=ENDED,
        ended=ENDED,
        summary={"note": "leaked AKIAIOSFODNN7EXAMPLE", "password": "hunter2"},
        store=store,
    )
    path = export_bundle(tmp_path / "b.zip", signer=signer, store=store, catalog=real_catalog).path
    everything = b"".join(read_zip(path).values())
    assert b"AKIAIOSFODNN7EXAMPLE" not in everything and b"hunter2" not in everything
    assert b"PRIVATE KEY" not in everything


def test_period_export_keeps_the_entries_behind_status(
    tmp_path: Path, real_catalog: CatalogView, signer: Signer
) -> None:
    store = FolderStore(tmp_path / "evidence")
    record_run(
        "gate",
        controls=gate_controls(real_catalog),
        result="pass",
        started=ENDED,
        ended=ENDED,
        stack="dev",
        store=store,
    )
    record_run(
        "policy-test",
        controls={"IME-ENC-01": "pass"},
        result="pass",
        started=ENDED,
        ended=ENDED,
        store=store,
    )
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    result = export_bundle(
        tmp_path / "period.zip",
        signer=signer,
        store=store,
        catalog=real_catalog,
        start=tomorrow,
        end=tomorrow,
    )
    # Nothing was recorded tomorrow, but the gate run behind today's statuses travels along.
    assert (result.first_seq, result.last_seq) == (1, 2)
    manifest = json.loads(read_zip(result.path)["manifest.json"])
    assert manifest["period"]["from"].startswith(tomorrow.isoformat())
    assert verify_bundle(result.path, public_key=signer.public_raw).ok
    with pytest.raises(ImekitError, match="before"):
        export_bundle(
            tmp_path / "none.zip",
            signer=signer,
            store=store,
            catalog=real_catalog,
            end=datetime.now(UTC).date() - timedelta(days=3),
        )
    with pytest.raises(ImekitError, match="is in the future"):
        export_bundle(tmp_path / "x.zip", signer=signer, store=store, start=tomorrow)
    with pytest.raises(ImekitError, match="--from is after --to"):
        export_bundle(tmp_path / "x.zip", signer=signer, store=store, start=tomorrow, end=ENDED)
    assert not (tmp_path / "x.zip").exists()


def test_export_of_an_empty_record_is_refused(
    tmp_path: Path, real_catalog: CatalogView, signer: Signer
) -> None:
    with pytest.raises(ImekitError, match="no evidence recorded"):
        export_bundle(
            tmp_path / "b.zip", signer=signer, store=tmp_path / "empty", catalog=real_catalog
        )
    assert not (tmp_path / "b.zip").exists()


@pytest.mark.parametrize("where", [0.05, 0.3, 0.6, 0.9])
def test_corrupted_zip_bytes_never_verify(tmp_path: Path, bundle: Path, where: float) -> None:
    raw = bytearray(bundle.read_bytes())
    raw[int(len(raw) * where)] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    try:
        result = verify_bundle(damaged)
    except ImekitError:
        return  # unreadable: exit 2
    assert not result.ok
