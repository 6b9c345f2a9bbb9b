"""SNS: the security alerts topic alarms notify."""

from __future__ import annotations

from imekit.drills.aws._common import is_client_error, require_owned, tags_to_dict
from imekit.drills.context import DrillContext
from imekit.drills.registry import action


@action
def create_topic(ctx: DrillContext, name: str) -> str:
    """Create the alerts topic; return its ARN."""
    return str(ctx.client("sns").create_topic(Name=name, Tags=ctx.tag_list())["TopicArn"])


@action
def delete_drill_topic(ctx: DrillContext, topic_arn: str) -> str:
    """Delete the topic (only if this run tagged it)."""
    sns = ctx.client("sns")
    try:
        tags = sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"]
    except Exception as exc:
        if is_client_error(exc, "NotFound", "NotFoundException", "ResourceNotFound"):
            return "absent"
        raise
    require_owned(ctx, f"sns topic {topic_arn}", tags_to_dict(tags))
    sns.delete_topic(TopicArn=topic_arn)
    return "deleted"
