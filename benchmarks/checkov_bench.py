"""Benchmark: the Rego gate, the checkov bridge and plain checkov on the same resources.

For the reference platform (dev stack) and for graphs of 1,000 (and, with --large, 10,000)
resources built by repeating it, in one run:
  rego     imekit.policy.evaluate over the graph (in process)
  bridge   graph -> Terraform plan JSON (imekit.checkov.convert_graphs + writing the file),
           and checkov's report -> findings on URNs and controls (map_s)
  checkov  the pinned checkov on that plan file alone (subprocess; wall time and peak RSS)

    .venv/bin/python benchmarks/checkov_bench.py [--large] [--json out.json]

checkov must be installed (`imekit checkov setup`). Peak RSS is the largest of any child so
far (getrusage), so sizes run smallest first.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imekit.checkov import convert_graphs, ensure_checkov, load_mapping
from imekit.checkov.plan import PlanConversion
from imekit.checkov.results import map_report
from imekit.checkov.runner import checkov_command, checkov_environment, parse_report
from imekit.graph.model import Graph


def scaled(graph: Graph, total: int) -> Graph:
    """`total` resources: copies of the graph with every URN (and reference) renamed."""
    docs: list[dict] = []
    copy_index = 0
    while len(docs) < total:
        suffix = f"-r{copy_index}"
        renamed = {d["__urn"]: d["__urn"] + suffix for d in graph.resources}
        for doc in graph.resources:
            if len(docs) == total:
                break
            new = copy.deepcopy(doc)
            new["__urn"] = new["urn"] = renamed[doc["__urn"]]
            new["__name"] = new["name"] = doc["__name"] + suffix
            new["dependencies"] = [renamed.get(u, u) for u in doc["dependencies"]]
            new["propertyDependencies"] = {
                k: [renamed.get(u, u) for u in v] for k, v in doc["propertyDependencies"].items()
            }
            docs.append(new)
        copy_index += 1
    return Graph(graph.project, graph.stack, graph.source, docs, {})


def rego_seconds(graph: Graph) -> tuple[float, int]:
    from imekit.policy import evaluate, load_pack

    pack = load_pack()
    started = time.monotonic()
    evaluation = evaluate(pack, graph)
    return time.monotonic() - started, len(evaluation.violations)


def bridge(graph: Graph, folder: Path) -> tuple[float, Path, PlanConversion, int]:
    started = time.monotonic()
    conversion = convert_graphs([graph])
    path = folder / f"plan-{len(graph.resources)}.json"
    conversion.write(path)
    return time.monotonic() - started, path, conversion, path.stat().st_size


def map_back(report: dict, conversion: PlanConversion) -> tuple[float, int]:
    mapping = load_mapping()
    started = time.monotonic()
    result = map_report(report, conversion, mapping)
    return time.monotonic() - started, len(result.findings)


def plain_checkov(plan: Path, folder: Path) -> tuple[float, float, dict]:
    env = ensure_checkov(install=False)
    home = folder / "home"
    home.mkdir(exist_ok=True)
    started = time.monotonic()
    completed = subprocess.run(
        checkov_command(env, [plan]),
        cwd=folder,
        env=checkov_environment(home),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.monotonic() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"checkov failed: {completed.stderr.decode()[-500:]}")
    report = parse_report(completed.stdout.decode())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak_mb, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run 10,000 resources")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)

    from imekit.graph.synth import synthesize

    reference = synthesize(None, stack="dev")
    sizes = [("reference (dev)", reference), ("1,000", scaled(reference, 1000))]
    if args.large:
        sizes.append(("10,000", scaled(reference, 10000)))
    rows = []
    with tempfile.TemporaryDirectory(prefix="imekit-bench-") as scratch:
        folder = Path(scratch)
        for label, graph in sizes:
            rego, violations = rego_seconds(graph)
            convert, plan, conversion, size = bridge(graph, folder)
            ckv, peak, report = plain_checkov(plan, folder)
            mapped_back, findings = map_back(report, conversion)
            results = report["results"]
            row = {
                "graph": label,
                "resources": len(graph.resources),
                "plan_resources": len(conversion.resources),
                "plan_mb": round(size / 1e6, 2),
                "rego_s": round(rego, 3),
                "rego_violations": violations,
                "bridge_s": round(convert, 3),
                "map_s": round(mapped_back, 3),
                "checkov_s": round(ckv, 1),
                "checkov_peak_rss_mb": round(peak),
                "checkov_passed": len(results["passed_checks"]),
                "checkov_failed": len(results["failed_checks"]),
                "findings": findings,
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    header = (
        "graph",
        "resources",
        "rego_s",
        "bridge_s",
        "map_s",
        "checkov_s",
        "checkov_peak_rss_mb",
        "plan_mb",
    )
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": platform.platform(), "python": platform.python_version(), "rows": rows},
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
