"""The JSON Schemas themselves, and the kit's files against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from imekit.catalog.schema import SCHEMAS
from imekit.catalog.yamlfile import read_yaml_mapping
from imekit.paths import controls_dir


@pytest.mark.parametrize(("data_file", "schema_file"), sorted(SCHEMAS.items()))
def test_schema_is_valid_and_the_file_conforms(data_file: str, schema_file: str) -> None:
    schema_path = controls_dir() / "schema" / schema_file
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = read_yaml_mapping(controls_dir() / data_file)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert errors == []


def test_schemas_reject_what_the_format_forbids() -> None:
    folder: Path = controls_dir() / "schema"
    controls = json.loads((folder / "controls.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(controls)
    base = {"format": 1, "catalog_version": "1.0.0", "roles": {"r": "x"}, "families": {"XX": "x"}}
    good = {"id": "IME-XX-01", "title": "t", "citations": ["164.312(b)"], "inherited": "why"}
    assert validator.is_valid({**base, "controls": [good]})
    bad_id = {**good, "id": "IME-XX-1"}
    assert not validator.is_valid({**base, "controls": [bad_id]})
    no_means = {"id": "IME-XX-01", "title": "t", "citations": ["164.312(b)"]}
    assert not validator.is_valid({**base, "controls": [no_means]})
    bad_frequency = {
        **good,
        "manual_evidence": [
            {"id": "e", "title": "t", "owner": "r", "frequency": "weekly", "validity_days": 9}
        ],
    }
    assert not validator.is_valid({**base, "controls": [bad_frequency]})
