"""The pack holds to Pulumi's OPA analyzer loading rules and to the kit's own conventions.

The analyzer (pulumi-policy-opa) compiles every .rego file, tests too, requires one
package, parses in Rego v0 (so `import rego.v1` everywhere), selects rules by name and
reads only set results. The kit adds: METADATA on every rule, messages starting with the
control id, a failing, a passing and a missing-attribute test for every rule, and
thresholds read from data.config only through a default.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from imekit.errors import ImekitError
from imekit.graph.model import resource_input
from imekit.paths import policies_dir
from imekit.policy import naming
from imekit.policy.engine import new_engine
from imekit.policy.pack import load_pack

# The rule names and controls the rest of the kit (catalog, gate, waivers) relies on.
DESIGN_RULES = {
    "deny_s3_bucket_cmk_encryption": "IME-ENC-01",
    "deny_rds_cmk_encryption": "IME-ENC-01",
    "deny_ebs_cmk_encryption": "IME-ENC-01",
    "deny_secret_cmk_encryption": "IME-ENC-01",
    "deny_log_group_cmk_encryption": "IME-ENC-02",
    "deny_sns_topic_cmk_encryption": "IME-ENC-02",
    "deny_backup_vault_cmk_encryption": "IME-ENC-02",
    "deny_cloudtrail_cmk_encryption": "IME-ENC-02",
    "deny_kms_key_rotation": "IME-KEY-01",
    "deny_kms_deletion_window": "IME-KEY-02",
    "deny_kms_wildcard_principal": "IME-KEY-03",
    "deny_s3_tls_only": "IME-TLS-01",
    "deny_rds_force_ssl": "IME-TLS-01",
    "deny_lb_listener_tls": "IME-TLS-01",
    "deny_s3_public_access_block": "IME-ACC-01",
    "deny_rds_public": "IME-ACC-01",
    "deny_iam_admin_wildcard_policy": "IME-IAM-01",
    "deny_iam_user_attached_policy": "IME-IAM-01",
    "deny_phi_access_without_mfa": "IME-IAM-02",
    "deny_cognito_mfa": "IME-IAM-02",
    "deny_iam_password_policy": "IME-IAM-03",
    "deny_cognito_password_policy": "IME-IAM-03",
    "stack_deny_cloudtrail_required": "IME-AUD-01",
    "stack_deny_phi_bucket_data_events": "IME-AUD-02",
    "deny_s3_phi_access_logging": "IME-AUD-02",
    "deny_log_group_retention": "IME-AUD-03",
    "stack_warn_security_alarms": "IME-AUD-04",
    "deny_s3_phi_versioning": "IME-INT-01",
    "deny_s3_phi_object_lock": "IME-INT-01",
    "stack_deny_phi_backup_selection": "IME-BAK-01",
    "deny_backup_plan_retention": "IME-BAK-01",
    "stack_deny_backup_vault_lock": "IME-BAK-02",
    "deny_rds_backup_retention": "IME-BAK-03",
    "deny_rds_deletion_protection": "IME-BAK-03",
    "deny_data_class_tag": "IME-DAT-01",
}

TEST_NAME = re.compile(
    r"^test_(?P<kind>fail|pass|missing)_(?P<rule>[a-z0-9_]+?)(__(?P<case>\w+))?$"
)
CONTROL_ID = re.compile(r"^IME-[A-Z]{2,4}-\d{2}$")
TYPE_TOKEN = re.compile(r"^[a-z0-9-]+:[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+$")


def test_manifest_is_an_opa_pack():
    manifest = yaml.safe_load((policies_dir() / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == "opa"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(manifest["version"]))
    assert manifest["description"].strip()


def test_every_file_declares_the_package_and_imports_rego_v1(pack):
    assert pack.name == "imekit_hipaa"
    for rel, text in pack.files.items():
        code = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        assert code[0] == "package imekit_hipaa", rel
        assert "import rego.v1" in code, f"{rel} lacks `import rego.v1` (Pulumi parses v0)"


def test_design_rules_exist_with_their_scope_and_control(pack):
    for name, control in DESIGN_RULES.items():
        rule = pack.rule(name)
        assert rule.control == control, name
        expected = naming.STACK if name.startswith("stack_") else naming.RESOURCE
        assert rule.scope == expected


def test_names_are_rules_helpers_or_tests(pack):
    for name, definitions in pack.definitions.items():
        files = {d.file for d in definitions}
        if naming.is_test(name):
            assert all(f.endswith("_test.rego") for f in files), name
        elif naming.classify(name) is not None:
            assert not any(f.endswith("_test.rego") for f in files), f"rule {name} in a test file"
        else:
            # A helper must never be mistaken for a rule by the analyzer: the kit marks
            # every helper with a leading underscore.
            assert name.startswith("_"), f"helper {name} should start with _"


def test_rules_are_partial_sets_of_messages(pack):
    for rule in pack.rules:
        heads = {d.head for d in rule.definitions}
        assert heads == {"Set"}, f"{rule.name} must be `contains` rules only, got {heads}"


def test_every_rule_has_complete_metadata(pack):
    for rule in pack.rules:
        assert rule.title and rule.description and rule.message, rule.name
        assert CONTROL_ID.match(rule.control), rule.name
        assert rule.resource_types, rule.name
        for t in rule.resource_types:
            assert TYPE_TOKEN.match(t), f"{rule.name}: {t!r}"


@cache
def _pulumi_aws_type_tokens() -> frozenset[str]:
    import pulumi_aws

    root = Path(pulumi_aws.__file__).parent
    found: set[str] = set()
    pattern = re.compile(r"'(aws:[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+)'")
    for file in root.rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        if "super(" in text:
            found.update(pattern.findall(text))
    return frozenset(found)


def test_resource_types_exist_in_pulumi_aws(pack):
    tokens = _pulumi_aws_type_tokens()
    for rule in pack.rules:
        for t in rule.resource_types:
            assert t in tokens, f"{rule.name}: {t} is not a pulumi-aws resource type"


def test_every_rule_has_fail_pass_and_missing_tests(pack):
    kinds: dict[str, set[str]] = {r.name: set() for r in pack.rules}
    for test in pack.tests:
        match = TEST_NAME.match(test.name)
        assert match, f"{test.name}: name tests test_(fail|pass|missing)_<rule>[__<case>]"
        rule = match["rule"]
        assert rule in kinds, f"{test.name} names no rule of the pack"
        if match["kind"] == "missing":
            assert match["case"], f"{test.name}: name the missing attribute after __"
        body = "".join(pack.text_of(d) for d in pack.definitions[test.name])
        assert re.search(rf"\b{rule}\b", body.split(" if", 1)[1]), (
            f"{test.name} never evaluates {rule}"
        )
        kinds[rule].add(match["kind"])
    for rule, seen in kinds.items():
        assert seen == {"fail", "pass", "missing"}, f"{rule} has tests {sorted(seen)}"


def test_with_input_binds_a_variable(pack):
    # regorus mis-evaluates `with input as <expr>` when <expr> references a rule the rule
    # under test also uses; binding the fixture to a variable first avoids it.
    for rel, text in pack.files.items():
        for match in re.finditer(r"with input as ([^\s]+)", text):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", match.group(1)), (
                f"{rel}: `with input as {match.group(1)}`: bind the fixture to a variable first"
            )


def _config_reads(pack):
    """(definition name, rule, property) for every data.config read outside tests."""
    reads = []
    for name, definitions in pack.definitions.items():
        for d in definitions:
            if d.file.endswith("_test.rego"):
                continue
            for rule, prop in re.findall(
                r"data\.config\.([a-z0-9_]+)\.([A-Za-z0-9_]+)", pack.text_of(d)
            ):
                reads.append((name, rule, prop))
    return reads


def test_config_is_read_only_through_defaults(pack):
    reads = _config_reads(pack)
    assert reads, "expected configurable thresholds"
    for name, rule, prop in reads:
        heads = {d.head for d in pack.definitions[name]}
        assert "Default" in heads, f"{name} reads data.config.{rule}.{prop} without a default"
        assert rule in pack.rule_names(), f"data.config.{rule} names no rule"
        declared = pack.config_schema.get(rule, {}).get("properties", {})
        assert prop in declared, f"data.config.{rule}.{prop} is not in config-schema.json"
    for name in {r[0] for r in reads}:
        assert not naming.classify(name), "rules themselves cannot have defaults"
    # No config read hides in a rule body: only default-backed helpers read data.config.
    for rule in pack.rules:
        for d in rule.definitions:
            assert "data.config" not in pack.text_of(d), f"{rule.name} reads data.config directly"


def test_schema_defaults_equal_rego_defaults(pack):
    engine = new_engine(pack.sources())
    seen = set()
    for name, rule, prop in _config_reads(pack):
        default = pack.config_schema[rule]["properties"][prop]["default"]
        value = engine.eval_rule(pack.query(name))
        assert value == default, f"{name}: Rego default {value!r} != schema default {default!r}"
        seen.add((rule, prop))
    declared = {(r, p) for r, s in pack.config_schema.items() for p in s.get("properties", {})}
    assert seen == declared, f"schema properties no rule reads: {declared - seen}"


def test_results_are_sets_of_strings(pack, mixed):
    from graphs import insecure_resources

    engine = new_engine(pack.sources())
    for rule in pack.rules:
        if rule.scope == naming.STACK:
            # The mixed graph holds a compliant trail; the insecure one holds none.
            inputs = [{"resources": mixed.resources}, {"resources": insecure_resources()}]
        else:
            inputs = [
                resource_input(d) for d in mixed.resources if d["__type"] in rule.resource_types
            ]
            assert inputs, f"the mixed graph has nothing {rule.name} inspects"
        fired = False
        for value_input in inputs:
            engine.set_input(value_input)
            value = json.loads(engine.eval_rule_as_json(pack.query(rule.name)))
            assert isinstance(value, list), f"{rule.name} gave {type(value).__name__}"
            assert all(isinstance(m, str) for m in value), rule.name
            fired = fired or bool(value)
        assert fired, f"{rule.name} never fires on the mixed graph"


def test_messages_start_with_the_control_id(pack, mixed_eval):
    assert mixed_eval.violations
    for v in mixed_eval.violations:
        assert v.message.startswith(f"[{pack.rule(v.rule).control}] "), v.message


def test_stack_messages_name_their_resource(mixed, mixed_eval):
    urns = {d["__urn"] for d in mixed.resources}
    for v in mixed_eval.violations:
        if v.scope != naming.STACK:
            continue
        if "(urn:pulumi:" in v.message:
            assert v.urn in urns and v.message.endswith(f"({v.urn})"), v.message
        else:
            assert v.urn == mixed_eval.stack_urn


def test_config_example_is_valid_for_the_pack(pack):
    from imekit.policy import load_policy_config
    from imekit.policy.config import check_against_pack

    check_against_pack(load_policy_config(policies_dir() / "config.example.json"), pack)


# --- loader failures ------------------------------------------------------------------------


def test_malformed_rego_is_an_error_with_file_and_line(pack_copy):
    target = pack_copy / "keys.rego"
    lines = target.read_text().splitlines()
    lines[20] = "deny_broken contains msg if {"
    target.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImekitError) as err:
        load_pack(pack_copy)
    assert "does not compile" in err.value.message
    assert re.search(r"keys\.rego:\d+:\d+:", err.value.message)


def test_a_file_without_import_rego_v1_fails_as_in_pulumi(pack_copy):
    target = pack_copy / "classification.rego"
    target.write_text(target.read_text().replace("import rego.v1\n", ""))
    with pytest.raises(ImekitError) as err:
        load_pack(pack_copy)
    assert "Rego v0" in err.value.message and "classification.rego" in err.value.message


def test_two_packages_are_refused(pack_copy):
    (pack_copy / "other.rego").write_text("package other\n\nimport rego.v1\n\nx := 1\n")
    with pytest.raises(ImekitError, match="package 'other' differs"):
        load_pack(pack_copy)


def test_malformed_metadata_names_file_and_line(pack_copy):
    target = pack_copy / "keys.rego"
    target.write_text(
        target.read_text().replace("# title: KMS keys rotate automatically", "# title: [oops")
    )
    with pytest.raises(ImekitError, match=r"keys\.rego:\d+: malformed METADATA"):
        load_pack(pack_copy)


def test_a_pack_that_is_not_opa_is_refused(pack_copy):
    (pack_copy / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    with pytest.raises(ImekitError, match="expected 'opa'"):
        load_pack(pack_copy)


def test_a_missing_pack_folder_is_an_error(tmp_path):
    with pytest.raises(ImekitError, match="does not exist"):
        load_pack(tmp_path / "nowhere")


def test_a_dotted_rule_head_is_refused(tmp_path):
    from policy_packs import write_pack

    root = write_pack(
        tmp_path / "p",
        {"a.rego": 'package a\n\nimport rego.v1\n\ndeny.s3 contains "[X-01] x" if true\n'},
    )
    with pytest.raises(ImekitError, match=r"a\.rego:5: rule head deny\..* dotted path"):
        load_pack(root)
    # Dotted helpers and bracketed rule heads stay allowed.
    fine = write_pack(
        tmp_path / "q",
        {"a.rego": "package a\n\nimport rego.v1\n\n_h.x := 1\n\ndeny_y[k] := 1 if k := \"a\"\n"},
    )
    assert load_pack(fine).rule_names() == ["deny_y"]


@pytest.mark.parametrize(
    "call", ['re_match("a", "b")', 'net.cidr_overlap("10.0.0.0/8", "10.1.0.0/16")']
)
def test_deprecated_builtins_are_refused_as_in_opa(tmp_path, call):
    from policy_packs import write_pack

    root = write_pack(
        tmp_path / "p",
        {"a.rego": f'package a\n\nimport rego.v1\n\ndeny_x contains "[X-01] x" if {call}\n'},
    )
    with pytest.raises(ImekitError, match=r"a\.rego:5: .* deprecated built-in"):
        load_pack(root)
