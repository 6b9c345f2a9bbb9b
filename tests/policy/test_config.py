"""Policy config files are read as Pulumi reads --policy-pack-config (parsePolicyPackConfig)."""

from __future__ import annotations

import pytest

from imekit.errors import ImekitError
from imekit.policy import load_policy_config, parse_policy_config


def test_levels_as_strings_and_objects():
    config = parse_policy_config(
        {
            "all": "advisory",
            "deny_a": "disabled",
            "deny_b": {"enforcementLevel": "mandatory", "minimumDays": 9},
            "deny_c": {"minimumDays": 3},
            "deny_empty": {},
        }
    )
    assert config.level_for("deny_a", "mandatory") == "disabled"
    assert config.level_for("deny_b", "advisory") == "mandatory"
    assert config.level_for("deny_c", "mandatory") == "advisory"  # from all
    assert config.data_config() == {"deny_b": {"minimumDays": 9}, "deny_c": {"minimumDays": 3}}
    assert "deny_empty" not in config.rules  # Pulumi drops empty entries


def test_without_all_the_name_decides():
    config = parse_policy_config({"deny_a": {"x": 1}})
    assert config.level_for("warn_z", "advisory") == "advisory"


@pytest.mark.parametrize(
    "data, error",
    [
        ({"deny_a": "blocking"}, "not a valid enforcement level"),
        ({"deny_a": {"enforcementLevel": 3}}, "must be a string"),
        ({"deny_a": 3}, "must be a string or object"),
        (["deny_a"], "must be an object"),
    ],
)
def test_invalid_configuration_is_an_error(data, error):
    with pytest.raises(ImekitError, match=error):
        parse_policy_config(data)


def test_files_json_yaml_and_empty(tmp_path):
    json_file = tmp_path / "c.json"
    json_file.write_text('{"deny_log_group_retention": {"minimumDays": 2557}}')
    assert load_policy_config(json_file).data_config() == {
        "deny_log_group_retention": {"minimumDays": 2557}
    }
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("all: advisory\ndeny_x:\n  enforcementLevel: disabled\n")
    assert load_policy_config(yaml_file).level_for("deny_x", "mandatory") == "disabled"
    empty = tmp_path / "e.json"
    empty.write_text("  \n")
    assert load_policy_config(empty).rules == {}


def test_broken_files_name_the_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "deny_a": "advisory",\n  oops\n}')
    with pytest.raises(ImekitError, match=r"bad\.json:3: invalid JSON"):
        load_policy_config(bad)
    with pytest.raises(ImekitError, match="cannot read policy config"):
        load_policy_config(tmp_path / "missing.json")


def test_a_binary_policy_config_is_a_clear_error(tmp_path):
    from imekit.errors import ImekitError
    from imekit.policy.config import load_policy_config

    path = tmp_path / "config.json"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ImekitError, match="not UTF-8 text"):
        load_policy_config(path)
