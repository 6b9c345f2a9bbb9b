package imekit_hipaa

import rego.v1

_fx_trail_props := {
	"isMultiRegionTrail": true, "enableLogFileValidation": true,
	"cloudWatchLogsGroupArn": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
	"cloudWatchLogsRoleArn": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
	"s3BucketName": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
	"kmsKeyId": _fx_key_arn,
	"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true, "dataResources": [{"type": "AWS::S3::Object", "values": ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"]}]}],
}

_fx_trail(props, deps) := _fxs(_trail_type, "org-trail", props, deps)

# --- stack_deny_cloudtrail_required ---------------------------------------------------------

test_fail_stack_deny_cloudtrail_required__no_trail if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_cloudtrail_required with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-AUD-01")
}

test_fail_stack_deny_cloudtrail_required__single_region if {
	trail := _fx_trail(object.union(_fx_trail_props, {"isMultiRegionTrail": false}), {})
	doc := _fx_stack([trail])
	msgs := stack_deny_cloudtrail_required with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, trail.__urn)
}

test_fail_stack_deny_cloudtrail_required__logging_stopped if {
	trail := _fx_trail(object.union(_fx_trail_props, {"enableLogging": false}), {})
	doc := _fx_stack([trail])
	count(stack_deny_cloudtrail_required) == 1 with input as doc
}

test_pass_stack_deny_cloudtrail_required if {
	trail := _fx_trail(_fx_trail_props, {})
	doc := _fx_stack([trail])
	count(stack_deny_cloudtrail_required) == 0 with input as doc
}

test_pass_stack_deny_cloudtrail_required__one_good_trail_suffices if {
	good := _fx_trail(_fx_trail_props, {})
	regional := _fxs(_trail_type, "regional", {"s3BucketName": "x"}, {})
	doc := _fx_stack([good, regional])
	count(stack_deny_cloudtrail_required) == 0 with input as doc
}

test_fail_stack_deny_cloudtrail_required__logging_unknown_until_apply if {
	trail := _fx_trail(object.union(_fx_trail_props, {"enableLogging": _unknown_marker}), {})
	doc := _fx_stack([trail])
	msgs := stack_deny_cloudtrail_required with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "enableLogging is not true")
}

test_missing_stack_deny_cloudtrail_required__cloud_watch_logs_group_arn if {
	trail := _fx_trail(object.remove(_fx_trail_props, {"cloudWatchLogsGroupArn"}), {})
	doc := _fx_stack([trail])
	msgs := stack_deny_cloudtrail_required with input as doc
	count(msgs) == 1
	some m in msgs
	contains(m, "cloudWatchLogsGroupArn")
}

test_missing_stack_deny_cloudtrail_required__enable_log_file_validation if {
	trail := _fx_trail(object.remove(_fx_trail_props, {"enableLogFileValidation"}), {})
	doc := _fx_stack([trail])
	count(stack_deny_cloudtrail_required) == 1 with input as doc
}

# --- stack_deny_phi_bucket_data_events ------------------------------------------------------

