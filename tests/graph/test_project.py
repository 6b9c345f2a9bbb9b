"""Reading Pulumi.yaml and Pulumi.<stack>.yaml like the CLI, without decrypting anything."""

from __future__ import annotations

import json

import pytest

from imekit.errors import ImekitError
from imekit.graph import SECRET_MARKER
from imekit.graph.project import config_string, load_project, parse_override


def _project(tmp_path, pulumi_yaml: str, stack_yaml: str | None = "config: {}\n", main=True):
    (tmp_path / "Pulumi.yaml").write_text(pulumi_yaml)
    if stack_yaml is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    if main:
        (tmp_path / "__main__.py").write_text("")
    return tmp_path


def test_config_namespaces_types_and_precedence(tmp_path):
    _project(
        tmp_path,
        "name: demo\nruntime: python\nconfig:\n  retention: 35\n"
        "  tier:\n    type: string\n    default: bronze\n",
        "config:\n  aws:region: eu-west-1\n  demo:tier: gold\n  enabled: true\n"
        "  limits:\n    days: 7\n",
    )
    spec = load_project(tmp_path, "dev", {"retention": "90"})
    assert spec.name == "demo" and spec.stack == "dev"
    assert spec.config == {
        "aws:region": "eu-west-1",
        "demo:enabled": "true",
        "demo:limits": '{"days":7}',
        "demo:retention": "90",  # --config beats the project default
        "demo:tier": "gold",  # the stack file beats the project default
    }
    assert spec.secret_keys == ()
    assert spec.main_relative() == "__main__.py"


def test_secure_values_become_secrets_without_their_ciphertext(tmp_path):
    _project(
        tmp_path,
        "name: demo\nruntime: python\n",
        "config:\n  demo:password:\n    secure: v1:CIPHER-ONE\n"
        "  demo:nested:\n    user: admin\n    token:\n      secure: v1:CIPHER-TWO\n",
    )
    spec = load_project(tmp_path, "dev")
    assert spec.secret_keys == ("demo:nested", "demo:password")
    assert spec.config["demo:password"] == SECRET_MARKER
    assert json.loads(spec.config["demo:nested"]) == {"user": "admin", "token": SECRET_MARKER}
    assert "CIPHER" not in json.dumps(spec.config)


def test_main_folder_becomes_the_working_directory(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "__main__.py").write_text("")
    _project(tmp_path, "name: demo\nruntime: python\nmain: infra/\n", main=False)
    spec = load_project(tmp_path, "dev")
    assert spec.main_dir == (tmp_path / "infra").resolve()
    assert spec.main_file == "."
    assert spec.main_relative() == "infra/__main__.py"


@pytest.mark.parametrize(
    "pulumi_yaml, message",
    [
        ("name: demo\nruntime: nodejs\n", "runs Python programs only"),
        ("runtime: python\n", "'name' is missing"),
        ("name: demo\nruntime: python\nmain: ../elsewhere\n", "must be inside the project"),
        ("name: demo\nruntime: python\nmain: nowhere/\n", "does not exist"),
        ("name: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_project_files(tmp_path, pulumi_yaml, message):
    _project(tmp_path, pulumi_yaml)
    with pytest.raises(ImekitError, match=message):
        load_project(tmp_path, "dev")


def test_missing_files_say_what_to_create(tmp_path):
    with pytest.raises(ImekitError, match="no Pulumi.yaml") as info:
        load_project(tmp_path, "dev")
    assert info.value.hint
    _project(tmp_path, "name: demo\nruntime: python\n", stack_yaml=None)
    with pytest.raises(ImekitError, match="Pulumi.prod.yaml does not exist") as info:
        load_project(tmp_path, "prod")
    assert "config: {}" in info.value.hint


def test_stack_importing_esc_environments_is_refused(tmp_path):
    # Their values live in Pulumi Cloud; without them the program could quietly fall back
    # to its own defaults.
    _project(
        tmp_path,
        "name: demo\nruntime: python\n",
        stack_yaml="environment:\n  - ime/prod-retention\nconfig:\n  aws:region: us-east-1\n",
    )
    with pytest.raises(ImekitError, match="imports Pulumi ESC environments") as info:
        load_project(tmp_path, "dev")
    assert "--config" in info.value.hint


def test_stack_config_dir_and_qualified_stack_names(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-west-2\n")
    _project(tmp_path, "name: demo\nruntime: python\nstackConfigDir: stacks\n", stack_yaml=None)
    spec = load_project(tmp_path, "acme/demo/prod")
    assert spec.stack == "prod"
    assert spec.config["aws:region"] == "us-west-2"


def test_config_strings_and_overrides():
    assert config_string(True) == "true"
    assert config_string(14) == "14"
    assert config_string({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert parse_override("aws:region=us-east-1") == ("aws:region", "us-east-1")
    assert parse_override("motd=a=b") == ("motd", "a=b")
    with pytest.raises(ImekitError, match="KEY=VALUE"):
        parse_override("=x")
