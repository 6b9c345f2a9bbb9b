"""Where the gate's graphs come from: a program (synthesized per stack) or graph files.

Exactly one kind of input per run: a program folder (default: the kit's reference
platform), or any number of files (`--graph`, `--preview-json`, `--stack-export`), each of
which names its own stack. Two graphs of the same stack in one run are refused, because a
stack-wide rule would otherwise see only half of the stack.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from imekit.errors import ImekitError
from imekit.graph.model import Graph

DEFAULT_STACK = "dev"
DEFAULT_SYNTH_TIMEOUT = 120.0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class GraphInputs:
    program_dir: Path | None = None
    graph_files: tuple[Path, ...] = ()
    preview_files: tuple[Path, ...] = ()
    export_files: tuple[Path, ...] = ()
    stacks: tuple[str, ...] = ()
    config_overrides: dict[str, str] = field(default_factory=dict)
    unknowns: bool = False
    synth_timeout: float = DEFAULT_SYNTH_TIMEOUT
    require_isolation: bool = False  # refuse to run untrusted code without namespaces

    @property
    def files(self) -> list[tuple[str, Path]]:
        return (
            [("graph", p) for p in self.graph_files]
            + [("preview-json", p) for p in self.preview_files]
            + [("stack-export", p) for p in self.export_files]
        )

    @property
    def from_program(self) -> bool:
        return not self.files


def check_combination(inputs: GraphInputs) -> None:
    """Refuse contradictory inputs before anything slow runs."""
    if inputs.files and inputs.program_dir is not None:
        raise ImekitError(
            "give either a program folder or graph files (--graph, --preview-json, "
            "--stack-export), not both"
        )
    if inputs.files and inputs.config_overrides:
        raise ImekitError(
            "--config applies to a program's synthesis, not to graph files",
            hint="set the config in the stack's Pulumi.<stack>.yaml before producing the file",
        )
    if inputs.files and inputs.unknowns:
        raise ImekitError(
            "--unknowns applies to a program's synthesis; preview files already carry "
            "Pulumi's unknown values"
        )
    if len(set(inputs.stacks)) != len(inputs.stacks):
        raise ImekitError("the same --stack is given twice")


def _is_gateable(doc: dict[str, object]) -> bool:
    type_ = str(doc.get("__type", ""))
    return type_ != "pulumi:pulumi:Stack" and not type_.startswith("pulumi:providers:")


def _load_file(kind: str, path: Path) -> Graph:
    from imekit import graph as graphs

    if kind == "graph":
        return graphs.load_graph(path)
    if kind == "preview-json":
        return graphs.load_preview_json(path)
    return graphs.load_stack_export(path)


def synthesized_program(inputs: GraphInputs) -> Path | None:
    """The program folder the gate synthesizes, or None when it reads graph files."""
    if not inputs.from_program:
        return None
    from imekit.paths import reference_program_dir

    return inputs.program_dir or reference_program_dir()


def collect_graphs(inputs: GraphInputs, say: Progress) -> tuple[list[Graph], dict[str, float]]:
    """The graphs to gate, in the order given, and the seconds spent on each stack."""
    check_combination(inputs)
    graphs: list[Graph] = []
    timings: dict[str, float] = {}
    if inputs.from_program:
        from imekit.graph import synthesize

        for stack in inputs.stacks or (DEFAULT_STACK,):
            started = time.monotonic()
            graph = synthesize(
                inputs.program_dir,
                stack,
                dict(inputs.config_overrides),
                inputs.unknowns,
                inputs.synth_timeout,
                progress=say,
                require_isolation=inputs.require_isolation,
            )
            timings[f"synth:{stack}"] = time.monotonic() - started
            graphs.append(graph)
    else:
        for kind, path in inputs.files:
            started = time.monotonic()
            say(f"load: {kind} {path}")
            graph = _load_file(kind, path)
            timings[f"load:{graph.stack}"] = time.monotonic() - started
            graphs.append(graph)
        if inputs.stacks:
            have = {g.stack for g in graphs}
            missing = [s for s in inputs.stacks if s not in have]
            if missing:
                raise ImekitError(
                    f"no input file holds stack {', '.join(missing)} "
                    f"(the files hold {', '.join(sorted(have))})",
                    hint="--stack with graph files selects among the stacks they hold",
                )
            graphs = [g for g in graphs if g.stack in inputs.stacks]
    seen: set[str] = set()
    for g in graphs:
        if not any(_is_gateable(doc) for doc in g.resources):
            raise ImekitError(
                f"the {g.source.get('kind', 'graph')} input for stack {g.stack} holds no "
                "resource to gate (only the stack and providers, if anything)",
                hint="check that the program or file is the one you meant to gate",
            )
        if g.stack in seen:
            raise ImekitError(
                f"two inputs hold stack {g.stack}",
                hint="give one graph per stack: a stack rule must see the whole stack",
            )
        seen.add(g.stack)
    if not graphs:
        raise ImekitError("nothing to gate: no graph was produced")
    return graphs, timings
