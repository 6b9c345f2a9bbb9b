"""Variable substitution and tolerances, the two small languages of a runbook."""

from __future__ import annotations

import pytest

from imekit.drills import tolerance, variables


def test_whole_reference_keeps_its_type() -> None:
    values = {"manifest": {"a": "1"}, "n": 3, "suffix": "ab12cd"}
    assert variables.substitute("${manifest}", values) == {"a": "1"}
    assert variables.substitute("${n}", values) == 3
    assert variables.substitute("bucket-${suffix}-${n}", values) == "bucket-ab12cd-3"
    assert variables.substitute({"k": ["${n}", "x${n}"]}, values) == {"k": [3, "x3"]}
    assert variables.substitute("$${literal}", values) == "${literal}"


def test_missing_variable_raises_and_null_is_a_value() -> None:
    with pytest.raises(variables.MissingVariable) as raised:
        variables.substitute("x-${nope}", {})
    assert raised.value.name == "nope"
    assert variables.substitute("${subnet}", {"subnet": None}) is None


def test_references_are_found_anywhere() -> None:
    assert variables.references({"a": ["${x}", {"b": "${y}-$${z}"}]}) == {"x", "y"}


@pytest.mark.parametrize(("expected", "value", "ok"), [
    (True, True, True),
    (True, 1, False),  # a boolean never matches a number
    ("Enabled", "Suspended", False),
    ([], [], True),
    ([], ["reports/1: missing"], False),
    ({"one_of": ["Disabled", "PendingDeletion"]}, "PendingDeletion", True),
    ({"one_of": ["Disabled", "PendingDeletion"]}, "Enabled", False),
    ({"range": [1, 5]}, 5, True),
    ({"range": [1, 5]}, 6, False),
    ({"at_least": 1}, 0, False),
    ({"at_most": 10}, 10.0, True),
    ({"at_most": 10}, "10", False),
    ({"equals": {"a": 1}}, {"a": 1}, True),
])
def test_tolerances(expected: object, value: object, ok: bool) -> None:
    assert tolerance.matches(expected, value) is ok
