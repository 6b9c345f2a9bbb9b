"""Property names and shapes, checked against the installed pulumi-aws schema for every mapped
type: camelCase names, maps versus blocks, repeatable blocks written as Terraform lists."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from functools import cache
from pathlib import Path

import pytest
from ckv_fixtures import graph, resource

from imekit.checkov.plan import convert_graphs
from imekit.checkov.property_map import (
    MAP_ATTRIBUTES,
    RENAMES,
    is_map_attribute,
    singular,
    snake_case,
    terraform_name,
)
from imekit.checkov.type_map import PULUMI_TO_TERRAFORM

# Importing a pulumi-aws module warns about its deprecated V2 classes.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# A nested type's annotation: `ForwardRef('outputs.X')` on a resource, plain
# `'outputs.X'` on a nested output type.
_OUTPUT_TYPE = re.compile(r"\boutputs\.(\w+)")
# Terraform's own names for every mapped type (see tf_schema_extract.py).
_TERRAFORM_NAMES = json.loads(
    (Path(__file__).parent / "data" / "terraform_aws_schema_names.json").read_text()
)


def _sdk_class(token: str):
    _pkg, module, cls = token.split(":")
    name = module.split("/")[0]
    return getattr(importlib.import_module(f"pulumi_aws.{ {'lambda': 'lambda_'}.get(name, name)}"),
                   cls)


@cache
def _properties(cls) -> tuple[tuple[str, str, str], ...]:
    """(python name, wire name, return annotation) of every Pulumi property of a class."""
    found = []
    for python_name, member in inspect.getmembers(cls):
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name"):
            found.append((python_name, member.fget._pulumi_name,
                          str(member.fget.__annotations__.get("return"))))
    return tuple(found)


def _nested(cls, annotation: str):
    match = _OUTPUT_TYPE.search(annotation)
    if not match:
        return None
    package = cls.__module__.rsplit(".", 1)[0]
    return getattr(importlib.import_module(f"{package}.outputs"), match.group(1))


def _sample(cls, depth: int = 0) -> dict:
    """A property document holding every property of the type, nested blocks included."""
    doc: dict = {}
    for _python, wire, annotation in _properties(cls):
        nested = _nested(cls, annotation)
        if "Mapping[" in annotation:
            doc[wire] = {"Key-One": "v", "data-class": "phi"}
        elif nested is not None and depth < 8:
            inner = _sample(nested, depth + 1) or {"placeholder": "x"}
            doc[wire] = [inner] if "Sequence[" in annotation else inner
        elif "bool" in annotation:
            doc[wire] = True
        elif "int" in annotation or "float" in annotation:
            doc[wire] = 30.0
        elif "Sequence[" in annotation:
            doc[wire] = ["a", "b"]
        else:
            doc[wire] = "value"
    return doc


def _check_shape(tf_type, cls, doc: dict, converted: dict, path: tuple[str, ...]) -> None:
    for python_name, wire, annotation in _properties(cls):
        if wire not in doc:
            continue
        value = doc[wire]
        name = terraform_name(tf_type, path + (wire,), value)
        assert name in converted, f"{tf_type}: {'.'.join(path + (wire,))} -> {name} missing"
        out = converted[name]
        if "Mapping[" in annotation:
            assert out == value, f"{tf_type}.{name}: map keys must stay as they are"
            continue
        nested = _nested(cls, annotation)
        if isinstance(value, (dict, list)) and nested is not None and value and \
                all(isinstance(v, dict) for v in (value if isinstance(value, list) else [value])):
            items = value if isinstance(value, list) else [value]
            assert isinstance(out, list) and len(out) == len(items), (
                f"{tf_type}.{name}: a nested block is a list of objects in a plan"
            )
            for item, converted_item in zip(items, out, strict=True):
                _check_shape(tf_type, nested, item, converted_item, path + (wire,))
        elif name not in RENAMES.get(tf_type, {}).values():
            # Outside the rename table, Terraform's name is pulumi's own snake_case name
            # (less the underscore Python adds to keywords such as `from`).
            expected = python_name.rstrip("_")
            assert name == expected, f"{tf_type}: {wire} -> {name}, pulumi says {expected}"


@pytest.mark.parametrize("token", sorted(PULUMI_TO_TERRAFORM))
def test_every_property_of_every_mapped_type_converts(token):
    """Per mapped type: every property pulumi-aws declares, at every depth, arrives under its
    Terraform name and shape (blocks as lists of objects, maps untouched, numbers as ints)."""
    tf_type = PULUMI_TO_TERRAFORM[token]
    cls = _sdk_class(token)
    doc = _sample(cls)
    conversion = convert_graphs([graph(resource(token, "sample", doc))])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    assert planned["type"] == tf_type
    _check_shape(tf_type, cls, doc, planned["values"], ())
    text = repr(planned["values"])
    assert "30.0" not in text, "integral numbers arrive as floats on the wire, plans hold ints"


def _inflections(name: str) -> set[str]:
    return {name, singular(name), name + "s", name + "es"}


def _check_terraform_names(tf_type: str, names: dict, values: dict, path: str) -> list[str]:
    """Every name the bridge wrote is Terraform's, or absent from the (older) schema but
    then no inflection of a Terraform name either; every Terraform block is a list."""
    wrong = []
    for name, value in values.items():
        where = f"{tf_type}: {path}{name}"
        if name not in names:
            near = [n for n in names if _inflections(n) & _inflections(name)]
            if near:
                wrong.append(f"{where} should be {near[0]}")
            continue
        nested = names[name]
        if nested is None or name in MAP_ATTRIBUTES:
            continue
        if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            wrong.append(f"{where} is a block: a list of objects in a plan")
            continue
        for item in value:
            wrong += _check_terraform_names(tf_type, nested, item, f"{path}{name}.")
    return wrong


@pytest.mark.parametrize("token", sorted(PULUMI_TO_TERRAFORM))
def test_every_name_written_is_terraforms(token):
    """Against Terraform's own schema: a block Pulumi pluralised and Terraform did not (or
    the reverse) would hide the attribute from every checkov check that reads it."""
    tf_type = PULUMI_TO_TERRAFORM[token]
    doc = _sample(_sdk_class(token))
    conversion = convert_graphs([graph(resource(token, "sample", doc))])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    names = _TERRAFORM_NAMES[tf_type]
    assert names, f"no Terraform schema recorded for {tf_type}"
    assert _check_terraform_names(tf_type, names, planned["values"], "") == []
    # Most inputs are found as they are (outputs-only attributes are not in the schema):
    # the schema is the right one for the type.
    cls = _sdk_class(token)
    settable = inspect.signature(cls._internal_init).parameters
    inputs = {terraform_name(tf_type, (wire,), doc.get(wire))
              for python, wire, _a in _properties(cls) if python in settable}
    found = inputs & set(names)
    assert len(found) >= len(inputs) // 2, (tf_type, sorted(inputs - found))


def test_every_map_property_of_the_mapped_types_is_known_as_a_map():
    """A map mistaken for a block would have its keys (tag names, dimensions) renamed."""
    missing, conflicting = set(), set()

    def walk(cls, depth=0):
        for _python, wire, annotation in _properties(cls):
            name = snake_case(wire)
            nested = _nested(cls, annotation)
            if "Mapping[" in annotation and not is_map_attribute(name):
                missing.add(name)
            # Only an object value is ever looked up as a map: a repeatable block of the
            # same name (a list) cannot be confused with one.
            if nested is not None and "Sequence[" not in annotation and name in MAP_ATTRIBUTES:
                conflicting.add(name)
            if nested is not None and depth < 6:
                walk(nested, depth + 1)

    for token in PULUMI_TO_TERRAFORM:
        walk(_sdk_class(token))
    assert not missing, f"add to MAP_ATTRIBUTES: {sorted(missing)}"
    assert not conflicting, f"names that are single blocks somewhere: {sorted(conflicting)}"


def test_every_rename_path_exists_in_the_schema():
    for tf_type, renames in RENAMES.items():
        tokens = [t for t, tf in PULUMI_TO_TERRAFORM.items() if tf == tf_type]
        if not tokens:
            continue  # a rename kept for a type the map may add later
        for path in renames:
            found = False
            for token in tokens:
                cls = _sdk_class(token)
                for part in path.split("."):
                    match = [a for _p, w, a in _properties(cls) if w == part]
                    if not match:
                        cls = None
                        break
                    nxt = _nested(cls, match[0])
                    cls = nxt if nxt is not None else cls
                found = found or cls is not None
            assert found, f"{tf_type}: {path} is not a property path of {tokens}"


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("kmsMasterKeyId", "kms_master_key_id"),
        ("s3BucketName", "s3_bucket_name"),
        ("cloudWatchLogsGroupArn", "cloud_watch_logs_group_arn"),
        ("ipv6CidrBlock", "ipv6_cidr_block"),
        ("serverlessv2ScalingConfiguration", "serverlessv2_scaling_configuration"),
        ("enableHttp2", "enable_http2"),
        ("arn", "arn"),
        ("tagsAll", "tags_all"),
    ],
)
def test_snake_case(camel, snake):
    assert snake_case(camel) == snake


@pytest.mark.parametrize(
    ("plural", "one"),
    [
        ("rules", "rule"),
        ("transitions", "transition"),
        ("copy_actions", "copy_action"),
        ("inline_policies", "inline_policy"),
        ("metric_queries", "metric_query"),
        ("global_secondary_indexes", "global_secondary_index"),
        ("ingress", "ingress"),
        ("egress", "egress"),
        ("source_selection_criterias", "source_selection_criteria"),
        ("schemas", "schema"),
    ],
)
def test_singular(plural, one):
    assert singular(plural) == one


def test_renamed_attributes():
    assert terraform_name("aws_cloudwatch_metric_alarm", ("name",), "x") == "alarm_name"
    assert terraform_name("aws_sns_topic_subscription", ("topic",), "x") == "topic_arn"
    assert terraform_name("aws_backup_selection", ("conditions", "stringEquals"), [{}]) == \
        "string_equals"
    assert terraform_name("aws_backup_selection", ("conditions", "stringLikes"), [{}]) == \
        "string_like"
    # A list of strings is an attribute, never a block to singularise.
    assert terraform_name("aws_backup_selection", ("resources",), ["arn"]) == "resources"


def test_plural_terraform_blocks_keep_their_name_at_any_depth():
    """WAFv2 statements nest to any depth; Terraform's `headers` and
    `managed_rule_group_configs` are repeatable blocks with plural names."""
    statement = {"managedRuleGroupStatement": {
        "name": "AWSManagedRulesATPRuleSet", "vendorName": "AWS",
        "managedRuleGroupConfigs": [{"awsManagedRulesAtpRuleSet": {"loginPath": "/login"}}],
        "scopeDownStatement": {"byteMatchStatement": {
            "fieldToMatch": {"headers": [{"matchScope": "ALL", "oversizeHandling": "MATCH",
                                          "matchPattern": {"all": {}}}]},
            "positionalConstraint": "CONTAINS", "searchString": "x",
            "textTransformations": [{"priority": 0.0, "type": "NONE"}]}}}}
    acl = resource("aws:wafv2/webAcl:WebAcl", "acl", {"rules": [{
        "name": "atp", "priority": 1.0, "statement": statement}]})
    conversion = convert_graphs([graph(acl)])
    (planned,) = conversion.plan["planned_values"]["root_module"]["resources"]
    managed = planned["values"]["rule"][0]["statement"][0]["managed_rule_group_statement"][0]
    assert "managed_rule_group_configs" in managed
    match = managed["scope_down_statement"][0]["byte_match_statement"][0]
    assert "headers" in match["field_to_match"][0]
    assert match["text_transformation"] == [{"priority": 0, "type": "NONE"}]
