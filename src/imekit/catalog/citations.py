"""Security Rule citations: their shape, their order and their section.

A citation is written as in the CFR without spaces, e.g. `164.312(a)(2)(iv)`. Paragraph
levels alternate as the CFR numbers them: (a) lowercase letter, (1) number, (i) roman
numeral, (A) uppercase letter. Sorting by the parsed values gives the regulation's order,
which plain string sorting does not ((10) after (9), (iv) after (iii)).
"""

from __future__ import annotations

import re

_CITATION = re.compile(r"^164\.(3\d\d)((?:\([^()]+\))*)$")
_PARAGRAPH = re.compile(r"\(([^()]+)\)")
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}


def _level_value(token: str, level: int) -> int:
    """The ordinal of one paragraph token at its level, or ValueError."""
    if level == 0 and re.fullmatch(r"[a-z]", token):
        return ord(token) - ord("a") + 1
    if level == 1 and re.fullmatch(r"[1-9][0-9]*", token):
        return int(token)
    if level == 2 and token in _ROMAN:
        return _ROMAN[token]
    if level == 3 and re.fullmatch(r"[A-Z]", token):
        return ord(token) - ord("A") + 1
    expected = ("a lowercase letter", "a number", "a roman numeral", "an uppercase letter")
    raise ValueError(f"paragraph ({token}) should be {expected[level]} at that level")


def parse_citation(citation: str) -> tuple[int, tuple[int, ...]]:
    """(section number, paragraph ordinals); ValueError naming what is wrong."""
    match = _CITATION.match(citation)
    if not match:
        raise ValueError(
            f"citation {citation!r} is not of the form 164.3NN(a)(1)(i)(A), e.g. 164.312(a)(2)(iv)"
        )
    tokens = _PARAGRAPH.findall(match.group(2))
    if len(tokens) > 4:
        raise ValueError(f"citation {citation!r} is nested deeper than the Security Rule goes")
    try:
        values = tuple(_level_value(token, level) for level, token in enumerate(tokens))
    except ValueError as exc:
        raise ValueError(f"citation {citation!r}: {exc}") from None
    return int(match.group(1)), values


def is_citation(text: str) -> bool:
    try:
        parse_citation(text)
    except ValueError:
        return False
    return True


def citation_sort_key(citation: str) -> tuple[int, tuple[int, ...]]:
    """Regulation order: 164.308(a)(1)(i) < 164.308(a)(1)(ii)(A) < ... < 164.308(b)(1)."""
    return parse_citation(citation)


def section_of(citation: str) -> str:
    """`164.312(a)(2)(iv)` -> `164.312`."""
    return f"164.{parse_citation(citation)[0]}"
