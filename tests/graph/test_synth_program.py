"""imekit synth on a program written in another style than infra/ (tests/programs/other_style):
V2 bucket classes, an Aurora cluster, an explicit provider, nested components, options."""

from __future__ import annotations

import json
import re

from graph_support import OTHER_STYLE, by_name, line_of

from imekit.graph import SECRET_MARKER, UNKNOWN_MARKER
from imekit.graph.model import ANALYZER_KEYS, OPTION_KEYS, STACK_ONLY_KEYS

P = "urn:pulumi:test::other-style::"
STORE = P + "otherstyle:storage:RecordsStore::records"
RING = P + "otherstyle:storage:RecordsStore$otherstyle:security:KeyRing::records-keys"
KEY = RING.replace("KeyRing::", "KeyRing$aws:kms/key:Key::") + "-key"
BUCKET = P + "otherstyle:storage:RecordsStore$aws:s3/bucketV2:BucketV2::records-bucket"
SSE = (
    P + "otherstyle:storage:RecordsStore$aws:s3/bucketServerSideEncryptionConfigurationV2:"
    "BucketServerSideEncryptionConfigurationV2::records-sse"
)
STACK = P + "pulumi:pulumi:Stack::other-style-test"
LONDON = P + "pulumi:providers:aws::london"


def test_urns_follow_the_engine_parent_chain(other_style_resolved):
    urns = {d["__urn"] for d in other_style_resolved.resources}
    # The engine prefixes the parent's whole type chain, but never the root stack's type.
    assert {STORE, RING, KEY, BUCKET, SSE, STACK, LONDON} <= urns
    assert not any("pulumi:pulumi:Stack$" in u for u in urns)


def test_resources_are_sorted_by_urn(other_style_resolved):
    urns = [d["__urn"] for d in other_style_resolved.resources]
    assert urns == sorted(urns)


def test_parents(other_style_resolved):
    g = other_style_resolved
    assert by_name(g, "records-keys-key")["__options"]["parent"] == RING
    assert by_name(g, "records-keys")["__options"]["parent"] == STORE
    assert by_name(g, "records")["__options"]["parent"] == STACK
    assert by_name(g, "records-db")["__options"]["parent"] == STACK
    stack = by_name(g, "other-style-test")
    assert stack["__type"] == "pulumi:pulumi:Stack"
    assert stack["__options"]["parent"] == ""
    assert stack["__provider"] == {}


def test_dependencies_and_property_dependencies(other_style_resolved):
    g = other_style_resolved
    sse = by_name(g, "records-sse")
    assert sse["dependencies"] == sorted([BUCKET, KEY])
    assert sse["propertyDependencies"]["bucket"] == [BUCKET]
    assert sse["propertyDependencies"]["rules"] == [KEY]
    cluster = by_name(g, "records-db")
    assert cluster["propertyDependencies"]["kmsKeyId"] == [KEY]
    # Literal inputs have no entry, as the analyzer receives them.
    assert "engine" not in cluster["propertyDependencies"]
    assert all(cluster["propertyDependencies"].values())
    # depends_on a component means every custom resource inside it.
    assert {KEY, BUCKET, SSE} <= set(cluster["dependencies"])
    bucket = by_name(g, "records-bucket")
    assert bucket["dependencies"] == [KEY]  # depends_on=[ring] -> the ring's key


def test_options(other_style_resolved):
    g = other_style_resolved
    key = by_name(g, "records-keys-key")["__options"]
    assert key["protect"] is True
    assert by_name(g, "records-bucket")["__options"]["ignoreChanges"] == ["tags"]
    cluster = by_name(g, "records-db")["__options"]
    assert cluster["protect"] is True
    assert cluster["ignoreChanges"] == ["masterPassword"]
    assert cluster["customTimeouts"] == {"create": 5400.0, "update": 0.0, "delete": 1200.0}
    assert by_name(g, "records-bucket")["__options"]["protect"] is False
    # pulumi-aws declares secret outputs for providers; the SDK sends them as an option.
    assert "secretKey" in by_name(g, "london")["__options"]["additionalSecretOutputs"]
    # The engine hands an analyzer only the alias that matched a resource of the previous
    # state (none in a stack's first preview), never the aliases the program declares.
    assert by_name(g, "records-sse")["__options"]["aliasURNs"] == []
    assert cluster["aliasURNs"] == [] and cluster["aliases"] is None
    # Null unless true; empty option lists arrive as lists.
    assert cluster["deleteBeforeReplace"] is None
    assert by_name(g, "reader")["__options"]["deleteBeforeReplace"] is True
    assert by_name(g, "records-logs")["__options"]["additionalSecretOutputs"] == []


