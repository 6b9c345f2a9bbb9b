"""Read a catalog (or waiver) YAML file strictly.

PyYAML silently keeps the last of two equal keys; in a catalog that would hide a duplicate
control, requirement or checkov id. Here a duplicate key is an error naming its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from imekit.errors import ImekitError

# libyaml's parser when present (about 10x faster); the checks below work with either.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate mapping keys and keeps dates as text."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: the schemas check their shape and JSON Schema knows no date type.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_strict(text: str) -> Any:
    """Parse YAML text strictly: a duplicate key is a yaml.YAMLError; dates stay strings."""
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass


def describe_error(exc: yaml.YAMLError) -> str:
    """One line saying where and what, for an error message."""
    return _one_line(exc)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The YAML mapping in `path`, or ImekitError naming the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImekitError(
            f"{path}: catalog file not found",
            hint="run from a checkout of the kit or pass the folder holding the catalog",
        ) from None
    except OSError as exc:
        raise ImekitError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise ImekitError(f"{path}: not UTF-8 text", hint="restore the file from git") from None
    try:
        doc = load_strict(text)
    except yaml.YAMLError as exc:
        raise ImekitError(
            f"{path}: not valid YAML: {_one_line(exc)}", hint="fix the YAML at the line shown"
        ) from None
    if not isinstance(doc, dict):
        raise ImekitError(f"{path}: expected a YAML mapping at the top level")
    return doc


def _one_line(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return where + " ".join(str(problem).split())
