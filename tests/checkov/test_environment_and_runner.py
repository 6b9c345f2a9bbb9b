"""The isolated environment's states and the runner's fail-closed paths.

Failure paths use small executables standing in for a broken or wrong checkov (wrong
version, crash, garbage output): the kit must refuse each with exit 2, never pass.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from ckv_fixtures import graph, resource

from imekit.checkov import environment, run_conversion
from imekit.checkov.environment import CHECKOV_VERSION, CheckovEnvironment
from imekit.checkov.plan import convert_graphs
from imekit.checkov.runner import checkov_command, checkov_environment, parse_report
from imekit.errors import ImekitError


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("IMEKIT_HOME", str(tmp_path / "imekit-home"))
    return tmp_path / "imekit-home"


def _fake_env(root: Path, version: str = CHECKOV_VERSION, python: str | None = None) -> None:
    """The files an installed environment has, without installing anything."""
    site = root / "lib" / "python3.11" / "site-packages" / f"checkov-{version}.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text(f"Metadata-Version: 2.1\nName: checkov\nVersion: {version}\n")
    (root / "bin").mkdir()
    exe = root / "bin" / "checkov"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    tag = python or f"{sys.version_info.major}.{sys.version_info.minor}"
    (root / environment.MARKER).write_text(json.dumps({"checkov": version, "python": tag}))
    (root / "bin" / "python").symlink_to(sys.executable)


def test_location_follows_imekit_home(home):
    assert environment.environment_dir() == home / f"checkov-{CHECKOV_VERSION}"


def test_location_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("IMEKIT_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert environment.environment_dir() == tmp_path / "imekit" / f"checkov-{CHECKOV_VERSION}"


def test_status_not_installed_and_refusal_to_install(home):
    current = environment.status()
    assert not current.ready and current.problem == "not installed"
    with pytest.raises(ImekitError) as caught:
        environment.ensure_checkov(install=False)
    assert "imekit checkov setup" in caught.value.hint
    assert "--no-checkov" in caught.value.hint


def test_status_ready(home):
    _fake_env(environment.environment_dir())
    current = environment.status()
    assert current.ready and current.installed_version == CHECKOV_VERSION
    env = environment.ensure_checkov(install=False)
    assert env.executable == environment.environment_dir() / "bin" / "checkov"


def test_status_incomplete_without_marker(home):
    root = environment.environment_dir()
    _fake_env(root)
    (root / environment.MARKER).unlink()
    assert environment.status().problem == "incomplete installation"


def test_status_wrong_version_inside(home):
    root = environment.environment_dir()
    _fake_env(root, version="3.1.47")
    current = environment.status()
    assert not current.ready and "3.1.47" in current.problem


def test_status_interpreter_gone(home, tmp_path):
    root = environment.environment_dir()
    _fake_env(root)
    (root / "bin" / "python").unlink()
    (root / "bin" / "python").symlink_to(tmp_path / "removed-python")
    current = environment.status()
    assert not current.ready and "interpreter" in current.problem


def test_status_built_for_another_python(home):
    _fake_env(environment.environment_dir(), python="3.9")
    current = environment.status()
    assert not current.ready and "3.9" in current.problem


def test_checkov_runs_offline_and_unconfigurable(tmp_path, monkeypatch):
    monkeypatch.setenv("CKV_SKIP_CHECK", "CKV_AWS_16")
    monkeypatch.setenv("BC_API_KEY", "not-to-be-passed")
    monkeypatch.setenv("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "1")
    env = checkov_environment(tmp_path)
    assert "CKV_SKIP_CHECK" not in env and "BC_API_KEY" not in env
    assert "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2" not in env
    assert env["HOME"] == str(tmp_path)
    command = checkov_command(CheckovEnvironment(tmp_path, CHECKOV_VERSION), [tmp_path / "p.json"])
    assert "--skip-download" in command
    assert command[command.index("--framework") + 1] == "terraform_plan"
    assert command[command.index("--output") + 1] == "json"
    checks = Path(command[command.index("--external-checks-dir") + 1])
    assert (checks / "__init__.py").is_file() and list(checks.glob("*.yaml"))


def _stand_in(home: Path, script: str) -> None:
    """An environment whose checkov is `script` (a Python program)."""
    root = environment.environment_dir()
    _fake_env(root)
    exe = root / "bin" / "checkov"
    exe.write_text(f"#!{sys.executable}\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)


def _conversion():
    return convert_graphs([graph(resource("aws:kms/key:Key", "key", {}))])


def _report(version: str, address: str) -> str:
    record = {"check_id": "CKV_AWS_7", "check_name": "rotation", "resource": address,
              "resource_address": address}
    return json.dumps({"check_type": "terraform_plan",
                       "results": {"passed_checks": [record], "failed_checks": [],
                                   "skipped_checks": [], "parsing_errors": []},
                       "summary": {"checkov_version": version}})


def test_a_different_checkov_version_at_run_time_is_refused(home):
    conversion = _conversion()
    address = next(iter(conversion.resources))
    _stand_in(home, f"print({_report('3.3.29', address)!r})")
    with pytest.raises(ImekitError, match="3.3.29"):
        run_conversion(conversion, install=False)


def test_the_pinned_version_is_accepted(home):
    conversion = _conversion()
    address = next(iter(conversion.resources))
    _stand_in(home, f"print({_report(CHECKOV_VERSION, address)!r})")
    result = run_conversion(conversion, install=False)
    assert result.passed == {"CKV_AWS_7": {conversion.urn_of(address)}}
    assert result.findings == []


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("import sys; sys.stderr.write('Traceback: boom\\n'); sys.exit(2)", "exit 2"),
        ("print('not json')", "no JSON report"),
        ("print('{\"passed\": 0, \"failed\": 0}')", "nothing to scan"),
        ("import json; print(json.dumps({'results': {'parsing_errors': ['/p.json']}}))",
         "could not parse"),
    ],
)
def test_a_broken_checkov_is_an_error_not_a_pass(home, script, message):
    _stand_in(home, script)
    with pytest.raises(ImekitError, match=message):
        run_conversion(_conversion(), install=False)


def test_a_report_naming_an_unknown_resource_is_an_error(home):
    _stand_in(home, f"print({_report(CHECKOV_VERSION, 'aws_kms_key.elsewhere')!r})")
    with pytest.raises(ImekitError, match="not in the plan"):
        run_conversion(_conversion(), install=False)


def test_nothing_to_scan_does_not_start_checkov(home):
    conversion = convert_graphs([graph(resource("aws:bedrock/agentAgent:AgentAgent", "a", {}))])
    result = run_conversion(conversion, install=False)  # no environment exists: not needed
    assert result.findings == [] and result.resources == 0
    assert result.unmapped_types == {"aws:bedrock/agentAgent:AgentAgent": 1}


def test_parse_report_picks_the_plan_framework():
    report = [{"check_type": "secrets", "results": {}},
              {"check_type": "terraform_plan", "results": {"passed_checks": []}}]
    assert parse_report(json.dumps(report))["check_type"] == "terraform_plan"


@pytest.mark.needs_checkov
def test_installed_environment_is_the_pinned_one(checkov_env):
    current = environment.status()
    assert current.ready, current.describe()
    assert environment.installed_version(checkov_env.root) == CHECKOV_VERSION
    assert os.access(checkov_env.executable, os.X_OK)


@pytest.mark.slow
def test_a_failed_installation_is_an_error_with_its_log(home, monkeypatch):
    """No package index reachable: provisioning fails with exit-2 semantics and a log."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(home / "no-wheels-here"))
    monkeypatch.delenv("PIP_CONSTRAINT", raising=False)
    with pytest.raises(ImekitError) as caught:
        environment.ensure_checkov(install=True)
    assert "pip install checkov==" in caught.value.message
    log = environment.install_log(environment.environment_dir())
    assert str(log) in caught.value.hint and log.is_file()
    assert "--no-checkov" in caught.value.hint
    assert not environment.status().ready


