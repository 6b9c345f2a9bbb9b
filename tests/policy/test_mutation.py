"""Every rule is guarded by the Rego tests: neutralise any one rule and some test fails.

For each rule, a copy of the pack's sources is rewritten so that the rule's first
definition can never fire (`<rule> contains "neutralised" if { false }`) and its other
definitions are removed; the whole Rego suite then runs on the copy and at least one test
must fail. A rule whose neutralisation no test notices is a rule nothing really tests.
"""

from __future__ import annotations

import pytest

from imekit.policy import Pack, load_pack, run_tests


def neutralised(pack: Pack, rule_name: str) -> dict[str, str]:
    rule = pack.rule(rule_name)
    edits: dict[str, list[tuple[int, int, str]]] = {}
    for i, d in enumerate(rule.definitions):
        replacement = f'{rule_name} contains "neutralised" if {{ false }}' if i == 0 else ""
        edits.setdefault(d.file, []).append((d.start, d.end, replacement))
    files = dict(pack.files)
    for file, spans in edits.items():
        data = files[file].encode("utf-8")
        for start, end, text in sorted(spans, reverse=True):
            data = data[:start] + text.encode("utf-8") + data[end:]
        files[file] = data.decode("utf-8")
    return files


_PACK = load_pack()


def test_neutralising_keeps_the_pack_compiling_and_removes_every_definition():
    files = neutralised(_PACK, "deny_rds_cmk_encryption")
    text = files["encryption.rego"]
    assert text.count("deny_rds_cmk_encryption contains") == 1
    assert 'deny_rds_cmk_encryption contains "neutralised" if { false }' in text
    report = run_tests(_PACK, files=files, match="deny_rds_cmk_encryption")
    assert report.failed


@pytest.mark.parametrize("rule_name", _PACK.rule_names())
def test_neutralising_a_rule_fails_a_test(rule_name):
    report = run_tests(_PACK, files=neutralised(_PACK, rule_name))
    assert report.failed, f"no Rego test notices when {rule_name} never fires"
