"""The aws target: the caller's own credentials, in an account the caller named.

Safety order: without --confirm-account the target refuses before creating a session or a
client, so not a single AWS call is made. With it, sts:GetCallerIdentity is the only call
made before the account is checked, and a mismatch refuses the run.
"""

from __future__ import annotations

import os
import re
from typing import Any

from imekit.drills.targets import AWS, Credentials, Target
from imekit.errors import ImekitError

_ACCOUNT_ID = re.compile(r"^\d{12}$")


def check_confirmation(confirm_account: str | None) -> str:
    """Refuse, without touching AWS, unless a well-formed account id was given."""
    if not confirm_account:
        raise ImekitError(
            "refusing to run a drill against AWS without --confirm-account: drills create, "
            "break and delete resources",
            hint="use a sandbox account and pass its id: --target aws --confirm-account "
            "123456789012 (no AWS call was made)",
        )
    if not _ACCOUNT_ID.match(confirm_account):
        raise ImekitError(
            f"--confirm-account {confirm_account!r} is not a 12-digit AWS account id",
            hint="pass the sandbox account's id, e.g. --confirm-account 123456789012",
        )
    return confirm_account


class AwsTarget(Target):
    name = AWS

    def __init__(self, confirm_account: str | None) -> None:
        super().__init__()
        self._confirmed = check_confirmation(confirm_account)
        self.region = ""
        self.account = ""
        self._session: Any = None

    def start(self) -> AwsTarget:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        # botocore reads AWS_DEFAULT_REGION and the profile; the SDKs' AWS_REGION too.
        try:
            region = boto3.session.Session().region_name or os.environ.get("AWS_REGION")
        except BotoCoreError as exc:  # e.g. AWS_PROFILE names a profile that does not exist
            raise ImekitError(
                f"cannot read the AWS configuration: {exc}",
                hint="fix AWS_PROFILE or your AWS config file, or use the sandbox account's "
                "credentials (no AWS call was made)",
            ) from exc
        if not region:
            raise ImekitError(
                "no AWS region configured for the drill",
                hint="set AWS_REGION or AWS_DEFAULT_REGION (or a region in your AWS profile) "
                "to the sandbox region",
            )
        self._session = boto3.session.Session(region_name=region)
        self.region = region
        try:
            identity = self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise ImekitError(
                f"could not identify the AWS caller: {exc}",
                hint="configure credentials for the sandbox account (AWS_PROFILE or "
                "aws sso login)",
            ) from exc
        self.account = identity["Account"]
        if self.account != self._confirmed:
            raise ImekitError(
                f"refusing to run: the credentials belong to account {self.account}, "
                f"not the confirmed account {self._confirmed}",
                hint="switch to the sandbox account's credentials, or confirm the account "
                "you really mean to use",
            )
        return self

    def _make_client(self, service: str, credentials: Credentials | None) -> Any:
        from botocore.config import Config

        config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10,
                        read_timeout=120)
        if credentials is None:
            return self._session.client(service, config=config)
        return self._session.client(service, config=config,
                                    aws_access_key_id=credentials.access_key_id,
                                    aws_secret_access_key=credentials.secret_access_key)

    def __enter__(self) -> AwsTarget:
        if self._session is None:
            self.start()
        return self
