"""CKV_IME_3: every AWS Backup plan rule keeps recovery points for at least 35 days.

A rule (or copy action) without `lifecycle.delete_after` never deletes its recovery points
and meets the minimum. A value that is not a number cannot be judged and fails.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MINIMUM_DAYS = 35


def _first(value):
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return value


def _retention_ok(block) -> bool:
    lifecycle = _first(block.get("lifecycle")) if isinstance(block, dict) else None
    if not isinstance(lifecycle, dict):
        return True
    delete_after = _first(lifecycle.get("delete_after"))
    if delete_after is None:
        return True
    if isinstance(delete_after, bool) or not isinstance(delete_after, (int, float)):
        return False
    return delete_after >= MINIMUM_DAYS


class BackupPlanMinimumRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=f"Ensure AWS Backup plan rules retain recovery points for at least "
            f"{MINIMUM_DAYS} days",
            id="CKV_IME_3",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_backup_plan"],
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["rule"]
        rules = conf.get("rule")
        if not isinstance(rules, list) or not rules:
            return CheckResult.FAILED  # a plan without rules backs nothing up
        for rule in rules:
            if not isinstance(rule, dict) or not _retention_ok(rule):
                return CheckResult.FAILED
            for copy_action in rule.get("copy_action") or []:
                if not _retention_ok(copy_action):
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = BackupPlanMinimumRetention()
