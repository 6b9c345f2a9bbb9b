"""How Pulumi's OPA analyzer tells rules from helpers: by name alone.

Mirrors pulumi-policy-opa (cmd/pulumi-analyzer-policy-opa/policy.go, loadPolicyPack): the
stack patterns are tried first, because `stack_deny_x` would otherwise never match and
`deny_x` must never be mistaken for a stack rule. Any other name is a helper; `test_`
rules are Rego unit tests and never evaluated by the analyzer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RESOURCE = "resource"
STACK = "stack"

MANDATORY = "mandatory"
ADVISORY = "advisory"
DISABLED = "disabled"
LEVELS = (ADVISORY, MANDATORY, DISABLED)

_STACK_DENY = re.compile(r"^stack_(deny|violation)(_[a-zA-Z0-9]+)*$")
_STACK_WARN = re.compile(r"^stack_warn(_[a-zA-Z0-9]+)*$")
_DENY = re.compile(r"^(deny|violation)(_[a-zA-Z0-9]+)*$")
_WARN = re.compile(r"^warn(_[a-zA-Z0-9]+)*$")

# In the analyzer's order: stack rules before resource rules.
_PATTERNS = (
    (_STACK_DENY, STACK, MANDATORY),
    (_STACK_WARN, STACK, ADVISORY),
    (_DENY, RESOURCE, MANDATORY),
    (_WARN, RESOURCE, ADVISORY),
)


@dataclass(frozen=True)
class RuleKind:
    scope: str  # RESOURCE | STACK
    level: str  # MANDATORY | ADVISORY (the level the name implies)


def classify(name: str) -> RuleKind | None:
    """The analyzer's reading of a rule name, or None for a helper (or a test)."""
    for pattern, scope, level in _PATTERNS:
        if pattern.match(name):
            return RuleKind(scope, level)
    return None


def is_test(name: str) -> bool:
    return name.startswith("test_")
