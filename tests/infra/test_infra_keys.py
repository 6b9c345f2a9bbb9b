"""Customer-managed keys: rotation, deletion window, aliases, least-privilege key policies."""

from __future__ import annotations

import json

import pytest
from ime_platform.keys import DELETION_WINDOW_DAYS, Keys, KeysArgs, key_policy
from infra_harness import Registry, synthesize

KEY = "aws:kms/key:Key"


@pytest.fixture
def keys(ctx) -> Registry:
    return synthesize(lambda: Keys("keys", KeysArgs(context=ctx)))


def _principals(statement: dict) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    values: list[str] = []
    for value in (principal or {}).values():
        values.extend([value] if isinstance(value, str) else value)
    return values


def test_one_key_per_data_class_with_rotation_and_30_day_window(keys: Registry):
    created = keys.of_type(KEY)
    assert sorted(k.name for k in created) == [
        "keys-audit-logs-key",
        "keys-backups-key",
        "keys-case-database-key",
        "keys-phi-documents-key",
    ]
    for key in created:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 30
        assert key.inputs["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
        assert key.tags["component"] == "keys"
    assert DELETION_WINDOW_DAYS == 30


def test_each_key_has_an_alias_joined_by_dependency(keys: Registry):
    for key in keys.of_type(KEY):
        aliases = keys.attached_to(key, "aws:kms/alias:Alias", "targetKeyId")
        assert len(aliases) == 1, key.name
        role = key.name.removeprefix("keys-").removesuffix("-key")
        assert aliases[0].inputs["name"] == f"alias/ime-test-{role}"


def test_key_policies_name_no_wildcard_principal(platform: Registry):
    keys = platform.of_type(KEY)
    assert len(keys) == 5  # four data classes plus the backup copy key in the copy region
    for key in keys:
        for statement in key.policy()["Statement"]:
            principals = _principals(statement)
            assert principals, (key.name, statement["Sid"])
            for principal in principals:
                assert "*" not in principal, (key.name, statement["Sid"])


def test_service_principals_are_always_conditioned(platform: Registry):
    for key in platform.of_type(KEY):
        for statement in key.policy()["Statement"]:
            if "Service" in (statement.get("Principal") or {}):
                assert statement.get("Condition"), (key.name, statement["Sid"])


def test_account_use_is_limited_to_named_services(keys: Registry):
    phi = keys.one(KEY, "keys-phi-documents-key").policy()
    use = next(s for s in phi["Statement"] if s["Sid"] == "KeyUseThroughServices")
    assert use["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == ["s3.us-east-1.amazonaws.com"]
    db = keys.one(KEY, "keys-case-database-key").policy()
    use = next(s for s in db["Statement"] if s["Sid"] == "KeyUseThroughServices")
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == [
        "rds.us-east-1.amazonaws.com",
        "secretsmanager.us-east-1.amazonaws.com",
    ]


def test_audit_key_lets_the_logging_services_encrypt(keys: Registry):
    audit = keys.one(KEY, "keys-audit-logs-key").policy()
    services = {
        s["Principal"]["Service"] for s in audit["Statement"] if "Service" in s.get("Principal", {})
    }
    assert services == {
        "cloudtrail.amazonaws.com",
        "logs.us-east-1.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "logging.s3.amazonaws.com",
    }
    logs = next(s for s in audit["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsLogGroups")
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        "arn:aws:logs:us-east-1:111122223333:log-group:*"
    )
    # The other keys serve no service principal at all.
    phi = keys.one(KEY, "keys-phi-documents-key").policy()
    assert not [s for s in phi["Statement"] if "Service" in s.get("Principal", {})]


def test_key_policy_needs_named_services(ctx):
    with pytest.raises(ValueError, match="name the services"):
        key_policy(ctx, [])
    document = json.loads(key_policy(ctx, ["backup"], region="us-west-2"))
    use = document["Statement"][1]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == ["backup.us-west-2.amazonaws.com"]


def test_keys_args_expose_nothing_to_weaken():
    from dataclasses import fields

    assert [f.name for f in fields(KeysArgs)] == ["context"]
