"""Shared helpers for the graph tests: program paths, cached synth runs, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from imekit.graph import Graph, synthesize

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "programs"
OTHER_STYLE = PROGRAMS / "other_style"
FAILING = PROGRAMS / "failing"
SAMPLES = Path(__file__).resolve().parent / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> CliResult:
    """Run `imekit` in a fresh interpreter, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "imekit.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=300,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def other_style_resolved() -> Graph:
    return synthesize(OTHER_STYLE, "test")


@pytest.fixture(scope="session")
def other_style_unknowns() -> Graph:
    return synthesize(OTHER_STYLE, "test", unknowns=True)


def by_name(graph: Graph, name: str) -> dict:
    found = [d for d in graph.resources if d["__name"] == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0]


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing `text` (so tests follow program edits)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")
