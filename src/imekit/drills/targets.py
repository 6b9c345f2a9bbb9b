"""Where a drill runs: the interface both targets (moto's local server, a sandbox account) share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

LOCAL = "local"
AWS = "aws"
TARGET_NAMES = (LOCAL, AWS)


@dataclass(frozen=True)
class Credentials:
    """An access key a drill created (a simulated attacker, a leaked key). Held in memory only:
    repr() hides the secret so it can never reach a log, the console or a journal."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


class Target(ABC):
    name: str
    region: str
    account: str

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}

    @property
    def is_aws(self) -> bool:
        return self.name == AWS

    def client(self, service: str, credentials: Credentials | None = None) -> Any:
        """A boto3 client for `service`; cached unless it uses drill-made credentials."""
        if credentials is not None:
            return self._make_client(service, credentials)
        if service not in self._clients:
            self._clients[service] = self._make_client(service, None)
        return self._clients[service]

    @abstractmethod
    def _make_client(self, service: str, credentials: Credentials | None) -> Any: ...

    def describe(self) -> str:
        return f"{self.name} (account {self.account}, region {self.region})"

    def close(self) -> None:
        self._clients.clear()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
