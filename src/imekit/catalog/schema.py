"""Validate catalog files against their JSON Schemas (controls/schema/*.schema.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError

SCHEMAS = {
    "requirements.yaml": "requirements.schema.json",
    "controls.yaml": "controls.schema.json",
    "checkov.yaml": "checkov.schema.json",
}

# The key that names an entry of each top-level list, so errors say which entry is wrong.
_ENTRY_KEYS = {"requirements": ("requirement", "citation"), "controls": ("control", "id")}


@cache
def _load_schema(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ImekitError(
            f"{path}: cannot read the schema: {exc}",
            hint="the kit's controls/schema/ folder is damaged; reinstall or restore it",
        ) from None


def validate_document(doc: dict[str, Any], file: Path, schema_dir: Path) -> None:
    """ImekitError naming the file, the entry and the first problem; None when valid."""
    import jsonschema

    schema = _load_schema(schema_dir / SCHEMAS[file.name])
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    first = _most_specific(errors[0])
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    raise ImekitError(
        f"{file}: {describe_location(doc, list(first.absolute_path))}: {first.message}{more}",
        hint=f"see {schema_dir / SCHEMAS[file.name]} and docs/controls.md for the format",
    )


def _most_specific(error: Any) -> Any:
    """For anyOf/oneOf failures, the deepest sub-error says more than 'is not valid'."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def describe_location(doc: dict[str, Any], path: list[Any]) -> str:
    """`control IME-ENC-01, citations[2]` rather than `controls/0/citations/2`."""
    if not path:
        return "top level"
    head, rest = path[0], path[1:]
    if head in _ENTRY_KEYS and rest and isinstance(rest[0], int):
        label, key = _ENTRY_KEYS[head]
        entries = doc.get(head) or []
        entry = entries[rest[0]] if rest[0] < len(entries) else None
        name = entry.get(key) if isinstance(entry, dict) else None
        where = f"{label} {name}" if name else f"{label} #{rest[0] + 1}"
        return where + (f", {_path_text(rest[1:])}" if rest[1:] else "")
    if head == "checks" and rest:
        return f"check {rest[0]}" + (f", {_path_text(rest[1:])}" if rest[1:] else "")
    return _path_text(path)


def _path_text(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
