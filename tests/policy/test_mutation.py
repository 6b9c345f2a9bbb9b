"""Every rule is guarded by the Rego tests: neutralise any one of its bodies and a test fails.

A rule may be written as several bodies (`deny_x contains msg if {...}` twice), each catching
one way to get a setting wrong. For every body of every rule, a copy of the pack's sources
is rewritten so that this body can never fire (`<rule> contains "neutralised" if { false }`
in its place, the other bodies untouched) and the rule's own tests (`test_*_<rule>[__case]`)
run on the copy: at least one must fail. A body whose neutralisation no test of its rule
notices is a case nothing really tests. Neutralising the whole rule is then noticed too:
removing bodies only ever removes messages.
"""

from __future__ import annotations

import pytest

from imekit.policy import Pack, load_pack, run_tests

_PACK = load_pack()


def neutralised(pack: Pack, rule_name: str, bodies: set[int] | None = None) -> dict[str, str]:
    """The pack's sources with the given bodies of a rule (default: all) never firing."""
    rule = pack.rule(rule_name)
    chosen = set(range(len(rule.definitions))) if bodies is None else bodies
    never = f'{rule_name} contains "neutralised" if {{ false }}'
    edits: dict[str, list[tuple[int, int, str]]] = {}
    for i, d in enumerate(rule.definitions):
        if i in chosen:
            # One never-firing body keeps the rule defined; the others are removed.
            text = never if i == min(chosen) else ""
            edits.setdefault(d.file, []).append((d.start, d.end, text))
    files = dict(pack.files)
    for file, spans in edits.items():
        data = files[file].encode("utf-8")
        for start, end, text in sorted(spans, reverse=True):
            data = data[:start] + text.encode("utf-8") + data[end:]
        files[file] = data.decode("utf-8")
    return files


def _own_tests(rule_name: str) -> str:
    return rf"^test_(fail|pass|missing)_{rule_name}(__|$)"


def test_neutralising_keeps_the_pack_compiling_and_replaces_only_the_chosen_bodies():
    rule = _PACK.rule("deny_rds_cmk_encryption")
    assert len(rule.definitions) == 2
    whole = neutralised(_PACK, rule.name)["encryption.rego"]
    assert whole.count("deny_rds_cmk_encryption contains") == 1
    assert 'deny_rds_cmk_encryption contains "neutralised" if { false }' in whole
    second = neutralised(_PACK, rule.name, {1})["encryption.rego"]
    assert second.count("deny_rds_cmk_encryption contains") == 2
    assert _PACK.text_of(rule.definitions[0]) in second
    assert _PACK.text_of(rule.definitions[1]) not in second
    report = run_tests(_PACK, files=neutralised(_PACK, rule.name), match=_own_tests(rule.name))
    assert report.failed


BODIES = [(r.name, i) for r in _PACK.rules for i in range(len(r.definitions))]


@pytest.mark.parametrize(("rule_name", "body"), BODIES, ids=[f"{r}-{i}" for r, i in BODIES])
def test_neutralising_a_body_fails_a_test_of_its_rule(rule_name, body):
    files = neutralised(_PACK, rule_name, {body})
    report = run_tests(_PACK, files=files, match=_own_tests(rule_name))
    assert report.results, f"{rule_name} has no tests"
    rule = _PACK.rule(rule_name)
    where = rule.definitions[body]
    assert report.failed, (
        f"no test of {rule_name} notices when its body at {where.file}:{where.line} never fires"
    )
