"""Hand-built graph documents for converter and check tests (no Pulumi run needed)."""

from __future__ import annotations

from imekit.graph.model import Graph, build_document

AWS_PROVIDER = {"type": "pulumi:providers:aws", "name": "default", "urn": "", "properties": {}}


def urn(name: str, type_: str, stack: str = "test", parent: str = "") -> str:
    chain = f"{parent}${type_}" if parent else type_
    return f"urn:pulumi:{stack}::fixture::{chain}::{name}"


def resource(
    type_: str,
    name: str,
    properties: dict,
    *,
    deps: dict[str, list[str]] | None = None,
    stack: str = "test",
) -> dict:
    """One analyzer-shaped document, as the graph holds it."""
    return build_document(
        type_=type_,
        name=name,
        urn=urn(name, type_, stack),
        properties=properties,
        provider=AWS_PROVIDER,
        property_dependencies=deps,
    )


def graph(*docs: dict, stack: str = "test") -> Graph:
    return Graph(project="fixture", stack=stack, source={"kind": "fixture"}, resources=list(docs))
