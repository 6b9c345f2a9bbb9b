"""Each mutation of the secure platform's source yields exactly its expected findings.

The programs are synthesized up front, two at a time (synthesis runs in a child process,
so threads overlap well on two cores); each test then gates its graph with the real gate
(pack, catalog, roll-up) and compares (check, URN) pairs and the exit code.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness import copy_program, mutated_graph
from mutations import MUTATIONS, Mutation

from imekit.gate.run import GateRequest, run_gate
from imekit.gate.sources import GraphInputs
from imekit.graph import synthesize
from imekit.graph.model import Graph
from imekit.status import Status

BASELINE = "baseline"


@pytest.fixture(scope="session")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | BaseException]:
    work = tmp_path_factory.mktemp("mutations")

    def build(mutation: Mutation | None) -> tuple[str, Path | BaseException]:
        name = mutation.id if mutation else BASELINE
        try:
            if mutation is None:
                graph: Graph = synthesize(copy_program(work / BASELINE), "dev")
            else:
                graph = mutated_graph(mutation, work)
        except BaseException as exc:  # reported by the test of that mutation only
            return name, exc
        path = work / f"{name}.json"
        graph.write(path)
        return name, path

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, [None, *MUTATIONS]))


def _graph(graphs: dict[str, Path | BaseException], name: str) -> Path:
    found = graphs[name]
    if isinstance(found, BaseException):
        raise found
    return found


@pytest.fixture(scope="session")
def urns(graphs: dict[str, Path | BaseException]) -> list[str]:
    """Every URN of the unmutated program."""
    from imekit.graph.model import load_graph

    return [doc["__urn"] for doc in load_graph(_graph(graphs, BASELINE)).resources]


def _resolve(urns: list[str], name: str) -> str:
    """The one URN ending in `::name` (a name, or `type::name` where names repeat)."""
    matches = [u for u in urns if u.endswith((f"::{name}", f"${name}"))]
    assert len(matches) == 1, f"{name!r} names {len(matches)} resources: {matches}"
    return matches[0]


def _gate(path: Path):  # noqa: ANN202 - GateResult
    # A graph names its program relative to where it was synthesized; gate it from the
    # folder holding the program copies, as a user gates a graph from their checkout.
    with contextlib.chdir(path.parent):
        return run_gate(GateRequest(inputs=GraphInputs(graph_files=(path,)), checkov=False))


def test_there_are_enough_mutations() -> None:
    assert len(MUTATIONS) >= 20
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)
    assert all(m.expected for m in MUTATIONS)


def test_unmutated_copy_passes(graphs: dict[str, Path | BaseException]) -> None:
    result = _gate(_graph(graphs, BASELINE))
    assert result.findings == []
    assert result.exit_code == 0


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_mutation_yields_exactly_its_findings(
    mutation: Mutation, graphs: dict[str, Path | BaseException], urns: list[str]
) -> None:
    result = _gate(_graph(graphs, mutation.id))
    expected = {(check, _resolve(urns, name)) for check, name in mutation.expected}
    found = {(f.check_id, f.urn) for f in result.findings}
    assert found == expected, (
        f"{mutation.why}\nmissing: {sorted(expected - found)}\n"
        f"unexpected: {sorted(found - expected)}"
    )
    assert result.exit_code == mutation.exit_code
    for finding in result.findings:
        control = finding.control_ids[0]
        assert finding.message.startswith(f"[{control}] ")
        status = next(c for c in result.controls if c.control_id == control).status
        assert status is (Status.FAIL if finding.blocking else Status.PASS)
        if not finding.urn.endswith("::ime-platform-dev"):  # the stack itself has no line
            assert finding.location is not None
            assert finding.location.file.startswith("infra/"), finding.location
            assert finding.location.line > 0


def test_sarif_points_at_the_line_that_declared_the_resource(
    graphs: dict[str, Path | BaseException], tmp_path: Path
) -> None:
    from imekit.report.sarif import build_sarif

    path = _graph(graphs, "database-public")
    result = _gate(path)
    sarif = build_sarif(result, root=result.root, fallback_uri=result.manifest)
    [finding] = sarif["runs"][0]["results"]
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "infra/ime_platform/case_database.py",
        "uriBaseId": "REPOROOT",
    }
    program = path.parent / "database-public"
    source = (program / "infra/ime_platform/case_database.py").read_text(encoding="utf-8")
    declared = source.splitlines()[location["region"]["startLine"] - 1]
    assert "aws.rds.Instance(" in declared
    root_uri = sarif["runs"][0]["originalUriBaseIds"]["REPOROOT"]["uri"]
    assert root_uri == program.resolve().as_uri() + "/"
