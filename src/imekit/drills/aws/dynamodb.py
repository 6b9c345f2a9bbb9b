"""DynamoDB: a small synthetic case-index table, the subject of the AWS Backup restore drill."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe


def _table(ctx: DrillContext, table: str) -> dict[str, Any] | None:
    try:
        return ctx.client("dynamodb").describe_table(TableName=table)["Table"]
    except Exception as exc:
        if is_client_error(exc, "ResourceNotFoundException"):
            return None
        raise


def _require_table_owned(ctx: DrillContext, table: str) -> dict[str, Any]:
    found = _table(ctx, table)
    if found is None:
        raise DrillStepError(f"dynamodb table {table}: does not exist")
    tags = ctx.client("dynamodb").list_tags_of_resource(ResourceArn=found["TableArn"])["Tags"]
    require_owned(ctx, f"dynamodb table {table}", tags_to_dict(tags))
    return found


def _wait(ctx: DrillContext, table: str, waiter: str) -> None:
    config = {"Delay": 20, "MaxAttempts": 90} if ctx.is_aws else {"Delay": 1, "MaxAttempts": 5}
    ctx.client("dynamodb").get_waiter(waiter).wait(TableName=table, WaiterConfig=config)


@action
def create_case_index_table(ctx: DrillContext, table: str, kms_key: str) -> str:
    """Create an on-demand table encrypted with the CMK, tagged as PHI; return its ARN."""
    if _table(ctx, table) is not None:
        raise DrillStepError(f"dynamodb table {table}: already exists; a drill only uses "
                             "tables it creates")
    created = ctx.client("dynamodb").create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "case_ref", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "case_ref", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key},
        Tags=ctx.tag_list({"data-class": "phi"}),
    )["TableDescription"]
    _wait(ctx, table, "table_exists")
    return str(created["TableArn"])


def _synthetic_item(run_id: str, number: int) -> dict[str, Any]:
    # Fictitious case metadata: nothing here identifies a person.
    return {
        "case_ref": {"S": f"DRILL-{run_id}-{number:04d}"},
        "examinee": {"S": f"Test Examinee {number:04d} (fictitious)"},
        "status": {"S": "report-issued"},
        "note": {"S": "SYNTHETIC DRILL RECORD - CONTAINS NO PHI"},
    }


def _digest(items: list[dict[str, Any]]) -> str:
    canonical = sorted(json.dumps(item, sort_keys=True) for item in items)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


@action
def seed_items(ctx: DrillContext, table: str, count: int = 25) -> str:
    """Write synthetic case records; return the SHA-256 of their canonical form."""
    _require_table_owned(ctx, table)
    dynamodb = ctx.client("dynamodb")
    items = [_synthetic_item(ctx.run_id, n) for n in range(1, int(count) + 1)]
    for item in items:
        dynamodb.put_item(TableName=table, Item=item)
    return _digest(items)


@probe
def items_digest(ctx: DrillContext, table: str) -> str:
    """SHA-256 of every item in the table (canonical JSON, sorted); "absent" if no table."""
    if _table(ctx, table) is None:
        return "absent"
    items: list[dict[str, Any]] = []
    for page in ctx.client("dynamodb").get_paginator("scan").paginate(TableName=table,
                                                                       ConsistentRead=True):
        items += page["Items"]
    return _digest(items)


@probe
def table_exists(ctx: DrillContext, table: str) -> bool:
    """True when the table exists (in any state but deleting)."""
    found = _table(ctx, table)
    return found is not None and found.get("TableStatus") != "DELETING"


@probe
def table_encrypted_with(ctx: DrillContext, table: str, kms_key: str) -> bool:
    """True when the table is encrypted with exactly this customer-managed key."""
    found = _table(ctx, table)
    sse = (found or {}).get("SSEDescription") or {}
    return sse.get("Status") == "ENABLED" and sse.get("KMSMasterKeyArn") == kms_key


@action
def delete_table(ctx: DrillContext, table: str) -> str:
    """Lose the table (the incident) and wait until it is gone."""
    _require_table_owned(ctx, table)
    ctx.mark_incident()
    ctx.client("dynamodb").delete_table(TableName=table)
    _wait(ctx, table, "table_not_exists")
    return "deleted"


@action
def tag_restored_table(ctx: DrillContext, table: str, created_arn: str) -> str:
    """Tag the table this run's AWS Backup restore created (restores do not carry tags), so
    teardown may delete it. `created_arn` is what the restore job reported creating: any
    other table of that name is refused, never claimed."""
    found = _table(ctx, table)
    if found is None:
        raise DrillStepError(f"dynamodb table {table}: the restored table does not exist")
    existing = tags_to_dict(ctx.client("dynamodb").list_tags_of_resource(
        ResourceArn=found["TableArn"])["Tags"])
    if ctx.owns(existing):
        return "already tagged"
    if existing or found["TableArn"] != created_arn:
        raise DrillStepError(f"dynamodb table {table}: {found['TableArn']} is not the table "
                             f"this run's restore created ({created_arn or 'none reported'}); "
                             "refusing to claim it")
    ctx.client("dynamodb").tag_resource(ResourceArn=found["TableArn"],
                                        Tags=ctx.tag_list({"data-class": "phi"}))
    return "tagged"


@action
def delete_drill_table(ctx: DrillContext, table: str) -> str:
    """Delete the table (only if this run tagged it)."""
    if _table(ctx, table) is None:
        return "absent"
    _require_table_owned(ctx, table)
    ctx.client("dynamodb").delete_table(TableName=table)
    _wait(ctx, table, "table_not_exists")
    return "deleted"
