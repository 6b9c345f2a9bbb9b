"""CloudWatch alarms: the security alarm on CloudTrail changes."""

from __future__ import annotations

from typing import Any

from imekit.drills.aws._common import require_owned, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe


def _alarm(ctx: DrillContext, alarm: str) -> dict[str, Any] | None:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"]
    return found[0] if found else None


@action
def create_alarm(ctx: DrillContext, alarm: str, metric_name: str, namespace: str,
                 topic_arn: str) -> str:
    """Alarm on any occurrence of the metric in 5 minutes, notifying the security topic."""
    if _alarm(ctx, alarm) is not None:
        raise DrillStepError(f"cloudwatch alarm {alarm}: already exists; a drill only uses "
                             "alarms it creates")
    ctx.client("cloudwatch").put_metric_alarm(
        AlarmName=alarm, AlarmDescription="imekit drill: CloudTrail configuration changed",
        MetricName=metric_name, Namespace=namespace, Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching", AlarmActions=[topic_arn], Tags=ctx.tag_list())
    return alarm


@probe
def alarm_notifies(ctx: DrillContext, alarm: str, metric_name: str, topic_arn: str) -> bool:
    """True when the alarm exists, watches the metric and notifies the topic."""
    found = _alarm(ctx, alarm)
    return bool(found and found.get("MetricName") == metric_name
                and topic_arn in found.get("AlarmActions", [])
                and found.get("ActionsEnabled", True))


@probe
def alarm_fired(ctx: DrillContext, alarm: str, timeout_seconds: int = 900) -> bool:
    """True once the alarm has gone to ALARM (CloudTrail reaches CloudWatch Logs in minutes)."""
    ctx.aws_only("the security alarm fires on the StopLogging call (moto's metric filters do "
                 "not drive alarms)")
    cloudwatch = ctx.client("cloudwatch")

    def fired() -> bool:
        history = cloudwatch.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate",
                                                    MaxRecords=20)["AlarmHistoryItems"]
        return any("to ALARM" in item.get("HistorySummary", "") for item in history)

    return bool(ctx.poll(f"cloudwatch alarm {alarm}: did not fire", fired,
                         timeout=float(timeout_seconds), interval=30))


@action
def delete_drill_alarm(ctx: DrillContext, alarm: str) -> str:
    """Delete the alarm (only if this run tagged it)."""
    found = _alarm(ctx, alarm)
    if found is None:
        return "absent"
    cloudwatch = ctx.client("cloudwatch")
    tags = cloudwatch.list_tags_for_resource(ResourceARN=found["AlarmArn"])["Tags"]
    require_owned(ctx, f"cloudwatch alarm {alarm}", tags_to_dict(tags))
    cloudwatch.delete_alarms(AlarmNames=[alarm])
    return "deleted"
