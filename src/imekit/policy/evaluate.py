"""Evaluating the pack over a graph with the semantics of Pulumi's OPA analyzer.

Mirrors pulumi-policy-opa (analyzer.go Analyze/AnalyzeStack, eval.go evalPolicyPack):
- resource rules run once per resource on its resource-scope document; stack rules run
  once on {"resources": [every stack-scope document]};
- each rule is the query data.<package>.<rule>; only array/set results are read, each
  element is one violation, a non-string element is formatted as text (Go's %v); a
  boolean or object result yields nothing;
- data.config.<rule> holds the configured properties of rules that have some, nothing
  else; a rule's configured enforcementLevel wins over `all`, which wins over the level
  its name implies; disabled rules are not evaluated; an evaluation error fails the run.

Stack-rule violations are reported by Pulumi against the stack. The kit attributes each to
the resource whose URN the message names in its last parentheses, `... (urn:pulumi:...)`,
and to the stack's URN when it names none.

Speed: a resource is only queried for rules whose METADATA `custom.resource_types` lists
its type. Every rule guards on the type itself, so this changes no verdict (a test
evaluates every rule on every resource and compares); it only skips queries that cannot
fire.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from imekit.errors import ImekitError
from imekit.graph.model import Graph, resource_input
from imekit.policy import naming
from imekit.policy.config import PolicyConfig, check_against_pack
from imekit.policy.engine import error_text, new_engine
from imekit.policy.pack import Pack, Rule

STACK_TYPE = "pulumi:pulumi:Stack"

_URN_AT_END = re.compile(r"\((urn:pulumi:[^\s]+)\)\s*$")


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str  # the resource the violation is attributed to
    message: str
    level: str  # naming.MANDATORY | naming.ADVISORY, after configuration
    scope: str  # naming.RESOURCE | naming.STACK
    control: str  # the rule's METADATA custom.control
    resource_type: str


@dataclass
class Evaluation:
    pack_name: str
    pack_version: str
    stack_urn: str
    violations: list[Violation] = field(default_factory=list)
    # rule -> URNs of the resources it inspected (its custom.resource_types present in the
    # graph); a rule with no violation on a URN it inspected passed there.
    evaluated: dict[str, set[str]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)  # effective level of every rule
    skipped_rules: list[str] = field(default_factory=list)  # disabled by configuration
    resources: int = 0
    queries: int = 0
    seconds: float = 0.0

    def by_rule(self) -> dict[str, list[Violation]]:
        grouped: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            grouped[v.rule].append(v)
        return dict(grouped)

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.level == naming.MANDATORY]


def stack_urn_of(graph: Graph) -> str:
    """The stack resource's URN, or the one Pulumi derives (DefaultRootStackURN)."""
    for doc in graph.resources:
        if doc.get("__type") == STACK_TYPE:
            return str(doc["__urn"])
    project, stack = graph.project, graph.stack
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def effective_levels(pack: Pack, config: PolicyConfig | None) -> dict[str, str]:
    cfg = config or PolicyConfig()
    return {rule.name: cfg.level_for(rule.name, rule.level) for rule in pack.rules}


