"""Run the isolated checkov on plan files and return its JSON report, or fail loudly.

checkov runs offline and unconfigurable from outside: `--skip-download` keeps it from
calling its vendor, the environment is stripped of checkov's own variables (CKV_*, BC_*,
PRISMA_*, CHECKOV_*: a CKV_SKIP_CHECK set in a shell must not silently skip checks), and it
runs in an empty folder with an empty HOME so no `.checkov.yaml` can change the scan.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imekit.checkov.environment import CheckovEnvironment
from imekit.checkov.progress import Ticker
from imekit.errors import ImekitError

CUSTOM_CHECKS_DIR = Path(__file__).resolve().parent / "custom_checks"
DEFAULT_TIMEOUT = 1800.0  # seconds; 10,000 resources took 75-180 s here
TIMEOUT_VARIABLE = "IMEKIT_CHECKOV_TIMEOUT"  # the gate's knob: it has no option of its own

_FOREIGN_ENV_PREFIXES = ("CKV_", "BC_", "PRISMA_", "CHECKOV_")
# checkov's log format; with LOG_LEVEL=WARNING a clean scan writes nothing to stderr.
_LOGGED_ERROR = re.compile(r"\[ERROR\]\s+(.*)$")


def checkov_command(env: CheckovEnvironment, plan_files: list[Path]) -> list[str]:
    return [
        str(env.executable),
        "--file", *[str(p) for p in plan_files],
        "--framework", "terraform_plan",
        "--output", "json",
        "--skip-download",
        "--compact",
        "--external-checks-dir", str(CUSTOM_CHECKS_DIR),
    ]


def checkov_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV_PREFIXES)}
    env.update(
        {
            "HOME": str(home),
            "BC_SKIP_MAPPING": "TRUE",  # no download of id mappings
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
            "ANSI_COLORS_DISABLED": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.pop("PYTHONPATH", None)  # the kit's path must not leak into checkov's interpreter
    return env


def resolve_timeout(timeout: float | None = None) -> float:
    """The given timeout, else $IMEKIT_CHECKOV_TIMEOUT, else the default; seconds."""
    if timeout is None:
        raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
        try:
            timeout = float(raw) if raw else DEFAULT_TIMEOUT
        except ValueError:
            raise ImekitError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds") from None
    if not timeout > 0:
        raise ImekitError(f"the checkov timeout must be positive, not {timeout}")
    return timeout


def run_plans(
    env: CheckovEnvironment,
    plan_files: list[Path],
    *,
    progress: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """checkov's report for the plan files: {"check_type", "results", "summary"}."""
    say = progress or (lambda _line: None)
    timeout = resolve_timeout(timeout)
    command = checkov_command(env, plan_files)
    with tempfile.TemporaryDirectory(prefix="imekit-checkov-") as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        label = f"checkov: scanning {len(plan_files)} plan file(s)"
        with Ticker(label, say):
            try:
                completed = subprocess.run(
                    command,
                    cwd=scratch,
                    env=checkov_environment(home),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ImekitError(
                    f"checkov gave no result within {timeout:g} s",
                    hint=f"raise {TIMEOUT_VARIABLE} (seconds; `imekit checkov run --timeout`), "
                    "or gate fewer resources at once",
                ) from exc
            except OSError as exc:
                raise ImekitError(
                    f"cannot start checkov ({env.executable}): {exc.strerror}",
                    hint="run `imekit checkov setup --force` to rebuild its environment",
                ) from exc
    stderr = completed.stderr.decode("utf-8", errors="replace")
    # 0: no failed check; 1: some failed check. Anything else is checkov failing.
    if completed.returncode not in (0, 1):
        raise ImekitError(
            f"checkov failed (exit {completed.returncode}): {_last_lines(stderr)}",
            hint="run `imekit checkov status`; rerun with the plan via "
            "`imekit checkov plan` to reproduce",
        )
    report = parse_report(completed.stdout.decode("utf-8", errors="replace"), stderr)
    check_logged_errors(stderr)
    return report


def check_logged_errors(stderr: str) -> None:
    """A check that raises is logged and skipped, and checkov still exits 0 or 1 with a
    report that simply lacks its result: an error in the log means some verdicts are
    missing, so the scan cannot count as evidence."""
    lines = stderr.splitlines()
    errors = []
    for index, line in enumerate(lines):
        match = _LOGGED_ERROR.search(line)
        if not match:
            continue
        cause = next(
            (later.strip() for later in lines[index + 1:]
             if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", later.strip())),
            "",
        )
        errors.append(match.group(1).strip() + (f" ({cause})" if cause else ""))
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ImekitError(
            f"checkov logged an error, so some checks gave no verdict: {errors[0]}{more}",
            hint="write the plan with `imekit checkov plan` and run checkov on it to see the "
            "full log; a check of the kit's own that fails is a bug in the kit",
        )


def parse_report(stdout: str, stderr: str = "") -> dict[str, Any]:
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise ImekitError(
            f"checkov wrote no JSON report: {_last_lines(stderr or stdout)}",
            hint="run `imekit checkov status` to check its environment",
        ) from exc
    if isinstance(data, list):  # one report per framework; the kit asks for one framework
        data = next((r for r in data if r.get("check_type") == "terraform_plan"), None)
    if not isinstance(data, dict) or "results" not in data:
        raise ImekitError(
            "checkov found nothing to scan in the plan",
            hint="check the plan with `imekit checkov plan GRAPH -o plan.json`",
        )
    errors = data["results"].get("parsing_errors") or []
    if errors:
        raise ImekitError(f"checkov could not parse {', '.join(map(str, errors))}")
    return data


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:]) or "no output"
