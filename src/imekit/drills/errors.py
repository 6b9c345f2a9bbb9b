"""Failures a drill step can report. Both are outcomes recorded in the journal, not crashes."""

from __future__ import annotations


class DrillStepError(Exception):
    """A step found the system in a state it cannot act on. The message names the resource,
    e.g. "s3 bucket ime-reports-drill-ab12: versioning is Suspended, cannot restore"."""


class AwsOnlyCheck(Exception):
    """This check can only be made against a real AWS account (moto cannot show it).

    Raised by a probe on the local target; the runner records the step as `unknown` and
    adds the message to the journal's notes instead of counting it as passed."""
