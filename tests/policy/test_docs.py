"""docs/policy-pack.md stays true to the pack: its rules table lists exactly the pack's rules."""

from __future__ import annotations

import re
from pathlib import Path

from imekit.policy import naming

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-pack.md"
ROW = re.compile(r"^\| (IME-[A-Z]+-\d\d) \| `([a-z0-9_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \|$")


def test_the_rules_table_lists_every_rule_as_the_pack_declares_it(pack):
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            control, rule, scope, title, config = (g.strip() for g in match.groups())
            rows[rule] = (control, scope, title, config)
    expected = {}
    for rule in pack.rules:
        scope = rule.scope if rule.level == naming.MANDATORY else f"{rule.scope} (advisory)"
        config = ", ".join(sorted((rule.config_schema or {}).get("properties", {})))
        expected[rule.name] = (rule.control, scope, rule.title, config)
    assert rows == expected
