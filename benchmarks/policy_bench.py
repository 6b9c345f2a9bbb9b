"""Benchmark: evaluating the policy pack over graphs of 100, 1,000 and 10,000 resources.

Graphs are built by replicating a realistic mix: the reference IME platform synthesized
offline (`imekit synth --unknowns`, as a real preview sees it) plus the deliberately
insecure program, each copy renamed so URNs and propertyDependencies stay consistent.

Measured for each size, in the same run:
  indexed    the kit's evaluator in one process (rules queried only for the types they
             inspect, stack rules given only those types)
  indexed-2  the same with two processes (the default for large graphs on 2+ cores)
  unindexed  every rule on every resource, every stack rule on the whole stack (the
             analyzer's way)
  naive      one whole-graph query per resource rule using `with input as` per resource

Wall time depends on what else the machine runs; cpu s (this process and its children)
much less so.

Usage: .venv/bin/python benchmarks/policy_bench.py [--sizes 100,1000,10000] [--skip-naive-above N]
Each configuration runs in a fresh child process so peak RSS (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def base_documents() -> list[dict]:
    """The realistic mix: reference platform (unknowns) and the insecure program."""
    from imekit.graph import synthesize

    docs: list[dict] = []
    reference = synthesize(REPO, "dev", unknowns=True)
    insecure = synthesize(REPO / "tests" / "programs" / "insecure", "dev", unknowns=True)
    for graph in (reference, insecure):
        docs.extend(d for d in graph.resources if d["__type"] != "pulumi:pulumi:Stack")
    return docs


def replicate(docs: list[dict], size: int, project: str = "ime-platform", stack: str = "bench"):
    """A graph of exactly `size` resources: copies of `docs`, renamed per copy."""
    from imekit.graph.model import Graph

    out: list[dict] = []
    copy_no = 0
    while len(out) < size:
        suffix = f"-c{copy_no}"
        rename = {d["__urn"]: d["__urn"] + suffix for d in docs}
        for d in docs:
            if len(out) >= size:
                break
            new = copy.deepcopy(d)
            for key in ("__urn", "urn"):
                if isinstance(new.get(key), str) and new[key] in rename:
                    new[key] = rename[new[key]]
            new["__name"] = new["name"] = d["__name"] + suffix
            new["dependencies"] = [rename.get(u, u) for u in new.get("dependencies", [])]
            deps = new.get("propertyDependencies", {})
            new["propertyDependencies"] = {
                k: [rename.get(u, u) for u in v] for k, v in deps.items()
            }
            for key in ("__options", "options"):
                parent = new.get(key, {}).get("parent")
                if parent in rename:
                    new[key] = dict(new[key], parent=rename[parent])
            out.append(new)
        copy_no += 1
    return Graph(project=project, stack=stack, source={"kind": "synth"}, resources=out)


def naive_evaluate(pack, graph) -> int:
    """Whole-graph queries: each resource rule over every resource via `with input as`."""
    from imekit.policy.engine import new_engine

    engine = new_engine(pack.sources())
    engine.set_input({"resources": graph.resources})
    violations = 0
    for rule in pack.rules:
        if rule.scope != "resource":
            continue
        # Strip stack keys inside Rego so each per-resource input is the resource document.
        query = (
            f"x := [m | some r in input.resources; "
            f'doc := object.remove(r, {{"dependencies", "propertyDependencies"}}); '
            f"some m in data.{pack.name}.{rule.name} with input as doc]"
        )
        answer = json.loads(engine.eval_query_as_json(query))
        violations += len(answer["result"][0]["bindings"]["x"])
    for rule in pack.rules:
        if rule.scope == "stack":
            violations += len(engine.eval_rule(pack.query(rule.name)) or [])
    return violations


def _evaluate(mode: str, pack, graph) -> tuple[int, int | None]:
    from imekit.policy import evaluate

    if mode == "naive":
        return naive_evaluate(pack, graph), None
    workers = 2 if mode == "indexed-2" else 1
    result = evaluate(pack, graph, type_index=(mode != "unindexed"), workers=workers)
    return len(result.violations), result.queries


def run_one(mode: str, size: int, docs_file: Path) -> dict:
    """Time one configuration, then run it again under tracemalloc for Python's peak."""
    from imekit.policy import load_pack

    docs = json.loads(docs_file.read_text())
    graph = replicate(docs, size)
    pack = load_pack()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    cpu_start = os.times()
    violations, queries = _evaluate(mode, pack, graph)
    seconds = time.perf_counter() - start
    cpu_end = os.times()
    fields = ("user", "system", "children_user", "children_system")
    cpu = sum(getattr(cpu_end, f) - getattr(cpu_start, f) for f in fields)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # tracemalloc slows Python down, so it only measures memory, in a second run.
    tracemalloc.start()
    _evaluate(mode, pack, graph)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "mode": mode,
        "resources": size,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "violations": violations,
        "queries": queries,
        "python_peak_mb": round(traced_peak / 2**20, 1),
        "max_rss_mb": round(rss_after / 1024, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--modes", default="indexed,indexed-2,unindexed,naive")
    parser.add_argument("--skip-naive-above", type=int, default=10000)
    parser.add_argument("--json", action="store_true", help="print results as JSON lines")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "SIZE", "DOCS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        mode, size, docs_file = args.child
        print(json.dumps(run_one(mode, int(size), Path(docs_file))))
        return 0

    print("synthesizing the reference and insecure programs...", file=sys.stderr)
    docs_file = Path(f"/tmp/imekit-policy-bench-{int(time.time())}.json")
    docs_file.write_text(json.dumps(base_documents()))
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for mode in args.modes.split(","):
            if mode == "naive" and size > args.skip_naive_above:
                continue
            print(f"  {mode:<9} {size:>6} resources...", file=sys.stderr)
            proc = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(size), str(docs_file)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    docs_file.unlink(missing_ok=True)
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print(
        f"{'mode':<10}{'resources':>10}{'wall s':>9}{'cpu s':>8}{'violations':>12}"
        f"{'queries':>9}{'py peak MB':>12}{'max RSS MB':>12}{'RSS +MB':>9}"
    )
    for r in rows:
        print(
            f"{r['mode']:<10}{r['resources']:>10}{r['seconds']:>9.3f}{r['cpu_seconds']:>8.2f}"
            f"{r['violations']:>12}{str(r['queries'] or '-'):>9}{r['python_peak_mb']:>12}"
            f"{r['max_rss_mb']:>12}{r['rss_growth_mb']:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
