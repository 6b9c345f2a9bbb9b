"""Drill definitions: runbooks/<name>.yaml, loaded, validated and typed.

Validation is strict and happens before anything runs: the JSON Schema
(runbooks/schema/drill.schema.json) checks the shape and that every action and probe name
exists; then the loader checks what a schema cannot: each function's arguments against its
signature, that a probe is not named as an action (and vice versa), that every `${var}` is
defined before it is used, and that the file name matches the drill's name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from imekit.drills import variables
from imekit.errors import ImekitError
from imekit.paths import runbooks_dir

FORMAT = "imekit.drill/v1"
PHASES = ("setup", "inject", "detect", "respond", "restore")
SKIPPABLE_PHASES = ("inject", "detect", "respond", "restore")
# Variables every run defines before the first step.
BUILTIN_VARIABLES = ("run_id", "suffix", "drill", "region", "account", "target")


@dataclass(frozen=True)
class Step:
    name: str
    kind: str  # "action" | "probe"
    function: str  # registry name, e.g. "s3.restore_last_good_versions"
    arguments: Mapping[str, Any]
    store: str | None = None
    tolerance: Any = None
    description: str | None = None


@dataclass(frozen=True)
class Drill:
    name: str
    title: str
    description: str
    kind: str  # "technical" | "tabletop"
    controls: tuple[str, ...]
    path: Path
    sha256: str
    rto_seconds: float | None = None
    rpo_seconds: float | None = None
    supported_targets: tuple[str, ...] = ()
    local_unsupported_reason: str | None = None
    configuration: Mapping[str, Any] = field(default_factory=dict)
    steady_state_title: str = ""
    steady_state: tuple[Step, ...] = ()
    recheck_steady_state: bool = True
    phases: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)
    verification: tuple[Step, ...] = ()
    rollbacks: tuple[Step, ...] = ()
    aws_only: tuple[str, ...] = ()
    not_verified: tuple[str, ...] = ()
    tabletop: Mapping[str, Any] | None = None
    frequency: str | None = None

    @property
    def is_tabletop(self) -> bool:
        return self.kind == "tabletop"


@cache
def drill_schema() -> dict[str, Any]:
    path = runbooks_dir() / "schema" / "drill.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImekitError(f"cannot read the drill schema {path}: {exc}") from exc


def drill_paths() -> list[Path]:
    folder = runbooks_dir()
    if not folder.is_dir():
        raise ImekitError(f"no runbooks folder at {folder}",
                          hint="run from a checkout of the kit or reinstall it")
    return sorted(folder.glob("*.yaml"))


def list_drills() -> list[Drill]:
    """Every drill in runbooks/, validated (an invalid one is an error, never skipped)."""
    return [load_drill_file(path) for path in drill_paths()]


def resolve_drill_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.parent != Path("."):
        if not candidate.is_file():
            raise ImekitError(f"no drill definition at {candidate}")
        return candidate
    path = runbooks_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in drill_paths()) or "none"
        raise ImekitError(f"unknown drill {name_or_path!r}", hint=f"known drills: {known}")
    return path


def load_drill(name_or_path: str) -> Drill:
    """A drill by name (runbooks/<name>.yaml) or by path to a YAML file."""
    return load_drill_file(resolve_drill_path(name_or_path))


def load_drill_file(path: Path) -> Drill:
    try:
        raw_bytes = path.read_bytes()
        data = yaml.safe_load(raw_bytes)
    except (OSError, yaml.YAMLError) as exc:
        raise ImekitError(f"cannot read drill definition {path}: {exc}") from exc
    problems = validate_definition(data, path)
    if problems:
        listing = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ImekitError(f"invalid drill definition {path}: {listing}{more}",
                          hint="see docs/drills.md for the format; "
                          "`imekit drill validate` lists every problem")
    return _build(data, path, hashlib.sha256(raw_bytes).hexdigest())


def validate_definition(data: Any, path: Path | None = None) -> list[str]:
    """Every problem with a parsed definition; an empty list means it is valid."""
    import jsonschema

    if not isinstance(data, dict):
        return ["the definition must be a YAML mapping"]
    validator = jsonschema.Draft202012Validator(drill_schema())
    problems = [_schema_message(error) for error in
                sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))]
    if problems:
        return problems
    if path is not None and path.suffix in (".yaml", ".yml") and path.parent == runbooks_dir() \
            and path.stem != data["name"]:
        problems.append(f"name {data['name']!r} does not match the file name {path.name!r}")
    if data["kind"] == "technical":
        problems += _technical_problems(data)
    else:
        problems += _tabletop_problems(data["tabletop"])
    return problems


def _schema_message(error: Any) -> str:
    from jsonschema.exceptions import best_match

    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    path = list(error.absolute_path)
    if error.validator == "enum" and path and path[-1] in ("action", "probe"):
        return f"{where}: unknown {path[-1]} {error.instance!r}"
    if error.validator == "oneOf" and isinstance(error.instance, dict) and error.context:
        # A step is "an action step or a probe step": name the real problem, not the oneOf.
        for key in ("action", "probe"):
            for sub in error.context:
                if sub.validator == "enum" and list(sub.relative_path) == [key]:
                    return f"{where}: unknown {key} {error.instance[key]!r}"
        branch = 1 if "probe" in error.instance else 0  # the step schema's oneOf order
        chosen = [sub for sub in error.context if sub.schema_path and sub.schema_path[0] == branch]
        return _schema_message(best_match(chosen or error.context))
    if error.validator == "not" and isinstance(error.validator_value, dict):
        # The schema's "a tabletop has no method..." and "a technical drill has no tabletop".
        keys = [k for b in error.validator_value.get("anyOf", [error.validator_value])
                for k in b.get("required", []) if isinstance(error.instance, dict)
                and k in error.instance]
        if keys:
            return f"{where}: a {error.instance.get('kind')} drill cannot have " \
                f"{', '.join(keys)}"
    message = error.message
    if len(message) > 300:  # jsonschema quotes the whole offending value
        message = message[:300] + "..."
    return f"{where}: {message}"


def _technical_problems(data: dict[str, Any]) -> list[str]:
    from imekit.drills.registry import argument_problems, load_registry

    registry = load_registry()
    problems: list[str] = []
    configuration = data.get("configuration") or {}
    defined = set(BUILTIN_VARIABLES)
    for key, value in configuration.items():
        if key in BUILTIN_VARIABLES:
            # It would replace the run's own value (e.g. the suffix that keeps names unique).
            problems.append(f"configuration/{key}: redefines the built-in variable ${{{key}}}")
        for ref in sorted(variables.references(value) - defined):
            problems.append(f"configuration/{key}: unknown variable ${{{ref}}}")
        defined.add(key)
    if data["method"]["setup"] and not data["rollbacks"]:
        problems.append("rollbacks: none, but setup creates resources; a drill deletes what it "
                        "creates, even when a step fails")

    # Execution order: setup, steady state, the other phases, verification; rollbacks last
    # and allowed to name anything stored anywhere (a missing value there means "never created").
    ordered: list[tuple[str, dict[str, Any]]] = []
    ordered += [("method/setup", s) for s in data["method"]["setup"]]
    ordered += [("steady_state_hypothesis", s) for s in data["steady_state_hypothesis"]["probes"]]
    for phase in PHASES[1:]:
        ordered += [(f"method/{phase}", s) for s in data["method"][phase]]
    ordered += [("verification", s) for s in data["verification"]]
    all_stored = {s["store"] for _, s in ordered if "store" in s}
    stored_by: dict[str, str] = {}
    names: set[str] = set()
    for where, step in ordered + [("rollbacks", s) for s in data["rollbacks"]]:
        label = f"{where}/{step['name']}"
        if step["name"] in names:
            problems.append(f"{label}: duplicate step name")
        names.add(step["name"])
        kind = "probe" if "probe" in step else "action"
        entry = registry.get(step[kind])
        if entry is None:
            problems.append(f"{label}: unknown {kind} {step[kind]!r}")
        elif entry.kind != kind:
            problems.append(f"{label}: {step[kind]} is a {entry.kind}, not a {kind}")
        else:
            problems += [f"{label}: {p} for {entry.name}"
                         for p in argument_problems(entry, step.get("arguments") or {})]
        usable = defined | all_stored if where == "rollbacks" else defined
        refs = variables.references(step.get("arguments") or {})
        refs |= variables.references(step.get("tolerance"))
        for ref in sorted(refs - usable):
            if ref in all_stored:
                problems.append(f"{label}: ${{{ref}}} is used before the step that stores it")
            else:
                problems.append(f"{label}: unknown variable ${{{ref}}}")
        if "store" in step:
            # A value stored twice (or over a built-in or configuration value) would make a
            # later step, or a rollback, act on something other than what was created.
            target = step["store"]
            if target in BUILTIN_VARIABLES or target in configuration:
                problems.append(f"{label}: store {target!r} would overwrite the variable "
                                f"${{{target}}}")
            elif target in stored_by:
                problems.append(f"{label}: store {target!r} is already stored by step "
                                f"{stored_by[target]}")
            stored_by.setdefault(target, label)
            defined.add(target)
    return problems


def _tabletop_problems(tabletop: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    seen_injects: set[str] = set()
    seen_questions: set[str] = set()
    last_minute = -1
    for inject in tabletop["injects"]:
        if inject["id"] in seen_injects:
            problems.append(f"tabletop/injects/{inject['id']}: duplicate inject id")
        seen_injects.add(inject["id"])
        if inject["at_minute"] < last_minute:
            problems.append(f"tabletop/injects/{inject['id']}: injects must be in time order")
        last_minute = inject["at_minute"]
        if inject["at_minute"] > tabletop["duration_minutes"]:
            problems.append(f"tabletop/injects/{inject['id']}: at_minute is after the end "
                            "of the exercise")
        for question in inject["questions"]:
            if question["id"] in seen_questions:
                problems.append(f"tabletop/questions/{question['id']}: duplicate question id")
            seen_questions.add(question["id"])
    return problems


def _steps(items: Iterable[dict[str, Any]]) -> tuple[Step, ...]:
    result = []
    for item in items:
        kind = "probe" if "probe" in item else "action"
        result.append(Step(
            name=item["name"],
            kind=kind,
            function=item[kind],
            arguments=dict(item.get("arguments") or {}),
            store=item.get("store"),
            tolerance=item.get("tolerance"),
            description=item.get("description"),
        ))
    return tuple(result)


def _build(data: dict[str, Any], path: Path, sha256: str) -> Drill:
    common: dict[str, Any] = dict(
        name=data["name"],
        title=data["title"],
        description=data["description"].strip(),
        kind=data["kind"],
        controls=tuple(data["controls"]),
        path=path,
        sha256=sha256,
        aws_only=tuple(data.get("aws_only") or ()),
        not_verified=tuple(data.get("not_verified") or ()),
        frequency=data.get("frequency"),
    )
    targets = data.get("targets") or {}
    common.update(rto_seconds=targets.get("rto_seconds"), rpo_seconds=targets.get("rpo_seconds"))
    if data["kind"] == "tabletop":
        return Drill(**common, tabletop=data["tabletop"])
    return Drill(
        **common,
        supported_targets=tuple(data["supported_targets"]),
        local_unsupported_reason=data.get("local_unsupported_reason"),
        configuration=dict(data.get("configuration") or {}),
        steady_state_title=data["steady_state_hypothesis"]["title"],
        steady_state=_steps(data["steady_state_hypothesis"]["probes"]),
        recheck_steady_state=data["steady_state_hypothesis"].get("recheck_after", True),
        phases={phase: _steps(data["method"][phase]) for phase in PHASES},
        verification=_steps(data["verification"]),
        rollbacks=_steps(data["rollbacks"]),
    )
