"""The line-based reader of rule names and METADATA in .rego files."""

from __future__ import annotations

from pathlib import Path

from imekit.catalog.rego_scan import is_policy_rule, scan_pack

PACK = """# METADATA
# title: package-level annotation, not a rule's
# scope: package
package imekit_hipaa

import rego.v1

default _min_days := 2192

# METADATA
# title: Log groups keep events long enough
# custom:
#   control: IME-AUD-03
deny_log_group_retention contains msg if {
\tinput.__type == "aws:cloudwatch/logGroup:LogGroup"
\tmsg := sprintf("[IME-AUD-03] %s keeps logs too briefly", [input.__name])
}

deny_log_group_retention contains msg if {
\tnot input.retentionInDays
\tmsg := "[IME-AUD-02] wrong control id in a second definition"
}

_helper(x) := y if {
\ty := "[IME-ENC-01] not a policy rule message"
}

# METADATA
# title: no control here
stack_warn_alarms contains msg if {
\tsome r in input.resources
\tmsg := "[IME-AUD-04] missing alarm"
}

violation_without_metadata contains msg if {
\tmsg := "x"
}

test_deny_log_group_retention if {
\tdeny_log_group_retention with input as {}
}
"""


def test_reads_rules_metadata_and_messages(tmp_path: Path) -> None:
    (tmp_path / "audit.rego").write_text(PACK)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "other.rego").write_text(
        "package imekit_hipaa\n\n# METADATA\n# custom:\n#   control: IME-ENC-01\n"
        'warn_thing contains msg if {\n\tmsg := "[IME-ENC-01] x"\n}\n'
    )
    scan = scan_pack(tmp_path)
    assert set(scan.rules) == {
        "deny_log_group_retention",
        "stack_warn_alarms",
        "violation_without_metadata",
        "warn_thing",
    }
    rule = scan.rules["deny_log_group_retention"]
    assert rule.controls == {"IME-AUD-03"}
    assert rule.line == 14 and rule.kind == "deny"
    assert rule.titles == ["Log groups keep events long enough"]
    assert rule.message_controls == {"IME-AUD-03", "IME-AUD-02"}
    alarms = scan.rules["stack_warn_alarms"]
    assert alarms.annotated and alarms.controls == set() and alarms.kind == "stack_warn"
    assert not scan.rules["violation_without_metadata"].annotated
    assert scan.rules["warn_thing"].controls == {"IME-ENC-01"}
    assert set(scan.packages.values()) == {"imekit_hipaa"}
    assert scan.problems == []


def test_broken_metadata_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.rego").write_text(
        "package p\n# METADATA\n# custom: [unclosed\ndeny_x contains msg if {\n}\n"
    )
    scan = scan_pack(tmp_path)
    assert scan.problems and "not valid YAML" in scan.problems[0][2]
    assert scan.rules["deny_x"].controls == set()


def test_rule_selection_matches_the_analyzer() -> None:
    for name in ("deny", "deny_x", "violation_y", "warn", "warn_z", "stack_deny_a", "stack_warn"):
        assert is_policy_rule(name), name
    for name in ("denylist", "test_deny_x", "_deny", "stack_denied", "is_warned", "allow"):
        assert not is_policy_rule(name), name