test_fail_stack_deny_phi_bucket_data_events__not_selected if {
	trail := _fx_trail(_fx_trail_props, {})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	msgs := stack_deny_phi_bucket_data_events with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-AUD-02")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_fail_stack_deny_phi_bucket_data_events__write_only if {
	props := object.union(object.remove(_fx_trail_props, {"eventSelectors"}), {"eventSelectors": [{"readWriteType": "WriteOnly", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})
	trail := _fx_trail(props, {})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 1 with input as doc
}

test_fail_stack_deny_phi_bucket_data_events__trail_not_logging if {
	props := object.union(_fx_trail_props, {"enableLogging": false})
	trail := _fx_trail(props, {"eventSelectors": [_fx_bucket_urn("records")]})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 1 with input as doc
}

test_pass_stack_deny_phi_bucket_data_events__selector_depends_on_bucket if {
	trail := _fx_trail(_fx_trail_props, {"eventSelectors": [_fx_bucket_urn("records")]})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 0 with input as doc
}

# Once the bucket exists (an update's preview, or resolved values) its ARN is known; the
# selector still depends on it.
test_pass_stack_deny_phi_bucket_data_events__selector_value_known if {
	props := object.union(object.remove(_fx_trail_props, {"eventSelectors"}), {"eventSelectors": [{"readWriteType": "All", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::records/"]}]}]})
	trail := _fx_trail(props, {"eventSelectors": [_fx_bucket_urn("records")]})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 0 with input as doc
}

test_pass_stack_deny_phi_bucket_data_events__all_buckets_advanced if {
	props := object.union(object.remove(_fx_trail_props, {"eventSelectors"}), {"advancedEventSelectors": [{"name": "s3-data", "fieldSelectors": [
		{"field": "eventCategory", "equals": ["Data"]},
		{"field": "resources.type", "equals": ["AWS::S3::Object"]},
	]}]})
	trail := _fx_trail(props, {})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 0 with input as doc
}

test_fail_stack_deny_phi_bucket_data_events__advanced_excludes_bucket if {
	props := object.union(object.remove(_fx_trail_props, {"eventSelectors"}), {"advancedEventSelectors": [{"fieldSelectors": [
		{"field": "eventCategory", "equals": ["Data"]},
		{"field": "resources.type", "equals": ["AWS::S3::Object"]},
		{"field": "resources.ARN", "notStartsWiths": [_unknown_marker]},
	]}]})
	trail := _fx_trail(props, {"advancedEventSelectors": [_fx_bucket_urn("records")]})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 1 with input as doc
}

test_missing_stack_deny_phi_bucket_data_events__event_selectors if {
	trail := _fx_trail(object.remove(_fx_trail_props, {"eventSelectors"}), {})
	doc := _fx_stack([_fx_bucket("records", {}), trail])
	count(stack_deny_phi_bucket_data_events) == 1 with input as doc
}

# --- deny_s3_phi_access_logging -------------------------------------------------------------

test_fail_deny_s3_phi_access_logging__no_target if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "logging": {"targetPrefix": "records/"}})
	msgs := deny_s3_phi_access_logging with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-AUD-02")
}

test_fail_deny_s3_phi_access_logging__v2_no_target if {
	doc := _fx("aws:s3/bucketV2:BucketV2", "records", {"tags": _fx_phi_tags, "loggings": [{"targetBucket": ""}]})
	count(deny_s3_phi_access_logging) == 1 with input as doc
}

test_pass_deny_s3_phi_access_logging if {
	doc := _fx("aws:s3/bucket:Bucket", "records", {"tags": _fx_phi_tags, "logging": {"targetBucket": "access-logs", "targetPrefix": "records/"}})
	count(deny_s3_phi_access_logging) == 0 with input as doc
}

test_missing_deny_s3_phi_access_logging__logging if {
	bucket := _fx_bucket("records", {})
	count(deny_s3_phi_access_logging) == 0 with input as bucket
	doc := _fx_stack([bucket])
	count(stack_deny_s3_phi_access_logging) == 1 with input as doc
}

# --- stack_deny_s3_phi_access_logging -------------------------------------------------------

test_fail_stack_deny_s3_phi_access_logging__none if {
	doc := _fx_stack([_fx_bucket("records", {})])
	msgs := stack_deny_s3_phi_access_logging with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-AUD-02")
	_fx_names_urn(msgs, _fx_bucket_urn("records"))
}

test_pass_stack_deny_s3_phi_access_logging if {
	l := _fx_companion("aws:s3/bucketLogging:BucketLogging", "records-logging", "records", {"targetBucket": _unknown_marker, "targetPrefix": "records/"}, {})
	doc := _fx_stack([_fx_bucket("records", {}), l])
	count(stack_deny_s3_phi_access_logging) == 0 with input as doc
}

test_pass_stack_deny_s3_phi_access_logging__inline if {
	b := _fx_bucket("records", {"logging": {"targetBucket": "access-logs"}})
	doc := _fx_stack([b])
	count(stack_deny_s3_phi_access_logging) == 0 with input as doc
}

test_missing_stack_deny_s3_phi_access_logging__target_bucket if {
	l := _fx_companion("aws:s3/bucketLoggingV2:BucketLoggingV2", "records-logging", "records", {"targetPrefix": "records/"}, {})
	doc := _fx_stack([_fx_bucket("records", {}), l])
	count(stack_deny_s3_phi_access_logging) == 1 with input as doc
}

# --- deny_log_group_retention ---------------------------------------------------------------

test_fail_deny_log_group_retention__one_year if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": 365})
	msgs := deny_log_group_retention with input as doc
	count(msgs) == 1
	_fx_all_start_with(msgs, "IME-AUD-03")
}

test_fail_deny_log_group_retention__configured_minimum if {
	lg := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": 2192})
	count(deny_log_group_retention) == 1 with input as lg with data.config.deny_log_group_retention.minimumDays as 2557
}

test_fail_deny_log_group_retention__unknown if {
	lg := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": _unknown_marker})
	count(deny_log_group_retention) == 1 with input as lg
}

test_pass_deny_log_group_retention if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": 2192})
	count(deny_log_group_retention) == 0 with input as doc
}

test_pass_deny_log_group_retention__zero_never_expires if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"retentionInDays": 0})
	count(deny_log_group_retention) == 0 with input as doc
}

