"""Where the log goes: stderr for the command line and services, a file beside a terminal chat.

Under systemd (`JOURNAL_STREAM` is set) the journal stamps each line, so ours carry no time of their own.
When the console chat runs, the log is written to `rmo-bot.log` in the data directory and only warnings
and errors reach the terminal, through the console itself, so they appear above the prompt and never
between a question and its answer (`ConsoleLogHandler`). Libraries that retry by themselves (Slack's
Socket Mode client) log a traceback per attempt: `QuietRetries` keeps one line a minute of those.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Protocol

from bot.limits import Throttle

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "LOG_FILE",
    "ConsoleLogHandler",
    "LineSink",
    "QuietRetries",
    "log_format",
    "remove_handlers",
    "setup_logging",
]

LOG_FILE = "rmo-bot.log"
_STAMPED = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_UNSTAMPED = "%(levelname)s %(name)s: %(message)s"
# Loggers of libraries that retry on their own and log a whole traceback each time.
_OURS = "rmo-bot"
_RETRYING = ("slack_bolt", "slack_sdk", "discord", "aioimaplib")


def log_format(environ: dict[str, str] | None = None) -> str:
    """The line format: without a time stamp where the journal adds its own."""
    env = os.environ if environ is None else environ
    return _UNSTAMPED if env.get("JOURNAL_STREAM") else _STAMPED


class LineSink(Protocol):
    """What shows log lines beside a conversation: the console platform."""

    def show_log_line(self, line: str) -> None: ...


class ConsoleLogHandler(logging.Handler):
    """Hands each formatted record to the console, which prints it where it breaks no conversation."""

    def __init__(self, sink: LineSink, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._sink.show_log_line(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never break the bot
            self.handleError(record)


class QuietRetries(logging.Filter):
    """One line a minute per logger of a retrying library's errors, without their tracebacks (the traceback
    is kept at DEBUG level, for whoever asks for it)."""

    def __init__(self) -> None:
        super().__init__()
        self._throttles: dict[str, Throttle] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(_RETRYING) or record.levelno < logging.WARNING:
            return True
        decided = getattr(record, "rmo_quiet", None)  # each handler asks: decide once per record
        if decided is None:
            decided = self._decide(record)
            record.rmo_quiet = decided
        return bool(decided)

    def _decide(self, record: logging.LogRecord) -> bool:
        throttle = self._throttles.setdefault(record.name.split(".")[0], Throttle())
        held = throttle.ready()
        if held is None:
            return False
        first = str(record.getMessage()).splitlines()[0] if record.getMessage() else ""
        record.msg = first + (f" ({held} similar lines held back)" if held else "")
        record.args = None
        if record.exc_info and logging.getLogger("bot").isEnabledFor(logging.DEBUG):
            return True
        record.exc_info = None
        record.exc_text = None
        return True


def remove_handlers() -> None:
    """Take away the handlers `setup_logging` installed (those of others, e.g. pytest's, stay)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _OURS]:
        root.removeHandler(old)
        old.close()


def setup_logging(level: int, *, log_file: Path | None = None, console: LineSink | None = None) -> Path | None:
    """Configure the root logger once: stderr, or (with `console`) a file plus warnings through the console.

    Returns the log file in use, or None when the log goes to stderr only.
    """
    root = logging.getLogger()
    remove_handlers()
    formatter = logging.Formatter(log_format())
    handlers: list[logging.Handler] = []
    used: Path | None = None
    if console is not None:
        if log_file is not None:
            from logging.handlers import WatchedFileHandler  # noqa: PLC0415 - a terminal chat's only: 8 ms saved elsewhere

            try:
                log_file.parent.mkdir(parents=True, exist_ok=True)
                log_file.touch(mode=0o600)  # like every file of the data directory: the owner's only
                handlers.append(WatchedFileHandler(log_file, encoding="utf-8"))
                used = log_file
            except OSError as exc:
                console.show_log_line(f"cannot write the log to {log_file}: {exc.strerror or exc}")
        handlers.append(ConsoleLogHandler(console, max(level, logging.WARNING)))
    else:
        handlers.append(logging.StreamHandler(sys.stderr))
    quiet = QuietRetries()
    for handler in handlers:
        handler.set_name(_OURS)
        handler.setFormatter(formatter)
        handler.addFilter(quiet)
        root.addHandler(handler)
    root.setLevel(level)
    # aiosmtpd logs every SMTP command at INFO, APScheduler every job run: keep their warnings, not their chatter.
    for chatty in ("mail.log", "apscheduler"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
    return used
