"""The console chat and the log: the log goes to a file, warnings come above the prompt, never into an answer."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import pty
import select
import subprocess
import sys
import threading

from bot.clock import SystemClock
from bot.config import load_config
from bot.core import Core
from bot.logs import ConsoleLogHandler, log_format, remove_handlers, setup_logging
from bot.platforms.console.adapter import ConsolePlatform
from tests.botproc import free_port
from tests.helpers import child_pythonpath
from tests.test_relay_e2e import until


class _Terminal:
    """`rmo-bot` on a pseudo-terminal, read up to each prompt."""

    def __init__(self, *args: str) -> None:
        self._leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "JOURNAL_"))}
        env["PYTHONPATH"] = child_pythonpath()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=follower, stdout=follower,
                                     stderr=follower, env=env)  # fmt: skip
        os.close(follower)

    def until_prompt(self) -> str:
        """What the terminal shows up to the next prompt (and, should anything follow the prompt, up to the
        first quiet second after it, so a log line printed after the prompt is seen, not waited on)."""
        seen = b""
        while not seen.endswith(b"> "):
            if select.select([self._leader], [], [], 1)[0]:
                try:
                    seen += os.read(self._leader, 65536)
                except OSError:  # the child closed the terminal
                    break
            elif self.proc.poll() is not None or b"\n> " in seen:
                break
        return seen.decode("utf-8", "replace")

    def ask(self, text: str) -> str:
        os.write(self._leader, text.encode() + b"\n")
        return self.until_prompt()

    def close(self) -> None:
        os.write(self._leader, b"\x04")  # Ctrl-D
        self.proc.wait(timeout=60)
        os.close(self._leader)


def test_run_at_a_terminal_writes_its_log_to_a_file_and_keeps_it_out_of_the_chat(tmp_path):
    """`rmo-bot run` at a terminal names its log file in the banner, writes the scheduler's and the
    components' lines there, and nothing of the log appears between a question and its answer."""
    data = tmp_path / "data"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail.intake]\nlisten = "127.0.0.1:{free_port()}"\n[http]\nlisten = "127.0.0.1:{free_port()}"\n'
    )
    terminal = _Terminal("run", "--config", str(config), "--data-dir", str(data))
    try:
        banner = terminal.until_prompt()
        first = terminal.ask("入会するには？")
        second = terminal.ask("Who is the representative?")
    finally:
        terminal.close()
    for answer in (first, second):
        assert " INFO " not in answer
        assert "apscheduler" not in answer
        assert "bot.app" not in answer
    log_file = data / "rmo-bot.log"
    assert str(log_file) in banner
    assert "The log is written to" in banner
    assert "入会" in first
    assert "Mayor of Unnan" in second
    written = log_file.read_text(encoding="utf-8")
    assert "rmo-bot running" in written
    assert "http server listening" in written


def test_warnings_wait_until_the_answer_is_written(tmp_path):
    """Warnings logged while the console answers come after the whole answer, each on its own line."""
    config = load_config(None, environ={})
    core = Core.open(config, tmp_path / "d", SystemClock(config.timezone))
    read_end, write_end = os.pipe()
    questions = ["入会するには？", "代表は？", "近畿ブロックの次の会議は？"] * 5
    os.write(write_end, "".join(q + "\n" for q in questions).encode())
    os.close(write_end)
    out = io.StringIO()
    with core, open(read_end, encoding="utf-8") as stdin:  # noqa: PTH123 - a pipe's descriptor
        console = ConsolePlatform(core.commands, stdin=stdin, stdout=out, stop_at_eof=True)
        expected = [console.respond(q).text for q in questions]
        handler = ConsoleLogHandler(console)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        noisy = logging.getLogger("tests.noisy")
        noisy.addHandler(handler)
        done = threading.Event()

        def chatter() -> None:
            while not done.is_set():
                noisy.warning("a warning from another thread")

        worker = threading.Thread(target=chatter)
        worker.start()
        try:
            asyncio.run(console.run(asyncio.Event()))
        finally:
            done.set()
            worker.join()
            noisy.removeHandler(handler)
    text = out.getvalue()
    for answer in expected:
        assert answer + "\n\n" in text  # whole: no log line inside it
    lines = [line for line in text.split("\n") if line.startswith("WARNING")]
    assert all(line == "WARNING a warning from another thread" for line in lines)


def test_under_systemd_log_lines_carry_no_time_of_their_own(tmp_path, monkeypatch):
    """With JOURNAL_STREAM set (systemd) the bot's lines start with the level, as the journal stamps them;
    without it they start with the time, and no log file is made."""
    assert log_format({"JOURNAL_STREAM": "8:12345"}).startswith("%(levelname)s")
    assert log_format({}).startswith("%(asctime)s")
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    try:
        assert setup_logging(logging.INFO) is None
        ours = [h for h in logging.getLogger().handlers if h.get_name() == "rmo-bot"]
        assert len(ours) == 1
        assert ours[0].formatter is not None
        assert ours[0].formatter.format(logging.makeLogRecord({"msg": "hello", "levelname": "INFO", "name": "x"})) == (
            "INFO x: hello"
        )
    finally:
        remove_handlers()
    assert not list(tmp_path.iterdir())


def test_at_a_terminal_a_warning_is_printed_above_the_prompt(tmp_path):
    """At a terminal, a warning that comes while the console waits clears the prompt line, prints itself and
    shows the prompt again; the question typed next is answered as usual."""
    config = load_config(None, environ={})
    leader, follower = pty.openpty()
    out = io.StringIO()

    async def chat(console: ConsolePlatform) -> None:
        running = asyncio.create_task(console.run(asyncio.Event()))
        await until(lambda: out.getvalue().endswith("> "), what="the prompt")
        await asyncio.to_thread(console.show_log_line, "WARNING bot.test: something to know")
        os.write(leader, "代表は？\n".encode())
        await until(lambda: out.getvalue().count("> ") >= 3, what="the answer and the next prompt")
        os.write(leader, b"\x04")
        await running

    with (
        Core.open(config, tmp_path / "d", SystemClock(config.timezone)) as core,
        open(follower, encoding="utf-8", closefd=False) as stdin,
    ):
        console = ConsolePlatform(core.commands, stdin=stdin, stdout=out)
        asyncio.run(chat(console))
        answer = console.respond("代表は？").text
    os.close(leader)
    os.close(follower)
    assert "> \r\x1b[KWARNING bot.test: something to know\n> " + answer + "\n\n> " in out.getvalue()
