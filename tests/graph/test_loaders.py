"""Loaders for `pulumi preview --json` and `pulumi stack export`, on hand-written samples."""

from __future__ import annotations

import copy
import json

import pytest
from graph_support import SAMPLES

from imekit.errors import ImekitError
from imekit.graph import (
    SECRET_MARKER,
    UNKNOWN_MARKER,
    load_graph,
    load_preview_json,
    load_stack_export,
)
from imekit.graph.model import ANALYZER_KEYS, OPTION_KEYS, STACK_ONLY_KEYS

P = "urn:pulumi:dev::ime-platform::"
DEFAULT = P + "pulumi:providers:aws::default_7_51_1"
KEY = P + "ime:storage:PhiStorage$aws:kms/key:Key::records-key"
BUCKET = P + "ime:storage:PhiStorage$aws:s3/bucket:Bucket::records-bucket"
SSE = (
    P + "ime:storage:PhiStorage$aws:s3/bucketServerSideEncryptionConfiguration:"
    "BucketServerSideEncryptionConfiguration::records-sse"
)


@pytest.fixture(scope="module")
def preview():
    return load_preview_json(SAMPLES / "preview.json")


@pytest.fixture(scope="module")
def export():
    return load_stack_export(SAMPLES / "stack_export.json")


def _write(tmp_path, data, name="sample.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


# ---- preview --json ----------------------------------------------------------------------


def test_preview_graph_identity(preview):
    assert (preview.project, preview.stack) == ("ime-platform", "dev")
    assert preview.source["kind"] == "preview-json"
    assert len(preview.source["sha256"]) == 64
    urns = [d["__urn"] for d in preview.resources]
    assert urns == sorted(urns)
    # Deleted resources are gone; the replaced database and the unchanged log group stay.
    assert P + "aws:s3/bucket:Bucket::scratch" not in urns
    assert P + "aws:rds/instance:Instance::cases-db" in urns
    assert P + "aws:cloudwatch/logGroup:LogGroup::audit" in urns
    assert len(urns) == 8


def test_preview_documents_are_analyzer_shaped(preview):
    for doc in preview.resources:
        assert set(doc) == set(ANALYZER_KEYS) | set(STACK_ONLY_KEYS) | set(doc["__properties"])
        assert set(doc["__options"]) == set(OPTION_KEYS)
        assert not any(k.startswith("__") for k in doc["__properties"])  # __defaults dropped


def test_preview_values_unknowns_and_secrets(preview):
    docs = preview.by_urn()
    sse = docs[SSE]["__properties"]
    assert sse["bucket"] == UNKNOWN_MARKER
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "kmsMasterKeyId": UNKNOWN_MARKER,
        "sseAlgorithm": "aws:kms",
    }
    db = docs[P + "aws:rds/instance:Instance::cases-db"]["__properties"]
    assert db["password"] == SECRET_MARKER
    assert db["storageEncrypted"] is True  # the new state, not the replaced one
    assert docs[BUCKET]["__properties"]["bucket"] == "records-bucket-5f2c1e9"


def test_preview_graph_edges_and_options(preview):
    docs = preview.by_urn()
    assert docs[SSE]["propertyDependencies"] == {"bucket": [BUCKET], "rules": [KEY]}
    assert docs[SSE]["dependencies"] == sorted([BUCKET, KEY])
    # A literal input (null in the file) has no entry: the analyzer keeps non-empty lists.
    assert "tags" not in docs[KEY]["propertyDependencies"]
    assert docs[KEY]["__options"]["protect"] is True
    assert docs[KEY]["__options"]["parent"] == P + "ime:storage:PhiStorage::records"
    assert docs[KEY]["__options"]["customTimeouts"] == {
        "create": 0.0,
        "update": 0.0,
        "delete": 600.0,
    }
    assert docs[BUCKET]["__options"]["ignoreChanges"] == ["tags"]
    db = docs[P + "aws:rds/instance:Instance::cases-db"]["__options"]
    assert db["additionalSecretOutputs"] == ["password"]
    # State keeps aliases as URNs; the analyzer receives them in aliasURNs, never in aliases.
    assert db["aliasURNs"] == [P + "aws:rds/instance:Instance::case-db"]
    assert db["aliases"] is None
    assert db["deleteBeforeReplace"] is None  # not kept in state
    assert docs[BUCKET]["__options"]["additionalSecretOutputs"] == []
    provider = docs[KEY]["__provider"]
    assert provider["urn"] == DEFAULT and provider["name"] == "default_7_51_1"
    assert provider["properties"]["region"] == "us-east-1"
    assert docs[P + "ime:storage:PhiStorage::records"]["__provider"] == {}


