"""The slice of the control catalog that evidence needs.

Read through imekit.catalog.load_catalog (which validates every file and reference) into
small records that status, OSCAL and the report use, so those stay independent of the
catalog's full model. Tests build CatalogView directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imekit.errors import ImekitError
from imekit.paths import controls_dir

DEFAULT_DRILL_VALIDITY_DAYS = 395  # a yearly drill plus a month's grace


@dataclass(frozen=True)
class ManualSpec:
    id: str
    title: str
    owner: str
    frequency: str
    validity_days: int


@dataclass(frozen=True)
class ControlSpec:
    id: str
    title: str
    citations: tuple[str, ...]
    family: str = ""
    summary: str = ""
    components: tuple[str, ...] = ()
    rego: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    drills: tuple[str, ...] = ()
    manual: tuple[ManualSpec, ...] = ()
    inherited: str | None = None

    @property
    def automated(self) -> bool:
        return bool(self.rego or self.checkov)


@dataclass(frozen=True)
class RequirementSpec:
    citation: str
    title: str
    kind: str = ""
    obligation: str = ""
    not_applicable: str | None = None
    parent: str | None = None
    decision: str | None = None  # the documented outcome for an addressable specification
    nist_800_53r5: tuple[str, ...] = ()


@dataclass
class CatalogView:
    controls: list[ControlSpec]
    requirements: list[RequirementSpec]
    version: str = "unknown"
    folder: Path | None = None
    families: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)  # "164.308" -> its title
    drill_validity_days: dict[str, int] = field(default_factory=dict)

    def control(self, control_id: str) -> ControlSpec | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def requirement(self, citation: str) -> RequirementSpec | None:
        return next((r for r in self.requirements if r.citation == citation), None)


def load_catalog_view(folder: Path | None = None) -> CatalogView:
    """The catalog in `folder` (the kit's own controls/ by default), validated by
    imekit.catalog.load_catalog: a broken catalog is an ImekitError, never a partial one."""
    from imekit.catalog import load_catalog

    folder = Path(folder) if folder else controls_dir()
    catalog = load_catalog(folder)
    controls = [
        ControlSpec(
            id=c.id,
            title=c.title,
            citations=tuple(c.citations),
            family=c.family,
            summary=" ".join(c.implementation.summary.split()) if c.implementation else "",
            components=tuple(c.implementation.components) if c.implementation else (),
            rego=tuple(c.rego),
            checkov=tuple(c.checkov_ids),
            drills=tuple(c.drills),
            manual=tuple(
                ManualSpec(m.id, m.title, m.owner, m.frequency, int(m.validity_days))
                for m in c.manual_evidence
            ),
            inherited=_text_or_none(c.inherited),
        )
        for c in catalog.controls.values()
    ]
    requirements = [
        RequirementSpec(
            citation=r.citation,
            title=r.title,
            kind=r.kind,
            obligation=r.obligation,
            not_applicable=_text_or_none(r.not_applicable),
            parent=r.parent,
            decision=r.decision.outcome if r.decision else None,
            nist_800_53r5=tuple(r.nist_800_53r5),
        )
        for r in catalog.requirements.values()
    ]
    sections_doc = _read_yaml(folder / "requirements.yaml").get("sections") or {}
    return CatalogView(
        controls=controls,
        requirements=requirements,
        version=catalog.version,
        folder=folder,
        families=dict(catalog.families),
        sections={
            str(k): str(v.get("title", "")) if isinstance(v, dict) else str(v)
            for k, v in sections_doc.items()
        },
        drill_validity_days=_drill_validity(folder.parent / "runbooks"),
    )


def _drill_validity(runbooks: Path) -> dict[str, int]:
    """Per-drill validity from runbooks/<name>.yaml (`validity_days` or `frequency`)."""
    validity: dict[str, int] = {}
    if not runbooks.is_dir():
        return validity
    by_frequency = {"monthly": 35, "quarterly": 100, "semiannual": 200, "annual": 395}
    for path in sorted(runbooks.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict):
            continue
        days = doc.get("validity_days") or by_frequency.get(str(doc.get("frequency", "")))
        if isinstance(days, int) and days > 0:
            validity[str(doc.get("name", path.stem))] = days
    return validity


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImekitError(f"cannot read the catalog file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ImekitError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ImekitError(f"{path} is not a YAML mapping")
    return doc


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return " ".join(str(value).split())
