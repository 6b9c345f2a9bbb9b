"""Tags set explicitly on every taggable resource.

Tags are written on each resource rather than only through provider default tags, because the
policy gate reads each resource's own inputs: default tags never appear there.
"""

from __future__ import annotations

from .context import PlatformContext

# The data classification vocabulary shared with the policy pack (`data-class` tag).
DATA_CLASSES = ("phi", "logs", "internal")

DATA_CLASS_TAG = "data-class"
COMPONENT_TAG = "component"


def resource_tags(
    context: PlatformContext, component: str, data_class: str | None = None
) -> dict[str, str]:
    """Common tags plus the owning component and, for data stores, the data class."""
    if not component:
        raise ValueError("every resource must name its owning component")
    tags = {
        "project": context.project,
        "environment": context.environment,
        COMPONENT_TAG: component,
        "managed-by": "pulumi",
    }
    if data_class is not None:
        tags[DATA_CLASS_TAG] = validate_data_class(data_class)
    return tags


def validate_data_class(data_class: str) -> str:
    if data_class not in DATA_CLASSES:
        raise ValueError(f"data class {data_class!r} is not one of {', '.join(DATA_CLASSES)}")
    return data_class
