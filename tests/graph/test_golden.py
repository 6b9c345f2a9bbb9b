"""Golden files: the exact documents synth writes for tests/programs/other_style.

A change in any field of any document shows up here. When a change is intended (a new
pulumi-aws version renames the default provider, a mock value changes), regenerate with
    IMEKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/graph/test_golden.py
and review the diff like code.
"""

from __future__ import annotations

import json
import os

import pytest
from graph_support import GOLDEN

from imekit.graph import SCHEMA


def _comparable(graph) -> dict:
    # The source block names this checkout's path and SDK versions: not part of the golden.
    data = graph.to_json()
    data.pop("source")
    return data


@pytest.mark.parametrize("mode", ["resolved", "unknowns"])
def test_documents_match_golden(mode, request):
    graph = request.getfixturevalue(f"other_style_{mode}")
    path = GOLDEN / f"other_style.test.{mode}.json"
    actual = _comparable(graph)
    if os.environ.get("IMEKIT_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert expected["schema"] == SCHEMA
    assert [d["__urn"] for d in actual["resources"]] == [d["__urn"] for d in expected["resources"]]
    for got, want in zip(actual["resources"], expected["resources"], strict=True):
        assert got == want, f"document of {want['__urn']} differs from the golden file"
    assert actual == expected
