"""`imekit evidence export`: one signed zip an auditor can check and read offline.

Layout (docs/evidence.md):
  manifest.json          imekit.evidence-bundle/v1: period, chain segment, SHA-256 of every file
  signature.json         Ed25519 signature of manifest.json's exact bytes, with the public key
  chain/entries/*.json   the chain segment (canonical JSON, as recorded)
  chain/head.json        the head of the segment, signed by the exporting key
  chain/store-head.json  the store's own latest head, as recorded (when there is one)
  attachments/sha256/*   every attachment the segment's entries name
  catalog/...            a copy of controls/ as used for the status
  status/status.json     per-control and per-citation status with the entries behind it
  status/controls.csv    status/citations.csv
  oscal/catalog.json     oscal/component-definition.json   oscal/assessment-results.json
  report.html            the self-contained report
  README.txt             how to verify
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from imekit import __version__
from imekit.errors import ImekitError
from imekit.evidence.canonical import canonical_bytes, sha256_hex, utc_timestamp
from imekit.evidence.catalog_view import CatalogView, load_catalog_view
from imekit.evidence.chain import entry_name, make_head
from imekit.evidence.export import html_report, oscal, tables
from imekit.evidence.signing import Signer
from imekit.evidence.status import StatusReport, compute_status
from imekit.evidence.stores import EvidenceStore, open_store

BUNDLE_SCHEMA = "imekit.evidence-bundle/v1"
SIGNATURE_SCHEMA = "imekit.evidence-signature/v1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"

_README = """imekit evidence bundle
======================

Everything here is listed with its SHA-256 in manifest.json, and manifest.json is signed
(Ed25519) in signature.json. Check the bundle with:

    imekit evidence verify {name} --public-key imekit-evidence.pub

Pin the public key you obtained from the organisation's security official; without
--public-key the signature is checked against the key embedded in the bundle, which proves
integrity but not who signed.

