"""Citation shape and regulation order."""

from __future__ import annotations

import pytest

from imekit.catalog.citations import citation_sort_key, is_citation, parse_citation, section_of


def test_parses_every_level() -> None:
    assert parse_citation("164.308") == (308, ())
    assert parse_citation("164.310(b)") == (310, (2,))
    assert parse_citation("164.312(a)(2)(iv)") == (312, (1, 2, 4))
    assert parse_citation("164.314(a)(2)(i)(C)") == (314, (1, 2, 1, 3))


@pytest.mark.parametrize(
    "bad",
    [
        "164.312 (a)(1)",  # space
        "45 CFR 164.312(a)(1)",
        "164.312(A)(1)",  # level 0 is lowercase
        "164.312(a)(ii)",  # level 1 is a number
        "164.312(a)(2)(4)",  # level 2 is roman
        "164.312(a)(2)(iv)(a)",  # level 3 is uppercase
        "164.312(a)(2)(iv)(A)(1)",  # deeper than the rule goes
        "164.312a",
        "",
    ],
)
def test_rejects_malformed(bad: str) -> None:
    assert not is_citation(bad)
    with pytest.raises(ValueError):
        parse_citation(bad)


def test_regulation_order_is_not_string_order() -> None:
    ordered = [
        "164.308(a)(1)(i)",
        "164.308(a)(1)(ii)(A)",
        "164.308(a)(1)(ii)(D)",
        "164.308(a)(2)",
        "164.308(a)(7)(ii)(E)",
        "164.308(a)(8)",
        "164.308(b)(1)",
        "164.310(a)(2)(iii)",
        "164.310(a)(2)(iv)",
        "164.312(a)(2)(iv)",
        "164.312(b)",
    ]
    shuffled = list(reversed(ordered))
    assert sorted(shuffled, key=citation_sort_key) == ordered
    # String order puts (10) before (9); the parsed order does not.
    assert sorted(["164.308(a)(10)", "164.308(a)(9)"]) == ["164.308(a)(10)", "164.308(a)(9)"]
    assert citation_sort_key("164.308(a)(10)") > citation_sort_key("164.308(a)(9)")


def test_section_of() -> None:
    assert section_of("164.316(b)(2)(i)") == "164.316"
