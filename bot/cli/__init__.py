"""The command line: `rmo-bot COMMAND [--config FILE] [--data-dir DIR] …`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import FrozenClock, ShiftedClock, SystemClock, parse_instant
from bot.config import Config, load_config
from storage.errors import RmoBotError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bot.core import Core
    from handlers.ports import Clock

__all__ = ["main"]

_log = logging.getLogger("bot")


def _instant(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        msg = f"not an ISO-8601 date and time: {text!r} (for example 2026-11-25T10:00:00+09:00)"
        raise argparse.ArgumentTypeError(msg) from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a whole number of at least 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="configuration file (default: ./config.toml if present)")
    parser.add_argument("--data-dir", type=Path, help="data directory (default: ./data)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rmo-bot",
        description="小規模多機能自治推進ネットワーク会議 community bot.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub)
        return sub

    run = command("run", "run the bot: every configured platform (the console when none is)")
    run.add_argument("--now", type=_instant, help="run as if it were this ISO-8601 instant (time runs on from there)")
    console = command("console", "chat with the bot in this terminal")
    console.add_argument("--secretariat", action="store_true",
                         help="as the secretariat: /rmo event … keeps the calendar from here")  # fmt: skip
    ask = command("ask", "answer one question and exit")
    ask.add_argument("text", help="the question")
    ask.add_argument("--now", type=_instant, help="answer as if it were this ISO-8601 instant")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    imp = command("import", "import (upsert) a data file: events, blocks, officers, members, FAQ")
    imp.add_argument("file", type=Path)
    exp = command("export", "print everything in the store as a data file")
    exp.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    command("check-config", "validate the configuration and say what would run")
    ingest = command("ingest", "run one raw message (.eml) through the mail intake, as the listener would")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--json", action="store_true", help="print the result and every payload as JSON")
    ingest.add_argument("--now", type=_instant, help="as if it arrived at this ISO-8601 instant")
    box = command("quarantine", "mail kept but not relayed: list, show ID, release ID")
    box.add_argument("action", choices=("list", "show", "release"))
    box.add_argument("id", nargs="?")
    subs = command("subscribers", "digest subscribers: add EMAIL, list, show EMAIL, remove EMAIL")
    subs.add_argument("action", choices=("add", "list", "show", "remove"))
    subs.add_argument("email", nargs="?")
    subs.add_argument("--json", action="store_true", help="list, show: print JSON")
    subs.add_argument("--lang", choices=("ja", "en"), default="ja")
    subs.add_argument("--frequency", choices=("daily", "weekly"), default="weekly")
    subs.add_argument("--blocks", help="block keys, comma-separated (default: all)")
    subs.add_argument("--confirmed", action="store_true", help="skip the confirmation mail (the secretariat vouches)")
    subs.add_argument("--now", type=_instant, help="as if it were this ISO-8601 instant")
    dig = command("digest", "e-mail digests: send every one that is due, or preview one subscriber's")
    dig.add_argument("action", choices=("send", "preview"))
    dig.add_argument("email", nargs="?")
    dig.add_argument("--now", type=_instant, help="as if it were this ISO-8601 instant")
    ev = command("events", "the calendar: list, add, move ID, cancel ID; meetings read from posts: proposals, "
                 "accept ID, reject ID")  # fmt: skip
    ev.add_argument("action", choices=("list", "add", "move", "cancel", "proposals", "accept", "reject"))
    ev.add_argument("words", nargs="*", help="the id (and for add and move, the time: 2027-01-20 13:30-16:30 …)")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.add_argument("--all", action="store_true", help="list: past and cancelled ones too")
    ev.add_argument("--now", type=_instant, help="as if it were this ISO-8601 instant")
    posts = command("announcements", "relayed posts: list, show ID, withdraw ID, correct ID --file FILE")
    posts.add_argument("action", choices=("list", "show", "withdraw", "correct"))
    posts.add_argument("id", nargs="?", help="the post's id (a0123456789abcdef)")
    posts.add_argument("--file", type=Path, help="correct: the corrected text (UTF-8)")
    posts.add_argument("--subject", help="correct: a corrected subject too")
    posts.add_argument("--json", action="store_true", help="list: print a JSON list")
    posts.add_argument("--lang", choices=("ja", "en"), default="ja", help="the language of the answer")
    out = command("outbox", "deliveries waiting to be posted: list, or retry the ones given up on")
    out.add_argument("action", choices=("list", "retry"), nargs="?", default="list")
    unanswered = command("unanswered", "list the questions the bot could not answer")
    unanswered.add_argument("--limit", type=_positive, default=50, help="at most this many, newest first")
    unanswered.add_argument("--json", action="store_true", help="print JSON lines")
    return parser


def _config(args: argparse.Namespace) -> Config:
    path: Path | None = args.config
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    return load_config(path)


def _setup_logging(config: Config, *, quiet: bool) -> None:
    from bot.logs import setup_logging

    setup_logging(logging.WARNING if quiet else getattr(logging, config.bot.log_level))


def _open(config: Config, args: argparse.Namespace, clock: Clock, *, read_only_fallback: bool = False) -> Core:
    from bot.core import Core

    return Core.open(config, config.data_dir(args.data_dir), clock, read_only_fallback=read_only_fallback)


def _cmd_ask(config: Config, args: argparse.Namespace) -> int:
    tz = config.timezone
    clock: Clock = FrozenClock(parse_instant(args.now, tz)) if args.now else SystemClock(tz)
    # While `rmo-bot run` holds the directory, answer from a read-only view (nothing is recorded then).
    with _open(config, args, clock, read_only_fallback=True) as core:
        from handlers.messages import Incoming

        reply = core.answerer.answer(Incoming(text=args.text, platform="cli"))
    if args.json:
        payload = {
            "intent": reply.intent,
            "block": reply.block,
            "lang": reply.lang,
            "text": reply.text,
            "events": [e.id for e in reply.events],
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(reply.text)
    return 0


def _cmd_import(config: Config, args: argparse.Namespace) -> int:
    with _open(config, args, SystemClock(config.timezone)) as core:
        data = core.load_data_file(args.file)
        changed = core.store.apply(data, now=core.clock.now())
    total = sum(changed.values())
    details = ", ".join(f"{section} {count}" for section, count in changed.items())
    print(f"{args.file}: {total} changed ({details})" if total else f"{args.file}: nothing changed ({details})")
    return 0


def _cmd_export(config: Config, args: argparse.Namespace) -> int:
    from storage.export import dump_dataset

    with _open(config, args, SystemClock(config.timezone), read_only_fallback=True) as core:
        text = dump_dataset(core.store.export())
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            msg = f"cannot write {args.output}: {exc.strerror or exc}"
            raise StoreError(msg) from exc
    else:
        sys.stdout.write(text)
    return 0


def _cmd_unanswered(config: Config, args: argparse.Namespace) -> int:
    with _open(config, args, SystemClock(config.timezone), read_only_fallback=True) as core:
        questions = core.store.unanswered.recent(args.limit)
    if args.json:
        for q in questions:
            print(json.dumps(q.to_doc(), ensure_ascii=False))
        return 0
    if not questions:
        print("未回答の質問はありません。/ No unanswered questions.")
        return 0
    tz = config.timezone
    for q in questions:
        when = q.asked_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        guess = f" (近い意図/closest: {q.intent_guess})" if q.intent_guess else ""
        # Members wrote these: never let their control characters drive the secretariat's terminal.
        text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in q.text)
        print(f"{when}  [{q.platform}/{q.lang}]  {text}{guess}")
    return 0


def _cmd_check_config(config: Config, args: argparse.Namespace) -> int:
    from bot.cli.check import check_config

    return check_config(config, args)


def _cmd_mail(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import mail as mailcli

    now = getattr(args, "now", None)
    clock: Clock = FrozenClock(parse_instant(now, config.timezone)) if now else SystemClock(config.timezone)
    # Looking works beside a running bot (from a read-only view); ingesting, releasing and retrying do not.
    looking = args.command in {"quarantine", "outbox"} and args.action in {"list", "show"}
    with _open(config, args, clock, read_only_fallback=looking) as core:
        handler = {"ingest": mailcli.ingest, "quarantine": mailcli.quarantine, "outbox": mailcli.outbox}[args.command]
        return handler(core, config, args)


def _cmd_digest(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import digest as digestcli

    now = getattr(args, "now", None)
    clock: Clock = FrozenClock(parse_instant(now, config.timezone)) if now else SystemClock(config.timezone)
    reading = args.command == "subscribers" and args.action in {"list", "show"}  # works beside a running bot
    with _open(config, args, clock, read_only_fallback=reading) as core:
        handler = digestcli.digest if args.command == "digest" else digestcli.subscribers
        return handler(core, config, args)


def _cmd_events(config: Config, args: argparse.Namespace) -> int:
    from bot.cli.events import events

    clock: Clock = FrozenClock(parse_instant(args.now, config.timezone)) if args.now else SystemClock(config.timezone)
    read_only = args.action in {"list", "proposals"}  # listing works beside a running bot (changing does not)
    with _open(config, args, clock, read_only_fallback=read_only) as core:
        return events(core, config, args)


def _cmd_announcements(config: Config, args: argparse.Namespace) -> int:
    from bot.cli.announcements import announcements

    read_only = args.action in {"list", "show"}  # reading works beside a running bot (changing does not)
    with _open(config, args, SystemClock(config.timezone), read_only_fallback=read_only) as core:
        return announcements(core, args)


def _cmd_run(config: Config, args: argparse.Namespace, *, console_only: bool = False) -> int:
    import asyncio

    from bot.app import Application, Component, HealthBoard, build_components
    from bot.limits import raise_open_files_limit, share_the_interpreter
    from bot.logs import LOG_FILE, setup_logging
    from bot.platforms.console.adapter import ConsolePlatform
    from bot.shutdown import ShutdownDeadline
    from handlers.texts import say

    raise_open_files_limit(config.mail.intake.max_connections)
    share_the_interpreter()
    now, tz = getattr(args, "now", None), config.timezone
    clock: Clock = ShiftedClock(parse_instant(now, tz), tz) if now else SystemClock(tz)
    with _open(config, args, clock) as core:
        health = HealthBoard(core)
        components: list[Component] = [] if console_only else build_components(core, health)
        if not console_only:
            core.warm_up()  # before the loop runs: the first post must not compile patterns on it
        notice = ""
        if core.store.events.count() == 0:
            notice = f"{say('console.empty_calendar', 'ja')}\n{say('console.empty_calendar', 'en')}"
            _log.warning("the calendar is empty: meetings read from the list's posts are proposed to the "
                         "secretariat (rmo-bot events proposals); rmo-bot import loads a data file")  # fmt: skip
        if console_only or config.console_enabled:
            secretariat = bool(getattr(args, "secretariat", False))
            console = ConsolePlatform(core.commands, stop_at_eof=console_only, notice=notice, secretariat=secretariat)
            if sys.stdin.isatty():
                # A terminal chat: the log goes to a file, and only warnings come through the console.
                log_file = setup_logging(getattr(logging, config.bot.log_level), console=console,
                                         log_file=core.store.directory / LOG_FILE)  # fmt: skip
                if log_file is not None:
                    console.add_notice(f"{say('console.log_file', 'ja', path=log_file)}\n"
                                       f"{say('console.log_file', 'en', path=log_file)}")  # fmt: skip
            components.append(console)
        asyncio.run(Application(core, components, health, ShutdownDeadline()).run())
    return 0


_COMMANDS: dict[str, Callable[[Config, argparse.Namespace], int]] = {
    "ask": _cmd_ask,
    "import": _cmd_import,
    "export": _cmd_export,
    "unanswered": _cmd_unanswered,
    "check-config": _cmd_check_config,
    "ingest": _cmd_mail,
    "quarantine": _cmd_mail,
    "outbox": _cmd_mail,
    "subscribers": _cmd_digest,
    "digest": _cmd_digest,
    "events": _cmd_events,
    "announcements": _cmd_announcements,
    "run": _cmd_run,
    "console": lambda config, args: _cmd_run(config, args, console_only=True),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `rmo-bot` and `python -m bot`."""
    args = _parser().parse_args(argv)
    try:
        config = _config(args)
        _setup_logging(config, quiet=args.command not in {"run", "console"})
        return _COMMANDS[args.command](config, args)
    except RmoBotError as exc:
        print(f"rmo-bot: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one readable line for the user; the traceback goes to the log
        _log.debug("unexpected failure", exc_info=True)
        print(f'rmo-bot: error: unexpected {type(exc).__name__}: {exc} (run with log_level = "DEBUG" for details)',
              file=sys.stderr)  # fmt: skip
        return 1
