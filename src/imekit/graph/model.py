"""The graph contract, `imekit.graph/v1` (documented in docs/graph-contract.md).

One JSON file:
    {"schema": "imekit.graph/v1", "project": str, "stack": str,
     "source": {"kind": "synth" | "preview-json" | "stack-export", ...},
     "resources": [<stack-scope analyzer document>, ...],
     "locations": {"<urn>": {"file": str, "line": int}, ...}}

Each element of `resources` is exactly what Pulumi's OPA analyzer (pulumi-policy-opa,
buildStackOPAInput) hands a stack rule: the per-resource document plus `dependencies`
and `propertyDependencies`. The resource-scope input of a per-resource rule is the same
document without those two keys (`resource_input`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError

SCHEMA = "imekit.graph/v1"

# Every secret value is replaced by this one marker before it reaches any document,
# report or log. Rules must never depend on a secret's value.
SECRET_MARKER = "[secret]"

# Pulumi's own sentinel for a value not known until apply (the engine's
# UnknownStringValue). Written in place of other resources' outputs by `synth --unknowns`
# and by the preview loader, so the gate sees what a real `pulumi preview` sees.
UNKNOWN_MARKER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# The keys every analyzer document carries (buildOPAInput), in the analyzer's words.
ANALYZER_KEYS = (
    "__type",
    "__name",
    "__urn",
    "__options",
    "__provider",
    "__properties",
    "type",
    "name",
    "urn",
    "options",
    "provider",
    "properties",
)
STACK_ONLY_KEYS = ("dependencies", "propertyDependencies")
OPTION_KEYS = (
    "protect",
    "ignoreChanges",
    "deleteBeforeReplace",
    "additionalSecretOutputs",
    "aliasURNs",
    "aliases",
    "customTimeouts",
    "parent",
)


@dataclass
class Graph:
    project: str
    stack: str
    source: dict[str, Any]
    resources: list[dict[str, Any]]
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "project": self.project,
            "stack": self.stack,
            "source": self.source,
            "resources": self.resources,
            "locations": self.locations,
        }

    def dumps(self) -> str:
        """Canonical text: sorted keys, stable indentation, so equal graphs are equal bytes."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.dumps(), encoding="utf-8")

    def by_urn(self) -> dict[str, dict[str, Any]]:
        return {r["__urn"]: r for r in self.resources}

    def location_of(self, urn: str) -> dict[str, Any] | None:
        return self.locations.get(urn)


def resource_input(doc: dict[str, Any]) -> dict[str, Any]:
    """The resource-scope input of a per-resource rule: the stack document minus stack keys."""
    return {k: v for k, v in doc.items() if k not in STACK_ONLY_KEYS}


