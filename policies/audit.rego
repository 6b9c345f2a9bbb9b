package imekit_hipaa

import rego.v1

# IME-AUD-01..04: audit controls (164.312(b), 164.308(a)(1)(ii)(D), 164.308(a)(6)(ii),
# 164.316(b)(2)(i)).

_trail_type := "aws:cloudtrail/trail:Trail"

_trails := _stack_of_type({_trail_type})

# Left out, a trail logs; a value known only at apply could not be verified as logging.
_logging(t) if _prop(t, "enableLogging", true) == true

_trail_gaps(t) := [g |
	some check in ["multi-region", "validation", "log-group", "log-role", "logging"]
	g := _trail_gap(t, check)
]

_trail_gap(t, "multi-region") := "isMultiRegionTrail is not true" if not _prop(t, "isMultiRegionTrail", false) == true

_trail_gap(t, "validation") := "enableLogFileValidation is not true" if not _prop(t, "enableLogFileValidation", false) == true

_trail_gap(t, "log-group") := "no cloudWatchLogsGroupArn (CloudWatch Logs delivery)" if _blank(_prop(t, "cloudWatchLogsGroupArn", null))

_trail_gap(t, "log-role") := "no cloudWatchLogsRoleArn" if _blank(_prop(t, "cloudWatchLogsRoleArn", null))

_trail_gap(t, "logging") := "enableLogging is not true" if not _logging(t)

_compliant_trail if {
	some t in _trails
	count(_trail_gaps(t)) == 0
}

# METADATA
# title: A multi-region CloudTrail trail with validation and CloudWatch delivery exists
# description: >-
#   The stack must hold at least one CloudTrail trail that is multi-region, validates its log
#   files, delivers to CloudWatch Logs (cloudWatchLogsGroupArn and cloudWatchLogsRoleArn) and
#   is logging. A stack with no trail fails on the stack; trails that fall short are named.
# custom:
#   control: IME-AUD-01
#   message: >-
#     Create aws.cloudtrail.Trail with is_multi_region_trail=True,
#     enable_log_file_validation=True and cloud_watch_logs_group_arn/role_arn set.
#   resource_types:
#     - aws:cloudtrail/trail:Trail
stack_deny_cloudtrail_required contains msg if {
	count(_trails) == 0
	msg := "[IME-AUD-01] the stack has no CloudTrail trail: a multi-region trail with log file validation and CloudWatch Logs delivery must exist"
}

stack_deny_cloudtrail_required contains msg if {
	not _compliant_trail
	some t in _trails
	gaps := _trail_gaps(t)
	msg := sprintf("[IME-AUD-01] no compliant CloudTrail trail: trail %q falls short: %s %s", [t.__name, concat("; ", gaps), _at(t)])
}

# --- IME-AUD-02: PHI data-access logging -----------------------------------------------------

_all_s3_objects := {"arn:aws:s3", "arn:aws:s3:::", "arn:aws-us-gov:s3:::", "arn:aws-us-gov:s3"}

_field(fs, name) := f if {
	some f in fs
	is_object(f)
	_get(f, "field", "") == name
}

_field_equals(fs, name, value) if value in _as_list(_get(_field(fs, name), "equals", []))

# Coverage is computed once per trail, not per bucket and trail, so large stacks stay linear.
_logging_trails := [t | some t in _trails; _logging(t)]

_all_buckets_logged if {
	some t in _logging_trails
	some sel in _as_list(_prop(t, "eventSelectors", []))
	_s3_object_selector(sel)
	some dr in _as_list(_get(sel, "dataResources", []))
	_s3_object_resource(dr)
	some v in _as_list(_get(dr, "values", []))
	v in _all_s3_objects
}

_all_buckets_logged if {
	some t in _logging_trails
	some sel in _as_list(_prop(t, "advancedEventSelectors", []))
	fs := _s3_advanced_fields(sel)
	not _field(fs, "resources.ARN")
}

# Buckets a trail names through a selector value that depends on them.
_logged_bucket_urns := {u |
	some t in _logging_trails
	_names_buckets_by_dependency(t)
	some u in _deps(t, "eventSelectors")
} | {u |
	some t in _logging_trails
	some sel in _as_list(_prop(t, "advancedEventSelectors", []))
	fs := _s3_advanced_fields(sel)
	_arn_field_includes(fs)
	some u in _deps(t, "advancedEventSelectors")
}

# The values are the buckets' ARNs, unknown at a first preview and known once the buckets
# exist: either way the selector property depends on the buckets it names.
_names_buckets_by_dependency(t) if {
	some sel in _as_list(_prop(t, "eventSelectors", []))
	_s3_object_selector(sel)
	some dr in _as_list(_get(sel, "dataResources", []))
	_s3_object_resource(dr)
	count(_as_list(_get(dr, "values", []))) > 0
}

_s3_object_selector(sel) if {
	is_object(sel)
	_get(sel, "readWriteType", "All") == "All"
}

