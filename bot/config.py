"""Configuration: one TOML file, validated whole at start; secrets only from the environment.

Every key the bot reads is declared once in SCHEMA with its type, default and check, so an unknown
key (usually a typo) and a wrong value are both reported with the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError
from storage.datafile import BLOCK_KEYS

__all__ = [
    "SCHEMA",
    "SECRET_VARIABLES",
    "Config",
    "Key",
    "Secrets",
    "load_config",
]

SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "DISCORD_TOKEN",
    "SMTP_PASSWORD",
)
_SECRET_WORDS = re.compile(r"token|secret|password|passwd", re.IGNORECASE)
_LISTEN = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):(?P<port>\d{1,5})$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]+$|^\[[0-9a-fA-F:]+\]$")
_FROM = re.compile(r"^(?:[^<>]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$")

Check = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its type, default, check and a line of documentation."""

    kind: str  # "str", "int", "bool", "list[str]", "dict[str,str]"
    default: Any
    check: Check | None = None
    doc: str = ""


def _listen(value: str) -> str | None:
    match = _LISTEN.match(value)
    if not match or not 0 <= int(match.group("port")) <= 65535:
        return f'expected "HOST:PORT" such as "127.0.0.1:8025", got {value!r}'
    return None


def _optional_listen(value: str) -> str | None:
    return None if value == "" else _listen(value)


def _url(value: str) -> str | None:
    return None if value == "" or _URL.match(value) else f"expected an http(s) URL, got {value!r}"


def _api_url(value: str) -> str | None:
    return None if _URL.match(value) else f"expected an http(s) URL, got {value!r}"


def _one_of(*allowed: str) -> Check:
    def check(value: str) -> str | None:
        return None if value in allowed else f"expected one of {', '.join(map(repr, allowed))}, got {value!r}"

    return check


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f'unknown time zone {value!r} (use an IANA name such as "Asia/Tokyo")'
    return None


def _emails(values: list[str]) -> str | None:
    bad = [v for v in values if not _EMAIL.match(v)]
    return f"not e-mail addresses: {', '.join(map(repr, bad))}" if bad else None


def _block_map(values: dict[str, str]) -> str | None:
    bad = sorted(set(values) - set(BLOCK_KEYS))
    if bad:
        return f"unknown block {bad[0]!r} (blocks: {' '.join(BLOCK_KEYS)})"
    empty = sorted(k for k, v in values.items() if not v.strip())
    return f"empty channel id for {empty[0]!r}" if empty else None


def _ids(values: list[str]) -> str | None:
    return "an empty id in the list" if any(not v.strip() for v in values) else None


def _host(value: str) -> str | None:
    if value and not _HOST.match(value):
        return f"expected a host name only (the port is [mail.outbound] port), got {value!r}"
    return None


def _address(value: str) -> str | None:
    if value and not _FROM.match(value):
        return f'expected an address such as "rmo-bot <rmo-bot@example.org>", got {value!r}'
    return None


def _days(values: list[int]) -> str | None:
    return None if all(0 < v <= 60 for v in values) else f"expected days from 1 to 60, got {values}"


def _hour(value: int) -> str | None:
    return None if 0 <= value <= 23 else f"expected an hour from 0 to 23, got {value}"


def _port(value: int) -> str | None:
    return None if 0 < value <= 65535 else f"expected a port number from 1 to 65535, got {value}"


def _positive(value: int) -> str | None:
    return None if value > 0 else f"expected a positive number, got {value}"


