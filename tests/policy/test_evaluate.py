"""The evaluator gives the verdicts Pulumi's OPA analyzer gives on the same documents.

Semantics from pulumi-policy-opa (analyzer.go, eval.go, policy.go): rule selection by name,
resource scope per resource without dependency keys, stack scope once over every
resource, only set/array results read, non-strings formatted with Go's %v, data.config
holding configured properties only, per-rule level over `all` over the name's level,
disabled rules never evaluated, any evaluation error fatal.
"""

from __future__ import annotations

import json

import pytest
from graphs import doc, graph
from policy_packs import write_pack

from imekit.errors import ImekitError
from imekit.graph.model import build_document
from imekit.policy import (
    ADVISORY,
    MANDATORY,
    RESOURCE,
    STACK,
    evaluate,
    load_pack,
    parse_policy_config,
)
from imekit.policy.evaluate import go_format, stack_urn_of

THING = "test:index/thing:Thing"

SEMANTICS = """package sem

import rego.v1

# METADATA
# title: Things are not bad
# description: A typed resource rule.
# custom:
#   control: T-01
#   message: Make it good.
#   resource_types:
#     - test:index/thing:Thing
deny_thing contains msg if {
	input.__type == "test:index/thing:Thing"
	input.__properties.bad
	msg := sprintf("[T-01] %s is bad", [input.__name])
}

deny_sees_stack_keys contains "[T-01] resource scope saw dependencies" if input.dependencies

deny_sees_stack_keys contains "[T-01] saw propertyDependencies" if input.propertyDependencies

violation_alias contains "[T-01] violation" if input.__properties.violate

warn_advice contains "[T-01] advice" if input.__properties.advise

deny_boolean := true

deny_object := {"a": "b"}

deny_array := ["[T-01] from an array"]

deny_non_string contains {"code": 1, "why": "weird"} if input.__properties.weird

denyx contains "[T-01] a helper, not a rule" if true

deny_ contains "[T-01] not a rule name either" if true

default _max := 10

_max := data.config.deny_threshold.max

deny_threshold contains msg if {
	input.__properties.size > _max
	msg := sprintf("[T-01] size %v above %v", [input.__properties.size, _max])
}

deny_sees_config contains msg if {
	input.__properties.show_config
	msg := sprintf("[T-01] config for %v", [sort(object.keys(data.config))])
}

deny_error contains "[T-01] never" if {
	input.__properties.boom
	to_number("boom") == 1
}

stack_deny_count contains msg if {
	n := count(input.resources)
	n > 2
	msg := sprintf("[T-02] %v resources", [n])
}

stack_deny_named contains msg if {
	some r in input.resources
	r.__properties.bad
	msg := sprintf("[T-02] bad %s (%s)", [r.__name, r.__urn])
}

stack_violation_deps contains msg if {
	some r in input.resources
	r.propertyDependencies.link
	msg := sprintf("[T-02] %s links (%s)", [r.__name, r.__urn])
}

stack_warn_note contains "[T-02] a note for the stack" if true
"""

SCHEMA = {
    "deny_threshold": {"properties": {"max": {"type": "integer", "minimum": 1, "default": 10}}}
}


@pytest.fixture
def sem_pack(tmp_path):
    root = write_pack(
        tmp_path / "sem", {"sem.rego": SEMANTICS, "config-schema.json": json.dumps(SCHEMA)}
    )
    return load_pack(root)


def thing(name, props, deps=None):
    return doc(THING, name, props, deps)


def messages(result, rule):
    return sorted(v.message for v in result.violations if v.rule == rule)


def test_rules_are_selected_by_name_as_the_analyzer_does(sem_pack):
    kinds = {r.name: (r.scope, r.level) for r in sem_pack.rules}
    assert kinds == {
        "deny_thing": (RESOURCE, MANDATORY),
        "deny_sees_stack_keys": (RESOURCE, MANDATORY),
        "violation_alias": (RESOURCE, MANDATORY),
        "warn_advice": (RESOURCE, ADVISORY),
        "deny_boolean": (RESOURCE, MANDATORY),
        "deny_object": (RESOURCE, MANDATORY),
        "deny_array": (RESOURCE, MANDATORY),
        "deny_non_string": (RESOURCE, MANDATORY),
        "deny_threshold": (RESOURCE, MANDATORY),
        "deny_sees_config": (RESOURCE, MANDATORY),
        "deny_error": (RESOURCE, MANDATORY),
        "stack_deny_count": (STACK, MANDATORY),
        "stack_deny_named": (STACK, MANDATORY),
        "stack_violation_deps": (STACK, MANDATORY),
        "stack_warn_note": (STACK, ADVISORY),
    }
    assert {"denyx", "deny_", "_max"} <= sem_pack.helpers
    rule = sem_pack.rule("deny_thing")
    assert (rule.title, rule.control, rule.resource_types) == (
        "Things are not bad",
        "T-01",
        (THING,),
    )


