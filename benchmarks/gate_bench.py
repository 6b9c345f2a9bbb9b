"""Gate evaluation time and peak memory for 100, 1,000 and 10,000 resources.

    .venv/bin/python benchmarks/gate_bench.py [--sizes 100,1000,10000] [--peer-max 1000]
                                             [--repeat 3] [--json FILE]

The graph is the reference platform's own (synthesized once), replicated with renamed
URNs until it holds N resources, dependencies and propertyDependencies renamed along, so
every rule (per-resource and stack-wide) has the same work to do per copy as on the real
platform. Each measurement runs in a fresh child process so its peak RSS is its own:

- gate:  the full pack on the graph (imekit.gate.rego.evaluate_graph: every enabled rule,
         per-resource and stack), plus the control roll-up; best of --repeat runs.
- peer:  checkov (the kit's isolated, pinned checkov) on the same graph, converted to a
         Terraform plan; one run. checkov is super-linear, so sizes above --peer-max are
         skipped. The ratio is peer time / gate time at the same size.

Peak memory is the child's maximum resident set size (ru_maxrss); for checkov it is that
of checkov's own process. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def replicate(graph_json: dict[str, Any], size: int) -> dict[str, Any]:
    """A graph of exactly `size` resources: copies of the original with renamed URNs.

    The stack resource and providers stay shared; every other resource of copy k gets
    `k-` in front of its name, and every reference to a URN (parent, dependencies,
    propertyDependencies) is renamed along, so each copy is a whole platform.
    """
    base = graph_json["resources"]
    shared = [
        d
        for d in base
        if d["__type"] == "pulumi:pulumi:Stack" or d["__type"].startswith("pulumi:providers:")
    ]
    others = [d for d in base if d not in shared]
    resources = list(shared)
    copy = 0
    while len(resources) < size:
        rename = {d["__urn"]: _renamed(d["__urn"], copy) for d in others} if copy else {}
        for doc in others:
            if len(resources) >= size:
                break
            resources.append(_rename_doc(doc, rename) if copy else doc)
        copy += 1
    out = dict(graph_json)
    out["resources"] = resources
    out["locations"] = {}
    return out


def _renamed(urn: str, copy: int) -> str:
    head, _, name = urn.rpartition("::")
    return f"{head}::{copy}-{name}"


def _rename_doc(doc: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return rename.get(value, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    new = walk(doc)
    name = new["__urn"].rpartition("::")[2]
    new["__name"] = name
    if doc.get("name") == doc["__name"]:  # `name` may be a property overlaid on the metadata
        new["name"] = name
    return new


def _child_gate(graph_path: Path, repeat: int) -> dict[str, Any]:
    from imekit.catalog import load_catalog
    from imekit.gate import catalog_view
    from imekit.gate.rego import evaluate_graph
    from imekit.gate.rollup import roll_up
    from imekit.graph.model import load_graph
    from imekit.policy.pack import load_pack

    graph = load_graph(graph_path)
    catalog = load_catalog()
    pack = load_pack()
    config = None  # the pack's own levels and defaults
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best = float("inf")
    findings = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found, run = evaluate_graph(pack, graph, config, catalog)
        roll_up(catalog_view.control_specs(catalog, with_checkov=False), [run], found)
        best = min(best, time.perf_counter() - started)
        findings = len(found)
    return {
        "seconds": best,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before / 1024,
        "findings": findings,
        "rules": len(pack.rules),
    }


def _child_peer(graph_path: Path) -> dict[str, Any]:
    from imekit.checkov import run_checkov
    from imekit.graph.model import load_graph

    graph = load_graph(graph_path)
    started = time.perf_counter()
    result = run_checkov([graph], install=False)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "findings": len(result.findings),
        "version": result.version,
    }


def _measure(kind: str, graph_path: Path, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, str(graph_path), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} measurement failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--peer-max", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "GRAPH"))
    args = parser.parse_args(argv)

    if args.child:
        kind, path = args.child
        data = _child_gate(Path(path), args.repeat) if kind == "gate" else _child_peer(Path(path))
        print(json.dumps(data))
        return 0

    from imekit.checkov import status
    from imekit.graph import synthesize

    sizes = [int(s) for s in args.sizes.split(",") if s]
    print("synthesizing the reference platform (dev)...", file=sys.stderr)
    base = synthesize(None, "dev").to_json()
    peer_ready = status().ready
    if not peer_ready:
        print("checkov environment not ready: peer skipped (imekit checkov setup)", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="imekit-bench-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"graph-{size}.json"
            path.write_text(json.dumps(replicate(base, size)), encoding="utf-8")
            print(f"gate on {size} resources...", file=sys.stderr)
            gate = _measure("gate", path, args.repeat)
            peer = None
            if peer_ready and size <= args.peer_max:
                print(f"checkov on {size} resources...", file=sys.stderr)
                peer = _measure("peer", path, 1)
            rows.append({"resources": size, "gate": gate, "peer": peer})

    print(
        f"{'resources':>9}  {'gate s':>8}  {'gate MB':>8}  {'findings':>8}  "
        f"{'checkov s':>9}  {'checkov MB':>10}  {'ratio':>7}"
    )
    for row in rows:
        gate, peer = row["gate"], row["peer"]
        ratio = f"{peer['seconds'] / gate['seconds']:.0f}x" if peer else "-"
        peer_s = f"{peer['seconds']:.2f}" if peer else "-"
        peer_mb = f"{peer['peak_rss_mb']:.0f}" if peer else "-"
        print(
            f"{row['resources']:>9}  {gate['seconds']:>8.3f}  {gate['peak_rss_mb']:>8.0f}  "
            f"{gate['findings']:>8}  {peer_s:>9}  {peer_mb:>10}  {ratio:>7}"
        )
    print(
        f"({platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; gate = best of {args.repeat}; peer = checkov, one run)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
