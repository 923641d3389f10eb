"""A bench's baseline server, run as a child process that prints "ready" once it listens on the port it is given."""

from __future__ import annotations

import subprocess
import sys

from tests.botproc import free_port

__all__ = ["ChildServer"]


class ChildServer:
    """`python *argv` with `{port}` in argv replaced by a free port; `port` is that port."""

    def __init__(self, *argv: str) -> None:
        self.port = free_port()
        command = [sys.executable, *(arg.replace("{port}", str(self.port)) for arg in argv)]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
