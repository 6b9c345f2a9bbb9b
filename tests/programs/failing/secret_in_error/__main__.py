"""Raises with a secret's value in the message; imekit must mask it."""

import pulumi
import pulumi_aws as aws

token = pulumi.Output.secret("CANARY-51c0e2-in-error")
aws.secretsmanager.SecretVersion("token", secret_id="records-token", secret_string=token)


def check(value: str) -> str:
    raise RuntimeError(f"token {value} failed validation")


token.apply(check)
