"""METADATA comment blocks are read as OPA reads them."""

from __future__ import annotations

import pytest

from imekit.errors import ImekitError
from imekit.policy.metadata import parse_annotations

TEXT = """package p

# METADATA
# title: First
# description: >-
#   Two
#   lines.
# custom:
#   control: X-01
#   resource_types:
#     - a:b/c:D
deny_a contains "x" if true

# A plain comment right above the marker makes the whole block a plain comment.
# METADATA
# title: Hidden
deny_b contains "y" if true
"""


def test_blocks_bind_to_the_next_line_and_keep_their_yaml():
    notes = parse_annotations(TEXT, "p.rego")
    assert len(notes) == 1
    note = notes[0]
    assert (note.line, note.target_line) == (3, 12)
    assert note.data["title"] == "First"
    assert note.data["description"] == "Two lines."
    assert note.data["custom"] == {"control": "X-01", "resource_types": ["a:b/c:D"]}


def test_bad_yaml_names_the_file_and_line():
    with pytest.raises(ImekitError, match=r"p\.rego:\d+: malformed METADATA"):
        parse_annotations("package p\n\n# METADATA\n# title: [x\nr := 1\n", "p.rego")
    with pytest.raises(ImekitError, match="not a YAML mapping"):
        parse_annotations("package p\n\n# METADATA\n# - a\nr := 1\n", "p.rego")
