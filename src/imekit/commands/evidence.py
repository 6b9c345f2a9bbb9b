"""`imekit evidence`: record, inspect, export and verify audit evidence."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from imekit import exitcodes
from imekit.errors import ImekitError

_STORE_HELP = (
    "Evidence store: a folder or s3://bucket/prefix (default $IMEKIT_EVIDENCE_DIR, "
    "else ./.imekit/evidence)."
)


def _store_option(func):  # type: ignore[no-untyped-def]
    return click.option("--store", "store", metavar="DIR|S3URL", help=_STORE_HELP)(func)


def _err(message: str) -> None:
    click.echo(message, err=True)


def _parse_when(value: str | None, option: str) -> date | datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ImekitError(
            f"{option} {value!r} is not a date", hint="use YYYY-MM-DD or RFC 3339"
        ) from exc
    if moment.tzinfo is None:
        raise ImekitError(f"{option} {value!r} has no time zone", hint="add Z or an offset")
    return moment


@click.group("evidence")
def command() -> None:
    """Record, export and verify audit evidence.

    Gate runs, policy tests, checkov runs and drills are recorded automatically into a
    hash-chained, append-only record (unless --no-record or IMEKIT_NO_RECORD=1). Manual
    evidence is added with `add`. `export` writes a signed bundle for auditors and `verify`
    checks one.
    """


@command.command("add")
@click.option("--control", required=True, help="Control id, e.g. IME-GOV-02.")
@click.option(
    "--file", "file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--owner", required=True, help="Who owns the document.")
@click.option("--reviewer", required=True, help="Who reviewed it (not the owner).")
@click.option("--valid-until", required=True, help="Last day the evidence is valid (YYYY-MM-DD).")
@click.option("--title", default=None, help="Title (default: the catalog's title of the item).")
@click.option("--item", default=None, help="Evidence item id when the control needs several.")
@_store_option
def add(
    control: str,
    file: Path,
    owner: str,
    reviewer: str,
    valid_until: str,
    title: str | None,
    item: str | None,
    store: str | None,
) -> int:
    """Add a reviewed document as manual evidence for a control."""
    from imekit.evidence.manual import add_manual_evidence
    from imekit.evidence.stores import open_store

    target = open_store(store)
    entry = add_manual_evidence(
        control=control,
        file=file,
        owner=owner,
        reviewer=reviewer,
        valid_until=valid_until,
        title=title,
        item=item,
        store=target,
    )
    manual = entry.manual or {}
    click.echo(
        f"added {manual.get('item')} for {control} (valid until {manual.get('valid_until')}) "
        f"as entry {entry.seq} in {target.location}"
    )
    return exitcodes.OK


@command.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--at", "at", default=None, help="Status as of this date/time (default: now).")
@_store_option
def status(as_json: bool, at: str | None, store: str | None) -> int:
    """Print every control's status now. Exit 1 if any control is not satisfied."""
    from imekit.evidence.catalog_view import load_catalog_view
    from imekit.evidence.status import compute_status
    from imekit.evidence.stores import open_store

    moment = _parse_when(at, "--at")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime.combine(moment, datetime.max.time(), tzinfo=UTC)
    target = open_store(store)
    report = compute_status(load_catalog_view(), target.entries(progress=True), moment)
    if as_json:
        doc = report.to_json()
        doc["store"] = target.location
        click.echo(json.dumps(doc, indent=2))
    else:
        width = max(len(c.control.id) for c in report.controls)
        for item in report.controls:
            shown = [p for p in item.parts if not p.status.is_satisfied] or item.parts[:1]
            reasons = "; ".join(f"{p.name}: {p.reason}" for p in shown)
            click.echo(f"{item.control.id:<{width}}  {item.status.value:<14}  {reasons}")
        counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
        satisfied = sum(1 for c in report.controls if c.status.is_satisfied)
        click.echo(
            f"\n{satisfied} of {len(report.controls)} controls satisfied ({counts}); "
            f"evidence from {target.location}"
        )
    return exitcodes.OK if report.satisfied else exitcodes.VIOLATIONS