# Without retentionInDays the events never expire: compliant.
test_missing_deny_log_group_retention__retention_in_days if {
	doc := _fx("aws:cloudwatch/logGroup:LogGroup", "trail-logs", {"kmsKeyId": _fx_key_arn})
	count(deny_log_group_retention) == 0 with input as doc
}

# --- stack_warn_security_alarms -------------------------------------------------------------

_fx_cis_patterns := {
	"root": `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
	"console": `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`,
	"kms": `{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }`,
	"trail": `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`,
	"bucket": `{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketPolicy) || ($.eventName = DeleteBucketPolicy)) }`,
}

_fx_filter(name) := _fxs("aws:cloudwatch/logMetricFilter:LogMetricFilter", name, {
	"logGroupName": _unknown_marker,
	"pattern": _fx_cis_patterns[name],
	"metricTransformation": {"name": name, "namespace": "IME/Security", "value": "1"},
}, {})

_fx_alarm(name, deps) := _fxs("aws:cloudwatch/metricAlarm:MetricAlarm", sprintf("%s-alarm", [name]), {
	"metricName": name, "namespace": "IME/Security", "threshold": 1,
	"alarmActions": [_unknown_marker],
}, deps)

_fx_alarm_set := [r |
	some name, _ in _fx_cis_patterns
	some r in [_fx_filter(name), _fx_alarm(name, {})]
]

test_fail_stack_warn_security_alarms__none if {
	doc := _fx_stack([])
	msgs := stack_warn_security_alarms with input as doc
	count(msgs) == 5
	_fx_all_start_with(msgs, "IME-AUD-04")
}

test_fail_stack_warn_security_alarms__filter_without_alarm if {
	resources := [r | some r in _fx_alarm_set; r.__name != "kms-alarm"]
	doc := _fx_stack(resources)
	msgs := stack_warn_security_alarms with input as doc
	count(msgs) == 1
	_fx_names_urn(msgs, _fx_urn("aws:cloudwatch/logMetricFilter:LogMetricFilter", "kms"))
}

test_pass_stack_warn_security_alarms if {
	doc := _fx_stack(_fx_alarm_set)
	count(stack_warn_security_alarms) == 0 with input as doc
}

test_pass_stack_warn_security_alarms__alarm_joined_by_dependency if {
	others := [r | some r in _fx_alarm_set; r.__name != "root-alarm"]
	alarm := _fxs("aws:cloudwatch/metricAlarm:MetricAlarm", "root-alarm", {"metricName": _unknown_marker, "alarmActions": ["arn:aws:sns:us-east-1:123456789012:security"]}, {"metricName": [_fx_urn("aws:cloudwatch/logMetricFilter:LogMetricFilter", "root")]})
	doc := _fx_stack(array.concat(others, [alarm]))
	count(stack_warn_security_alarms) == 0 with input as doc
}

test_missing_stack_warn_security_alarms__alarm_actions if {
	resources := [r |
		some x in _fx_alarm_set
		r := _without_actions(x)
	]
	doc := _fx_stack(resources)
	count(stack_warn_security_alarms) == 5 with input as doc
}

_without_actions(r) := object.union(object.remove(r, {"__properties"}), {"__properties": object.remove(r.__properties, {"alarmActions"})})
