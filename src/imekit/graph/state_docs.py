"""Pulumi resource states (apitype.ResourceV3) -> analyzer documents.

Shared by the `pulumi preview --json` and `pulumi stack export` loaders: both hold
ResourceV3 objects (urn, type, custom, inputs, outputs, parent, protect, dependencies,
propertyDependencies, provider "urn::id", ignoreChanges, aliases, customTimeouts, ...).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from imekit.errors import ImekitError
from imekit.graph.model import build_document
from imekit.graph.wire import parse_provider_ref, properties_from, urn_parts


def _fail(path: str, why: str, hint: str) -> ImekitError:
    return ImekitError(f"{path}: {why}", hint=hint)


def _string_list(value: Any, where: str, path: str, hint: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{where} is not a list of strings", hint)
    return list(value)


def _timeouts(raw: dict[str, Any], where: str, path: str, hint: str) -> dict[str, float]:
    """ResourceV3 customTimeouts: seconds as numbers (resource.CustomTimeouts)."""
    out = {}
    for key in ("create", "update", "delete"):
        value = raw.get(key) or 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, f"{where}.{key} is not a number of seconds", hint)
        out[key] = float(value)
    return out


def location_of(source_position: Any) -> dict[str, Any] | None:
    """`project:///infra/__main__.py#12,5` -> {"file": "infra/__main__.py", "line": 12}."""
    if not isinstance(source_position, str) or "#" not in source_position:
        return None
    uri, _, fragment = source_position.partition("#")
    try:
        line = int(fragment.split(",")[0])
    except ValueError:
        return None
    parsed = urlparse(uri)
    raw = unquote(parsed.path)
    if parsed.scheme == "project":
        file = PurePosixPath(raw.lstrip("/")).as_posix()
    elif parsed.scheme == "file":
        file = raw
    else:
        return None
    # The SDK's own frames (the stack resource is registered by pulumi/runtime/stack.py)
    # are not the program's: synth leaves them out too.
    if not file or any(p in ("site-packages", "dist-packages") for p in file.split("/")):
        return None
    return {"file": file, "line": line}


def documents_from_states(
    states: list[Any], path: str, hint: str
) -> tuple[str, str, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(project, stack, documents sorted by URN, locations) from ResourceV3 objects."""
    by_urn: dict[str, dict[str, Any]] = {}
    for i, state in enumerate(states):
        if not isinstance(state, dict):
            raise _fail(path, f"resource {i} is not an object", hint)
        urn = state.get("urn")
        if not isinstance(urn, str):
            raise _fail(path, f"resource {i} has no urn", hint)
        try:
            urn_parts(urn)
        except ValueError as exc:
            raise _fail(path, f"resource {i}: {exc}", hint) from exc
        if state.get("delete"):
            continue  # pending deletion after a replacement: not part of the stack
        by_urn[urn] = state
    if not by_urn:
        raise _fail(path, "holds no resources", hint)

    stacks = {urn_parts(u)[:2] for u in by_urn}
    if len(stacks) != 1:
        names = ", ".join(sorted(f"{p}/{s}" for s, p in stacks))
        raise _fail(path, f"mixes resources of several stacks ({names})", hint)
    stack, project = next(iter(stacks))

    properties: dict[str, dict[str, Any]] = {}
    for urn, state in by_urn.items():
        inputs = state.get("inputs", {})
        if inputs is not None and not isinstance(inputs, dict):
            raise _fail(path, f"{urn}: inputs is not an object", hint)
        properties[urn] = properties_from(inputs or {})

    docs = []
    locations: dict[str, dict[str, Any]] = {}
    for urn in sorted(by_urn):
        state = by_urn[urn]
        _stack, _project, qualified, name = urn_parts(urn)
        type_ = state.get("type") or qualified.split("$")[-1]
        if not isinstance(type_, str):
            raise _fail(path, f"{urn}: type is not a string", hint)
        parent = state.get("parent") or ""
        if not isinstance(parent, str):
            raise _fail(path, f"{urn}: parent is not a string", hint)
        aliases = _string_list(state.get("aliases"), f"{urn}: aliases", path, hint)
        timeouts = state.get("customTimeouts") or {}
        if not isinstance(timeouts, dict):
            raise _fail(path, f"{urn}: customTimeouts is not an object", hint)
        options = {
            "protect": state.get("protect") is True,
            "ignoreChanges": _string_list(
                state.get("ignoreChanges"), f"{urn}: ignoreChanges", path, hint
            ),
            # Not kept in state: the analyzer sees null unless a program sets it to true.
            "deleteBeforeReplace": None,
            "additionalSecretOutputs": _string_list(
                state.get("additionalSecretOutputs"),
                f"{urn}: additionalSecretOutputs",
                path,
                hint,
            ),
            # State keeps every alias as a URN, which is how the analyzer receives them.
            "aliasURNs": aliases,
            "customTimeouts": _timeouts(timeouts, f"{urn}: customTimeouts", path, hint),
            "parent": parent,
        }
        provider_ref = state.get("provider") or ""
        if not isinstance(provider_ref, str):
            raise _fail(path, f"{urn}: provider is not a string", hint)
        provider_urn = parse_provider_ref(provider_ref)
        provider: dict[str, Any] = {}
        if provider_urn:
            pstate = by_urn.get(provider_urn)
            if pstate is None:
                raise _fail(path, f"{urn}: its provider {provider_urn} is not in the file", hint)
            provider = {
                "type": pstate.get("type") or urn_parts(provider_urn)[2].split("$")[-1],
                "name": urn_parts(provider_urn)[3],
                "urn": provider_urn,
                "properties": properties[provider_urn],
            }
        deps = _string_list(state.get("dependencies"), f"{urn}: dependencies", path, hint)
        raw_pdeps = state.get("propertyDependencies") or {}
        if not isinstance(raw_pdeps, dict):
            raise _fail(path, f"{urn}: propertyDependencies is not an object", hint)
        pdeps = {
            key: sorted(_string_list(v, f"{urn}: propertyDependencies.{key}", path, hint))
            for key, v in raw_pdeps.items()
        }
        docs.append(
            build_document(
                type_=type_,
                name=name,
                urn=urn,
                properties=properties[urn],
                options=options,
                provider=provider,
                dependencies=sorted(deps),
                property_dependencies=pdeps,
            )
        )
        where = location_of(state.get("sourcePosition"))
        if where is not None:
            locations[urn] = where
    return project, stack, docs, locations
