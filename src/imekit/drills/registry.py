"""The actions and probes a runbook may name, as `<service>.<function>`.

Each module under imekit.drills.aws registers its functions with @action or @probe; the
name a runbook uses is the module's last name and the function's name, e.g.
`s3.restore_last_good_versions`. Every function takes the DrillContext first and then
keyword arguments, which is how the runbook's `arguments:` are passed.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["action", "probe"]

# One module per AWS service; the order is the order `imekit drill show` lists them in.
SERVICE_MODULES = (
    "s3",
    "kms",
    "iam",
    "rds",
    "cloudtrail",
    "logs",
    "cloudwatch",
    "sns",
    "backup",
    "dynamodb",
)


@dataclass(frozen=True)
class Registered:
    name: str
    kind: Kind
    function: Callable[..., Any]

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.function) or ""
        return doc.splitlines()[0] if doc else ""


_REGISTRY: dict[str, Registered] = {}


def action(function: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function that changes something (setup, inject, respond, restore, rollback)."""
    _register(function, "action")
    return function


def probe(function: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function that only reads, returning a value a tolerance is checked against."""
    _register(function, "probe")
    return function


def _register(function: Callable[..., Any], kind: Kind) -> None:
    service = function.__module__.rsplit(".", 1)[-1]
    name = f"{service}.{function.__name__}"
    if name in _REGISTRY and _REGISTRY[name].function is not function:
        raise RuntimeError(f"drill function {name} registered twice")
    _REGISTRY[name] = Registered(name=name, kind=kind, function=function)


def load_registry() -> Mapping[str, Registered]:
    """Import every service module (idempotent) and return name -> registered function."""
    for module in SERVICE_MODULES:
        importlib.import_module(f"imekit.drills.aws.{module}")
    return dict(_REGISTRY)


def argument_problems(entry: Registered, arguments: Mapping[str, Any]) -> list[str]:
    """Arguments the runbook passes that the function does not take, or required ones missing."""
    parameters = list(inspect.signature(entry.function).parameters.values())[1:]  # skip ctx
    accepted = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY
                or p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD}
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty
                and p.name in accepted}
    problems = [f"unknown argument {name!r}" for name in sorted(set(arguments) - accepted)]
    problems += [f"missing argument {name!r}" for name in sorted(required - set(arguments))]
    return problems


def names_by_kind() -> dict[Kind, list[str]]:
    registry = load_registry()
    return {
        "action": sorted(n for n, e in registry.items() if e.kind == "action"),
        "probe": sorted(n for n, e in registry.items() if e.kind == "probe"),
    }


def _write_schema_enums() -> None:
    """Refresh the action/probe enums in runbooks/schema/drill.schema.json from the registry
    (run after adding a function: `python -m imekit.drills.registry`)."""
    import json

    from imekit.drills import registry  # the imported module, not __main__, holds the names
    from imekit.paths import runbooks_dir

    path = runbooks_dir() / "schema" / "drill.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    names = registry.names_by_kind()
    schema["$defs"]["action_name"] = {"enum": names["action"]}
    schema["$defs"]["probe_name"] = {"enum": names["probe"]}
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    print(f"{path}: {len(names['action'])} actions, {len(names['probe'])} probes")


if __name__ == "__main__":
    _write_schema_enums()