def test_resource_scope_never_sees_dependencies_and_stack_scope_does(sem_pack):
    linked = thing("a", {}, {"link": [doc(THING, "b", {})["__urn"]]})
    result = evaluate(sem_pack, graph([linked, thing("b", {})]), workers=1)
    assert messages(result, "deny_sees_stack_keys") == []
    assert messages(result, "stack_violation_deps") == [f"[T-02] a links ({linked['__urn']})"]


def test_only_sets_and_arrays_are_read_and_non_strings_are_formatted(sem_pack):
    result = evaluate(sem_pack, graph([thing("w", {"weird": True})]), workers=1)
    assert messages(result, "deny_boolean") == []
    assert messages(result, "deny_object") == []
    assert messages(result, "deny_array") == ["[T-01] from an array"]
    assert messages(result, "deny_non_string") == ["map[code:1 why:weird]"]
    assert not {"denyx", "deny_"} & {v.rule for v in result.violations}


def test_levels_follow_names_then_config(sem_pack):
    g = graph([thing("a", {"bad": True, "violate": True, "advise": True})])
    plain = evaluate(sem_pack, g, workers=1)
    levels = {v.rule: v.level for v in plain.violations}
    assert levels["deny_thing"] == levels["violation_alias"] == MANDATORY
    assert levels["warn_advice"] == levels["stack_warn_note"] == ADVISORY

    config = parse_policy_config(
        {
            "all": "advisory",
            "deny_thing": {"enforcementLevel": "mandatory"},
            "warn_advice": "mandatory",
        }
    )
    configured = evaluate(sem_pack, g, config, workers=1)
    levels = {v.rule: v.level for v in configured.violations}
    assert levels["deny_thing"] == MANDATORY
    assert levels["warn_advice"] == MANDATORY
    assert levels["violation_alias"] == levels["stack_deny_named"] == ADVISORY
    assert configured.levels["deny_error"] == ADVISORY


def test_disabled_rules_are_not_evaluated(sem_pack):
    g = graph([thing("a", {"boom": True, "bad": True})])
    with pytest.raises(ImekitError, match=r"deny_error .*could not parse"):
        evaluate(sem_pack, g, workers=1)
    config = parse_policy_config({"deny_error": "disabled", "stack_deny_named": "disabled"})
    result = evaluate(sem_pack, g, config, workers=1)
    assert set(result.skipped_rules) == {"deny_error", "stack_deny_named"}
    assert "deny_error" not in result.evaluated
    assert messages(result, "deny_thing") == ["[T-01] a is bad"]
    assert messages(result, "stack_deny_named") == []
    everything_off = evaluate(sem_pack, g, parse_policy_config({"all": "disabled"}), workers=1)
    assert everything_off.violations == [] and everything_off.queries == 0


def test_data_config_holds_only_configured_properties(sem_pack):
    g = graph([thing("a", {"show_config": True, "size": 12})])
    plain = evaluate(sem_pack, g, workers=1)
    assert messages(plain, "deny_sees_config") == []  # data.config is undefined
    assert messages(plain, "deny_threshold") == ["[T-01] size 12 above 10"]  # the default
    config = parse_policy_config({"deny_threshold": {"max": 20}, "deny_thing": "advisory"})
    configured = evaluate(sem_pack, g, config, workers=1)
    assert messages(configured, "deny_sees_config") == ['[T-01] config for ["deny_threshold"]']
    assert messages(configured, "deny_threshold") == []


@pytest.mark.parametrize(
    "config, error",
    [
        ({"deny_threshold": {"max": 0}}, "minimum"),
        ({"deny_threshold": {"max": "ten"}}, "is not of type"),
        ({"deny_threshold": {"maximum": 5}}, "no property maximum"),
        ({"deny_thing": {"max": 5}}, "takes no configuration properties"),
        ({"deny_nothing": "advisory"}, "no rule 'deny_nothing'"),
        ({"all": {"enforcementLevel": "advisory", "max": 1}}, "only an enforcementLevel"),
    ],
)
def test_configuration_the_pack_would_ignore_is_refused(sem_pack, config, error):
    with pytest.raises(ImekitError, match=error):
        evaluate(sem_pack, graph([thing("a", {})]), parse_policy_config(config), workers=1)


