"""The local target: moto's server on 127.0.0.1, with no AWS account and no real credentials.

The server runs in a thread of this process on a free port. The fake credentials are given
to the clients this target creates and nowhere else, every client points at the local
endpoint, and the caller's AWS profile and config files are ignored, so nothing a local
drill does can reach AWS or depends on the caller's AWS setup. (The profile variables are
hidden from the process while the server runs, because moto's services read them, and are
put back afterwards.)
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from imekit.drills.targets import LOCAL, Credentials, Target
from imekit.errors import ImekitError

REGION = "us-east-1"
_PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
_FAKE_KEY_ID = "testing"
_FAKE_SECRET = "testing"  # moto's documented placeholder, not a credential


@cache
def _session() -> Any:
    """One session per process: it caches the service models every local run loads again.
    It carries no credentials of its own; each client gets the fake ones explicitly."""
    import boto3
    import botocore.session

    # Ignore the caller's AWS profile and config files: a local run must not depend on them
    # (a missing profile named in AWS_PROFILE would otherwise stop it).
    # Each entry is (config-file key, environment variable, default, converter).
    isolated = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, os.devnull, None),
        "credentials_file": (None, None, os.devnull, None),
    })
    return boto3.session.Session(botocore_session=isolated, region_name=REGION)


class LocalTarget(Target):
    name = LOCAL

    def __init__(self) -> None:
        super().__init__()
        self.region = REGION
        self.account = ""
        self.endpoint_url = ""
        self._server: Any = None
        self._hidden_env: dict[str, str] = {}

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
        # moto's server runs in this process and some of its services open boto3 sessions
        # of their own: hide the caller's profile from them for the run (restored on close).
        for name in _PROFILE_VARIABLES:
            if name in os.environ:
                self._hidden_env[name] = os.environ.pop(name)
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
        from botocore.config import Config

        config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5,
                        read_timeout=60)
        return _session().client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=credentials.access_key_id if credentials else _FAKE_KEY_ID,
            aws_secret_access_key=credentials.secret_access_key if credentials else _FAKE_SECRET,
            config=config,
        )

    def describe(self) -> str:
        return f"local (moto server at {self.endpoint_url}, region {self.region})"

    def close(self) -> None:
        super().close()
        if self._server is not None:
            self._server.stop()
            self._server = None
        os.environ.update(self._hidden_env)
        self._hidden_env = {}

    def __enter__(self) -> LocalTarget:
        if self._server is None:
            try:
                self.start()
            except BaseException:
                self.close()
                raise
        return self
