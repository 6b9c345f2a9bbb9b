"""Anchor findings' program locations to the repository root.

A graph's `locations` are relative to the program's folder (the one holding Pulumi.yaml).
Code-scanning tools resolve a SARIF location against the repository root, so every
location is rewritten relative to the repository that holds the program; outside a
repository, the program folder is the root.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

from imekit.findings import Finding
from imekit.graph.model import Graph


def repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def program_root(graph: Graph, program_dir: Path | None = None) -> Path | None:
    """The program folder: the one the gate synthesized, else the one a synthesized graph
    names (relative to the working directory) if it is here; otherwise unknown."""
    if program_dir is not None:
        return program_dir.resolve()
    program = graph.source.get("program")
    if graph.source.get("kind") != "synth" or not isinstance(program, str):
        return None
    folder = Path(program).resolve()
    return folder if (folder / "Pulumi.yaml").is_file() else None


def anchor(
    findings: list[Finding], graphs: list[Graph], program_dir: Path | None = None
) -> tuple[Path | None, str]:
    """Rewrite locations in place; return the root and the manifest path under it.

    The manifest (the program's Pulumi.yaml) is where a finding without a location is
    shown, so every result still has somewhere to point. `program_dir` is the program the
    gate synthesized, when it did.
    """
    prefixes: dict[str, str] = {}
    root: Path | None = None
    manifest = "Pulumi.yaml"
    for graph in graphs:
        program = program_root(graph, program_dir)
        if program is None:
            continue
        repo = repository_root(program) or program
        if root is None:
            root = repo
        try:
            prefix = program.relative_to(root).as_posix()
        except ValueError:
            continue  # a second program outside the first one's repository: keep as is
        prefixes[graph.stack] = "" if prefix == "." else prefix
        if len(prefixes) == 1:
            manifest = str(PurePosixPath(prefixes[graph.stack], "Pulumi.yaml"))
    for i, f in enumerate(findings):
        prefix = prefixes.get(f.stack)
        if f.location is None or not prefix or Path(f.location.file).is_absolute():
            continue
        location = replace(f.location, file=str(PurePosixPath(prefix, f.location.file)))
        findings[i].location = location
    return root, manifest