def evaluate(
    pack: Pack,
    graph: Graph,
    config: PolicyConfig | None = None,
    *,
    type_index: bool = True,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Evaluate every enabled rule of `pack` on `graph`, as Pulumi's analyzer would.

    `type_index=False` queries every rule on every resource and hands every stack rule the
    whole stack, exactly as the analyzer does; the default skips queries that cannot fire
    (see the module docstring) and gives the same verdicts. `workers` (default: 2 for large
    graphs on a machine with 2+ cores) splits the work across forked processes.
    """
    started = time.perf_counter()
    if config is not None:
        check_against_pack(config, pack)
    levels = effective_levels(pack, config)
    active = [r for r in pack.rules if levels[r.name] != naming.DISABLED]
    result = Evaluation(
        pack_name=pack.name,
        pack_version=pack.version,
        stack_urn=stack_urn_of(graph),
        levels=levels,
        skipped_rules=[r.name for r in pack.rules if levels[r.name] == naming.DISABLED],
        resources=len(graph.resources),
    )
    by_type: dict[str, list[str]] = defaultdict(list)
    for doc in graph.resources:
        by_type[str(doc.get("__type", ""))].append(str(doc["__urn"]))
    for rule in active:
        result.evaluated[rule.name] = _applicable_urns(rule, by_type)

    job = _Job(
        pack=pack,
        graph=graph,
        data_config=config.data_config() if config is not None else {},
        levels=levels,
        type_index=type_index,
        stack_urn=result.stack_urn,
        resource_rules=[r for r in active if r.scope == naming.RESOURCE],
        stack_rules=[r for r in active if r.scope == naming.STACK],
    )
    count = _worker_count(workers, len(graph.resources))
    job.stack_groups = count
    tasks = job.tasks()
    if count > 1 and len(tasks) > 1:
        outcomes = _run_forked(job, tasks, count, progress)
    else:
        outcomes = [job.run(tasks, progress)]
    for violations, queries in outcomes:
        result.violations.extend(violations)
        result.queries += queries
    result.violations.sort(key=lambda v: (v.rule, v.urn, v.message))
    result.seconds = time.perf_counter() - started
    return result


def _applicable_urns(rule: Rule, by_type: dict[str, list[str]]) -> set[str]:
    if not rule.resource_types:
        return {urn for urns in by_type.values() for urn in urns}
    return {urn for t in rule.resource_types for urn in by_type.get(t, ())}


# A unit of work: ("resources", first, last) evaluates the resource rules on
# graph.resources[first:last]; ("stack", group, None) evaluates one group of stack rules,
# which share one input document (converting the stack's documents into the engine is what
# stack rules spend most on, so a group converts them once).
Task = tuple[str, Any, Any]

# Below this many resources one process is faster than forking.
PARALLEL_THRESHOLD = 2000
_RESOURCE_CHUNK = 500


def _worker_count(workers: int | None, resources: int) -> int:
    if workers is not None:
        if workers < 1:
            raise ImekitError(f"workers must be at least 1, got {workers}")
        return workers
    if resources < PARALLEL_THRESHOLD or not hasattr(os, "fork"):
        return 1
    return max(1, min(2, os.cpu_count() or 1))


@dataclass
class _Job:
    pack: Pack
    graph: Graph
    data_config: dict[str, Any]
    levels: dict[str, str]
    type_index: bool
    stack_urn: str
    resource_rules: list[Rule]
    stack_rules: list[Rule]
    stack_groups: int = 1
    _types: dict[str, str] | None = None
    _groups: list[list[Rule]] | None = None
    _counts: dict[str, int] | None = None

    def tasks(self) -> list[Task]:
        """Every unit of work, the costliest first (so parallel workers finish together)."""
        tasks: list[Task] = []
        if self.resource_rules:
            total = len(self.graph.resources)
            for first in range(0, total, _RESOURCE_CHUNK):
                tasks.append(("resources", first, min(total, first + _RESOURCE_CHUNK)))
        tasks.extend(("stack", i, None) for i in range(len(self.groups())))
        return sorted(tasks, key=self.cost, reverse=True)

    def _type_counts(self) -> dict[str, int]:
        if self._counts is None:
            counts: dict[str, int] = defaultdict(int)
            for d in self.graph.resources:
                counts[str(d.get("__type", ""))] += 1
            self._counts = dict(counts)
        return self._counts

    def _rule_cost(self, rule: Rule, counts: dict[str, int]) -> int:
        """Rough cost in documents handled: a stack document costs about twice a resource
        query (conversion and scan)."""
        if not self.type_index or not rule.resource_types:
            return 2 * len(self.graph.resources)
        return 2 * sum(counts.get(t, 0) for t in rule.resource_types)

    def groups(self) -> list[list[Rule]]:
        """The stack rules split into `stack_groups` groups of about equal cost."""
        if self._groups is None:
            counts = self._type_counts()
            n = max(1, min(self.stack_groups, len(self.stack_rules)))
            groups: list[list[Rule]] = [[] for _ in range(n)]
            load = [0] * n
            for rule in sorted(self.stack_rules, key=lambda r: -self._rule_cost(r, counts)):
                i = load.index(min(load))
                groups[i].append(rule)
                load[i] += self._rule_cost(rule, counts)
            self._groups = [g for g in groups if g]
        return self._groups

    def cost(self, task: Task) -> int:
        kind, a, b = task
        if kind == "resources":
            return int(b) - int(a)
        counts = self._type_counts()
        return sum(self._rule_cost(r, counts) for r in self.groups()[int(a)])

    def stack_documents(self, rules: list[Rule]) -> list[dict[str, Any]]:
        """The documents a group of stack rules reads: those of the types they declare.

        Every rule guards on the types it reads (the equivalence test holds the pack to
        that), so a rule given more documents than its own types, or fewer than the whole
        stack, reaches the same verdict.
        """
        if not self.type_index or any(not r.resource_types for r in rules):
            return self.graph.resources
        wanted = {t for r in rules for t in r.resource_types}
        return [d for d in self.graph.resources if d.get("__type") in wanted]

    def types_by_urn(self) -> dict[str, str]:
        if self._types is None:
            self._types = {str(d["__urn"]): str(d.get("__type", "")) for d in self.graph.resources}
        return self._types

    def run(
        self,
        tasks: list[Task] | Iterator[Task],
        progress: Callable[[str], None] | None = None,
    ) -> tuple[list[Violation], int]:
        engine = new_engine(self.pack.sources())
        if self.data_config:
            engine.add_data({"config": self.data_config})
        violations: list[Violation] = []
        queries = 0
        done = 0
        for kind, a, b in tasks:
            if kind == "resources":
                queries += self._resources(engine, int(a), int(b), violations)
                done += int(b) - int(a)
                if progress is not None:
                    progress(f"evaluated resource rules on {done} resources")
            else:
                queries += self._stack(engine, self.groups()[int(a)], violations)
        return violations, queries

    def _resources(self, engine: Any, first: int, last: int, out: list[Violation]) -> int:
        rules = self.resource_rules
        untyped = [r for r in rules if not r.resource_types]
        for_type: dict[str, list[Rule]] = defaultdict(list)
        for rule in rules:
            for t in rule.resource_types:
                for_type[t].append(rule)
        queries = 0
        for doc in self.graph.resources[first:last]:
            rtype = str(doc.get("__type", ""))
            todo = (for_type.get(rtype, []) + untyped) if self.type_index else rules
            if not todo:
                continue
            urn = str(doc["__urn"])
            engine.set_input(resource_input(doc))
            for rule in todo:
                value = _eval(engine, self.pack.query(rule.name), urn)
                queries += 1
                for message in _messages(value):
                    out.append(
                        Violation(
                            rule=rule.name,
                            urn=urn,
                            message=message,
                            level=self.levels[rule.name],
                            scope=naming.RESOURCE,
                            control=rule.control,
                            resource_type=rtype,
                        )
                    )
        return queries

    def _stack(self, engine: Any, rules: list[Rule], out: list[Violation]) -> int:
        types = self.types_by_urn()
        engine.set_input({"resources": self.stack_documents(rules)})
        for rule in rules:
            value = _eval(engine, self.pack.query(rule.name), "the stack")
            for message in _messages(value):
                urn = attributed_urn(message, types, self.stack_urn)
                out.append(
                    Violation(
                        rule=rule.name,
                        urn=urn,
                        message=message,
                        level=self.levels[rule.name],
                        scope=naming.STACK,
                        control=rule.control,
                        resource_type=types.get(urn, STACK_TYPE),
                    )
                )
        return len(rules)


def _run_forked(
    job: _Job, tasks: list[Task], count: int, progress: Callable[[str], None] | None
) -> list[tuple[list[Violation], int]]:
    """Run the tasks in this process and `count - 1` forked children.

    Every process takes the next task from a shared counter, so a worker slowed down by
    other load on the machine simply takes fewer tasks.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    cursor = ctx.Value("i", 0)
    job.types_by_urn()  # built once, before forking, and shared by every child
    job.groups()
    children = []
    for _ in range(count - 1):
        parent_end, child_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(job, tasks, cursor, child_end), daemon=True)
        proc.start()
        child_end.close()
        children.append((proc, parent_end))
    outcomes = []
    failure: ImekitError | None = None
    try:
        outcomes.append(job.run(_claim(tasks, cursor), progress))
    except ImekitError as exc:
        failure = exc
        with cursor.get_lock():
            cursor.value = len(tasks)  # tell the children to stop taking work
    for proc, conn in children:
        try:
            status, payload = conn.recv()
        except EOFError:
            status, payload = "error", ("a policy worker process died", None)
        proc.join()
        if status == "error" and failure is None:
            message, hint = payload
            failure = ImekitError(message, hint=hint)
        elif status == "ok":
            outcomes.append(payload)
    if failure is not None:
        raise failure
    return outcomes


