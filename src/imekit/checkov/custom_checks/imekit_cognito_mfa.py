"""CKV_IME_1: a Cognito user pool must require MFA of every user (164.312(d))."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CognitoUserPoolRequiresMfa(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cognito user pools require MFA for every user (mfa_configuration ON)",
            id="CKV_IME_1",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_cognito_user_pool"],
        )

    def scan_resource_conf(self, conf):
        # OPTIONAL lets a user skip MFA and OFF is the provider default: only ON passes.
        self.evaluated_keys = ["mfa_configuration"]
        value = conf.get("mfa_configuration")
        if isinstance(value, list):
            value = value[0] if value else None
        return CheckResult.PASSED if value == "ON" else CheckResult.FAILED


check = CognitoUserPoolRequiresMfa()
