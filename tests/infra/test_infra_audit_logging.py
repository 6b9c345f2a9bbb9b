"""Audit logging: trail settings, PHI data events, log retention, security alarms."""

from __future__ import annotations

import pytest
from ime_platform.audit_logging import SECURITY_ALARMS, AuditLogging, AuditLoggingArgs
from infra_harness import LOG_KEY_ARN, Registry, synthesize

TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REFERRALS = "arn:aws:s3:::ime-test-phi-referrals-111122223333-us-east-1"
REPORTS = "arn:aws:s3:::ime-test-phi-reports-111122223333-us-east-1"
TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:ime-test-security-alarms"


def _args(ctx, **overrides) -> AuditLoggingArgs:
    values = dict(
        context=ctx,
        kms_key_arn=LOG_KEY_ARN,
        data_event_bucket_arns=[REFERRALS, REPORTS],
        access_log_bucket="ime-test-access-logs-111122223333-us-east-1",
        alarm_email="security@example.org",
    )
    values.update(overrides)
    return AuditLoggingArgs(**values)


@pytest.fixture
def audit(ctx) -> Registry:
    return synthesize(lambda: AuditLogging("audit-logging", _args(ctx)))


def _data_selector(trail) -> dict[str, dict]:
    selectors = trail.inputs["advancedEventSelectors"]
    data = [
        s
        for s in selectors
        if {"field": "eventCategory", "equals": ["Data"]} in s["fieldSelectors"]
    ]
    assert len(data) == 1
    return {f["field"]: f for f in data[0]["fieldSelectors"]}


def test_trail_is_multi_region_validated_encrypted_and_sent_to_logs(audit: Registry):
    trail = audit.one(TRAIL)
    inputs = trail.inputs
    assert inputs["isMultiRegionTrail"] is True
    assert inputs["includeGlobalServiceEvents"] is True
    assert inputs["enableLogFileValidation"] is True
    assert inputs["enableLogging"] is True
    assert inputs["kmsKeyId"] == LOG_KEY_ARN
    group = audit.one(LOG_GROUP)
    assert inputs["cloudWatchLogsGroupArn"] == (
        "arn:aws:logs:us-east-1:111122223333:log-group:/ime/test/cloudtrail:*"
    )
    assert trail.depends_on("cloudWatchLogsGroupArn", group)
    role = audit.one("aws:iam/role:Role")
    assert (
        inputs["cloudWatchLogsRoleArn"]
        == "arn:aws:iam::111122223333:role/ime-test-cloudtrail-to-logs"
    )
    assert trail.depends_on("cloudWatchLogsRoleArn", role)
    bucket = audit.one("aws:s3/bucket:Bucket")
    assert trail.depends_on("s3BucketName", bucket)
    assert bucket.tags["data-class"] == "logs"


