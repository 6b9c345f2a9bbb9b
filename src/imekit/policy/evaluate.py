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
import re
import time
from collections import defaultdict
from collections.abc import Callable
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
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Evaluate every enabled rule of `pack` on `graph`, as Pulumi's analyzer would."""
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
    engine = new_engine(pack.sources())
    data_config = config.data_config() if config is not None else {}
    if data_config:
        engine.add_data({"config": data_config})

    by_type: dict[str, list[str]] = defaultdict(list)
    for doc in graph.resources:
        by_type[str(doc.get("__type", ""))].append(str(doc["__urn"]))
    for rule in active:
        result.evaluated[rule.name] = _applicable_urns(rule, by_type)

    resource_rules = [r for r in active if r.scope == naming.RESOURCE]
    stack_rules = [r for r in active if r.scope == naming.STACK]
    _evaluate_resources(engine, pack, graph, resource_rules, levels, type_index, result, progress)
    if stack_rules:
        _evaluate_stack(engine, pack, graph, stack_rules, levels, result, progress)
    result.violations.sort(key=lambda v: (v.rule, v.urn, v.message))
    result.seconds = time.perf_counter() - started
    return result


def _applicable_urns(rule: Rule, by_type: dict[str, list[str]]) -> set[str]:
    if not rule.resource_types:
        return {urn for urns in by_type.values() for urn in urns}
    return {urn for t in rule.resource_types for urn in by_type.get(t, ())}


def _evaluate_resources(
    engine: Any,
    pack: Pack,
    graph: Graph,
    rules: list[Rule],
    levels: dict[str, str],
    type_index: bool,
    result: Evaluation,
    progress: Callable[[str], None] | None,
) -> None:
    if not rules:
        return
    queries = {r.name: pack.query(r.name) for r in rules}
    untyped = [r for r in rules if not r.resource_types]
    for_type: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        for t in rule.resource_types:
            for_type[t].append(rule)
    total = len(graph.resources)
    step = max(1000, total // 10)
    for i, doc in enumerate(graph.resources, 1):
        rtype = str(doc.get("__type", ""))
        todo = (for_type.get(rtype, []) + untyped) if type_index else rules
        if not todo:
            continue
        urn = str(doc["__urn"])
        engine.set_input(resource_input(doc))
        for rule in todo:
            value = _eval(engine, queries[rule.name], rule.name, urn)
            result.queries += 1
            for message in _messages(value):
                result.violations.append(
                    Violation(
                        rule=rule.name,
                        urn=urn,
                        message=message,
                        level=levels[rule.name],
                        scope=naming.RESOURCE,
                        control=rule.control,
                        resource_type=rtype,
                    )
                )
        if progress is not None and i % step == 0:
            progress(f"evaluated {i}/{total} resources")


def _evaluate_stack(
    engine: Any,
    pack: Pack,
    graph: Graph,
    rules: list[Rule],
    levels: dict[str, str],
    result: Evaluation,
    progress: Callable[[str], None] | None,
) -> None:
    types = {str(d["__urn"]): str(d.get("__type", "")) for d in graph.resources}
    engine.set_input({"resources": graph.resources})
    for rule in rules:
        value = _eval(engine, pack.query(rule.name), rule.name, "the stack")
        result.queries += 1
        for message in _messages(value):
            urn = attributed_urn(message, types, result.stack_urn)
            result.violations.append(
                Violation(
                    rule=rule.name,
                    urn=urn,
                    message=message,
                    level=levels[rule.name],
                    scope=naming.STACK,
                    control=rule.control,
                    resource_type=types.get(urn, STACK_TYPE),
                )
            )
    if progress is not None:
        progress(f"evaluated {len(rules)} stack rules")


def attributed_urn(message: str, known: dict[str, str] | set[str], stack_urn: str) -> str:
    """The URN a stack message names last in parentheses, if it is in the graph."""
    match = _URN_AT_END.search(message)
    if match and match.group(1) in known:
        return match.group(1)
    return stack_urn


def _eval(engine: Any, query: str, rule: str, where: str) -> Any:
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
