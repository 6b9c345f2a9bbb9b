"""OSCAL documents for the bundle, built as plain dicts and validated with
compliance-trestle's models (what is written is what trestle parsed and serialised).

  oscal/catalog.json               the kit's controls, grouped by family, citations as props
  oscal/component-definition.json  how the platform implements each control (rego rules,
                                   checkov checks, drills, manual evidence); inherited
                                   controls under an AWS component
  oscal/assessment-results.json    one result: an observation per evidence entry behind a
                                   status, and a finding per control with its status
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from imekit import __version__
from imekit.evidence.catalog_view import CatalogView, ControlSpec
from imekit.evidence.chain import entry_name
from imekit.evidence.entry import Entry
from imekit.evidence.status import ControlStatus, StatusReport
from imekit.status import Status

NS = "urn:imekit:oscal"  # the namespace of the kit's own OSCAL property names
_UUID_NS = uuid.UUID("6f1d6c1e-58a4-4b8e-9d3e-0c9a3f4d2b10")
_METHODS = {"manual": "EXAMINE", "inherited": "EXAMINE"}  # everything else is TEST


def oscal_version() -> str:
    from trestle.oscal import OSCAL_VERSION

    return OSCAL_VERSION


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _ts(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _metadata(title: str, version: str, now: datetime) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": _ts(now),
        "version": version,
        "oscal-version": oscal_version(),
        "props": [{"name": "generator", "ns": NS, "value": f"imekit {__version__}"}],
    }


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def build_catalog(catalog: CatalogView, now: datetime) -> dict[str, Any]:
    groups: dict[str, list[ControlSpec]] = {}
    for control in catalog.controls:
        groups.setdefault(control.family or "OTHER", []).append(control)
    doc = {
        "uuid": stable_uuid("catalog", catalog.version),
        "metadata": _metadata("imekit HIPAA Security Rule control catalog", catalog.version, now),
        "groups": [
            {
                "id": f"ime-{family.lower()}",
                "class": "family",
                "title": catalog.families.get(family, family),
                "controls": [_catalog_control(c) for c in controls],
            }
            for family, controls in groups.items()
        ],
    }
    return _validated("catalog", doc)


def _citation_props(control: ControlSpec) -> list[dict[str, str]]:
    """The Security Rule citations a control meets, on every OSCAL object about it, so a
    consumer reading one document alone still sees which regulation it answers."""
    return [_prop("hipaa-citation", f"45 CFR {c}") for c in control.citations]


def _catalog_control(control: ControlSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": control.id,
        "class": "imekit-control",
        "title": control.title,
        "props": [{"name": "label", "value": control.id}] + _citation_props(control),
    }
    prose = control.summary or control.inherited or control.title
    entry["parts"] = [{"id": f"{control.id}_smt", "name": "statement", "prose": prose}]
    return entry


def build_component_definition(catalog: CatalogView, now: datetime) -> dict[str, Any]:
    platform = [c for c in catalog.controls if not c.inherited or c.manual]
    inherited = [c for c in catalog.controls if c.inherited]
    components = [
        {
            "uuid": stable_uuid("component", "ime-platform"),
            "type": "software",
            "title": "IME platform on AWS (imekit)",
            "description": (
                "The Independent Medical Examination platform deployed by the imekit Pulumi "
                "programs, gated by its Rego policy pack and checkov, exercised by drills, "
                "with manual evidence for the administrative and physical safeguards."
            ),
            "control-implementations": [
                {
                    "uuid": stable_uuid("implementation", "ime-platform", catalog.version),
                    "source": "catalog.json",
                    "description": "Controls implemented and evidenced by the organisation.",
                    "implemented-requirements": [_implemented(c) for c in platform],
                }
            ],
        }
    ]
    if inherited:
        components.append(
            {
                "uuid": stable_uuid("component", "aws"),
                "type": "service",
                "title": "Amazon Web Services (under the Business Associate Addendum)",
                "description": "Controls inherited from AWS under the shared responsibility "
                "model and the AWS BAA.",
                "control-implementations": [
                    {
                        "uuid": stable_uuid("implementation", "aws", catalog.version),
                        "source": "catalog.json",
                        "description": "Controls AWS implements for the platform.",
                        "implemented-requirements": [
                            {
                                "uuid": stable_uuid("inherited", c.id),
                                "control-id": c.id,
                                "description": c.inherited or "",
                                "props": [_prop("implementation-kind", "inherited")]
                                + _citation_props(c),
                            }
                            for c in inherited
                        ],
                    }
                ],
            }
        )
    doc = {
        "uuid": stable_uuid("component-definition", catalog.version, _ts(now)),
        "metadata": _metadata("imekit IME platform component definition", catalog.version, now),
        "components": components,
    }
    return _validated("component-definition", doc)


def _implemented(control: ControlSpec) -> dict[str, Any]:
    props = _citation_props(control)
    props += [_prop("rego-rule", r) for r in control.rego]
    props += [_prop("checkov-check", c) for c in control.checkov]
    props += [_prop("drill", d) for d in control.drills]
    props += [_prop("manual-evidence", m.id) for m in control.manual]
    props += [_prop("platform-component", c) for c in control.components]
    requirement: dict[str, Any] = {
        "uuid": stable_uuid("implemented", control.id),
        "control-id": control.id,
        "description": control.summary or control.title,
    }
    if props:
        requirement["props"] = props
    return requirement


def build_assessment_results(
    catalog: CatalogView,
    report: StatusReport,
    entries: dict[int, Entry],
    *,
    start: datetime,
    now: datetime,
) -> dict[str, Any]:
    plan_uuid = stable_uuid("assessment-plan", catalog.version)
    observations: dict[str, dict[str, Any]] = {}
    findings = []
    for control in report.controls:
        related = []
        for part in control.parts:
            for seq in part.entries:
                entry = entries.get(seq)
                if entry is None:
                    continue
                obs = _entry_observation(entry, part.source)
                observations.setdefault(obs["uuid"], obs)
                related.append(obs["uuid"])
            if part.source == "inherited":
                obs = _inherited_observation(control, report.at)
                observations.setdefault(obs["uuid"], obs)
                related.append(obs["uuid"])
        findings.append(_finding(control, related))
    result: dict[str, Any] = {
        "uuid": stable_uuid("result", _ts(now)),
        "title": f"imekit evidence status at {_ts(report.at)}",
        "description": (
            "Status of every control in catalog.json, computed by imekit from the hash-chained "
            "evidence record in this bundle (gate runs, drills, manual evidence, inheritance)."
        ),
        "start": _ts(start),
        "end": _ts(report.at),
        "props": [_prop("catalog-version", catalog.version)],
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": c.id} for c in catalog.controls]}
            ]
        },
        "findings": findings,
    }
    if observations:
        result["observations"] = list(observations.values())
    doc = {
        "uuid": stable_uuid("assessment-results", _ts(now)),
        "metadata": _metadata("imekit evidence assessment results", __version__, now),
        "import-ap": {
            "href": f"#{plan_uuid}",
            "remarks": "imekit assesses continuously; the plan is described in back-matter.",
        },
        "results": [result],
        "back-matter": {
            "resources": [
                {
                    "uuid": plan_uuid,
                    "title": "imekit automated assessment",
                    "description": (
                        "No separate OSCAL assessment plan: every gate run, policy test, "
                        "checkov run and drill is recorded as it happens, and manual evidence "
                        "is examined when added. The controls assessed and how each is "
                        "evidenced are in component-definition.json."
                    ),
                    "rlinks": [
                        {"href": "component-definition.json", "media-type": "application/json"}
                    ],
                }
            ]
        },
    }
    return _validated("assessment-results", doc)


def _entry_observation(entry: Entry, source: str) -> dict[str, Any]:
    doc = entry.doc
    what = entry.kind
    if entry.kind == "drill":
        what = f"drill {entry.summary.get('drill', '')}"
    elif entry.kind == "manual" and entry.manual:
        what = f"manual evidence {entry.manual.get('item', '')}"
    stack = doc["source"].get("stack")
    obs: dict[str, Any] = {
        "uuid": stable_uuid("entry", entry.hash),
        "title": f"Evidence entry {entry.seq}: {what}",
        "description": (
            f"{what}{f' on stack {stack}' if stack else ''} recorded {doc['recorded_at']}: "
            f"{entry.result}; program commit {doc['source'].get('commit', 'unknown')}"
        ),
        "props": [
            _prop("evidence-entry", str(entry.seq)),
            _prop("evidence-entry-sha256", entry.hash),
        ],
        "methods": [_METHODS.get(source, "TEST")],
        "collected": doc["recorded_at"],
        "relevant-evidence": [
            {
                "href": f"../chain/entries/{entry_name(entry.seq)}",
                "description": f"Hash-chained evidence entry {entry.seq}",
            }
        ]
        + [
            {
                "href": f"../attachments/sha256/{a['sha256']}",
                "description": f"Attachment {a['name']} of entry {entry.seq}",
            }
            for a in doc["attachments"]
        ],
    }
    if entry.manual and entry.manual.get("valid_until"):
        obs["expires"] = f"{entry.manual['valid_until']}T23:59:59Z"
    return obs


def _inherited_observation(control: ControlStatus, at: datetime) -> dict[str, Any]:
    return {
        "uuid": stable_uuid("inherited-observation", control.control.id),
        "title": f"{control.control.id} inherited from AWS",
        "description": control.control.inherited or "Inherited from AWS.",
        "methods": ["EXAMINE"],
        "collected": _ts(at),
    }


def _finding(control: ControlStatus, related: list[str]) -> dict[str, Any]:
    satisfied = control.status.is_satisfied
    reason = "pass" if satisfied else ("fail" if control.status is Status.FAIL else "other")
    description = "; ".join(f"{p.name}: {p.status.value} ({p.reason})" for p in control.parts)
    finding: dict[str, Any] = {
        "uuid": stable_uuid("finding", control.control.id, description),
        "title": f"{control.control.id} {control.control.title}",
        "description": description,
        "props": [_prop("imekit-status", control.status.value)] + _citation_props(control.control),
        "target": {
            "type": "statement-id",
            "target-id": f"{control.control.id}_smt",
            "status": {
                "state": "satisfied" if satisfied else "not-satisfied",
                "reason": reason,
                "remarks": f"imekit status: {control.status.value}",
            },
        },
    }
    if related:
        finding["related-observations"] = [{"observation-uuid": u} for u in dict.fromkeys(related)]
    return finding


def _validated(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Parse with trestle's model; return trestle's own serialisation, wrapped."""
    import json

    from trestle.oscal import assessment_results, catalog, component

    model_class = {
        "catalog": catalog.Catalog,
        "component-definition": component.ComponentDefinition,
        "assessment-results": assessment_results.AssessmentResults,
    }[kind]
    model = model_class.model_validate(doc)
    return json.loads(model.oscal_serialize_json(pretty=False, wrapped=True))
