"""The local target: moto's server on 127.0.0.1, with no AWS account and no real credentials.

The server runs in a thread of this process on a free port. The fake credentials are given
to the clients this target creates and nowhere else (the environment is left alone), and
every client points at the local endpoint, so nothing a local drill does can reach AWS.
"""

from __future__ import annotations

import logging
from typing import Any

from imekit.drills.targets import LOCAL, Credentials, Target
from imekit.errors import ImekitError

REGION = "us-east-1"
_FAKE_KEY_ID = "testing"
_FAKE_SECRET = "testing"  # moto's documented placeholder, not a credential


class LocalTarget(Target):
    name = LOCAL

    def __init__(self) -> None:
        super().__init__()
        self.region = REGION
        self.account = ""
        self.endpoint_url = ""
        self._server: Any = None

    def start(self) -> LocalTarget:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:  # moto[server] is a dependency; say so if it is missing
            raise ImekitError(
                f"the local drill target needs moto's server: {exc}",
                hint="install the kit with its dependencies: pip install 'moto[server]>=5.2'",
            ) from exc
        # The server logs every request and every server-side traceback; the drill's own
        # journal records failures, so keep the console to the drill's progress lines.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        try:
            server.start()
        except OSError as exc:
            raise ImekitError(
                f"could not start moto's server on 127.0.0.1: {exc}",
                hint="check that binding a local port is allowed here",
            ) from exc
        self._server = server
        host, port = server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.account = self.client("sts").get_caller_identity()["Account"]
        return self

    def _make_client(self, service: str, credentials: Credentials | None) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=credentials.access_key_id if credentials else _FAKE_KEY_ID,
            aws_secret_access_key=credentials.secret_access_key if credentials else _FAKE_SECRET,
            region_name=self.region,
        )
        config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                        read_timeout=60)
        return session.client(service, endpoint_url=self.endpoint_url, config=config)

    def describe(self) -> str:
        return f"local (moto server at {self.endpoint_url}, region {self.region})"

    def close(self) -> None:
        super().close()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalTarget:
        if self._server is None:
            self.start()
        return self
