"""Shared helpers for the drill tests: run the CLI in process, read the journal it wrote,
and a moto server standing in for "AWS" behind AWS_ENDPOINT_URL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from drill_helpers import Result

from imekit.cli import main


@pytest.fixture(autouse=True)
def _no_evidence_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drill runs record into the evidence record; tests opt in with their own store."""
    monkeypatch.setenv("IMEKIT_NO_RECORD", "1")
    monkeypatch.delenv("IMEKIT_EVIDENCE_DIR", raising=False)


@pytest.fixture
def imekit(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Run `imekit drill ...` in this process with its own journal folder."""
    counter = iter(range(1000))

    def run(*args: str, journal: bool = True) -> Result:
        journal_dir = tmp_path / f"journals-{next(counter)}"
        argv = ["drill", *args]
        if journal and args and args[0] == "run":
            argv += ["--journal-dir", str(journal_dir)]
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err, journal_dir=journal_dir)

    return run


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto server playing the part of an AWS account, reached through AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def fake_account(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> str:
    """Point the caller's default AWS configuration at the moto server (account 123456789012)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    return "123456789012"