def test_stack_violations_are_attributed_to_the_urn_they_name(sem_pack):
    bad = thing("bad-one", {"bad": True})
    g = graph([bad, thing("b", {}), thing("c", {})])
    result = evaluate(sem_pack, g, workers=1)
    named = [v for v in result.violations if v.rule == "stack_deny_named"]
    assert [(v.urn, v.resource_type) for v in named] == [(bad["__urn"], THING)]
    counted = [v for v in result.violations if v.rule == "stack_deny_count"]
    assert [v.urn for v in counted] == [
        "urn:pulumi:test::ime-platform::pulumi:pulumi:Stack::ime-platform-test"
    ]


def test_the_stack_urn_is_the_stack_resource_or_pulumis_default():
    g = graph([thing("a", {})])
    assert (
        stack_urn_of(g) == "urn:pulumi:test::ime-platform::pulumi:pulumi:Stack::ime-platform-test"
    )
    stack = build_document(
        type_="pulumi:pulumi:Stack",
        name="custom",
        urn="urn:pulumi:test::ime-platform::pulumi:pulumi:Stack::custom",
        properties={},
    )
    assert stack_urn_of(graph([stack])) == stack["__urn"]


def test_applicability_lists_the_resources_each_rule_inspected(sem_pack):
    other = doc("test:index/other:Other", "o", {})
    g = graph([thing("a", {}), other])
    result = evaluate(sem_pack, g, workers=1)
    assert result.evaluated["deny_thing"] == {doc(THING, "a", {})["__urn"]}
    # A rule without custom.resource_types applies to every resource.
    assert result.evaluated["deny_array"] == {d["__urn"] for d in g.resources}


def test_type_indexing_changes_no_verdict(pack, mixed):
    indexed = evaluate(pack, mixed, workers=1)
    everything = evaluate(pack, mixed, type_index=False, workers=1)
    assert indexed.violations == everything.violations
    assert len(indexed.violations) > 500
    assert indexed.queries < everything.queries / 5


def test_forked_workers_give_the_same_result(pack, mixed, mixed_eval):
    parallel = evaluate(pack, mixed, workers=2)
    assert parallel.violations == mixed_eval.violations
    assert parallel.queries == mixed_eval.queries


def test_an_error_in_a_worker_fails_the_evaluation(sem_pack):
    g = graph([thing(f"t{i}", {}) for i in range(1200)] + [thing("boom", {"boom": True})])
    with pytest.raises(ImekitError, match="deny_error"):
        evaluate(sem_pack, g, workers=2)


def test_schema_defaults_as_configuration_change_nothing(pack, mixed, mixed_eval):
    # Pulumi fills configuration with config-schema.json defaults; the Rego defaults match.
    defaults = {
        rule: {p: spec["default"] for p, spec in schema["properties"].items()}
        for rule, schema in pack.config_schema.items()
    }
    configured = evaluate(pack, mixed, parse_policy_config(defaults), workers=1)
    assert configured.violations == mixed_eval.violations


def test_thresholds_come_from_configuration(pack):
    log_group = doc(
        "aws:cloudwatch/logGroup:LogGroup", "app", {"retentionInDays": 2192, "kmsKeyId": "alias/x"}
    )
    g = graph([log_group])
    assert not [v for v in evaluate(pack, g).violations if v.rule == "deny_log_group_retention"]
    config = parse_policy_config({"deny_log_group_retention": {"minimumDays": 2557}})
    fired = [
        v for v in evaluate(pack, g, config).violations if v.rule == "deny_log_group_retention"
    ]
    assert len(fired) == 1 and "2557" in fired[0].message


def test_workers_must_be_positive(sem_pack):
    with pytest.raises(ImekitError, match="at least 1"):
        evaluate(sem_pack, graph([]), workers=0)


def test_go_format_matches_gos_percent_v():
    assert go_format({"b": [1, 2.5], "a": None}) == "map[a:<nil> b:[1 2.5]]"
    assert go_format(True) == "true"
    assert go_format(14.0) == "14"
