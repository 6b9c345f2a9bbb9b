"""`imekit synth` on the kit's reference IME platform (infra/, stacks dev and prod)."""

from __future__ import annotations

import shutil

import pytest
from graph_support import REPO, run_cli

from imekit.graph import UNKNOWN_MARKER, load_graph, synthesize

pytestmark = pytest.mark.skipif(
    not (REPO / "infra" / "__main__.py").is_file(),
    reason="the reference platform program (infra/__main__.py) is not in this checkout yet",
)

SERVICES = ("kms", "s3", "rds", "iam", "cognito", "cloudtrail", "cloudwatch", "sns", "backup")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """A copy of the reference program, so that edits made to infra/ while the suite runs
    cannot make two runs differ."""
    root = tmp_path_factory.mktemp("reference")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "infra", root / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture(scope="module")
def dev_graph_files(snapshot, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("graphs")
    paths = []
    for seed in ("0", "77"):
        path = tmp / f"dev-{seed}.json"
        result = run_cli(
            "synth",
            str(snapshot),
            "--stack",
            "dev",
            "-o",
            str(path),
            env={"PYTHONHASHSEED": seed},
        )
        assert result.code == 0, result.stderr
        paths.append(path)
    return paths


def test_default_program_is_the_reference_platform():
    # No PROGRAM_DIR: the kit's own reference platform.
    result = run_cli("synth", "--stack", "dev")
    assert result.code == 0, result.stderr
    assert '"project": "ime-platform"' in result.stdout
    assert "running infra/__main__.py of ime-platform (stack dev, resolved)" in result.stderr


def test_reference_platform_covers_the_platform(dev_graph_files):
    graph = load_graph(dev_graph_files[0])
    assert graph.project == "ime-platform" and graph.stack == "dev"
    custom = [d for d in graph.resources if d["__type"].startswith("aws:")]
    assert len(custom) >= 40, f"only {len(custom)} AWS resources"
    modules = {d["__type"].split(":")[1].split("/")[0] for d in custom}
    missing = [s for s in SERVICES if s not in modules]
    assert not missing, f"no resources of {missing}"
    assert any(any(v for v in d["propertyDependencies"].values()) for d in graph.resources)
    assert graph.locations, "no resource has a program location"
    assert all(loc["file"].startswith("infra/") for loc in graph.locations.values())


def test_reference_platform_is_byte_identical_across_runs(dev_graph_files):
    first, second = (p.read_bytes() for p in dev_graph_files)
    assert first == second


def test_reference_platform_prod_in_unknowns_mode(snapshot):
    graph = synthesize(snapshot, "prod", unknowns=True)
    assert graph.stack == "prod"
    assert UNKNOWN_MARKER in graph.dumps()