def test_preview_locations(preview):
    # The stack resource is declared by the SDK (site-packages), not by the program.
    assert P + "pulumi:pulumi:Stack::ime-platform-dev" not in preview.locations
    assert preview.locations[KEY] == {"file": "infra/ime_platform/phi_storage.py", "line": 40}
    assert preview.locations[P + "aws:rds/instance:Instance::cases-db"] == {
        "file": "infra/__main__.py",
        "line": 30,
    }


def test_preview_graph_round_trips_through_the_graph_file(preview, tmp_path):
    path = tmp_path / "graph.json"
    preview.write(path)
    again = load_graph(path)
    assert again.resources == preview.resources
    assert again.dumps() == preview.dumps()


def test_preview_without_unchanged_resources_is_refused(tmp_path):
    data = json.loads((SAMPLES / "preview.json").read_text())
    data["steps"] = [s for s in data["steps"] if s["op"] != "same"]
    with pytest.raises(ImekitError, match="leaves out 1 unchanged") as info:
        load_preview_json(_write(tmp_path, data))
    assert "--show-sames" in info.value.hint


def test_preview_with_errors_is_refused(tmp_path):
    data = json.loads((SAMPLES / "preview.json").read_text())
    data["diagnostics"] = [
        {
            "message": "error: Missing required configuration variable 'dbPassword'",
            "severity": "error",
        }
    ]
    with pytest.raises(ImekitError, match="the preview failed"):
        load_preview_json(_write(tmp_path, data))


def test_engine_event_stream_is_refused():
    with pytest.raises(ImekitError, match="stream of engine events"):
        load_preview_json(SAMPLES / "preview_events.jsonl")


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("steps"), "no 'steps' list"),
        (lambda d: d["steps"][3].pop("op"), r"steps\[3\] is not a step"),
        (lambda d: d["steps"][3].pop("newState"), "has no newState"),
        (lambda d: d["steps"][3]["newState"].update(urn="not-a-urn"), "not a Pulumi URN"),
        (lambda d: d["steps"][3]["newState"].update(inputs=[1]), "inputs is not an object"),
        (lambda d: d["steps"][3]["newState"].update(dependencies="x"), "not a list of strings"),
        (
            lambda d: d["steps"][3]["newState"].update(provider="urn:pulumi:dev::x::p::q::id"),
            "is not in the file",
        ),
        (lambda d: d.update(steps=[], changeSummary={}), "holds no resources"),
        (
            lambda d: d["steps"][3]["newState"].update(customTimeouts={"create": "5m"}),
            r"customTimeouts.create is not a number of seconds",
        ),
    ],
)
def test_malformed_preview_is_a_one_line_error(tmp_path, mutate, message):
    data = json.loads((SAMPLES / "preview.json").read_text())
    mutate(data)
    with pytest.raises(ImekitError, match=message) as info:
        load_preview_json(_write(tmp_path, data))
    assert "\n" not in info.value.message


def test_preview_that_is_not_json(tmp_path):
    with pytest.raises(ImekitError, match="not valid JSON"):
        load_preview_json(_write(tmp_path, "Previewing update (dev)\n"))
    with pytest.raises(ImekitError, match="cannot read"):
        load_preview_json(tmp_path / "missing.json")


