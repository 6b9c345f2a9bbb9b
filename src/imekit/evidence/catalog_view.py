"""The slice of the control catalog that evidence needs, read from controls/.

The catalog (controls/controls.yaml, requirements.yaml, checkov.yaml) is the contract; this
module reads it into small typed records. When the catalog package's validating loader is
available it is run first, so evidence never computes status from a catalog that fails
its own checks.
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
    """Read controls/ (the kit's own by default)."""
    folder = Path(folder) if folder else controls_dir()
    _validate_with_catalog_package(folder)
    controls_doc = _read_yaml(folder / "controls.yaml")
    requirements_doc = _read_yaml(folder / "requirements.yaml")
    checkov_path = folder / "checkov.yaml"
    checkov_doc = _read_yaml(checkov_path) if checkov_path.exists() else {}

    checkov_by_control: dict[str, list[str]] = {}
    for check_id, spec in (checkov_doc.get("checks") or {}).items():
        if isinstance(spec, dict) and spec.get("enforcement", "mandatory") != "ignored":
            checkov_by_control.setdefault(str(spec.get("control")), []).append(str(check_id))

    controls = []
    for raw in controls_doc.get("controls") or []:
        try:
            controls.append(_control(raw, checkov_by_control))
        except (KeyError, TypeError, ValueError) as exc:
            raise ImekitError(
                f"{folder / 'controls.yaml'}: control {raw.get('id', '?')} is malformed: {exc}",
                hint="run `imekit controls check` and fix the catalog",
            ) from exc
    requirements = [
        RequirementSpec(
            citation=str(r["citation"]),
            title=str(r.get("title", "")),
            kind=str(r.get("kind", "")),
            obligation=str(r.get("obligation", "")),
            not_applicable=_text_or_none(r.get("not_applicable")),
            parent=_text_or_none(r.get("parent")),
            decision=_text_or_none((r.get("decision") or {}).get("outcome")),
            nist_800_53r5=tuple(str(x) for x in r.get("nist_800_53r5") or ()),
        )
        for r in requirements_doc.get("requirements") or []
    ]
    if not controls:
        raise ImekitError(f"no controls in {folder / 'controls.yaml'}")
    return CatalogView(
        controls=controls,
        requirements=requirements,
        version=str(controls_doc.get("catalog_version", "unknown")),
        folder=folder,
        families={str(k): str(v) for k, v in (controls_doc.get("families") or {}).items()},
        sections={
            str(k): str(v.get("title", "")) if isinstance(v, dict) else str(v)
            for k, v in (requirements_doc.get("sections") or {}).items()
        },
        drill_validity_days=_drill_validity(folder.parent / "runbooks"),
    )


def _control(raw: dict[str, Any], checkov_by_control: dict[str, list[str]]) -> ControlSpec:
    control_id = str(raw["id"])
    implementation = raw.get("implementation") or {}
    manual = tuple(
        ManualSpec(
            id=str(m["id"]),
            title=str(m.get("title", m["id"])),
            owner=str(m.get("owner", "")),
            frequency=str(m.get("frequency", "")),
            validity_days=int(m["validity_days"]),
        )
        for m in raw.get("manual_evidence") or ()
    )
    inherited = raw.get("inherited")
    if isinstance(inherited, dict):
        inherited = inherited.get("rationale")
    parts = control_id.split("-")
    return ControlSpec(
        id=control_id,
        title=str(raw.get("title", "")),
        citations=tuple(str(c) for c in raw.get("citations") or ()),
        family=parts[1] if len(parts) > 2 else "",
        summary=" ".join(str(implementation.get("summary", "")).split()),
        components=tuple(str(c) for c in implementation.get("components") or ()),
        rego=tuple(str(r) for r in raw.get("rego") or ()),
        checkov=tuple(sorted(checkov_by_control.get(control_id, ()))),
        drills=tuple(str(d) for d in raw.get("drills") or ()),
        manual=manual,
        inherited=_text_or_none(inherited),
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


def _validate_with_catalog_package(folder: Path) -> None:
    try:
        from imekit.catalog import load_catalog  # type: ignore[attr-defined]
    except ImportError:
        return
    try:
        load_catalog(folder)
    except TypeError:
        load_catalog()


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