SCHEMA: dict[str, Any] = {
    "bot": {
        "timezone": Key("str", "Asia/Tokyo", _timezone, "time zone for dates shown and times read"),
        "log_level": Key("str", "INFO", _one_of("DEBUG", "INFO", "WARNING", "ERROR"), "logging level"),
        "data_dir": Key("str", "", None, "data directory (relative to this file); --data-dir overrides"),
    },
    "contact": {
        "secretariat_name": Key("str", "", None, "the secretariat's name as members know it"),
        "secretariat_address": Key("str", "", None, "postal address for application forms"),
        "secretariat_email": Key("str", "", None, "the secretariat's e-mail address"),
        "secretariat_phone": Key("str", "", None, "the secretariat's phone number"),
        "application_form_url": Key("str", "", _url, "where to download the application form"),
        "facebook_url": Key("str", "", _url, "the network's Facebook page"),
        "website_url": Key("str", "", _url, "the network's website"),
        "mailing_list": Key("str", "", None, "the mailing list's address or page"),
    },
    "console": {
        "enabled": Key("str", "auto", _one_of("auto", "on", "off"), "auto: on when no chat platform is set up"),
    },
    "slack": {
        "mode": Key("str", "socket", _one_of("socket", "http"), "Socket Mode needs no public URL"),
        "api_base_url": Key("str", "https://slack.com/api/", _api_url, "Slack Web API base URL"),
        "default_channels": Key("list[str]", [], _ids, "channel ids that receive every announcement"),
        "block_channels": Key("dict[str,str]", {}, _block_map, "block key -> channel id"),
        "secretariat_users": Key("list[str]", [], _ids, "Slack user ids allowed to announce"),
        "secretariat_usergroup": Key("str", "", None, "a Slack user group (id) whose members may announce"),
    },
    "discord": {
        "api_base_url": Key("str", "https://discord.com/api/v10", _api_url, "Discord REST API base URL"),
        "default_channels": Key("list[str]", [], _ids, "channel ids that receive every announcement"),
        "block_channels": Key("dict[str,str]", {}, _block_map, "block key -> channel id"),
        "guild_ids": Key("list[str]", [], _ids, "guilds whose slash commands are synced"),
        "secretariat_roles": Key("list[str]", [], _ids, "Discord role ids allowed to announce"),
    },
    "mail": {
        "intake": {
            "listen": Key("str", "127.0.0.1:8025", _listen, "where the SMTP/LMTP intake listens"),
            "protocol": Key("str", "smtp", _one_of("smtp", "lmtp"), "lmtp when behind Postfix"),
            "addresses": Key("list[str]", [], _emails, "recipient addresses the intake accepts"),
            "list_ids": Key("list[str]", [], None, "List-Id values (inside the angle brackets) accepted"),
            "allowed_senders": Key("list[str]", [], _emails, "author addresses allowed to announce"),
            "max_size": Key("int", 10 * 1024 * 1024, _positive, "largest message accepted, in bytes"),
            "dkim": Key("str", "off", _one_of("off", "verify", "require"), "check DKIM signatures (dkimpy)"),
        },
        "outbound": {
            "host": Key("str", "", _host, "SMTP server; empty writes mail to the data directory's outbox"),
            "port": Key("int", 587, _port, "SMTP port"),
            "from": Key("str", "", _address, "From address of mail the bot sends"),
            "username": Key("str", "", None, "SMTP user (the password is SMTP_PASSWORD)"),
            "starttls": Key("bool", default=True, doc="use STARTTLS"),
            "connections": Key("int", 4, _positive, "SMTP connections a digest run sends over at once"),
        },
    },
    "reminders": {
        "days_before": Key("list[int]", [7, 1], _days, "send a reminder this many days before each meeting"),
        "deadline_days_before": Key("list[int]", [3], _days, "and this many days before a registration deadline"),
        "hour": Key("int", 9, _hour, "the local hour reminders go out at"),
        "grace_hours": Key("int", 12, _positive, "a reminder missed while the bot was down is sent this late at most"),
    },
    "digest": {
        "hour": Key("int", 7, _hour, "the local hour digests go out at (daily ones every day, weekly ones weekly)"),
        "bounce_threshold": Key("int", 3, _positive, "permanent bounces before an address is suspended"),
    },
    "http": {
        "listen": Key("str", "127.0.0.1:8080", _listen, "where the HTTP server listens"),
        "public_url": Key("str", "", _url, "URL the server is reached at from outside, for links in mail"),
    },
}


