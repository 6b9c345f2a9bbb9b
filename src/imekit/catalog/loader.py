"""Load controls/ into a Catalog, validating every file and every reference between them.

Validation here covers the catalog alone: the schemas, unique ids, citations that exist,
one control per check, evidence owners that are declared roles. References into the rest
of the kit (the policy pack, runbooks, infra components) and completeness of coverage are
checked by imekit.catalog.integrity, which needs those folders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imekit.catalog.citations import citation_sort_key, parse_citation, section_of
from imekit.catalog.model import (
    ADDRESSABLE,
    MANDATORY,
    STANDARD,
    Catalog,
    CheckovMapping,
    Control,
    Decision,
    Implementation,
    KnownFalseResult,
    ManualEvidence,
    PendingChange,
    Regulation,
    Requirement,
)
from imekit.catalog.schema import validate_document
from imekit.catalog.yamlfile import read_yaml_mapping
from imekit.errors import ImekitError

REQUIREMENTS_FILE = "requirements.yaml"
CONTROLS_FILE = "controls.yaml"
CHECKOV_FILE = "checkov.yaml"
SCHEMA_DIR = "schema"

# Evidence must stay valid at least one full period, or it would go stale before it is due.
MIN_VALIDITY_DAYS = {"monthly": 28, "quarterly": 90, "semiannual": 180, "annual": 365}

_HINT = "fix the entry in {file}; docs/controls.md describes the format"


def _fail(file: Path, where: str, problem: str) -> ImekitError:
    return ImekitError(f"{file}: {where}: {problem}", hint=_HINT.format(file=file.name))


def read_catalog(folder: Path) -> Catalog:
    """Read and validate the three catalog files in `folder` (no caching)."""
    schema_dir = folder / SCHEMA_DIR
    if not folder.is_dir():
        raise ImekitError(
            f"{folder}: catalog folder not found",
            hint="run from a checkout of the kit or pass the folder holding controls.yaml",
        )
    docs = {}
    for name in (REQUIREMENTS_FILE, CONTROLS_FILE, CHECKOV_FILE):
        path = folder / name
        docs[name] = read_yaml_mapping(path)
        validate_document(docs[name], path, schema_dir)

    regulation, requirements = _requirements(docs[REQUIREMENTS_FILE], folder)
    controls_file = folder / CONTROLS_FILE
    controls_doc = docs[CONTROLS_FILE]
    checkov, known_false = _checkov(docs[CHECKOV_FILE], folder / CHECKOV_FILE)
    controls = _controls(controls_doc, controls_file, requirements, checkov)
    for check_id, mapping in checkov.items():
        if mapping.control is not None and mapping.control not in controls:
            raise _fail(
                folder / CHECKOV_FILE,
                f"check {check_id}",
                f"control {mapping.control} does not exist in {CONTROLS_FILE}",
            )
    return Catalog(
        version=str(controls_doc["catalog_version"]),
        regulation=regulation,
        requirements=requirements,
        controls=controls,
        sections={k: v["title"] for k, v in docs[REQUIREMENTS_FILE]["sections"].items()},
        roles=dict(controls_doc["roles"]),
        families=dict(controls_doc["families"]),
        checkov=checkov,
        checkov_version=str(docs[CHECKOV_FILE]["checkov_version"]),
        known_false_results=known_false,
        folder=folder,
    )


# ------------------------------------------------------------------ requirements.yaml
def _requirements(doc: dict[str, Any], folder: Path) -> tuple[Regulation, dict[str, Requirement]]:
    file = folder / REQUIREMENTS_FILE
    reg = doc["regulation"]
    regulation = Regulation(
        title=reg["title"],
        citation=reg["citation"],
        scope=reg["scope"],
        text_version=reg["text_version"],
        text_version_note=_text(reg["text_version_note"]),
        pending_changes=tuple(
            PendingChange(
                title=p["title"],
                kind=p["kind"],
                published=p["published"],
                reference=p["reference"],
                note=_text(p["note"]),
            )
            for p in reg["pending_changes"]
        ),
        nist_800_53r5_source=_text(doc["nist_800_53r5_mapping"]["source"]),
    )
    sections = doc["sections"]
    requirements: dict[str, Requirement] = {}
    names: dict[str, str] = {}  # citation or alias -> the requirement it names
    previous: str | None = None
    for raw in doc["requirements"]:
        citation = raw["citation"]
        where = f"requirement {citation}"
        try:
            parse_citation(citation)
            for alias in raw.get("aliases", ()):
                parse_citation(alias)
        except ValueError as exc:
            raise _fail(file, where, str(exc)) from None
        for name in (citation, *raw.get("aliases", ())):
            if name in names:
                raise _fail(file, where, f"{name} is already listed (by {names[name]})")
            names[name] = citation
        if previous is not None and citation_sort_key(citation) < citation_sort_key(previous):
            raise _fail(file, where, f"out of regulation order: it should come before {previous}")
        previous = citation
        section = section_of(citation)
        if section not in sections:
            raise _fail(file, where, f"section {section} is not declared under `sections`")
        parent = raw.get("parent")
        if parent is not None:
            if parent not in requirements:
                raise _fail(file, where, f"parent {parent} is not listed before it")
            if not _is_paragraph_above(parent, citation):
                raise _fail(file, where, f"parent {parent} is not a paragraph above it")
        if raw["kind"] == STANDARD and raw["obligation"] != "required":
            raise _fail(file, where, "a standard is always required")
        if raw["obligation"] == ADDRESSABLE and raw.get("not_applicable"):
            raise _fail(
                file,
                where,
                "an addressable specification records its assessment under `decision`"
                " (outcome not-reasonable-and-appropriate), not `not_applicable`",
            )
        decision = raw.get("decision")
        requirements[citation] = Requirement(
            citation=citation,
            title=raw["title"],
            kind=raw["kind"],
            obligation=raw["obligation"],
            section=section,
            safeguard=sections[section]["safeguard"],
            summary=_text(raw["summary"]),
            nist_800_53r5=tuple(raw["nist_800_53r5"]),
            parent=parent,
            aliases=tuple(raw.get("aliases", ())),
            decision=(
                Decision(
                    outcome=decision["outcome"],
                    rationale=_text(decision["rationale"]),
                    alternative=_text(decision["alternative"])
                    if "alternative" in decision
                    else None,
                )
                if decision
                else None
            ),
            not_applicable=_text(raw["not_applicable"]) if raw.get("not_applicable") else None,
        )
    return regulation, requirements


# ------------------------------------------------------------------ checkov.yaml
def _checkov(
    doc: dict[str, Any], file: Path
) -> tuple[dict[str, CheckovMapping], tuple[KnownFalseResult, ...]]:
    checks: dict[str, CheckovMapping] = {}
    for check_id, spec in doc["checks"].items():
        enforcement = spec["enforcement"]
        if enforcement != MANDATORY and not spec.get("reason"):
            raise _fail(file, f"check {check_id}", f"an {enforcement} check needs a reason")
        checks[check_id] = CheckovMapping(
            id=check_id,
            enforcement=enforcement,
            reason=_text(spec["reason"]) if spec.get("reason") else None,
            control=spec.get("control"),
        )
    known = tuple(
        KnownFalseResult(
            check=k["check"], resource_type=k["resource_type"], reason=_text(k["reason"])
        )
        for k in doc["known_false_results"]
    )
    return checks, known


# ------------------------------------------------------------------ controls.yaml
def _controls(
    doc: dict[str, Any],
    file: Path,
    requirements: dict[str, Requirement],
    checkov: dict[str, CheckovMapping],
) -> dict[str, Control]:
    aliases = {a: r.citation for r in requirements.values() for a in r.aliases}
    roles = doc["roles"]
    families = doc["families"]
    controls: dict[str, Control] = {}
    rule_owner: dict[str, str] = {}
    evidence_owner: dict[str, str] = {}
    for raw in doc["controls"]:
        control_id = raw["id"]
        where = f"control {control_id}"
        if control_id in controls:
            raise _fail(file, where, "duplicate control id")
        family = control_id.split("-")[1]
        if family not in families:
            raise _fail(file, where, f"family {family} is not declared under `families`")

        citations = raw["citations"]
        for citation in citations:
            if citation in aliases:
                raise _fail(
                    file, where, f"cite {aliases[citation]} (the canonical form), not {citation}"
                )
            if citation not in requirements:
                raise _fail(file, where, f"citation {citation} is not in {REQUIREMENTS_FILE}")
        _no_duplicates(file, where, "citation", citations)

        rego = raw.get("rego", [])
        _no_duplicates(file, where, "rule", rego)
        for rule in rego:
            if rule in rule_owner:
                raise _fail(file, where, f"rule {rule} is already claimed by {rule_owner[rule]}")
            rule_owner[rule] = control_id

        drills = raw.get("drills", [])
        _no_duplicates(file, where, "drill", drills)

        evidence = []
        for item in raw.get("manual_evidence", []):
            evidence_id = item["id"]
            if evidence_id in evidence_owner:
                raise _fail(
                    file,
                    where,
                    f"manual evidence id {evidence_id} is already used by"
                    f" {evidence_owner[evidence_id]}",
                )
            evidence_owner[evidence_id] = control_id
            if item["owner"] not in roles:
                raise _fail(
                    file,
                    where,
                    f"evidence {evidence_id}: owner {item['owner']} is not declared under `roles`",
                )
            minimum = MIN_VALIDITY_DAYS.get(item["frequency"], 1)
            if item["validity_days"] < minimum:
                raise _fail(
                    file,
                    where,
                    f"evidence {evidence_id}: validity_days {item['validity_days']} is shorter"
                    f" than its {item['frequency']} period ({minimum} days): it would go stale"
                    " before it is due",
                )
            evidence.append(
                ManualEvidence(
                    id=evidence_id,
                    title=_text(item["title"]),
                    owner=item["owner"],
                    frequency=item["frequency"],
                    validity_days=item["validity_days"],
                )
            )

        implementation = raw.get("implementation")
        mapped = tuple(m for m in checkov.values() if m.control == control_id)
        control = Control(
            id=control_id,
            title=_text(raw["title"]),
            family=family,
            citations=tuple(citations),
            implementation=(
                Implementation(
                    summary=_text(implementation["summary"]),
                    components=tuple(implementation.get("components", ())),
                )
                if implementation
                else None
            ),
            rego=tuple(rego),
            checkov=mapped,
            drills=tuple(drills),
            manual_evidence=tuple(evidence),
            inherited=_text(raw["inherited"]) if raw.get("inherited") else None,
        )
        if not (
            control.rego
            or control.checkov_ids
            or control.drills
            or control.manual_evidence
            or control.inherited
        ):
            raise _fail(
                file,
                where,
                "names no way it is met: add rego rules, checkov checks, drills, manual"
                " evidence, or an inherited rationale",
            )
        controls[control_id] = control
    return controls


def _is_paragraph_above(parent: str, child: str) -> bool:
    """True for the paragraph holding `child`, or the standard it belongs to.

    The CFR numbers a standard `(1)(i)` and its specifications `(1)(ii)(A)...`, or a standard
    `(b)(1)` and its specification `(b)(3)`: the standard is the first item of a list whose
    later items hold its specifications.
    """
    p_section, p = parse_citation(parent)
    c_section, c = parse_citation(child)
    if p_section != c_section:
        return False
    if len(c) > len(p) and c[: len(p)] == p:
        return True
    depth = len(p) - 1
    return len(p) >= 2 and p[-1] == 1 and len(c) > depth and c[:depth] == p[:-1] and c[depth] > 1


def _no_duplicates(file: Path, where: str, what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise _fail(file, where, f"{what} {value} is listed twice")
        seen.add(value)


def _text(value: Any) -> str:
    """Folded YAML text as one line (stable in reports and evidence)."""
    return " ".join(str(value).split())