def _claim(tasks: list[Task], cursor: Any) -> Iterator[Task]:
    while True:
        with cursor.get_lock():
            index = cursor.value
            cursor.value = index + 1
        if index >= len(tasks):
            return
        yield tasks[index]


def _child(job: _Job, tasks: list[Task], cursor: Any, conn: Any) -> None:
    try:
        conn.send(("ok", job.run(_claim(tasks, cursor))))
    except ImekitError as exc:
        conn.send(("error", (exc.message, exc.hint)))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", (f"policy worker failed: {exc!r}", None)))
    finally:
        conn.close()


def attributed_urn(message: str, known: dict[str, str] | set[str], stack_urn: str) -> str:
    """The URN a stack message names last in parentheses, if it is in the graph."""
    match = _URN_AT_END.search(message)
    if match and match.group(1) in known:
        return match.group(1)
    return stack_urn


def _eval(engine: Any, query: str, where: str) -> Any:
    try:
        try:
            return engine.eval_rule(query)
        except TypeError:
            # A set holding objects cannot become a Python set; read it as JSON instead.
            return json.loads(engine.eval_rule_as_json(query))
    except RuntimeError as exc:
        raise ImekitError(
            f"evaluating rule {query} on {where} failed: {error_text(exc)}",
            hint="a rule that errors is never a pass; fix the rule or the input it chokes on",
        ) from exc


def _messages(value: Any) -> list[str]:
    """The analyzer's reading of one rule result: only arrays and sets carry violations."""
    if not isinstance(value, (list, set, frozenset, tuple)):
        return []
    return sorted(v if isinstance(v, str) else go_format(v) for v in value)


def go_format(value: Any) -> str:
    """Text as Go's fmt %v prints a JSON-decoded value (maps with sorted keys)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "[" + " ".join(go_format(v) for v in items) + "]"
    return str(value)