def test_trail_records_management_events_and_phi_object_events(audit: Registry):
    trail = audit.one(TRAIL)
    management = trail.inputs["advancedEventSelectors"][0]
    assert management["fieldSelectors"] == [{"field": "eventCategory", "equals": ["Management"]}]
    fields = _data_selector(trail)
    assert fields["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert fields["resources.ARN"]["startsWiths"] == [f"{REFERRALS}/", f"{REPORTS}/"]


def test_platform_trail_covers_every_phi_bucket_by_dependency(platform: Registry):
    trail = platform.one(TRAIL)
    fields = _data_selector(trail)
    phi = [b for b in platform.of_type("aws:s3/bucket:Bucket") if b.tags["data-class"] == "phi"]
    assert len(phi) == 2
    for bucket in phi:
        assert trail.depends_on("advancedEventSelectors", bucket), bucket.name
        assert f"arn:aws:s3:::{bucket.inputs['bucket']}/" in fields["resources.ARN"]["startsWiths"]


def test_trail_bucket_admits_only_this_trail(audit: Registry):
    bucket = audit.one("aws:s3/bucket:Bucket")
    policy = audit.attached_to(bucket, "aws:s3/bucketPolicy:BucketPolicy", "bucket")[0].policy()
    trail_arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/ime-test-trail"
    write = next(s for s in policy["Statement"] if s["Sid"] == "CloudTrailWrite")
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
    assert write["Resource"].endswith("/AWSLogs/111122223333/*")


def test_log_group_is_encrypted_and_kept_six_years(audit: Registry):
    group = audit.one(LOG_GROUP).inputs
    assert group["retentionInDays"] == 2192
    assert group["kmsKeyId"] == LOG_KEY_ARN


def test_every_log_group_on_the_platform_is_kept_six_years(platform: Registry):
    groups = platform.of_type(LOG_GROUP)
    assert len(groups) == 3
    for group in groups:
        assert group.inputs["retentionInDays"] >= 2192, group.name
        assert group.inputs["kmsKeyId"], group.name


@pytest.mark.parametrize(
    ("key", "events"),
    [
        ("root-account-use", ['"Root"']),
        ("console-signin-without-mfa", ["ConsoleLogin", "MFAUsed"]),
        ("kms-key-disabled-or-deleted", ["DisableKey", "ScheduleKeyDeletion"]),
        ("cloudtrail-changed", ["StopLogging", "DeleteTrail", "UpdateTrail"]),
        ("bucket-policy-changed", ["PutBucketPolicy", "DeleteBucketPolicy"]),
    ],
)
def test_security_alarm_filters_and_alarms(audit: Registry, key: str, events: list[str]):
    group = audit.one(LOG_GROUP)
    metric_filter = audit.one(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter", f"audit-logging-{key}-filter"
    )
    for event in events:
        assert event in metric_filter.inputs["pattern"]
    assert metric_filter.depends_on("logGroupName", group)
    transformation = metric_filter.inputs["metricTransformation"]
    alarm = audit.one("aws:cloudwatch/metricAlarm:MetricAlarm", f"audit-logging-{key}-alarm")
    assert alarm.inputs["metricName"] == transformation["name"]
    assert alarm.inputs["namespace"] == transformation["namespace"] == "IME/Security"
    assert alarm.inputs["threshold"] == 1
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    topic = audit.one("aws:sns/topic:Topic")
    assert alarm.inputs["alarmActions"] == [
        "arn:aws:sns:us-east-1:111122223333:ime-test-security-alarms"
    ]
    assert alarm.depends_on("alarmActions", topic)


def test_alarm_topic_is_encrypted_and_subscribed(audit: Registry):
    topic = audit.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == LOG_KEY_ARN
    subscription = audit.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert subscription == {
        "topic": TOPIC_ARN,
        "protocol": "email",
        "endpoint": "security@example.org",
    }
    policy = audit.one("aws:sns/topicPolicy:TopicPolicy").policy()
    manage = next(s for s in policy["Statement"] if s["Sid"] == "AccountManagesTopic")
    assert manage["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert manage["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    publish = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish")
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    assert len(SECURITY_ALARMS) == len(audit.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))


def test_no_subscription_without_an_email(ctx):
    registry = synthesize(lambda: AuditLogging("audit-logging", _args(ctx, alarm_email=None)))
    assert not registry.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert len(registry.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")) == len(SECURITY_ALARMS)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"log_retention_days": 365}, "audit log retention of 365 days"),
        ({"data_event_bucket_arns": []}, "data events for at least the PHI buckets"),
        ({"kms_key_arn": None}, "customer-managed KMS key"),
        ({"kms_key_arn": "alias/aws/cloudtrail"}, "is an AWS-managed key"),
        ({"alarm_email": "not-an-address"}, "is not an email address"),
    ],
)
def test_audit_args_refuse_weakening(ctx, overrides, message):
    with pytest.raises(ValueError, match=message):
        _args(ctx, **overrides)


def test_alarms_can_publish_only_as_this_platforms_alarms(audit: Registry):
    alarm_names = [
        a.inputs["name"] for a in audit.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    ]
    assert all(name.startswith("ime-test-") for name in alarm_names)
    policy = audit.one("aws:sns/topicPolicy:TopicPolicy").policy()
    publish = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish")
    assert publish["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:ime-test-*"
    }
