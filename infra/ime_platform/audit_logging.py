"""The audit trail: a multi-region CloudTrail with PHI data events, its encrypted log bucket and
log group, and security alarms delivered to an encrypted SNS topic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .context import PlatformContext
from .guards import require_customer_managed_key
from .policy_documents import allow, policy_document, service_trust_policy
from .secure_bucket import RetentionSchedule, SecureBucket, SecureBucketArgs
from .tagging import resource_tags

# The organisation's audit log retention: six years (164.316(b)(2)(i)), IME-AUD-03.
MIN_LOG_RETENTION_DAYS = 2192
METRIC_NAMESPACE = "IME/Security"

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SecurityAlarm:
    key: str
    metric: str
    description: str
    pattern: str


# CloudWatch Logs metric filter patterns over CloudTrail events (CIS AWS Foundations 4.x).
SECURITY_ALARMS = (
    SecurityAlarm(
        "root-account-use",
        "RootAccountUse",
        "The root user was used",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
        ' && $.eventType != "AwsServiceEvent" }',
    ),
    SecurityAlarm(
        "console-signin-without-mfa",
        "ConsoleSignInWithoutMfa",
        "A console sign-in succeeded without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes")'
        ' && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    SecurityAlarm(
        "kms-key-disabled-or-deleted",
        "KmsKeyDisabledOrScheduledForDeletion",
        "A KMS key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey)"
        " || ($.eventName = ScheduleKeyDeletion)) }",
    ),
    SecurityAlarm(
        "cloudtrail-changed",
        "CloudTrailConfigurationChanged",
        "A trail was created, changed, stopped or deleted",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail)"
        " || ($.eventName = DeleteTrail) || ($.eventName = StartLogging)"
        " || ($.eventName = StopLogging) }",
    ),
    SecurityAlarm(
        "bucket-policy-changed",
        "S3BucketPolicyChanged",
        "An S3 bucket policy, ACL or public access setting was changed",
        "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl)"
        " || ($.eventName = PutBucketPolicy) || ($.eventName = DeleteBucketPolicy)"
        " || ($.eventName = PutBucketPublicAccessBlock)"
        " || ($.eventName = DeleteBucketPublicAccessBlock)) }",
    ),
    SecurityAlarm(
        "iam-policy-changed",
        "IamPolicyChanged",
        "An IAM policy was created, changed, attached or detached",
        "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = PutGroupPolicy)"
        " || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy)"
        " || ($.eventName = CreatePolicy) || ($.eventName = CreatePolicyVersion)"
        " || ($.eventName = AttachRolePolicy) || ($.eventName = AttachUserPolicy)"
        " || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }",
    ),
)


@dataclass
class AuditLoggingArgs:
    context: PlatformContext
    kms_key_arn: pulumi.Input[str]
    # Buckets whose object-level reads and writes are recorded (every PHI bucket).
    data_event_bucket_arns: Sequence[pulumi.Input[str]]
    access_log_bucket: pulumi.Input[str] | None = None
    alarm_email: str | None = None
    log_retention_days: int = MIN_LOG_RETENTION_DAYS

    def __post_init__(self) -> None:
        require_customer_managed_key(self.kms_key_arn, "the audit trail and its logs")
        if not self.data_event_bucket_arns:
            raise ValueError("the trail must record data events for at least the PHI buckets")
        if self.log_retention_days < MIN_LOG_RETENTION_DAYS:
            raise ValueError(
                f"audit log retention of {self.log_retention_days} days is below the"
                f" organisation's minimum of {MIN_LOG_RETENTION_DAYS} days (six years)"
            )
        if self.alarm_email is not None and not _EMAIL_RE.match(self.alarm_email):
            raise ValueError(f"alarm email {self.alarm_email!r} is not an email address")


class AuditLogging(pulumi.ComponentResource):
    COMPONENT = "audit-logging"

    def __init__(
        self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imekit:platform:AuditLogging", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        tags = resource_tags(ctx, self.COMPONENT)
        log_tags = resource_tags(ctx, self.COMPONENT, "logs")
        self.trail_name = ctx.physical_name("trail")
        trail_arn = ctx.arn("cloudtrail", f"trail/{self.trail_name}")

        self.trail_bucket = SecureBucket(
            f"{name}-trail-logs",
            SecureBucketArgs(
                context=ctx,
                component=self.COMPONENT,
                purpose="cloudtrail",
                data_class="logs",
                kms_key_arn=args.kms_key_arn,
                retention=RetentionSchedule(
                    expire_after_days=args.log_retention_days,
                    noncurrent_expire_after_days=args.log_retention_days,
                ),
                access_log_bucket=args.access_log_bucket,
                extra_policy_statements=_cloudtrail_delivery(ctx, trail_arn),
            ),
            opts=child,
        )

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-trail-log-group",
            name=f"/ime/{ctx.environment}/cloudtrail",
            kms_key_id=args.kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags=log_tags,
            opts=child,
        )
        self.log_group_arn: pulumi.Output[str] = self.log_group.name.apply(
            lambda group: ctx.arn("logs", f"log-group:{group}")
        )

        delivery_role = aws.iam.Role(
            f"{name}-trail-to-logs-role",
            name=ctx.physical_name("cloudtrail-to-logs"),
            description="CloudTrail delivers events to the audit log group",
            assume_role_policy=service_trust_policy(
                "cloudtrail.amazonaws.com", {"StringEquals": {"aws:SourceArn": trail_arn}}
            ),
            tags=tags,
            opts=child,
        )
        delivery_policy = aws.iam.RolePolicy(
            f"{name}-trail-to-logs-policy",
            role=delivery_role.name,
            policy=self.log_group_arn.apply(
                lambda arn: policy_document(
                    [
                        allow(
                            "DeliverTrailEvents",
                            ["logs:CreateLogStream", "logs:PutLogEvents"],
                            [f"{arn}:log-stream:*"],
                        )
                    ]
                )
            ),
            opts=child,
        )

        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=self.trail_name,
            s3_bucket_name=self.trail_bucket.name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=args.kms_key_arn,
            cloud_watch_logs_group_arn=self.log_group_arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=delivery_role.name.apply(ctx.role_arn),
            advanced_event_selectors=[
                aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                    name="All management events",
                    field_selectors=[
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="eventCategory", equals=["Management"]
                        )
                    ],
                ),
                aws.cloudtrail.TrailAdvancedEventSelectorArgs(
                    name="PHI object reads and writes",
                    field_selectors=[
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="eventCategory", equals=["Data"]
                        ),
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="resources.type", equals=["AWS::S3::Object"]
                        ),
                        aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs(
                            field="resources.ARN",
                            starts_withs=[
                                pulumi.Output.from_input(arn).apply(lambda a: f"{a}/")
                                for arn in args.data_event_bucket_arns
                            ],
                        ),
                    ],
                ),
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.trail_bucket.policy, delivery_policy]
            ),
        )

        self.alarm_topic = aws.sns.Topic(
            f"{name}-security-alarms",
            name=ctx.physical_name("security-alarms"),
            kms_master_key_id=args.kms_key_arn,
            tags=log_tags,
            opts=child,
        )
        # Known during preview and dependent on the topic (see SecureBucket.arn).
        self.alarm_topic_arn: pulumi.Output[str] = self.alarm_topic.name.apply(
            lambda topic: ctx.arn("sns", topic)
        )
        topic_arn = self.alarm_topic_arn
        aws.sns.TopicPolicy(
            f"{name}-security-alarms-policy",
            arn=topic_arn,
            policy=topic_arn.apply(lambda arn: _alarm_topic_policy(ctx, arn)),
            opts=child,
        )
        if args.alarm_email:
            aws.sns.TopicSubscription(
                f"{name}-security-alarms-email",
                topic=topic_arn,
                protocol="email",
                endpoint=args.alarm_email,
                opts=child,
            )

        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for alarm in SECURITY_ALARMS:
            metric_filter = aws.cloudwatch.LogMetricFilter(
                f"{name}-{alarm.key}-filter",
                name=ctx.physical_name(alarm.key),
                log_group_name=self.log_group.name,
                pattern=alarm.pattern,
                metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=alarm.metric, namespace=METRIC_NAMESPACE, value="1"
                ),
                opts=child,
            )
            self.alarms[alarm.key] = aws.cloudwatch.MetricAlarm(
                f"{name}-{alarm.key}-alarm",
                name=ctx.physical_name(alarm.key),
                alarm_description=alarm.description,
                namespace=METRIC_NAMESPACE,
                metric_name=alarm.metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[metric_filter]),
            )

        self.register_outputs(
            {
                "trailName": self.trail.name,
                "trailBucket": self.trail_bucket.name,
                "logGroup": self.log_group.name,
                "alarmTopicArn": topic_arn,
            }
        )


def _cloudtrail_delivery(ctx: PlatformContext, trail_arn: str) -> list[dict]:
    bucket_arn = ctx.s3_arn(ctx.bucket_name("cloudtrail"))
    only_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": only_this_trail,
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{ctx.account_id}/*",
            "Condition": {
                "StringEquals": {
                    "aws:SourceArn": trail_arn,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                }
            },
        },
    ]


def _alarm_topic_policy(ctx: PlatformContext, topic_arn: str) -> str:
    return policy_document(
        [
            {
                "Sid": "AccountManagesTopic",
                "Effect": "Allow",
                "Principal": {"AWS": ctx.root_principal},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:ListSubscriptionsByTopic",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                ],
                "Resource": topic_arn,
                # Redundant with the principal, but it states in the document itself that no
                # other account is admitted, for reviewers and scanners alike.
                "Condition": {"StringEquals": {"aws:PrincipalAccount": ctx.account_id}},
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": ctx.arn("cloudwatch", f"alarm:{ctx.prefix}-*")},
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )
