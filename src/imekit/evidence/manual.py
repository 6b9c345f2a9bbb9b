"""Manual evidence for the administrative and physical safeguards (risk analysis, BAAs,
training, sanction policy, contingency plan...): a reviewed document with an expiry.

The document is stored content-addressed (SHA-256) next to the chain and a `manual` entry
records who owns it, who reviewed it and until when it is valid. When it expires the
control goes stale; a control that needs it and has none is missing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from imekit.errors import ImekitError
from imekit.evidence.catalog_view import CatalogView, ManualSpec, load_catalog_view
from imekit.evidence.entry import Entry
from imekit.evidence.record import NO_RECORD_ENV, record_run, recording_enabled
from imekit.evidence.stores import EvidenceStore
from imekit.status import Status


def add_manual_evidence(
    *,
    control: str,
    file: Path | str,
    owner: str,
    reviewer: str,
    valid_until: date | str,
    title: str | None = None,
    item: str | None = None,
    catalog: CatalogView | None = None,
    store: EvidenceStore | str | Path | None = None,
    today: date | None = None,
) -> Entry:
    """Copy `file` into the store and record it as evidence for `control`.

    Refuses (ImekitError) an unknown control, a control with no manual evidence, an unknown
    or ambiguous evidence item, a valid-until date in the past or beyond the catalog's
    validity, an owner reviewing their own evidence, and a file with credentials in it.
    """
    if not recording_enabled():
        raise ImekitError(
            f"{NO_RECORD_ENV} is set, so evidence cannot be added",
            hint=f"unset {NO_RECORD_ENV} and run the command again",
        )
    catalog = catalog or load_catalog_view()
    today = today or datetime.now(UTC).date()
    spec = catalog.control(control)
    if spec is None:
        raise ImekitError(
            f"unknown control {control!r}", hint="list the controls with `imekit controls list`"
        )
    manual_item = _item(control, spec.manual, item)
    until = _date(valid_until)
    if until < today:
        raise ImekitError(
            f"--valid-until {until} is in the past: this evidence has already expired",
            hint="add current evidence with the date its review runs out",
        )
    latest = today + timedelta(days=manual_item.validity_days)
    if until > latest:
        raise ImekitError(
            f"--valid-until {until} is beyond what the catalog allows for "
            f"{manual_item.id} ({manual_item.frequency}, {manual_item.validity_days} days)",
            hint=f"use {latest} or earlier; the evidence must be renewed by then",
        )
    owner, reviewer = owner.strip(), reviewer.strip()
    if not owner or not reviewer:
        raise ImekitError("--owner and --reviewer must name people")
    if owner.casefold() == reviewer.casefold():
        raise ImekitError(
            "the reviewer must be someone other than the owner",
            hint="ask a second person to review the document before adding it",
        )
    path = Path(file)
    if not path.is_file():
        raise ImekitError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise ImekitError(f"{path} is empty")
    now = datetime.now(UTC)
    entry = record_run(
        "manual",
        controls={control: Status.PASS},
        citations=spec.citations,
        result="added",
        started=now,
        ended=now,
        summary={"control": control, "item": manual_item.id, "valid_until": until.isoformat()},
        attachments={path.name: path},
        store=store,
        manual={
            "control": control,
            "item": manual_item.id,
            "title": title or manual_item.title,
            "owner": owner,
            "reviewer": reviewer,
            "valid_until": until.isoformat(),
            "file": path.name,
        },
    )
    if entry is None:  # pragma: no cover - recording was checked above
        raise ImekitError("the evidence was not recorded")
    return entry


def _item(control: str, items: tuple[ManualSpec, ...], wanted: str | None) -> ManualSpec:
    if not items:
        raise ImekitError(
            f"control {control} needs no manual evidence: it is proven by gate runs, drills "
            "or inheritance",
            hint="`imekit controls show " + control + "` lists how it is proven",
        )
    ids = ", ".join(i.id for i in items)
    if wanted is None:
        if len(items) == 1:
            return items[0]
        raise ImekitError(
            f"control {control} needs several documents; say which with --item",
            hint=f"one of: {ids}",
        )
    for candidate in items:
        if candidate.id == wanted:
            return candidate
    raise ImekitError(f"control {control} has no evidence item {wanted!r}", hint=f"one of: {ids}")


def _date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ImekitError(f"not a date: {value!r}", hint="use YYYY-MM-DD") from exc
