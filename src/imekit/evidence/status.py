"""Per-control status from the evidence record: what an auditor sees.

Each control's status is the worst (imekit.status.worst) of its parts:
  automated  the latest gate / checkov / policy-test result per (kind, program, stack) that
             reports the control; none at all is `unknown`; a result older than
             AUTOMATED_VALIDITY_DAYS no longer shows the platform as it is: `stale`
  drill      the latest run of each drill the catalog lists; never run is `missing`, older
             than the drill's validity is `stale`, failed or deviated is `fail`
  manual     each manual evidence item the catalog lists: a valid one is `pass`, only
             expired ones `stale`, none `missing`
  inherited  the catalog's rationale: `inherited`
A control the catalog gives no evidence of any kind is `unknown`, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from imekit.evidence.catalog_view import (
    DEFAULT_DRILL_VALIDITY_DAYS,
    CatalogView,
    ControlSpec,
    RequirementSpec,
)
from imekit.evidence.entry import AUTOMATED_KINDS, Entry
from imekit.evidence.journal import DRILL_STATUSES
from imekit.status import Status, worst

NOT_REASONABLE = "not-reasonable-and-appropriate"  # imekit.catalog's decision outcome

# The gate runs on every change; a result older than this says nothing about the platform
# as it is now (a month of changes, plus grace), so it counts as stale, never as a pass.
AUTOMATED_VALIDITY_DAYS = 35


@dataclass
class Part:
    source: str  # automated | drill | manual | inherited | catalog
    name: str
    status: Status
    reason: str
    entries: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "name": self.name,
            "status": self.status.value,
            "reason": self.reason,
            "entries": self.entries,
        }


@dataclass
class ControlStatus:
    control: ControlSpec
    status: Status
    parts: list[Part]

    @property
    def entries(self) -> list[int]:
        return sorted({seq for part in self.parts for seq in part.entries})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.control.id,
            "title": self.control.title,
            "family": self.control.family,
            "citations": list(self.control.citations),
            "status": self.status.value,
            "satisfied": self.status.is_satisfied,
            "parts": [p.to_json() for p in self.parts],
            "entries": self.entries,
        }


@dataclass
class CitationStatus:
    requirement: RequirementSpec
    status: Status
    controls: list[str]
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "citation": self.requirement.citation,
            "title": self.requirement.title,
            "kind": self.requirement.kind,
            "obligation": self.requirement.obligation,
            "status": self.status.value,
            "controls": self.controls,
            "reason": self.reason,
        }


@dataclass
class StatusReport:
    at: datetime
    catalog_version: str
    controls: list[ControlStatus]
    citations: list[CitationStatus]

    @property
    def satisfied(self) -> bool:
        return all(c.status.is_satisfied for c in self.controls)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for control in self.controls:
            counts[control.status.value] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "imekit.evidence-status/v1",
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "catalog_version": self.catalog_version,
            "satisfied": self.satisfied,
            "counts": self.counts(),
            "controls": [c.to_json() for c in self.controls],
            "citations": [c.to_json() for c in self.citations],
        }


def compute_status(
    catalog: CatalogView, entries: list[Entry], at: datetime | None = None
) -> StatusReport:
    """Status of every catalog control at `at` (now by default) from `entries` recorded
    up to then."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    known = [e for e in entries if e.recorded_at <= at]
    controls = [_control_status(spec, known, catalog, at) for spec in catalog.controls]
    return StatusReport(
        at=at,
        catalog_version=catalog.version,
        controls=controls,
        citations=_citation_statuses(catalog, controls),
    )


def _control_status(
    spec: ControlSpec, entries: list[Entry], catalog: CatalogView, at: datetime
) -> ControlStatus:
    parts: list[Part] = []
    if spec.automated:
        parts += _automated_parts(spec, entries, at)
    for drill in spec.drills:
        validity = catalog.drill_validity_days.get(drill, DEFAULT_DRILL_VALIDITY_DAYS)
        parts.append(_drill_part(drill, entries, at, validity))
    for item in spec.manual:
        parts.append(_manual_part(spec, item.id, item.title, entries, at))
    if spec.inherited:
        parts.append(Part("inherited", "AWS", Status.INHERITED, spec.inherited))
    if not parts:
        parts.append(
            Part("catalog", spec.id, Status.UNKNOWN, "the catalog names no evidence for it")
        )
    return ControlStatus(spec, worst([p.status for p in parts]), parts)


def _automated_parts(spec: ControlSpec, entries: list[Entry], at: datetime) -> list[Part]:
    latest: dict[tuple[str, str, str], Entry] = {}
    for entry in entries:
        if entry.kind in AUTOMATED_KINDS and spec.id in entry.doc["controls"]:
            # A run over several stacks ("dev,prod") speaks for each of them; a later run of
            # one stack of the same program supersedes it for that stack only (gating another
            # program never replaces this one's result). Entries are in chain order.
            program = str(entry.doc.get("source", {}).get("program") or "-")
            for stack in (entry.stack or "-").split(","):
                latest[(entry.kind, program, stack.strip() or "-")] = entry
    if not any(kind == "gate" for kind, _, _ in latest):
        return [
            Part(
                "automated",
                "gate",
                Status.UNKNOWN,
                "no gate run has reported this control",
                [e.seq for e in latest.values()],
            )
        ]
    parts: list[Part] = []
    programs = {program for _, program, _ in latest}
    for (kind, program, stack), entry in sorted(latest.items()):
        status = entry.controls[spec.id]
        where = f" on stack {stack}" if stack != "-" else ""
        if len(programs) > 1:
            where += f" of {program}"
        reason = (
            f"{status.value} in the run recorded {entry.doc['recorded_at']} (commit "
            f"{entry.doc['source'].get('commit', 'unknown')[:12]})"
        )
        age = at - _parse(entry.doc["recorded_at"])
        if status is not Status.FAIL and age > timedelta(days=AUTOMATED_VALIDITY_DAYS):
            status = Status.STALE
            reason += f", {age.days} days ago: older than {AUTOMATED_VALIDITY_DAYS} days"
        parts.append(Part("automated", f"{kind}{where}", status, reason, [entry.seq]))
    return parts


