"""Prompt shutdown: SIGTERM or SIGINT asks the loop to stop, and a deadline makes the process exit within
`GRACE` seconds of the signal whatever the loop or its worker threads are doing (a long synchronous step
holding the loop, a worker thread stuck in a system call, a request that never answers).

Exiting at the deadline is as safe as SIGKILL, which the crash tests check at every moment: a mail answered
250 is already in the spool, each store file is replaced atomically, a digest run's journal is written before
each send, and the store's lock is an `flock` the kernel drops. What the deadline cuts off is work nothing
has acknowledged yet; the next start finishes it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable
    from types import FrameType

__all__ = ["GRACE", "ShutdownDeadline"]

_log = logging.getLogger(__name__)
GRACE = 8.0  # seconds from the signal to a forced exit: under the 10 s a service manager is promised
_TELL_FOR = 0.5  # seconds the forced exit waits for its log line


class ShutdownDeadline:
    """Installs the SIGINT/SIGTERM handlers of `rmo-bot run` and, once a stop is asked for, exits the process
    `grace` seconds later unless it has ended by then; a second signal exits at once."""

    def __init__(self, grace: float = GRACE, exit_now: Callable[[int], object] = os._exit) -> None:
        self._grace = grace
        self._exit_now = exit_now
        self._armed = threading.Event()
        self._again = threading.Event()
        self._code = 1
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        # Started now, not in the signal handler: starting a thread there could wait on a lock the
        # interrupted code holds.
        self._watch = threading.Thread(target=self._watch_over, name="rmo-bot-shutdown", daemon=True)
        self._watch.start()

    def install(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        """Handle SIGINT and SIGTERM: set `stop` on `loop` and start the deadline."""
        # Neither `loop.add_signal_handler` (it runs only when the loop gets control back) nor the Python
        # handler itself (it runs only when the main thread runs Python code, and a signal the kernel gives
        # another thread does not interrupt a main thread blocked in a system call): the C-level handler
        # writes each signal's number to the wakeup fd from whichever thread took it, and a thread of our
        # own reads it there, whatever the main thread is doing.
        reader, writer = socket.socketpair()
        writer.setblocking(False)  # noqa: FBT003 - the socket API
        try:
            signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, _noted)
        except ValueError:  # not the main thread (an embedding test): no handlers
            reader.close()
            writer.close()
            return
        self._wakeup = (reader, writer)  # kept open for the life of the process
        threading.Thread(target=self._signals, args=(reader, loop, stop), name="rmo-bot-signals", daemon=True).start()

    def _signals(self, reader: socket.socket, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
        while received := reader.recv(64):
            for signum in received:
                if signum not in (signal.SIGINT, signal.SIGTERM):
                    continue
                if self._armed.is_set():
                    self._again.set()
                self._code = 0  # asked to stop, and stopping: not a failure for a service manager
                self._armed.set()
                with contextlib.suppress(RuntimeError):  # the loop has closed already: the exit is under way
                    loop.call_soon_threadsafe(stop.set)

    def arm(self) -> None:
        """Start the deadline without a signal (a component stopped the bot)."""
        self._armed.set()

    def _watch_over(self) -> None:
        self._armed.wait()
        self._again.wait(self._grace)
        why = "a second signal" if self._again.is_set() else f"still running {self._grace:.0f} s after the stop"
        # Told from another thread, and not waited for long: the interrupted code may hold the log's lock or
        # be blocked writing to a full stderr pipe, and that must not hold the exit too.
        told = threading.Thread(target=_tell, args=(why,), name="rmo-bot-shutdown-log", daemon=True)
        told.start()
        told.join(_TELL_FOR)
        self._exit_now(self._code)


def _noted(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: nothing to do (the wakeup fd's reader acts), but it keeps the default action
    (ending the process at once) from applying."""
    del signum, frame


def _tell(why: str) -> None:
    _log.error("%s: exiting now, as a crash would (nothing acknowledged is lost; the next start "
               "finishes what was cut off)", why)  # fmt: skip
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
