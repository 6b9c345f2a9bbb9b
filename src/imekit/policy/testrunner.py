"""The pack's Rego unit tests, run like `opa test`.

Every rule whose name starts with `test_` is evaluated on its own, in regorus, with no
input and no data: a test passes when it evaluates to `true`; undefined, false, any other
value or an evaluation error fail it. The runner also parses the pack as Pulumi's analyzer
does (Rego v0 mode), so a file that only regorus would accept cannot pass.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from imekit.errors import ImekitError
from imekit.policy.engine import error_text, new_engine
from imekit.policy.pack import Pack


@dataclass
class TestResult:
    name: str
    file: str
    line: int
    passed: bool
    outcome: str  # "pass" | "fail" (false or undefined) | "error"
    detail: str = ""
    seconds: float = 0.0

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class TestReport:
    results: list[TestResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> list[TestResult]:
        return [r for r in self.results if not r.passed]

    @property
    def ok(self) -> bool:
        # No tests at all is not a pass: a pack whose tests vanished must not look green.
        return bool(self.results) and not self.failed


def run_tests(
    pack: Pack,
    *,
    match: str | None = None,
    files: dict[str, str] | None = None,
    on_result: Callable[[TestResult], None] | None = None,
    isolated: bool = False,
) -> TestReport:
    """Run every `test_` rule of the pack (optionally only names matching `match`).

    `files` replaces the pack's sources (same test list), which is how the mutation test
    runs the suite against a rewritten rule without touching the pack on disk.
    `isolated` evaluates each test in a fresh copy of the engine (slower; the default
    shares one engine, whose queries do not affect each other).
    """
    sources = files if files is not None else pack.files
    new_engine(sorted(sources.items()), rego_v0=True)  # as the analyzer parses
    engine = new_engine(sorted(sources.items()), rego_v0=False)
    try:
        pattern = re.compile(match) if match else None
    except re.error as exc:
        raise ImekitError(
            f"invalid test name pattern {match!r}: {exc}",
            hint="-r takes a Python regular expression, e.g. 'deny_kms' or 'rotation|window'",
        ) from exc
    report = TestReport()
    started = time.perf_counter()
    for test in pack.tests:
        if pattern is not None and not pattern.search(test.name):
            continue
        t0 = time.perf_counter()
        target = engine.clone() if isolated else engine
        result = _run_one(target, pack.query(test.name), test.name, test.file, test.line)
        result.seconds = time.perf_counter() - t0
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    report.seconds = time.perf_counter() - started
    return report


def _run_one(engine, query: str, name: str, file: str, line: int) -> TestResult:
    try:
        answer = json.loads(engine.eval_query_as_json(query))
    except RuntimeError as exc:
        return TestResult(name, file, line, False, "error", error_text(exc))
    values = [
        expr.get("value")
        for result in answer.get("result", [])
        for expr in result.get("expressions", [])
    ]
    if values == [True]:
        return TestResult(name, file, line, True, "pass")
    detail = "undefined" if not values else f"evaluated to {json.dumps(values[0])[:80]}"
    return TestResult(name, file, line, False, "fail", detail)
