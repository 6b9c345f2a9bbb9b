"""CloudWatch Logs: the audit log group and the metric filters security alarms count with."""

from __future__ import annotations

from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe

# The CIS AWS Foundations pattern for changes to CloudTrail configuration.
CLOUDTRAIL_CHANGES = ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
                      "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
                      "($.eventName = StopLogging) }")


def _group(ctx: DrillContext, name: str) -> dict[str, Any] | None:
    groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def _require_group_owned(ctx: DrillContext, name: str) -> None:
    tags = ctx.client("logs").list_tags_log_group(logGroupName=name).get("tags", {})
    require_owned(ctx, f"log group {name}", tags)


@action
def create_log_group(ctx: DrillContext, name: str, retention_days: int = 2192) -> str:
    """Create the audit log group with its retention; return the ARN CloudTrail expects."""
    if _group(ctx, name) is not None:
        raise DrillStepError(f"log group {name}: already exists; a drill only uses log groups "
                             "it creates")
    logs = ctx.client("logs")
    logs.create_log_group(logGroupName=name, tags={**ctx.tags, "data-class": "logs"})
    logs.put_retention_policy(logGroupName=name, retentionInDays=int(retention_days))
    group = _group(ctx, name)
    if group is None:
        raise DrillStepError(f"log group {name}: not found right after creating it")
    return str(group["arn"])


@action
def put_cloudtrail_changes_filter(ctx: DrillContext, log_group: str, filter_name: str,
                                  metric_name: str, namespace: str) -> str:
    """The metric filter counting changes to CloudTrail (stop, delete, update)."""
    _require_group_owned(ctx, log_group)
    ctx.client("logs").put_metric_filter(
        logGroupName=log_group, filterName=filter_name, filterPattern=CLOUDTRAIL_CHANGES,
        metricTransformations=[{"metricName": metric_name, "metricNamespace": namespace,
                                "metricValue": "1"}])
    return filter_name


@probe
def metric_filter_counts(ctx: DrillContext, log_group: str, filter_name: str,
                         metric_name: str) -> bool:
    """True when the filter exists on the group, matches StopLogging and feeds the metric."""
    try:
        filters = ctx.client("logs").describe_metric_filters(
            logGroupName=log_group, filterNamePrefix=filter_name)["metricFilters"]
    except Exception as exc:
        if is_client_error(exc, "ResourceNotFoundException"):
            return False
        raise
    for found in filters:
        if found["filterName"] != filter_name:
            continue
        metrics = [t["metricName"] for t in found.get("metricTransformations", [])]
        return "StopLogging" in found.get("filterPattern", "") and metric_name in metrics
    return False


@action
def delete_drill_log_group(ctx: DrillContext, name: str) -> str:
    """Delete the log group and its filters (only if this run tagged it)."""
    if _group(ctx, name) is None:
        return "absent"
    _require_group_owned(ctx, name)
    ctx.client("logs").delete_log_group(logGroupName=name)
    return "deleted"