_RACER = r'''
import json, sys, time
from pathlib import Path
from imekit.checkov import environment

def fake_step(command, root, what, say):
    # Stands in for venv + pip: slow enough for the other process to arrive meanwhile.
    with open(Path(sys.argv[1]), "a") as log:
        log.write(what + "\n")
    if what == "create the virtualenv":
        (root / "bin").mkdir(parents=True)
        (root / "bin" / "python").symlink_to(sys.executable)
    if what.startswith("pip install"):
        time.sleep(1.0)
        site = root / "lib" / "python3.11" / "site-packages" / "checkov-3.3.30.dist-info"
        site.mkdir(parents=True)
        (site / "METADATA").write_text("Name: checkov\nVersion: 3.3.30\n")
        exe = root / "bin" / "checkov"
        exe.parent.mkdir(parents=True, exist_ok=True)
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)

environment._run_step = fake_step
env = environment.ensure_checkov(install=True)
print(json.dumps({"root": str(env.root), "ready": environment.status().ready}))
'''


def test_two_processes_provisioning_at_once_install_once(home, tmp_path):
    """First use by two processes (parallel CI steps, test workers): one installs, the
    other waits for it and uses the result; neither sees a half-installed environment."""
    import subprocess

    log = tmp_path / "steps.log"
    script = tmp_path / "racer.py"
    script.write_text(_RACER)
    racers = [subprocess.Popen([sys.executable, str(script), str(log)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(2)]
    outputs = [r.communicate(timeout=60) for r in racers]
    assert [r.returncode for r in racers] == [0, 0], [e.decode()[-500:] for _o, e in outputs]
    results = [json.loads(o.decode().strip().splitlines()[-1]) for o, _e in outputs]
    assert all(r["ready"] for r in results)
    steps = log.read_text().splitlines()
    installs = [s for s in steps if s.startswith("pip install")]
    assert installs == [f"pip install checkov=={CHECKOV_VERSION}"]


def test_a_failing_install_step_reports_failed_not_done(home):
    root = environment.environment_dir()
    root.parent.mkdir(parents=True)
    lines: list[str] = []
    with pytest.raises(ImekitError, match="exit 3"):
        environment._run_step([sys.executable, "-c", "import sys; sys.exit(3)"], root,
                              "run a step", lines.append)
    assert lines[-1].startswith("checkov: run a step: failed in")


def test_a_check_that_crashed_is_an_error_not_a_missing_verdict(home):
    """checkov logs a check that raises, skips it and still exits 1 with a report: the
    report alone would look complete."""
    conversion = _conversion()
    address = next(iter(conversion.resources))
    log = "\n".join([
        "2026-01-01 00:00:00,000 [MainThread  ] [ERROR]  Failed to run check CKV_AWS_7 on "
        f"/plan.json:{address}",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in run',
        "ValueError: boom",
    ])
    _stand_in(home, f"import sys; sys.stderr.write({log!r}); "
                    f"print({_report(CHECKOV_VERSION, address)!r}); sys.exit(1)")
    with pytest.raises(ImekitError, match=r"CKV_AWS_7 on .*\(ValueError: boom\)"):
        run_conversion(conversion, install=False)


def test_the_timeout_comes_from_the_environment_for_the_gate(home, monkeypatch):
    """The gate has no checkov option: IMEKIT_CHECKOV_TIMEOUT bounds its checkov run, and
    a checkov that does not finish in time is an error that says how to raise it."""
    from imekit.checkov.runner import DEFAULT_TIMEOUT, resolve_timeout

    monkeypatch.delenv("IMEKIT_CHECKOV_TIMEOUT", raising=False)
    assert resolve_timeout() == DEFAULT_TIMEOUT
    assert resolve_timeout(5.0) == 5.0
    monkeypatch.setenv("IMEKIT_CHECKOV_TIMEOUT", "soon")
    with pytest.raises(ImekitError, match="not a number"):
        resolve_timeout()
    monkeypatch.setenv("IMEKIT_CHECKOV_TIMEOUT", "0")
    with pytest.raises(ImekitError, match="positive"):
        resolve_timeout()
    monkeypatch.setenv("IMEKIT_CHECKOV_TIMEOUT", "0.5")
    _stand_in(home, "import time; time.sleep(30)")
    with pytest.raises(ImekitError, match="within 0.5 s") as caught:
        run_conversion(_conversion(), install=False)
    assert "IMEKIT_CHECKOV_TIMEOUT" in caught.value.hint
