"""Shared fixtures: real data directories in tmp_path, a frozen clock, and no network."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.testing import ChatHarness

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
TESTS = Path(__file__).parent
CALENDAR = TESTS / "data" / "calendar.toml"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to loopback only; anything else is a bug in the test or the code."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and not (host.startswith("127.") or host in {"::1", "localhost"})
            and self.family != socket.AF_UNIX
        ):
            msg = f"tests must not reach the network ({address!r})"
            raise OSError(msg)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def chat(tmp_path: Path):
    """A bot over a fresh data directory holding the bundled data and the test calendar."""
    with ChatHarness.open(tmp_path / "data", now=NOW, data_files=(CALENDAR,)) as harness:
        yield harness
