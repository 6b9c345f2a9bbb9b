"""Tolerances: what a probe's value must be for the hypothesis to hold.

Forms (the schema enforces them):
  a scalar or a list      the value must equal it (`true`, `"Enabled"`, `[]` = "no problems")
  {equals: X}             the value must equal X (use for dicts)
  {one_of: [A, B]}        the value must equal one of them
  {range: [LO, HI]}       a number with LO <= value <= HI
  {at_least: N}           a number >= N
  {at_most: N}            a number <= N
Booleans never match numbers: `true` is not `1`.
"""

from __future__ import annotations

from typing import Any


def matches(tolerance: Any, value: Any) -> bool:
    if isinstance(tolerance, dict):
        (kind, expected), = tolerance.items()
        if kind == "equals":
            return _equal(expected, value)
        if kind == "one_of":
            return any(_equal(option, value) for option in expected)
        if not _is_number(value):
            return False
        if kind == "range":
            low, high = expected
            return low <= value <= high
        if kind == "at_least":
            return value >= expected
        if kind == "at_most":
            return value <= expected
        raise ValueError(f"unknown tolerance {kind!r}")
    return _equal(tolerance, value)


def describe(tolerance: Any) -> str:
    if isinstance(tolerance, dict):
        (kind, expected), = tolerance.items()
        return {
            "equals": f"equal to {expected!r}",
            "one_of": f"one of {expected!r}",
            "range": f"between {expected[0]!r} and {expected[1]!r}",
            "at_least": f"at least {expected!r}",
            "at_most": f"at most {expected!r}",
        }[kind]
    return f"{tolerance!r}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(expected) is type(value) and expected == value
    if isinstance(expected, list) and isinstance(value, list | tuple):
        return len(expected) == len(value) and all(
            _equal(a, b) for a, b in zip(expected, value, strict=True)
        )
    return expected == value