def _drill_part(drill: str, entries: list[Entry], at: datetime, validity_days: int) -> Part:
    runs = [e for e in entries if e.kind == "drill" and e.summary.get("drill") == drill]
    if not runs:
        return Part("drill", drill, Status.MISSING, "never run")
    last = runs[-1]
    ended = _parse(last.doc["ended"])
    verdict = DRILL_STATUSES.get(last.result, Status.UNKNOWN)
    age = at - ended
    if verdict is Status.PASS and age > timedelta(days=validity_days):
        return Part(
            "drill",
            drill,
            Status.STALE,
            f"last passed {ended.date()}, older than {validity_days} days",
            [last.seq],
        )
    measures = _measures_text(last.summary)
    return Part(
        "drill",
        drill,
        verdict,
        f"last run {ended.date()}: {last.result}{measures}",
        [last.seq],
    )


def _manual_part(
    spec: ControlSpec, item: str, title: str, entries: list[Entry], at: datetime
) -> Part:
    found = [
        e
        for e in entries
        if e.kind == "manual"
        and (e.manual or {}).get("control") == spec.id
        and (e.manual or {}).get("item") == item
    ]
    if not found:
        return Part("manual", item, Status.MISSING, f"no evidence added: {title}")
    valid = [e for e in found if _valid_until(e) >= at.date()]
    if valid:
        best = max(valid, key=_valid_until)
        return Part(
            "manual",
            item,
            Status.PASS,
            f"valid until {_valid_until(best)} (owner {best.manual['owner']}, reviewed by "
            f"{best.manual['reviewer']})",
            [best.seq],
        )
    last = max(found, key=_valid_until)
    return Part("manual", item, Status.STALE, f"expired on {_valid_until(last)}", [last.seq])


def _citation_statuses(catalog: CatalogView, controls: list[ControlStatus]) -> list[CitationStatus]:
    by_citation: dict[str, list[ControlStatus]] = {}
    for control in controls:
        for citation in control.control.citations:
            by_citation.setdefault(citation, []).append(control)
    children: dict[str, list[RequirementSpec]] = {}
    for requirement in catalog.requirements:
        if requirement.parent:
            children.setdefault(requirement.parent, []).append(requirement)
    parents = {r.citation: r.parent for r in catalog.requirements}
    not_applicable = {r.citation: r.not_applicable for r in catalog.requirements}

    def inapplicable(citation: str | None) -> str | None:
        seen = set()
        while citation and citation not in seen:
            seen.add(citation)
            if not_applicable.get(citation):
                return not_applicable[citation]
            citation = parents.get(citation)
        return None

    def rollup(requirement: RequirementSpec) -> list[Status]:
        statuses = [c.status for c in by_citation.get(requirement.citation, [])]
        for child in children.get(requirement.citation, []):
            if not inapplicable(child.citation):
                statuses += rollup(child)
        return statuses

    result = []
    for requirement in catalog.requirements:
        names = [c.control.id for c in by_citation.get(requirement.citation, [])]
        reason_na = inapplicable(requirement.citation)
        if not reason_na and requirement.decision == NOT_REASONABLE and not names:
            reason_na = "addressable: documented as not reasonable and appropriate"
        if reason_na:
            result.append(CitationStatus(requirement, Status.NOT_APPLICABLE, names, reason_na))
            continue
        statuses = rollup(requirement)
        if not statuses:
            result.append(
                CitationStatus(requirement, Status.UNKNOWN, names, "no control covers it")
            )
            continue
        status = worst(statuses)
        # A standard is met only with its implementation specifications: say so, or a
        # standard whose own controls pass would look wrongly failed.
        with_specs = len(statuses) > len(names)
        if names:
            reason = f"worst of {', '.join(names)}" + (
                " and its implementation specifications" if with_specs else ""
            )
        else:
            reason = "rolled up from its implementation specifications"
        result.append(CitationStatus(requirement, status, names, reason))
    return result


def _valid_until(entry: Entry) -> date:
    return date.fromisoformat(str(entry.manual["valid_until"]))  # type: ignore[index]


def _parse(value: str) -> datetime:
    from imekit.evidence.canonical import parse_timestamp

    return parse_timestamp(value)


def _measures_text(summary: dict[str, Any]) -> str:
    texts = []
    for name in ("rto", "rpo"):
        measure = summary.get(name)
        if isinstance(measure, dict) and measure.get("measured_seconds") is not None:
            target = measure.get("target_seconds")
            text = f"{name.upper()} {measure['measured_seconds']:g}s"
            if target is not None:
                text += f" (target {target:g}s)"
            texts.append(text)
    return f"; {', '.join(texts)}" if texts else ""