def build_document(
    *,
    type_: str,
    name: str,
    urn: str,
    properties: dict[str, Any],
    options: dict[str, Any] | None = None,
    provider: dict[str, Any] | None = None,
    dependencies: list[str] | None = None,
    property_dependencies: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Build one stack-scope document exactly as buildOPAInput + buildStackOPAInput do.

    Order of writes matters and mirrors the analyzer: metadata first, then every property
    overlaid at top level (a property named `type` wins over the metadata `type`), then the
    `__`-prefixed copies last so they always hold the metadata.

    Options and property dependencies take the shape they have after the engine hands them
    to the analyzer plugin over gRPC (Pulumi's plugin.NewAnalyzerServer), whatever shape the
    caller gives them in: see `_analyzer_options`.
    """
    opts = _analyzer_options(options or {})
    prov = provider or {}
    doc: dict[str, Any] = {
        "type": type_,
        "urn": urn,
        "name": name,
        "__name": name,
        "options": opts,
        "provider": prov,
        "properties": properties,
    }
    for key, value in properties.items():
        doc[key] = value
    doc["__type"] = type_
    doc["__urn"] = urn
    doc["__name"] = name
    doc["__options"] = opts
    doc["__properties"] = properties
    doc["__provider"] = prov
    doc["dependencies"] = list(dependencies or [])
    # The engine sends only inputs that depend on something, and the analyzer server keeps
    # only non-empty lists: a literal input has no entry at all.
    doc["propertyDependencies"] = {
        k: list(v) for k, v in (property_dependencies or {}).items() if v
    }
    return doc


def _analyzer_options(given: dict[str, Any]) -> dict[str, Any]:
    """`__options` as the OPA analyzer receives it through Pulumi's analyzer gRPC server.

    The server (sdk/go/common/resource/plugin/analyzer_server.go, convertResourceOptions)
    rebuilds the options from the wire: `deleteBeforeReplace` is a pointer set only when
    true (null otherwise); `additionalSecretOutputs` and `aliasURNs` always arrive as lists
    (the wire has no null list); every alias, spec or URN, arrives as its URN in `aliasURNs`,
    so `aliases` is always null; an empty `ignoreChanges` stays null.
    """
    timeouts = given.get("customTimeouts") or {}
    return {
        "protect": bool(given.get("protect", False)),
        "ignoreChanges": list(given.get("ignoreChanges") or []) or None,
        "deleteBeforeReplace": True if given.get("deleteBeforeReplace") is True else None,
        "additionalSecretOutputs": list(given.get("additionalSecretOutputs") or []),
        "aliasURNs": list(given.get("aliasURNs") or []),
        "aliases": None,
        "customTimeouts": {
            k: float(timeouts.get(k) or 0.0) for k in ("create", "update", "delete")
        },
        "parent": given.get("parent") or "",
    }


def _fail(path: str, why: str) -> ImekitError:
    return ImekitError(
        f"{path}: not an imekit graph: {why}",
        hint="write one with `imekit synth -o graph.json`, or pass --preview-json/--stack-export",
    )


def validate_graph_json(data: Any, path: str = "<graph>") -> Graph:
    """Check the contract strictly; any deviation is an error, never a partial graph."""
    if not isinstance(data, dict):
        raise _fail(path, "top level is not an object")
    if data.get("schema") != SCHEMA:
        raise _fail(path, f"schema is {data.get('schema')!r}, expected {SCHEMA!r}")
    for key in ("project", "stack"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(path, f"'{key}' must be a non-empty string")
    if not isinstance(data.get("source"), dict):
        raise _fail(path, "'source' must be an object")
    resources = data.get("resources")
    if not isinstance(resources, list):
        raise _fail(path, "'resources' must be a list")
    seen: set[str] = set()
    for i, doc in enumerate(resources):
        if not isinstance(doc, dict):
            raise _fail(path, f"resources[{i}] is not an object")
        missing = [k for k in ANALYZER_KEYS + STACK_ONLY_KEYS if k not in doc]
        if missing:
            raise _fail(path, f"resources[{i}] lacks {', '.join(missing)}")
        urn = doc["__urn"]
        if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
            raise _fail(path, f"resources[{i}] has a malformed __urn {urn!r}")
        if urn in seen:
            raise _fail(path, f"duplicate resource {urn}")
        seen.add(urn)
        if not isinstance(doc["__properties"], dict):
            raise _fail(path, f"{urn}: __properties is not an object")
        if not isinstance(doc["propertyDependencies"], dict):
            raise _fail(path, f"{urn}: propertyDependencies is not an object")
    locations = data.get("locations", {})
    if not isinstance(locations, dict):
        raise _fail(path, "'locations' must be an object")
    for urn, where in locations.items():
        if (
            not isinstance(where, dict)
            or not isinstance(where.get("file"), str)
            or not isinstance(where.get("line"), int)
            or isinstance(where.get("line"), bool)
        ):
            raise _fail(path, f"locations[{urn!r}] must be {{\"file\": str, \"line\": int}}")
    return Graph(
        project=data["project"],
        stack=data["stack"],
        source=data["source"],
        resources=resources,
        locations=locations,
    )


def load_graph(path: Path) -> Graph:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImekitError(f"cannot read graph {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise _fail(str(path), f"not UTF-8 text (byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(str(path), f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return validate_graph_json(data, str(path))
