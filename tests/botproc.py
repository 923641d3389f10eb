"""`rmo-bot run` as a child process, configured against local fakes, with its log at hand."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

from tests.helpers import child_pythonpath

if TYPE_CHECKING:
    from pathlib import Path

LIST_ID = "announce.rmo-network.example.jp"
SECRETARIAT = "jimukyoku@rmo-network.example.jp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    path: Path,
    *,
    slack_url: str,
    discord_url: str,
    port: int = 0,
    extra: str = "",
    list_id: str = LIST_ID,
    senders: tuple[str, ...] = (SECRETARIAT, "secretariat@rmo-network.example.jp"),
    http_port: int = 0,
    outbound: str = "",
    public_url: str = "",
    intake: str = "",
) -> Path:
    path.write_text(
        f"""
[bot]
log_level = "INFO"
[console]
enabled = "off"
[mail.intake]
listen = "127.0.0.1:{port}"
list_ids = ["{list_id}"]
allowed_senders = {json.dumps(list(senders))}
{intake}
[mail.outbound]
from = "rmo-bot <rmo-bot@rmo-network.example.jp>"
{outbound}
[http]
listen = "127.0.0.1:{http_port}"
{f'public_url = "{public_url}"' if public_url else ""}
[slack]
api_base_url = "{slack_url}"
default_channels = ["C111"]
block_channels = {{ kinki = "C222" }}
[discord]
api_base_url = "{discord_url}"
default_channels = ["900"]
block_channels = {{ kinki = "901" }}
{extra}
""",
        encoding="utf-8",
    )
    return path


# `python -m bot`, started with the open-files limit (soft, hard) in argv[1:3], as a tight ulimit would set it.
_LIMITED = (
    "import resource, runpy, sys; "
    "resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), int(sys.argv[2]))); "
    "sys.argv[:3] = ['rmo-bot']; runpy.run_module('bot', run_name='__main__')"
)


class BotProcess:
    """Starts the bot (with `open_files` = (soft, hard), under that limit; `args` after `run`); `port` is the
    intake's, read from its log."""

    def __init__(
        self,
        config: Path,
        data_dir: Path,
        env: dict[str, str] | None = None,
        open_files: tuple[int, int] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.args = args
        self.config = config
        self.data_dir = data_dir
        self.extra_env = env or {}
        self.open_files = open_files
        self.http_port = 0
        self.log: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self, timeout: float = 30) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "SMTP_", "FACEBOOK_"))}
        env |= {
            "PYTHONPATH": child_pythonpath(),
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "DISCORD_TOKEN": "discord-test-token",
        }
        env |= self.extra_env
        start = [sys.executable, "-m", "bot"]
        if self.open_files is not None:
            start = [sys.executable, "-c", _LIMITED, *map(str, self.open_files)]
        self.proc = subprocess.Popen(
            [*start, "run", "--config", str(self.config), "--data-dir", str(self.data_dir), *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        ready = threading.Event()

        def pump(stream: object) -> None:
            for line in stream:  # type: ignore[attr-defined]
                self.log.append(line)
                http = re.search(r"http server listening on [\d.]+:(\d+)", line)
                if http:
                    self.http_port = int(http.group(1))
                found = re.search(r"mail intake listening on [\d.]+:(\d+)", line)
                if found:
                    self.port = int(found.group(1))
                    ready.set()

        threading.Thread(target=pump, args=(self.proc.stderr,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                if self.proc.poll() is None:  # timed out: no child may outlive the test (issue 15)
                    self.proc.kill()
                    self.proc.wait(timeout=30)
                self._close()
                raise RuntimeError("rmo-bot did not start:\n" + "".join(self.log[-30:]))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._close()

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close()
        return self.proc.returncode

    def _close(self) -> None:
        assert self.proc is not None
        if self.proc.stderr:
            self.proc.stderr.close()

    def text(self) -> str:
        return "".join(self.log)
