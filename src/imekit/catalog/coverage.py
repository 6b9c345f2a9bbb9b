"""How each requirement is met, computed from the catalog alone.

Every leaf requirement (an implementation specification, or a standard without any) must
be met by at least one control, or carry a documented reason it is not:
    required     a control, or `not_applicable` with the rationale (on it or a parent)
    addressable  a `decision`; outcome implemented or alternative-measure also needs a
                 control citing it; not-reasonable-and-appropriate stands on its rationale
A standard with specifications is covered when all of them are.

The static status uses the kit's vocabulary: inherited (every control citing it is met by
AWS), not-applicable (documented as not applying, or assessed as not reasonable), missing
(nothing covers it), unknown (covered by the kit's controls: whether they pass is known
only from gate runs, drills and evidence, so the catalog alone never says pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imekit.catalog.model import (
    ALTERNATIVE_MEASURE,
    IMPLEMENTED,
    NOT_REASONABLE,
    Catalog,
    Requirement,
)
from imekit.status import Status, worst

AUTOMATED = "automated"
DRILLS = "drills"
MANUAL = "manual-evidence"
INHERITED = "inherited"
NOT_APPLICABLE = "not-applicable"
DECISION = "decision"
MEANS = (AUTOMATED, DRILLS, MANUAL, INHERITED, NOT_APPLICABLE, DECISION)


@dataclass(frozen=True)
class RequirementCoverage:
    requirement: Requirement
    is_leaf: bool
    controls: tuple[str, ...]  # ids of the controls citing this requirement directly
    checks: tuple[str, ...]  # automated check ids of those controls
    drills: tuple[str, ...]
    manual_evidence: tuple[str, ...]
    inherited_by: tuple[str, ...]  # ids of inherited controls among `controls`
    not_applicable: str | None  # rationale, from this requirement or a parent
    covered: bool
    status: Status
    means: tuple[str, ...]  # which of MEANS apply, in MEANS order
    gaps: tuple[str, ...] = ()  # why it is not covered (empty when covered)
    # True when automated checks cite it but none is mandatory: they warn, never fail.
    advisory_only: bool = False

    def to_json(self) -> dict[str, Any]:
        r = self.requirement
        return {
            "citation": r.citation,
            "title": r.title,
            "kind": r.kind,
            "obligation": r.obligation,
            "safeguard": r.safeguard,
            "parent": r.parent,
            "leaf": self.is_leaf,
            "covered": self.covered,
            "status": str(self.status),
            "means": list(self.means),
            "advisory_only": self.advisory_only,
            "controls": list(self.controls),
            "checks": list(self.checks),
            "drills": list(self.drills),
            "manual_evidence": list(self.manual_evidence),
            "inherited_by": list(self.inherited_by),
            "not_applicable": self.not_applicable,
            "decision": (
                {
                    "outcome": r.decision.outcome,
                    "rationale": r.decision.rationale,
                    "alternative": r.decision.alternative,
                }
                if r.decision
                else None
            ),
            "gaps": list(self.gaps),
        }


@dataclass(frozen=True)
class CoverageReport:
    catalog_version: str
    regulation_text_version: str
    rows: tuple[RequirementCoverage, ...]  # regulation order
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def gaps(self) -> list[RequirementCoverage]:
        return [row for row in self.rows if row.is_leaf and not row.covered]

    def to_json(self) -> dict[str, Any]:
        return {
            "catalog_version": self.catalog_version,
            "regulation_text_version": self.regulation_text_version,
            "totals": dict(self.totals),
            "requirements": [row.to_json() for row in self.rows],
        }


def compute_coverage(catalog: Catalog) -> CoverageReport:
    leaves = {r.citation for r in catalog.leaves()}
    rows: dict[str, RequirementCoverage] = {}
    # Children before parents, so a standard can roll up its specifications.
    for requirement in sorted(
        catalog.requirements.values(),
        key=lambda r: len(catalog.ancestors(r.citation)),
        reverse=True,
    ):
        if requirement.citation in leaves:
            rows[requirement.citation] = _leaf(catalog, requirement)
        else:
            children = [rows[c.citation] for c in catalog.children(requirement.citation)]
            rows[requirement.citation] = _parent(catalog, requirement, children)
    ordered = tuple(rows[citation] for citation in catalog.requirements)
    return CoverageReport(
        catalog_version=catalog.version,
        regulation_text_version=catalog.regulation.text_version,
        rows=ordered,
        totals=_totals(ordered),
    )


def _direct(catalog: Catalog, requirement: Requirement) -> dict[str, tuple[str, ...]]:
    controls = catalog.controls_for_citation(requirement.citation)
    return {
        "controls": tuple(c.id for c in controls),
        "checks": tuple(check for c in controls for check in c.checks),
        "drills": tuple(dict.fromkeys(d for c in controls for d in c.drills)),
        "manual_evidence": tuple(m.id for c in controls for m in c.manual_evidence),
        "inherited_by": tuple(c.id for c in controls if c.inherited),
    }


def _advisory_only(catalog: Catalog, checks: tuple[str, ...]) -> bool:
    return bool(checks) and not any(catalog.is_mandatory(c) for c in checks)


def _not_applicable(catalog: Catalog, requirement: Requirement) -> str | None:
    if requirement.not_applicable:
        return requirement.not_applicable
    for ancestor in catalog.ancestors(requirement.citation):
        if ancestor.not_applicable:
            return f"{ancestor.citation} does not apply: {ancestor.not_applicable}"
    return None


def _means(direct: dict[str, tuple[str, ...]]) -> list[str]:
    means = []
    if direct["checks"]:
        means.append(AUTOMATED)
    if direct["drills"]:
        means.append(DRILLS)
    if direct["manual_evidence"]:
        means.append(MANUAL)
    if direct["inherited_by"]:
        means.append(INHERITED)
    return means


def _leaf(catalog: Catalog, requirement: Requirement) -> RequirementCoverage:
    direct = _direct(catalog, requirement)
    means = _means(direct)
    not_applicable = _not_applicable(catalog, requirement)
    decision = requirement.decision
    gaps: list[str] = []
    if not_applicable:
        means.append(NOT_APPLICABLE)
    if decision is not None:
        means.append(DECISION)

    has_controls = bool(direct["controls"])
    if requirement.is_addressable:
        if decision is None:
            gaps.append("addressable: no documented decision")
        elif decision.outcome in (IMPLEMENTED, ALTERNATIVE_MEASURE) and not has_controls:
            gaps.append(f"decision is {decision.outcome} but no control cites it")
    elif not has_controls and not not_applicable:
        gaps.append("required: no control cites it and no not_applicable rationale")

    covered = not gaps
    if not covered:
        status = Status.MISSING
    elif not_applicable or (
        decision is not None and decision.outcome == NOT_REASONABLE and not has_controls
    ):
        status = Status.NOT_APPLICABLE
    elif has_controls and len(direct["inherited_by"]) == len(direct["controls"]):
        status = Status.INHERITED
    else:
        status = Status.UNKNOWN
    return RequirementCoverage(
        requirement=requirement,
        is_leaf=True,
        not_applicable=not_applicable,
        covered=covered,
        status=status,
        means=tuple(m for m in MEANS if m in means),
        gaps=tuple(gaps),
        advisory_only=_advisory_only(catalog, direct["checks"]),
        **direct,
    )


def _parent(
    catalog: Catalog, requirement: Requirement, children: list[RequirementCoverage]
) -> RequirementCoverage:
    direct = _direct(catalog, requirement)
    means = _means(direct)
    not_applicable = _not_applicable(catalog, requirement)
    if not_applicable:
        means.append(NOT_APPLICABLE)
    uncovered = [c.requirement.citation for c in children if not c.covered]
    gaps = (f"specification(s) not covered: {', '.join(uncovered)}",) if uncovered else ()
    return RequirementCoverage(
        requirement=requirement,
        is_leaf=False,
        not_applicable=not_applicable,
        covered=not uncovered,
        # A gap below makes the standard missing, whatever else its specifications say.
        status=Status.MISSING if uncovered else worst([c.status for c in children]),
        means=tuple(m for m in MEANS if m in means),
        gaps=gaps,
        advisory_only=_advisory_only(catalog, direct["checks"]),
        **direct,
    )


def _totals(rows: tuple[RequirementCoverage, ...]) -> dict[str, int]:
    leaves = [r for r in rows if r.is_leaf]
    totals = {
        "requirements": len(rows),
        "standards": sum(1 for r in rows if r.requirement.is_standard),
        "implementation_specifications": sum(1 for r in rows if not r.requirement.is_standard),
        "leaves": len(leaves),
        "required_leaves": sum(1 for r in leaves if r.requirement.is_required),
        "addressable_leaves": sum(1 for r in leaves if r.requirement.is_addressable),
        "covered_leaves": sum(1 for r in leaves if r.covered),
        "gaps": sum(1 for r in leaves if not r.covered),
    }
    for means in MEANS:
        totals[f"leaves_by_{means.replace('-', '_')}"] = sum(1 for r in leaves if means in r.means)
    totals["leaves_by_advisory_checks_only"] = sum(1 for r in leaves if r.advisory_only)
    for status in (Status.UNKNOWN, Status.INHERITED, Status.NOT_APPLICABLE, Status.MISSING):
        totals[f"status_{str(status).replace('-', '_')}"] = sum(
            1 for r in leaves if r.status is status
        )
    return totals