def test_explicit_and_default_providers(other_style_resolved):
    g = other_style_resolved
    london = by_name(g, "london")
    assert london["__type"] == "pulumi:providers:aws"
    assert london["__properties"]["region"] == "eu-west-2"
    # The engine records an explicit provider's plugin version among its inputs.
    assert london["__properties"]["version"] == by_name(g, "records-db")["__provider"][
        "properties"
    ]["version"]
    for child in ("records-keys-key", "records-bucket", "records-sse", "records-logs"):
        provider = by_name(g, child)["__provider"]
        assert provider["urn"] == LONDON, child
        assert provider["properties"] == london["__properties"]
    cluster_provider = by_name(g, "records-db")["__provider"]
    assert cluster_provider["type"] == "pulumi:providers:aws"
    assert cluster_provider["name"].startswith("default_")
    # The engine's default provider takes the stack's aws:* config.
    assert cluster_provider["properties"]["region"] == "eu-west-1"
    default = [d for d in g.resources if d["__urn"] == cluster_provider["urn"]]
    assert len(default) == 1 and default[0]["__options"]["parent"] == ""
    assert by_name(g, "records")["__provider"] == {}  # components have no provider


def test_config_project_defaults_stack_values_and_secrets(other_style_resolved):
    g = other_style_resolved
    assert by_name(g, "records-logs")["__properties"]["retentionInDays"] == 14.0
    cluster = by_name(g, "records-db")["__properties"]
    assert cluster["tags"]["tier"] == "gold"
    assert cluster["masterPassword"] == SECRET_MARKER
    assert by_name(g, "api-token-v1")["__properties"]["secretString"] == SECRET_MARKER


def test_documents_have_exactly_the_analyzer_fields(other_style_resolved):
    for doc in other_style_resolved.resources:
        props = doc["__properties"]
        assert set(doc) == set(ANALYZER_KEYS) | set(STACK_ONLY_KEYS) | set(props), doc["__urn"]
        for key, value in props.items():
            if key not in ANALYZER_KEYS and key not in STACK_ONLY_KEYS:
                assert doc[key] == value
        assert set(doc["__options"]) == set(OPTION_KEYS)
        assert doc["options"] == doc["__options"]
        assert doc["provider"] == doc["__provider"]
        assert doc["type"] == doc["__type"] and doc["urn"] == doc["__urn"]
        assert doc["name"] == doc["__name"] == doc["__urn"].split("::")[-1]
        if doc["__provider"]:
            assert set(doc["__provider"]) == {"type", "name", "urn", "properties"}


def test_locations_point_at_the_declaring_line(other_style_resolved):
    locations = other_style_resolved.locations
    main = OTHER_STYLE / "app" / "__main__.py"
    storage = OTHER_STYLE / "app" / "storage.py"
    assert locations[KEY] == {"file": "app/storage.py", "line": line_of(storage, "aws.kms.Key(")}
    assert locations[RING] == {"file": "app/storage.py", "line": line_of(storage, "KeyRing(f")}
    cluster_urn = P + "aws:rds/cluster:Cluster::records-db"
    assert locations[cluster_urn] == {
        "file": "app/__main__.py",
        "line": line_of(main, "aws.rds.Cluster("),
    }
    assert locations[LONDON]["file"] == "app/__main__.py"  # not pulumi_aws/provider.py
    assert STACK not in locations  # declared by the runtime, not the program
    assert all(not loc["file"].startswith("/") for loc in locations.values())


def test_resolved_mode_has_mock_values(other_style_resolved):
    g = other_style_resolved
    sse = by_name(g, "records-sse")["__properties"]
    assert re.fullmatch(r"records-bucket-[0-9a-f]{7}", sse["bucket"])
    kms = sse["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    assert kms.startswith("arn:aws:kms:eu-west-2:123456789012:key/")
    policy = json.loads(by_name(g, "reader")["__properties"]["policy"])
    assert policy["Statement"][0]["Resource"] == "arn:aws:s3:::records-123456789012/*"
    assert UNKNOWN_MARKER not in g.dumps()


def test_unknowns_mode_marks_values_from_other_resources(other_style_unknowns):
    g = other_style_unknowns
    sse = by_name(g, "records-sse")["__properties"]
    assert sse["bucket"] == UNKNOWN_MARKER
    rule = sse["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == UNKNOWN_MARKER
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True
    assert by_name(g, "records-db")["__properties"]["kmsKeyId"] == UNKNOWN_MARKER
    # Invokes run during a real preview too: their results stay known.
    policy = json.loads(by_name(g, "reader")["__properties"]["policy"])
    assert "123456789012" in policy["Statement"][0]["Resource"]


def test_both_modes_share_structure_and_literal_values(other_style_resolved, other_style_unknowns):
    resolved = other_style_resolved.by_urn()
    unknown = other_style_unknowns.by_urn()
    assert resolved.keys() == unknown.keys()
    for urn, doc in resolved.items():
        other = unknown[urn]
        for key in ("dependencies", "propertyDependencies", "__options", "__type"):
            assert doc[key] == other[key], (urn, key)
        for prop, value in doc["__properties"].items():
            if not doc["propertyDependencies"].get(prop):
                assert other["__properties"][prop] == value, (urn, prop)
    assert other_style_resolved.locations == other_style_unknowns.locations
    assert other_style_unknowns.source["mode"] == "unknowns"
    assert other_style_resolved.source["mode"] == "resolved"
