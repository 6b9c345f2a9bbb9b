"""The Rego policy pack (policies/) and its evaluator, with Pulumi's OPA analyzer semantics.

Public API:
    load_pack(path=None) -> Pack
    load_policy_config(path) -> PolicyConfig
    evaluate(pack, graph, config=None) -> Evaluation
    run_tests(pack) -> TestReport
"""

from imekit.policy.config import PolicyConfig, RuleConfig, load_policy_config, parse_policy_config
from imekit.policy.evaluate import Evaluation, Violation, attributed_urn, evaluate, stack_urn_of
from imekit.policy.naming import ADVISORY, DISABLED, MANDATORY, RESOURCE, STACK, classify
from imekit.policy.pack import Pack, Rule, TestRule, load_pack
from imekit.policy.testrunner import TestReport, TestResult, run_tests

__all__ = [
    "ADVISORY",
    "DISABLED",
    "MANDATORY",
    "RESOURCE",
    "STACK",
    "Evaluation",
    "Pack",
    "PolicyConfig",
    "Rule",
    "RuleConfig",
    "TestReport",
    "TestResult",
    "TestRule",
    "Violation",
    "attributed_urn",
    "classify",
    "evaluate",
    "load_pack",
    "load_policy_config",
    "parse_policy_config",
    "run_tests",
    "stack_urn_of",
]
