"""`${name}` substitution in runbook arguments and tolerances.

A string that is exactly one reference ("${manifest}") is replaced by the variable's value
with its type intact (a dict stays a dict); a reference inside a longer string is formatted
as text. `$${` writes a literal `${`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WHOLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class MissingVariable(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def references(value: Any) -> set[str]:
    """Every variable name referenced anywhere inside `value` (nested lists and dicts too)."""
    found: set[str] = set()
    if isinstance(value, str):
        found.update(m.group(1) for m in _TOKEN.finditer(value) if m.group(1))
    elif isinstance(value, Mapping):
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= references(item)
    return found


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """Return `value` with every reference replaced; raises MissingVariable for an unset one."""
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            return _lookup(variables, whole.group(1))
        return _TOKEN.sub(_replacer(variables), value)
    if isinstance(value, Mapping):
        return {key: substitute(item, variables) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(item, variables) for item in value]
    return value


def _replacer(variables: Mapping[str, Any]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # the `$${` escape
            return "${"
        return str(_lookup(variables, name))

    return replace


def _lookup(variables: Mapping[str, Any], name: str) -> Any:
    if name not in variables:
        raise MissingVariable(name)
    return variables[name]
