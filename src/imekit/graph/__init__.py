"""The resource graph: analyzer-shaped documents and the sources that build them.

Sources: `synthesize` (run a Pulumi Python program offline under mocks),
`load_preview_json` (`pulumi preview --json`), `load_stack_export` (`pulumi stack export`)
and `load_graph` (a graph file written by `imekit synth`). The heavy ones import Pulumi
only when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imekit.graph.model import (
    SCHEMA,
    SECRET_MARKER,
    UNKNOWN_MARKER,
    Graph,
    load_graph,
    resource_input,
)


def synthesize(
    program_dir: Path | str | None = None,
    stack: str = "dev",
    config_overrides: dict[str, str] | None = None,
    unknowns: bool = False,
    timeout: float = 120.0,
    *,
    progress: Any = None,
    require_isolation: bool = False,
) -> Graph:
    """Run a Pulumi Python program offline (default: the kit's reference platform)."""
    from imekit.graph.synth import synthesize as _synthesize

    return _synthesize(
        program_dir,
        stack,
        config_overrides,
        unknowns,
        timeout,
        progress=progress,
        require_isolation=require_isolation,
    )


def load_preview_json(path: Path | str) -> Graph:
    """A graph from `pulumi preview --json --show-sames` output."""
    from imekit.graph.loaders import load_preview_json as _load

    return _load(path)


def load_stack_export(path: Path | str) -> Graph:
    """A graph from `pulumi stack export` output."""
    from imekit.graph.loaders import load_stack_export as _load

    return _load(path)


__all__ = [
    "SCHEMA",
    "SECRET_MARKER",
    "UNKNOWN_MARKER",
    "Graph",
    "load_graph",
    "load_preview_json",
    "load_stack_export",
    "resource_input",
    "synthesize",
]
