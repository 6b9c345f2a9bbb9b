"""The catalog's typed model: the regulation, its requirements, and the controls meeting them.

Everything is immutable: the catalog is read by every stage of the kit and written by none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from imekit.catalog.citations import citation_sort_key

STANDARD = "standard"
SPECIFICATION = "implementation-specification"
REQUIRED = "required"
ADDRESSABLE = "addressable"

IMPLEMENTED = "implemented"
ALTERNATIVE_MEASURE = "alternative-measure"
NOT_REASONABLE = "not-reasonable-and-appropriate"

MANDATORY = "mandatory"
ADVISORY = "advisory"
IGNORED = "ignored"


@dataclass(frozen=True)
class PendingChange:
    """A published change to the rule that the catalog does not follow yet."""

    title: str
    kind: str  # proposed-rule | final-rule-not-yet-effective
    published: str  # ISO date
    reference: str  # e.g. the Federal Register citation
    note: str


@dataclass(frozen=True)
class Regulation:
    title: str
    citation: str
    scope: str
    text_version: str  # ISO date of the text in force that the catalog follows
    text_version_note: str
    pending_changes: tuple[PendingChange, ...]
    nist_800_53r5_source: str


@dataclass(frozen=True)
class Decision:
    """The documented assessment of an addressable specification (164.306(d)(3))."""

    outcome: str  # IMPLEMENTED | ALTERNATIVE_MEASURE | NOT_REASONABLE
    rationale: str
    alternative: str | None = None


@dataclass(frozen=True)
class Requirement:
    citation: str
    title: str
    kind: str  # STANDARD | SPECIFICATION
    obligation: str  # REQUIRED | ADDRESSABLE
    section: str  # e.g. 164.312
    safeguard: str  # administrative | physical | technical | organizational | documentation
    summary: str
    nist_800_53r5: tuple[str, ...]
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    decision: Decision | None = None
    not_applicable: str | None = None  # the rationale, when it does not apply

    @property
    def is_standard(self) -> bool:
        return self.kind == STANDARD

    @property
    def is_required(self) -> bool:
        return self.obligation == REQUIRED

    @property
    def is_addressable(self) -> bool:
        return self.obligation == ADDRESSABLE

    @property
    def sort_key(self) -> tuple[int, tuple[int, ...]]:
        return citation_sort_key(self.citation)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["nist_800_53r5"] = list(self.nist_800_53r5)
        data["aliases"] = list(self.aliases)
        return data


@dataclass(frozen=True)
class ManualEvidence:
    """A document a person must produce on a schedule; stale after validity_days."""

    id: str
    title: str
    owner: str  # a role from controls.yaml `roles`
    frequency: str  # monthly | quarterly | semiannual | annual | on-change
    validity_days: int


@dataclass(frozen=True)
class CheckovMapping:
    id: str  # e.g. CKV_AWS_16
    enforcement: str  # MANDATORY | ADVISORY | IGNORED
    reason: str | None = None  # required unless mandatory
    control: str | None = None  # None only for ignored checks


@dataclass(frozen=True)
class KnownFalseResult:
    check: str
    resource_type: str  # Pulumi type token, e.g. aws:s3/bucket:Bucket
    reason: str


@dataclass(frozen=True)
class Implementation:
    summary: str
    components: tuple[str, ...] = ()  # infra component names (the `component` tag)


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    family: str  # e.g. ENC for IME-ENC-01
    citations: tuple[str, ...]
    implementation: Implementation | None = None
    rego: tuple[str, ...] = ()
    checkov: tuple[CheckovMapping, ...] = ()
    drills: tuple[str, ...] = ()
    manual_evidence: tuple[ManualEvidence, ...] = ()
    inherited: str | None = None  # rationale when met by AWS under the BAA

    @property
    def checkov_ids(self) -> tuple[str, ...]:
        """Checkov ids that count for this control (ignored ones do not)."""
        return tuple(m.id for m in self.checkov if m.enforcement != IGNORED)

    @property
    def checks(self) -> tuple[str, ...]:
        """Every automated check id: Rego rule names, then counted checkov ids."""
        return self.rego + self.checkov_ids

    @property
    def automated(self) -> bool:
        return bool(self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "citations": list(self.citations),
            "implementation": (
                {
                    "summary": self.implementation.summary,
                    "components": list(self.implementation.components),
                }
                if self.implementation
                else None
            ),
            "rego": list(self.rego),
            "checkov": [asdict(m) for m in self.checkov],
            "drills": list(self.drills),
            "manual_evidence": [asdict(m) for m in self.manual_evidence],
            "inherited": self.inherited,
        }


@dataclass(frozen=True)
class Catalog:
    version: str  # catalog_version from controls.yaml
    regulation: Regulation
    requirements: dict[str, Requirement]  # citation -> requirement, in regulation order
    controls: dict[str, Control]  # id -> control, in file order
    sections: dict[str, str] = field(default_factory=dict)  # "164.312" -> "Technical safeguards"
    roles: dict[str, str] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    checkov: dict[str, CheckovMapping] = field(default_factory=dict)  # every mapped check id
    checkov_version: str = ""
    known_false_results: tuple[KnownFalseResult, ...] = ()
    folder: Path | None = None

    # -------------------------------------------------------------- lookups
    def resolve_citation(self, citation: str) -> str | None:
        """The canonical citation for a citation or one of its aliases."""
        if citation in self.requirements:
            return citation
        for requirement in self.requirements.values():
            if citation in requirement.aliases:
                return requirement.citation
        return None

    def requirement(self, citation: str) -> Requirement | None:
        canonical = self.resolve_citation(citation)
        return self.requirements.get(canonical) if canonical else None

    def children(self, citation: str) -> list[Requirement]:
        return [r for r in self.requirements.values() if r.parent == citation]

    def leaves(self) -> list[Requirement]:
        """Requirements without specifications below them: each needs a control or a reason."""
        parents = {r.parent for r in self.requirements.values() if r.parent}
        return [r for r in self.requirements.values() if r.citation not in parents]

    def ancestors(self, citation: str) -> list[Requirement]:
        found: list[Requirement] = []
        current = self.requirements.get(citation)
        while current is not None and current.parent:
            current = self.requirements.get(current.parent)
            if current is not None:
                found.append(current)
        return found

    def control_for_rule(self, rule_name: str) -> Control | None:
        return next((c for c in self.controls.values() if rule_name in c.rego), None)

    def control_for_checkov(self, check_id: str) -> Control | None:
        mapping = self.checkov.get(check_id)
        if mapping is None or mapping.control is None:
            return None
        return self.controls.get(mapping.control)

    def control_for_check(self, check_id: str) -> Control | None:
        """Either kind of check id: a Rego rule name or a checkov id."""
        return self.control_for_rule(check_id) or self.control_for_checkov(check_id)

    def controls_for_citation(self, citation: str) -> list[Control]:
        canonical = self.resolve_citation(citation)
        if canonical is None:
            return []
        return [c for c in self.controls.values() if canonical in c.citations]

    def citations_for_check(self, check_id: str) -> list[str]:
        control = self.control_for_check(check_id)
        return list(control.citations) if control else []

    def is_mandatory(self, check_id: str) -> bool:
        """The catalog's level of a check: a Rego rule's by its name (as Pulumi's analyzer
        reads it), a checkov id's by checkov.yaml. A policy config may still change it."""
        mapping = self.checkov.get(check_id)
        if mapping is not None:
            return mapping.enforcement == MANDATORY
        from imekit.policy.naming import classify

        kind = classify(check_id)
        return kind is not None and kind.level == MANDATORY

    def check_index(self) -> dict[str, str]:
        """Every automated check id (Rego and counted checkov) -> its control id."""
        index: dict[str, str] = {}
        for control in self.controls.values():
            for check in control.checks:
                index[check] = control.id
        return index

    def manual_evidence(self) -> dict[str, tuple[Control, ManualEvidence]]:
        """Manual evidence id -> (its control, the evidence spec)."""
        return {m.id: (c, m) for c in self.controls.values() for m in c.manual_evidence}

    def drills(self) -> dict[str, list[str]]:
        """Drill name -> ids of the controls it exercises, as the catalog states it."""
        found: dict[str, list[str]] = {}
        for control in self.controls.values():
            for drill in control.drills:
                found.setdefault(drill, []).append(control.id)
        return found