@dataclass(frozen=True, slots=True)
class Secrets:
    """Credentials, read from the environment only; never printed."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)
    smtp_password: str = field(default="", repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Secrets:
        return cls(*(environ.get(name, "") for name in SECRET_VARIABLES))

    def present(self) -> list[str]:
        """The names of the variables that are set (not their values)."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.discord_token,
                  self.smtp_password)  # fmt: skip
        return [name for name, value in zip(SECRET_VARIABLES, values, strict=True) if value]


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration. `values` holds every key, defaults filled in."""

    source: Path | None
    values: Mapping[str, Any]
    secrets: Secrets = field(default_factory=Secrets)

    def get(self, dotted: str) -> Any:  # noqa: ANN401 - the schema, not the signature, types each key
        """A value by dotted path: `config.get("mail.intake.listen")`."""
        node: Any = self.values
        for part in dotted.split("."):
            node = node[part]
        return node

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.get("bot.timezone"))

    @property
    def contact(self) -> dict[str, str]:
        return dict(self.get("contact"))

    @property
    def slack_configured(self) -> bool:
        return bool(self.secrets.slack_bot_token)

    @property
    def discord_configured(self) -> bool:
        return bool(self.secrets.discord_token)

    @property
    def console_enabled(self) -> bool:
        setting = self.get("console.enabled")
        return setting == "on" or (setting == "auto" and not (self.slack_configured or self.discord_configured))

    def data_dir(self, override: Path | None) -> Path:
        """--data-dir, else [bot] data_dir relative to the config file, else ./data."""
        if override is not None:
            return override
        configured: str = self.get("bot.data_dir")
        if configured:
            base = self.source.parent if self.source else Path.cwd()
            return (base / Path(configured).expanduser()).resolve()
        return Path("data")


_KINDS: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "list[str]": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "list[int]": lambda v: isinstance(v, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in v),
    "dict[str,str]": lambda v: isinstance(v, dict) and all(isinstance(i, str) for i in v.values()),
}
_KIND_NAMES = {"str": "text", "int": "a whole number", "bool": "true or false", "list[str]": "a list of text",
               "list[int]": "a list of whole numbers",
               "dict[str,str]": "a table of text values"}  # fmt: skip


def _validate(raw: Mapping[str, Any], schema: Mapping[str, Any], path: tuple[str, ...], where: str) -> dict[str, Any]:
    def fail(key: str, problem: str) -> ConfigError:
        section = ".".join(path)
        label = f"[{section}] {key}" if section else key
        return ConfigError(f"{where}: {label}: {problem}")

    out: dict[str, Any] = {}
    for key, value in raw.items():
        spec = schema.get(key)
        if spec is None:
            if _SECRET_WORDS.search(key):
                variables = ", ".join(SECRET_VARIABLES)
                raise fail(key, f"secrets are not read from files; remove it and set the environment ({variables})")
            known = ", ".join(sorted(schema))
            raise fail(key, f"unknown key (known here: {known})")
        if isinstance(spec, Key):
            if not _KINDS[spec.kind](value):
                raise fail(key, f"expected {_KIND_NAMES[spec.kind]}, got {value!r}")
            problem = spec.check(value) if spec.check else None
            if problem:
                raise fail(key, problem)
            out[key] = value
        elif not isinstance(value, dict):
            raise fail(key, f"expected a section [{'.'.join((*path, key))}], got {value!r}")
        else:
            out[key] = _validate(value, spec, (*path, key), where)
    for key, spec in schema.items():
        if key not in out:
            out[key] = spec.default if isinstance(spec, Key) else _validate({}, spec, (*path, key), where)
    return out


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate `path` (None: built-in defaults); raise ConfigError naming the key and file."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            msg = f"{path}: no such configuration file"
            raise ConfigError(msg) from None
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"{path}: cannot read it: {exc}"
            raise ConfigError(msg) from None
        except tomllib.TOMLDecodeError as exc:
            msg = f"{path}: not valid TOML: {exc}"
            raise ConfigError(msg) from None
    values = _validate(raw, SCHEMA, (), str(path) if path else "built-in configuration")
    return Config(source=path, values=values, secrets=Secrets.from_environment(env))
