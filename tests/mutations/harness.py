"""Apply a mutation to a copy of the reference program, synthesize it, gate it."""

from __future__ import annotations

import shutil
from pathlib import Path

from mutations import Mutation

from imekit.graph import synthesize
from imekit.graph.model import Graph
from imekit.paths import reference_program_dir

PROGRAM_FILES = ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml")


def copy_program(dest: Path) -> Path:
    """A copy of the reference program: the manifest, stack files and infra/."""
    root = reference_program_dir()
    dest.mkdir(parents=True)
    for name in PROGRAM_FILES:
        shutil.copy2(root / name, dest / name)
    shutil.copytree(root / "infra", dest / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


class MutationNotApplicable(AssertionError):
    """The program no longer contains the text a mutation edits: update the mutation."""


def apply(mutation: Mutation, program: Path) -> None:
    for edit in mutation.edits:
        path = program / edit.file
        text = path.read_text(encoding="utf-8")
        found = text.count(edit.old)
        if found != edit.count:
            raise MutationNotApplicable(
                f"mutation {mutation.id}: {edit.file} contains {edit.old!r} {found} time(s), "
                f"expected {edit.count}; the reference program changed, update the mutation"
            )
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def mutated_graph(mutation: Mutation, workdir: Path) -> Graph:
    program = copy_program(workdir / mutation.id)
    apply(mutation, program)
    return synthesize(program, "dev", dict(mutation.config))