Open report.html in any browser: it needs no network. status/*.csv open in a spreadsheet;
oscal/ holds the OSCAL catalog, component definition and assessment results.
"""


@dataclass
class ExportResult:
    path: Path
    first_seq: int
    last_seq: int
    files: int
    key_id: str
    report: StatusReport


def export_bundle(
    output: Path | str,
    *,
    signer: Signer,
    store: EvidenceStore | str | Path | None = None,
    catalog: CatalogView | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write a signed bundle of the evidence recorded between `start` and `end`.

    Status is computed as of `end` (end of that day for a date; now by default) from
    every entry recorded until then; the bundle holds the contiguous chain segment from
    the earliest entry in the period or behind a status, up to the last entry before `end`.
    """
    say = progress or (lambda _msg: None)
    store = open_store(store)
    catalog = catalog or load_catalog_view()
    now = datetime.now(UTC)
    period_from = _as_moment(start, time.min) if start else None
    at = _as_moment(end, time.max) if end else now
    if period_from and period_from > at:
        if end:
            raise ImekitError("--from is after --to", hint="swap the dates")
        raise ImekitError(
            f"--from {period_from.date()} is in the future", hint="give a date up to today"
        )

    say(f"reading the evidence record in {store.location}")
    # The head first: entries appended meanwhile only put the head behind, never ahead.
    store_head = store.latest_head_bytes()
    entries = store.entries(progress=True)
    upto = [e for e in entries if e.recorded_at <= at]
    if not upto:
        raise ImekitError(
            f"no evidence recorded in {store.location}" + (f" before {at.date()}" if end else ""),
            hint="run `imekit gate`, `imekit drill run` or `imekit evidence add` first",
        )
    report = compute_status(catalog, upto, at)
    window = {e.seq for e in upto if period_from is None or e.recorded_at >= period_from}
    behind = {seq for control in report.controls for seq in control.entries}
    if not window and not behind:
        raise ImekitError(f"no evidence recorded between {period_from} and {at}")
    first = min(window | behind)
    segment = [e for e in upto if e.seq >= first]
    last = segment[-1]
    say(f"exporting entries {first}-{last.seq} and their attachments")

    files: dict[str, bytes] = {}
    for entry in segment:
        files[f"chain/entries/{entry_name(entry.seq)}"] = entry.canonical()
        for attachment in entry.doc["attachments"]:
            key = f"attachments/sha256/{attachment['sha256']}"
            if key not in files:
                files[key] = store.read_blob(attachment["sha256"])
    files["chain/head.json"] = _pretty(make_head(last.seq, last.hash, signer))
    if store_head is not None:
        files["chain/store-head.json"] = store_head
    if catalog.folder is not None:
        for path in sorted(catalog.folder.rglob("*")):
            relative = path.relative_to(catalog.folder)
            if path.is_file() and not any(p.startswith((".", "__")) for p in relative.parts):
                files[f"catalog/{relative.as_posix()}"] = path.read_bytes()

    say("computing status, OSCAL, CSV and the HTML report")
    by_seq = {e.seq: e for e in segment}
    status_doc = report.to_json()
    status_doc["period"] = {"from": _ts(period_from), "to": _ts(at) if end else None}
    files["status/status.json"] = _pretty(status_doc)
    files["status/controls.csv"] = tables.controls_csv(report)
    files["status/citations.csv"] = tables.citations_csv(report)
    start_moment = period_from or segment[0].recorded_at
    files["oscal/catalog.json"] = _pretty(oscal.build_catalog(catalog, now))
    files["oscal/component-definition.json"] = _pretty(
        oscal.build_component_definition(catalog, now)
    )
    files["oscal/assessment-results.json"] = _pretty(
        oscal.build_assessment_results(catalog, report, by_seq, start=start_moment, now=now)
    )
    context = html_report.ReportContext(
        created=utc_timestamp(now),
        period_from=_ts(period_from),
        period_to=_ts(at) if end else None,
        store=store.location,
        signer_key_id=signer.key_id,
        chain_first=first,
        chain_last=last.seq,
        kit_version=__version__,
    )
    files["report.html"] = html_report.render_report(catalog, report, by_seq, context)
    output = Path(output)
    files["README.txt"] = _README.format(name=output.name).encode("utf-8")

    manifest = {
        "schema": BUNDLE_SCHEMA,
        "created": utc_timestamp(now),
        "generator": {"imekit": __version__},
        "store": store.location,
        "catalog_version": catalog.version,
        "period": {"from": _ts(period_from), "to": _ts(at) if end else None},
        "status_at": _ts(at),
        "chain": {
            "first_seq": first,
            "last_seq": last.seq,
            "first_prev": segment[0].prev,
            "last_hash": last.hash,
        },
        "signer": {"key_id": signer.key_id},
        "files": {
            name: {"sha256": sha256_hex(data), "size": len(data)}
            for name, data in sorted(files.items())
        },
    }
    manifest_bytes = _pretty(manifest)
    signature = {"schema": SIGNATURE_SCHEMA, "signed_file": MANIFEST}
    signature.update(signer.sign(manifest_bytes))
    _write_zip(
        output,
        [(MANIFEST, manifest_bytes), (SIGNATURE, _pretty(signature))] + sorted(files.items()),
        now,
    )
    return ExportResult(output, first, last.seq, len(files) + 2, signer.key_id, report)


def _write_zip(output: Path, members: list[tuple[str, bytes]], now: datetime) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.partial")
    stamp = now.timetuple()[:6]
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(temp, output)
    except OSError as exc:
        raise ImekitError(f"cannot write {output}: {exc.strerror}") from exc
    finally:
        temp.unlink(missing_ok=True)


def _pretty(value: Any) -> bytes:
    # Canonical first so a value that cannot be hashed fails here, not at verification.
    canonical_bytes(value)
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _as_moment(value: date | datetime, default: time) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ImekitError(f"{value} has no time zone", hint="use a date or RFC 3339 with Z")
        return value.astimezone(UTC)
    return datetime.combine(value, default, tzinfo=UTC)


def _ts(moment: datetime | None) -> str | None:
    return utc_timestamp(moment) if moment else None