_s3_object_resource(dr) if {
	is_object(dr)
	_get(dr, "type", "") == "AWS::S3::Object"
}

# The field selectors of an advanced selector logging every S3 object read and write.
_s3_advanced_fields(sel) := fs if {
	is_object(sel)
	fs := _as_list(_get(sel, "fieldSelectors", []))
	_field_equals(fs, "eventCategory", "Data")
	_field_equals(fs, "resources.type", "AWS::S3::Object")
	not _field(fs, "readOnly")
}

# A resources.ARN selector that includes (never excludes) the ARNs it names.
_arn_field_includes(fs) if {
	f := _field(fs, "resources.ARN")
	count(array.concat(_as_list(_get(f, "startsWiths", [])), _as_list(_get(f, "equals", [])))) > 0
	count(_as_list(_get(f, "notStartsWiths", []))) == 0
	count(_as_list(_get(f, "notEquals", []))) == 0
}

_data_events_cover(_) if _all_buckets_logged

_data_events_cover(b) if b.__urn in _logged_bucket_urns

# METADATA
# title: Object-level access to PHI buckets is logged by CloudTrail
# description: >-
#   Every PHI or unclassified S3 bucket must be covered by a logging trail's S3 data events
#   for reads and writes: an event selector (readWriteType All) or an advanced selector
#   (eventCategory Data, resources.type AWS::S3::Object) naming all buckets, or naming this
#   bucket through a value that depends on it (propertyDependencies).
# custom:
#   control: IME-AUD-02
#   message: >-
#     Add an event selector with data_resources=[{type: "AWS::S3::Object", values:
#     [bucket.arn.apply(lambda a: f"{a}/")]}] and read_write_type="All" to the trail.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:cloudtrail/trail:Trail
stack_deny_phi_bucket_data_events contains msg if {
	some b in _stack_phi_buckets
	not _data_events_cover(b)
	msg := sprintf("[IME-AUD-02] S3 bucket %q (data-class %s) is not covered by any logging trail's S3 data events, so object reads and writes are not logged %s", [b.__name, _class_label(b), _at(b)])
}

_logging_types := {"aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"}

_inline_logging_prop := {
	"aws:s3/bucket:Bucket": "logging",
	"aws:s3/bucketV2:BucketV2": "loggings",
}

_inline_loggings(b) := _as_list(_prop(b, _inline_logging_prop[b.__type], []))

_has_inline_logging(b) if count(_inline_loggings(b)) > 0

_has_inline_logging(b) if {
	v := _prop(b, _inline_logging_prop[b.__type], null)
	not _blank(v)
	not is_array(v)
}

# METADATA
# title: PHI buckets write server access logs (inline logging)
# description: >-
#   A PHI or unclassified S3 bucket that configures access logging inline (`logging` on
#   Bucket, `loggings` on BucketV2) must name a targetBucket. Buckets without inline logging
#   are judged by stack_deny_s3_phi_access_logging, which sees their BucketLogging resource.
# custom:
#   control: IME-AUD-02
#   message: Set target_bucket (the logs bucket) and a target_prefix in the logging block.
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
deny_s3_phi_access_logging contains msg if {
	_is_phi_bucket(input)
	some l in _inline_loggings(input)
	not _known_target(l)
	msg := sprintf("[IME-AUD-02] S3 bucket %q (data-class %s) configures access logging without a targetBucket", [input.__name, _class_label(input)])
}

_known_target(l) if {
	is_object(l)
	not _blank(_get(l, "targetBucket", null))
}

_logged_buckets := {u |
	some l in _stack_of_type(_logging_types)
	not _blank(_prop(l, "targetBucket", null))
	some u in _deps(l, "bucket")
}

# METADATA
# title: PHI buckets write server access logs (separate logging resource)
# description: >-
#   Every PHI or unclassified S3 bucket without inline logging must have an
#   aws:s3/bucketLogging:BucketLogging (or V2) joined to it through propertyDependencies
#   (`bucket=bucket.id`) with a targetBucket.
# custom:
#   control: IME-AUD-02
#   message: Add aws.s3.BucketLogging(bucket=bucket.id, target_bucket=logs.id, target_prefix=...).
#   resource_types:
#     - aws:s3/bucket:Bucket
#     - aws:s3/bucketV2:BucketV2
#     - aws:s3/bucketLogging:BucketLogging
#     - aws:s3/bucketLoggingV2:BucketLoggingV2
stack_deny_s3_phi_access_logging contains msg if {
	some b in _stack_phi_buckets
	not _has_inline_logging(b)
	not b.__urn in _logged_buckets
	msg := sprintf("[IME-AUD-02] S3 bucket %q (data-class %s) has no server access logging joined to it %s", [b.__name, _class_label(b), _at(b)])
}

# --- IME-AUD-03: audit log retention ----------------------------------------------------------

# Six years (164.316(b)(2)(i)): 2192 days, the first CloudWatch Logs retention value above it.
default _min_retention_days := 2192

_min_retention_days := d if {
	d := data.config.deny_log_group_retention.minimumDays
	is_number(d)
}

