"""`imekit synth` as a user runs it: determinism, secrets, credentials, errors, timeouts."""

from __future__ import annotations

import json

import pytest
from graph_support import FAILING, OTHER_STYLE, PROGRAMS, line_of, run_cli

CANARY = "CANARY-7f3a9c"


@pytest.mark.parametrize("mode", [[], ["--unknowns"]], ids=["resolved", "unknowns"])
def test_byte_identical_across_hash_seeds(tmp_path, mode):
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"graph-{seed}.json"
        result = run_cli(
            "synth",
            str(OTHER_STYLE),
            "--stack",
            "test",
            *mode,
            "-o",
            str(out),
            env={"PYTHONHASHSEED": seed},
        )
        assert result.code == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"schema": "imekit.graph/v1"' in outputs[0]


@pytest.mark.parametrize("mode", [[], ["--unknowns"]], ids=["resolved", "unknowns"])
def test_secret_canary_appears_nowhere(tmp_path, mode):
    out = tmp_path / "graph.json"
    to_file = run_cli("synth", str(OTHER_STYLE), "-s", "test", *mode, "-o", str(out))
    to_stdout = run_cli("synth", str(OTHER_STYLE), "-s", "test", *mode)
    assert to_file.code == 0 and to_stdout.code == 0, to_file.stderr + to_stdout.stderr
    for text in (
        out.read_text(),
        to_file.stdout,
        to_file.stderr,
        to_stdout.stdout,
        to_stdout.stderr,
    ):
        assert CANARY not in text
        assert "c2VjcmV0" not in text  # nor any config ciphertext
    # The program printed its secret: the line is there, the value is masked.
    assert "debug: api token is [secret]" in to_file.stderr
    assert json.loads(to_stdout.stdout)["project"] == "other-style"
    # A summary of resources by type goes to stderr.
    assert "aws:rds/cluster:Cluster" in to_file.stderr
    assert "resources in other-style/test" in to_file.stderr


def test_secret_in_a_program_error_is_masked():
    result = run_cli("synth", str(FAILING / "secret_in_error"), "-s", "test")
    assert result.code == 2
    assert "token [secret] failed validation" in result.stderr
    assert "CANARY" not in result.stderr + result.stdout


def test_credentials_are_not_passed_to_the_program():
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
        "AWS_SESSION_TOKEN": "session",
        "AWS_PROFILE": "prod-admin",
        "PULUMI_ACCESS_TOKEN": "pul-123",
        "PULUMI_CONFIG_PASSPHRASE": "hunter2",
        "GITHUB_TOKEN": "ghp_x",
    }
    result = run_cli("synth", str(PROGRAMS / "env_probe"), "-s", "test", env=env)
    assert result.code == 0, result.stderr
    tags = next(d for d in json.loads(result.stdout)["resources"] if d["__name"] == "probe")[
        "__properties"
    ]["tags"]
    assert tags["aws-vars"] == "none"
    assert tags["pulumi-vars"] == "none"
    assert tags["token-vars"] == "none"
    assert tags["aws-credentials-file"] == "False"
    assert tags["cwd"] == "env_probe"  # runs in its main folder, like the language host


def test_program_failing_to_import():
    result = run_cli("synth", str(FAILING / "import_error"), "-s", "test")
    assert result.code == 2
    assert "ModuleNotFoundError" in result.stderr
    assert "imekit_no_such_module" in result.stderr
    main = FAILING / "import_error" / "__main__.py"
    assert f"at __main__.py:{line_of(main, 'import imekit_no_such_module')}" in result.stderr
    assert result.stdout == ""


def test_duplicate_resource_names_stop_the_program():
    # Keeping either registration would hide the other resource from the gate.
    result = run_cli("synth", str(FAILING / "duplicate"), "-s", "test")
    assert result.code == 2, result.stderr
    main = FAILING / "duplicate" / "__main__.py"
    first, second = line_of(main, '"first"'), line_of(main, '"second"')
    assert "Duplicate resource URN 'urn:pulumi:test::duplicate::aws:s3/bucket:Bucket::records'" in (
        result.stderr
    )
    # both places, whichever registered first (registration order is not program order)
    assert f"declared at __main__.py:{first} and __main__.py:{second}" in result.stderr
    assert result.stdout == ""


def test_program_raising_names_its_file_and_line():
    result = run_cli("synth", str(FAILING / "raises"), "-s", "test")
    assert result.code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("imekit: error:")]
    assert len(lines) == 1
    line = line_of(FAILING / "raises" / "naming.py", "raise ValueError")
    assert f"at naming.py:{line}: ValueError: storage tier 'platinum' is not one of" in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_stack_config():
    result = run_cli("synth", str(OTHER_STYLE), "--stack", "staging")
    assert result.code == 2
    assert "Pulumi.staging.yaml does not exist" in result.stderr
    assert "hint:" in result.stderr and "pulumi stack init staging" in result.stderr


def test_missing_pulumi_yaml(tmp_path):
    result = run_cli("synth", str(tmp_path), "-s", "test")
    assert result.code == 2
    assert "no Pulumi.yaml" in result.stderr


def test_malformed_config_override():
    result = run_cli("synth", str(OTHER_STYLE), "-s", "test", "--config", "novalue")
    assert result.code == 2
    assert "is not KEY=VALUE" in result.stderr


def test_config_override_reaches_the_program():
    result = run_cli("synth", str(OTHER_STYLE), "-s", "test", "--config", "retentionDays=3653")
    assert result.code == 0, result.stderr
    logs = next(d for d in json.loads(result.stdout)["resources"] if d["__name"] == "records-logs")
    assert logs["__properties"]["retentionInDays"] == 3653.0
    assert json.loads(result.stdout)["source"]["config_overrides"] == ["retentionDays"]


def test_graph_names_the_program_without_an_absolute_path(tmp_path, monkeypatch):
    from imekit.graph.synth import _program_label

    inside = tmp_path / "work" / "prog"
    inside.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert _program_label(inside) == "work/prog"
    assert _program_label(tmp_path) == "."
    monkeypatch.chdir(inside)
    assert _program_label(tmp_path / "work") == "work"  # outside: its name only
