"""CloudTrail: the drill's trail, its logging status and its configuration."""

from __future__ import annotations

from typing import Any

from imekit.drills.aws._common import is_client_error, require_owned, retry_while, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.errors import DrillStepError
from imekit.drills.registry import action, probe


def _trail(ctx: DrillContext, trail: str) -> dict[str, Any] | None:
    found = ctx.client("cloudtrail").describe_trails(trailNameList=[trail],
                                                     includeShadowTrails=False)["trailList"]
    return found[0] if found else None


def _require_trail_owned(ctx: DrillContext, trail: str) -> dict[str, Any]:
    found = _trail(ctx, trail)
    if found is None:
        raise DrillStepError(f"cloudtrail trail {trail}: does not exist")
    listing = ctx.client("cloudtrail").list_tags(ResourceIdList=[found["TrailARN"]])
    tags = listing["ResourceTagList"][0].get("TagsList", []) if listing["ResourceTagList"] else []
    require_owned(ctx, f"cloudtrail trail {trail}", tags_to_dict(tags))
    return found


@action
def create_trail(ctx: DrillContext, trail: str, bucket: str, log_group_arn: str,
                 role_arn: str) -> str:
    """Create a multi-region trail with log file validation delivering to CloudWatch Logs,
    and start it. Retries while AWS has not yet propagated the new role or bucket policy."""
    if _trail(ctx, trail) is not None:
        raise DrillStepError(f"cloudtrail trail {trail}: already exists; a drill only uses "
                             "trails it creates")
    cloudtrail = ctx.client("cloudtrail")
    created = retry_while(
        ctx, f"cloudtrail trail {trail}",
        lambda: cloudtrail.create_trail(
            Name=trail, S3BucketName=bucket, IsMultiRegionTrail=True,
            IncludeGlobalServiceEvents=True, EnableLogFileValidation=True,
            CloudWatchLogsLogGroupArn=log_group_arn, CloudWatchLogsRoleArn=role_arn,
            TagsList=ctx.tag_list()),
        codes=("InvalidCloudWatchLogsRoleArnException", "InsufficientS3BucketPolicyException",
               "InvalidCloudWatchLogsLogGroupArnException"))
    cloudtrail.start_logging(Name=trail)
    return str(created["TrailARN"])


@action
def stop_logging(ctx: DrillContext, trail: str) -> str:
    """Stop the trail (the fault being drilled: an intruder covering their tracks)."""
    _require_trail_owned(ctx, trail)
    ctx.client("cloudtrail").stop_logging(Name=trail)
    ctx.mark_incident()
    return "stopped"


@action
def start_logging(ctx: DrillContext, trail: str) -> str:
    """Start the trail logging again."""
    _require_trail_owned(ctx, trail)
    ctx.client("cloudtrail").start_logging(Name=trail)
    return "started"


@probe
def is_logging(ctx: DrillContext, trail: str) -> bool:
    """True when the trail is logging."""
    return bool(ctx.client("cloudtrail").get_trail_status(Name=trail)["IsLogging"])


@probe
def configuration_problems(ctx: DrillContext, trail: str, log_group_arn: str) -> list[str]:
    """What differs from the required trail: multi-region, log file validation, CloudWatch
    Logs delivery to the expected log group."""
    found = _trail(ctx, trail)
    if found is None:
        return [f"cloudtrail trail {trail}: does not exist"]
    problems = []
    if not found.get("IsMultiRegionTrail"):
        problems.append("not multi-region")
    if not found.get("LogFileValidationEnabled"):
        problems.append("log file validation is off")
    if found.get("CloudWatchLogsLogGroupArn") != log_group_arn:
        problems.append("not delivering to the expected CloudWatch Logs group")
    return problems


@probe
def stop_logging_recorded(ctx: DrillContext, trail: str) -> bool:
    """True when CloudTrail's event history shows the StopLogging call on this trail."""
    ctx.aws_only("CloudTrail event history records the StopLogging call (moto has no "
                 "lookup_events)")
    cloudtrail = ctx.client("cloudtrail")

    def recorded() -> bool:
        events = cloudtrail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "StopLogging"}], MaxResults=50)
        return any(trail in (r.get("ResourceName") or "")
                   for e in events["Events"] for r in e.get("Resources", []))

    # Event history lags the call by up to ~15 minutes.
    return bool(ctx.poll(f"cloudtrail trail {trail}: StopLogging not in event history",
                         recorded, timeout=1200, interval=30))


@action
def delete_drill_trail(ctx: DrillContext, trail: str) -> str:
    """Delete the trail (only if this run tagged it)."""
    try:
        if _trail(ctx, trail) is None:
            return "absent"
        _require_trail_owned(ctx, trail)
        ctx.client("cloudtrail").delete_trail(Name=trail)
    except Exception as exc:
        if is_client_error(exc, "TrailNotFoundException"):
            return "absent"
        raise
    return "deleted"