@command.command("export")
@click.option("--from", "date_from", default=None, help="Start of the period (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="End of the period; status as of then.")
@click.option(
    "--key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ed25519 private key (default $IMEKIT_EVIDENCE_KEY).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Bundle to write, e.g. bundle.zip.",
)
@_store_option
def export(
    date_from: str | None, date_to: str | None, key: Path | None, output: Path, store: str | None
) -> int:
    """Write a signed, self-contained evidence bundle for auditors."""
    from imekit.evidence.export.bundle import export_bundle
    from imekit.evidence.signing import load_signer

    signer = load_signer(key, required=True)
    assert signer is not None
    result = export_bundle(
        output,
        signer=signer,
        store=store,
        start=_parse_when(date_from, "--from"),
        end=_parse_when(date_to, "--to"),
        progress=lambda message: _err(f"imekit: {message}"),
    )
    report = result.report
    satisfied = sum(1 for c in report.controls if c.status.is_satisfied)
    click.echo(
        f"wrote {result.path} ({result.files} files, entries {result.first_seq}-"
        f"{result.last_seq}, signed by key {result.key_id[:16]}); {satisfied} of "
        f"{len(report.controls)} controls satisfied"
    )
    click.echo(f"verify it with: imekit evidence verify {result.path} --public-key <key.pub>")
    return exitcodes.OK


@command.command("verify")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Pin the signer: the PEM public key the bundle must be signed with.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(bundle: Path, public_key: Path | None, as_json: bool) -> int:
    """Check a bundle's signature, manifest, hash chain and signed head.

    Exit 0 verified, 1 tampered (says what), 2 unreadable.
    """
    from imekit.evidence.signing import load_public_key
    from imekit.evidence.verify import verify_bundle

    pinned = load_public_key(public_key) if public_key else None
    result = verify_bundle(bundle, public_key=pinned)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    elif result.ok:
        who = "pinned key" if result.pinned else "key embedded in the bundle (signer NOT pinned)"
        click.echo(f"verified: {bundle}")
        click.echo(f"  signature: Ed25519, {who} {str(result.key_id)[:16]}")
        click.echo(f"  chain: entries {result.first_seq}-{result.last_seq} intact, head matches")
        click.echo(f"  files: {result.files} match the manifest")
        for note in result.notes:
            click.echo(f"  note: {note}")
    else:
        click.echo(f"TAMPERED: {bundle}")
        click.echo(f"  first problem: {result.problems[0]}")
        for problem in result.problems[1:20]:
            click.echo(f"  also: {problem}")
        if len(result.problems) > 20:
            click.echo(f"  ... and {len(result.problems) - 20} more")
    return exitcodes.OK if result.ok else exitcodes.VIOLATIONS


@command.command("keygen")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Folder for imekit-evidence.key (0600) and imekit-evidence.pub.",
)
def keygen(output_dir: Path) -> int:
    """Make an Ed25519 key pair for signing evidence."""
    from imekit.evidence.signing import KEY_ENV, generate_keypair

    pair = generate_keypair(output_dir)
    click.echo(f"private key: {pair.private_path} (mode 0600; keep it secret)")
    click.echo(f"public key:  {pair.public_path} (give it to auditors to pin)")
    click.echo(f"key id:      {pair.key_id}")
    click.echo(f"use it with: export {KEY_ENV}={pair.private_path}")
    return exitcodes.OK


@command.command("record")
@click.argument(
    "journals",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@_store_option
def record(journals: tuple[Path, ...], store: str | None) -> int:
    """Record drill journals that were not recorded when they ran."""
    from imekit.evidence.journal import read_journal
    from imekit.evidence.record import record_drill_journal
    from imekit.evidence.stores import open_store

    target = open_store(store)
    seen = {
        (e.summary.get("drill"), e.summary.get("run_id"))
        for e in target.entries(progress=True)
        if e.kind == "drill"
    }
    for path in journals:
        drill = read_journal(path)
        if drill.run_id and (drill.drill, drill.run_id) in seen:
            _err(
                f"imekit: {path}: run {drill.run_id} of {drill.drill} is already recorded; skipped"
            )
            continue
        entry = record_drill_journal(path, store=target, enabled=True)
        if entry is None:
            raise ImekitError("recording is disabled (IMEKIT_NO_RECORD); nothing was recorded")
        seen.add((drill.drill, drill.run_id))
        click.echo(f"recorded {path} ({drill.drill}: {drill.status}) as entry {entry.seq}")
    return exitcodes.OK


@command.command("log")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines, one entry a line.")
@_store_option
def log(as_json: bool, store: str | None) -> int:
    """List the recorded entries and check the chain. Exit 1 if it is broken."""
    from imekit.evidence.chain import parse_entries
    from imekit.evidence.stores import open_store

    target = open_store(store)
    seqs = target.entry_seqs()
    if not seqs and target.latest_head_bytes() is None:
        # Nothing to check is not an intact record: a mistyped --store must not read as one.
        raise ImekitError(
            f"no evidence recorded in {target.location}",
            hint="check --store or IMEKIT_EVIDENCE_DIR; record with `imekit gate`, "
            "`imekit drill run` or `imekit evidence add`",
        )
    entries, _ = parse_entries((str(s), target.read_entry_bytes(s)) for s in seqs)
    for entry in entries:
        if as_json:
            click.echo(
                json.dumps({"seq": entry.seq, "hash": entry.hash, **entry.doc}, sort_keys=True)
            )
        else:
            doc = entry.doc
            click.echo(
                f"{entry.seq:>6}  {doc['recorded_at']}  {entry.kind:<11} {entry.result:<9} "
                f"{doc['source'].get('stack') or '-':<6} {entry.hash[:12]}"
            )
    problems = target.check()
    for problem in problems:
        _err(f"imekit: broken: {problem}")
    if not problems:
        _err(f"imekit: {len(entries)} entries in {target.location}; chain intact")
    return exitcodes.VIOLATIONS if problems else exitcodes.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(command())