# ---- stack export -----------------------------------------------------------------------


def test_export_graph(export):
    assert (export.project, export.stack) == ("ime-platform", "prod")
    assert export.source["kind"] == "stack-export"
    urns = {d["__urn"] for d in export.resources}
    assert "urn:pulumi:prod::ime-platform::aws:s3/bucket:Bucket::old-exports" not in urns
    assert len(urns) == 4
    key = export.by_urn()["urn:pulumi:prod::ime-platform::aws:kms/key:Key::phi-key"]
    assert key["__properties"] == {"enableKeyRotation": True, "deletionWindowInDays": 30}
    assert key["__options"]["protect"] is True
    assert key["__provider"]["properties"]["secretKey"] == SECRET_MARKER
    assert export.locations[key["__urn"]] == {"file": "infra/ime_platform/keys.py", "line": 33}


def test_export_secrets_are_masked_whatever_their_form(export):
    version = export.by_urn()[
        "urn:pulumi:prod::ime-platform::aws:secretsmanager/secretVersion:SecretVersion::db-password"
    ]
    assert version["__properties"]["secretString"] == SECRET_MARKER
    assert version["__options"]["ignoreChanges"] == ["secretString"]
    assert version["__options"]["customTimeouts"]["create"] == 300.0
    assert "secretString" not in version["propertyDependencies"]
    assert "EXPORT-CANARY" not in export.dumps()


def test_export_versions_and_shape(tmp_path):
    data = json.loads((SAMPLES / "stack_export.json").read_text())
    v4 = copy.deepcopy(data)
    v4["version"] = 4
    assert len(load_stack_export(_write(tmp_path, v4)).resources) == 4
    data["version"] = 2
    with pytest.raises(ImekitError, match="version 2 is not supported"):
        load_stack_export(_write(tmp_path, data))
    with pytest.raises(ImekitError, match="no 'deployment'"):
        load_stack_export(_write(tmp_path, {"version": 3}))
    with pytest.raises(ImekitError, match="not a list"):
        load_stack_export(_write(tmp_path, {"version": 3, "deployment": {"resources": {}}}))


def test_export_mixing_stacks_is_refused(tmp_path):
    data = json.loads((SAMPLES / "stack_export.json").read_text())
    extra = copy.deepcopy(data["deployment"]["resources"][2])
    extra["urn"] = extra["urn"].replace("urn:pulumi:prod::", "urn:pulumi:dev::")
    extra.pop("provider")
    data["deployment"]["resources"].append(extra)
    with pytest.raises(ImekitError, match="mixes resources of several stacks"):
        load_stack_export(_write(tmp_path, data))


def test_export_with_pending_operations_says_so(tmp_path):
    data = json.loads((SAMPLES / "stack_export.json").read_text())
    data["deployment"]["pending_operations"] = [{"resource": {}, "type": "creating"}]
    graph = load_stack_export(_write(tmp_path, data))
    assert graph.source["pending_operations"] == 1


def test_graph_file_validation(preview, tmp_path):
    data = preview.to_json()
    data["locations"][data["resources"][0]["__urn"]] = {"file": "x.py", "line": "12"}
    with pytest.raises(ImekitError, match="must be"):
        load_graph(_write(tmp_path, data))
    data = preview.to_json()
    data["schema"] = "imekit.graph/v0"
    with pytest.raises(ImekitError, match="expected 'imekit.graph/v1'"):
        load_graph(_write(tmp_path, data))
    data = preview.to_json()
    del data["resources"][1]["propertyDependencies"]
    with pytest.raises(ImekitError, match="lacks propertyDependencies"):
        load_graph(_write(tmp_path, data))


def test_binary_graph_file_is_a_clear_error(tmp_path):
    path = tmp_path / "graph.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ImekitError, match="not UTF-8 text"):
        load_graph(path)