# METADATA
# title: Log groups keep logs for at least six years
# description: >-
#   A log group's retentionInDays must be at least the configured minimum (default 2192 days,
#   six years). A log group without retentionInDays (or with 0) never expires its events,
#   which passes: CloudWatch Logs keeps them indefinitely. A value known only at apply could
#   not be verified and fails.
# custom:
#   control: IME-AUD-03
#   message: Set retention_in_days=2192 (or more), or leave it unset to keep logs indefinitely.
#   resource_types:
#     - aws:cloudwatch/logGroup:LogGroup
deny_log_group_retention contains msg if {
	input.__type == "aws:cloudwatch/logGroup:LogGroup"
	days := _prop(input, "retentionInDays", null)
	is_number(days)
	days > 0
	days < _min_retention_days
	msg := sprintf("[IME-AUD-03] log group %q keeps events %v days, less than the required %v", [input.__name, days, _min_retention_days])
}

deny_log_group_retention contains msg if {
	input.__type == "aws:cloudwatch/logGroup:LogGroup"
	days := _prop(input, "retentionInDays", null)
	not _blank(days)
	not is_number(days)
	msg := sprintf("[IME-AUD-03] log group %q has a retentionInDays not known until apply, so retention could not be verified", [input.__name])
}

# --- IME-AUD-04: security alarms ---------------------------------------------------------------

# What each alarm watches, and the words its filter pattern must hold (compared in lower
# case), after CIS AWS Foundations 4.x.
_alarm_watches := {
	"root account use": ["useridentity.type", "root"],
	"console sign-in without MFA": ["consolelogin", "mfaused"],
	"KMS key disabling or deletion": ["disablekey", "schedulekeydeletion"],
	"CloudTrail configuration changes": ["stoplogging", "deletetrail", "updatetrail"],
	"S3 bucket policy changes": ["putbucketpolicy", "deletebucketpolicy"],
}

_filters := _stack_of_type({"aws:cloudwatch/logMetricFilter:LogMetricFilter"})

_alarms := _stack_of_type({"aws:cloudwatch/metricAlarm:MetricAlarm"})

_watches(f, words) if {
	pattern := _prop(f, "pattern", "")
	is_string(pattern)
	every w in words {
		contains(_lower(pattern), w)
	}
}

_metric_of(f) := _get(_prop(f, "metricTransformation", {}), "name", null) if is_object(_prop(f, "metricTransformation", {}))

# Alarms that notify someone, indexed by the filter they depend on and by metric name, so
# each filter is matched in constant time.
_notifying_alarms := [a | some a in _alarms; count(_as_list(_prop(a, "alarmActions", []))) > 0]

_alarmed_filter_urns := {u | some a in _notifying_alarms; some u in _deps(a, "metricName")}

_alarmed_metric_names := {n |
	some a in _notifying_alarms
	n := _prop(a, "metricName", null)
	_known_string(n)
}

_alarmed(f) if f.__urn in _alarmed_filter_urns

_alarmed(f) if _metric_of(f) in _alarmed_metric_names

# [what, filter URN, alarmed] for every filter watching something.
_watching := {[what, f.__urn, alarmed] |
	some f in _filters
	some what, words in _alarm_watches
	_watches(f, words)
	alarmed := _alarmed_bool(f)
}

_alarmed_bool(f) := true if _alarmed(f)

_alarmed_bool(f) := false if not _alarmed(f)

_alarmed_watches := {w | some [w, _, true] in _watching}

_watched := {w | some [w, _, _] in _watching}

_watched_and_alarmed(what) if what in _alarmed_watches

_watching_filter(what) if what in _watched

# METADATA
# title: Security events raise alarms
# description: >-
#   CloudWatch metric filters with alarms that notify someone (alarmActions) must watch the
#   audit trail for root account use, console sign-in without MFA, KMS key disabling or
#   deletion, CloudTrail configuration changes and S3 bucket policy changes. A filter without
#   a notifying alarm on its metric is named.
# custom:
#   control: IME-AUD-04
#   message: >-
#     Add aws.cloudwatch.LogMetricFilter on the trail's log group with the CIS pattern and an
#     aws.cloudwatch.MetricAlarm on its metric with alarm_actions=[security_topic.arn].
#   resource_types:
#     - aws:cloudwatch/logMetricFilter:LogMetricFilter
#     - aws:cloudwatch/metricAlarm:MetricAlarm
stack_warn_security_alarms contains msg if {
	some what, _ in _alarm_watches
	not _watching_filter(what)
	msg := sprintf("[IME-AUD-04] no CloudWatch metric filter and alarm watch for %s", [what])
}

stack_warn_security_alarms contains msg if {
	some [what, urn, false] in _watching
	not _watched_and_alarmed(what)
	f := _resources_by_urn[urn]
	msg := sprintf("[IME-AUD-04] metric filter %q watches for %s, but no alarm with alarmActions uses its metric %s", [f.__name, what, _at(f)])
}
