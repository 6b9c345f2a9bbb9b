"""Keep the catalog and the rest of the kit true to each other, in both directions.

    coverage   every leaf requirement is met by a control or carries a documented reason
    policies   every policy rule names an existing control in METADATA `custom.control`,
               that control lists the rule, its messages start with that control id, and
               every rule a control lists exists in policies/*.rego
    runbooks   every drill a control lists is runbooks/<name>.yaml and lists the control
               back in `controls:`; every control a runbook lists exists and lists the drill
    infra      every component a control names is a component declared in infra/

Each area reports problems as data. An area whose folder holds nothing yet is reported as
`skipped` with the reason: it could not be checked, which is never the same as passing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit.catalog.coverage import compute_coverage
from imekit.catalog.model import Catalog
from imekit.catalog.rego_scan import scan_pack
from imekit.catalog.yamlfile import read_yaml_mapping
from imekit.errors import ImekitError

AREAS = ("coverage", "policies", "runbooks", "infra")


@dataclass(frozen=True)
class Problem:
    area: str
    where: str  # file[:line] or catalog entry
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class AreaResult:
    area: str
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None  # why the area could not be checked
    checked: int = 0  # how many items were checked (rules, runbooks, components...)

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.area, where, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "checked": self.checked,
            "skipped": self.skipped,
            "problems": [{"where": p.where, "message": p.message} for p in self.problems],
        }


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


# ------------------------------------------------------------------ coverage
def check_coverage(catalog: Catalog) -> AreaResult:
    result = AreaResult("coverage")
    report = compute_coverage(catalog)
    for row in report.rows:
        if row.is_leaf:
            result.checked += 1
            for gap in row.gaps:
                result.add(f"requirement {row.requirement.citation}", gap)
    return result


# ------------------------------------------------------------------ policies
def check_policies(catalog: Catalog, policies_dir: Path, root: Path | None = None) -> AreaResult:
    result = AreaResult("policies")
    if not policies_dir.is_dir():
        result.skipped = f"{_rel(policies_dir, root)} does not exist"
        return result
    scan = scan_pack(policies_dir)
    if not scan.files:
        result.skipped = f"{_rel(policies_dir, root)} holds no .rego files yet"
        return result
    for path, line, message in scan.problems:
        result.add(f"{_rel(path, root)}:{line}", message)

    for rule in scan.rules.values():
        result.checked += 1
        where = f"{_rel(rule.file, root)}:{rule.line} {rule.name}"
        if not rule.controls:
            result.add(where, "no METADATA `custom.control`: every policy rule names its control")
            continue
        if len(rule.controls) > 1:
            result.add(
                where, f"METADATA names several controls: {', '.join(sorted(rule.controls))}"
            )
            continue
        control_id = next(iter(rule.controls))
        control = catalog.controls.get(control_id)
        if control is None:
            result.add(where, f"METADATA names {control_id}, which is not in the catalog")
            continue
        owner = catalog.control_for_rule(rule.name)
        if owner is None:
            result.add(
                where,
                f"orphan rule: {control_id} does not list it under `rego` in controls.yaml",
            )
        elif owner.id != control_id:
            result.add(
                where,
                f"METADATA names {control_id} but the catalog lists the rule under {owner.id}",
            )
        stray = rule.message_controls - {control_id}
        if stray:
            result.add(
                where,
                f"messages start with {', '.join(sorted(stray))}, not its control {control_id}",
            )

    for control in catalog.controls.values():
        for rule_name in control.rego:
            if rule_name not in scan.rules:
                result.add(
                    f"controls.yaml {control.id}",
                    f"rule {rule_name} is not defined in {_rel(policies_dir, root)}/*.rego",
                )
    return result


# ------------------------------------------------------------------ runbooks
def runbook_files(runbooks_dir: Path) -> dict[str, Path]:
    """Drill name -> runbook file (runbooks/<name>.yaml; `_`/`.` files are not runbooks)."""
    if not runbooks_dir.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(runbooks_dir.glob("*.yaml"))
        if p.is_file() and not p.name.startswith(("_", "."))
    }


def check_runbooks(catalog: Catalog, runbooks_dir: Path, root: Path | None = None) -> AreaResult:
    result = AreaResult("runbooks")
    files = runbook_files(runbooks_dir)
    if not files:
        result.skipped = f"{_rel(runbooks_dir, root)} holds no runbooks yet"
        return result

    listed: dict[str, list[str]] = {}  # drill -> controls it lists
    for name, path in files.items():
        result.checked += 1
        where = _rel(path, root)
        try:
            doc = read_yaml_mapping(path)
        except ImekitError as exc:
            result.add(where, exc.message)
            continue
        if "name" in doc and doc["name"] != name:
            result.add(where, f"name {doc['name']!r} differs from the file name {name!r}")
        controls = doc.get("controls")
        if not isinstance(controls, list) or not controls:
            result.add(where, "no `controls:` list naming the controls the drill exercises")
            continue
        listed[name] = [str(c) for c in controls]
        for control_id in listed[name]:
            control = catalog.controls.get(control_id)
            if control is None:
                result.add(where, f"control {control_id} is not in the catalog")
            elif name not in control.drills:
                result.add(
                    where,
                    f"lists {control_id}, but that control does not list drill {name}"
                    " under `drills` in controls.yaml",
                )

    for control in catalog.controls.values():
        for drill in control.drills:
            if drill not in files:
                result.add(
                    f"controls.yaml {control.id}",
                    f"drill {drill} has no runbook {_rel(runbooks_dir / (drill + '.yaml'), root)}",
                )
            elif drill in listed and control.id not in listed[drill]:
                result.add(
                    f"controls.yaml {control.id}",
                    f"lists drill {drill}, but runbook {drill} does not list {control.id}",
                )
    return result


# ------------------------------------------------------------------ infra components
_COMPONENT_DECLARATIONS = (
    re.compile(r"\bCOMPONENT\s*(?::\s*[A-Za-z_\[\]]+\s*)?=\s*[\"']([a-z0-9-]+)[\"']"),
    re.compile(r"\bcomponent\s*=\s*[\"']([a-z0-9-]+)[\"']"),
)


def infra_components(infra_dir: Path) -> dict[str, Path]:
    """Component names declared in infra/ (`COMPONENT = "..."` or `component="..."`)."""
    found: dict[str, Path] = {}
    if not infra_dir.is_dir():
        return found
    for path in sorted(infra_dir.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in _COMPONENT_DECLARATIONS:
            for name in pattern.findall(text):
                found.setdefault(name, path)
    return found


def check_components(catalog: Catalog, infra_dir: Path, root: Path | None = None) -> AreaResult:
    result = AreaResult("infra")
    declared = infra_components(infra_dir)
    if not declared:
        result.skipped = f"{_rel(infra_dir, root)} declares no components yet"
        return result
    for control in catalog.controls.values():
        if control.implementation is None:
            continue
        for component in control.implementation.components:
            result.checked += 1
            if component not in declared:
                result.add(
                    f"controls.yaml {control.id}",
                    f"component {component} is not declared in {_rel(infra_dir, root)}"
                    f" (declared: {', '.join(sorted(declared))})",
                )
    return result


# ------------------------------------------------------------------ all
def check_all(catalog: Catalog, kit_root: Path) -> list[AreaResult]:
    return [
        check_coverage(catalog),
        check_policies(catalog, kit_root / "policies", kit_root),
        check_runbooks(catalog, kit_root / "runbooks", kit_root),
        check_components(catalog, kit_root / "infra", kit_root),
    ]
