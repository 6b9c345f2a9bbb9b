"""The resource graph: analyzer-shaped documents and the sources that build them."""

from imekit.graph.model import (
    SCHEMA,
    SECRET_MARKER,
    UNKNOWN_MARKER,
    Graph,
    load_graph,
    resource_input,
)

__all__ = [
    "SCHEMA",
    "SECRET_MARKER",
    "UNKNOWN_MARKER",
    "Graph",
    "load_graph",
    "resource_input",
]
