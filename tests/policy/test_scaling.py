"""Evaluation stays linear in resources: no stack rule may join resources pairwise.

Uses the benchmark's replication of a realistic mix (tests/policy/graphs.py's compliant
and insecure resources here, to stay offline and fast) and compares CPU time, which other
work on the machine disturbs less than wall time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from graphs import compliant_resources, insecure_resources

from imekit.policy import evaluate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from policy_bench import replicate  # noqa: E402


def _cpu_seconds(pack, size: int) -> tuple[float, int]:
    docs = [
        d
        for d in compliant_resources() + insecure_resources()
        if not d["__type"].startswith("pulumi:")
    ]
    graph = replicate(docs, size)
    start = time.process_time()
    result = evaluate(pack, graph, workers=1)
    return time.process_time() - start, len(result.violations)


def test_ten_times_the_resources_costs_about_ten_times_the_time(pack):
    _cpu_seconds(pack, 100)  # warm caches and imports
    small, small_violations = _cpu_seconds(pack, 400)
    large, large_violations = _cpu_seconds(pack, 4000)
    assert large_violations > 9 * small_violations
    # Linear would be 10x; a pairwise join would be about 100x.
    assert large < 25 * small, f"400 resources: {small:.2f}s, 4000: {large:.2f}s"
