"""Configuration: one TOML file, validated whole at start; secrets only from the environment.

Each section (`bot/config_sections.py`) is a frozen dataclass whose fields declare their default, check
and documentation (`setting(...)`), so a key is declared once: the validator reads these declarations,
reports an unknown key (usually a typo) or a wrong value with the file, the key and what is wrong, and
builds the sections. Code reads `config.mail.intake.listen`, which `mypy --strict` checks.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.config_sections import (
    AttachmentsSettings,
    BotSettings,
    CalendarSettings,
    ConsoleSettings,
    ContactSettings,
    DigestSettings,
    DiscordSettings,
    FacebookSettings,
    HttpSettings,
    ImapSettings,
    IntakeSettings,
    Key,
    MailSettings,
    OutboundSettings,
    RemindersSettings,
    SlackSettings,
    WebSettings,
)
from bot.errors import ConfigError
from handlers.attachments import FileRules

__all__ = [
    "SCHEMA",
    "SECRET_VARIABLES",
    "AttachmentsSettings",
    "BotSettings",
    "Config",
    "ConsoleSettings",
    "ContactSettings",
    "DigestSettings",
    "DiscordSettings",
    "FacebookSettings",
    "HttpSettings",
    "ImapSettings",
    "IntakeSettings",
    "Key",
    "MailSettings",
    "OutboundSettings",
    "RemindersSettings",
    "Secrets",
    "SlackSettings",
    "load_config",
]

SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "DISCORD_TOKEN",
    "SMTP_PASSWORD",
    "FACEBOOK_PAGE_TOKEN",
    "IMAP_PASSWORD",
    "IMAP_OAUTH2_TOKEN",
)
_SECRET_WORDS = re.compile(r"token|secret|password|passwd", re.IGNORECASE)

Check = Callable[[Any], str | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Secrets:
    """Credentials, read from the environment only; never printed."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)
    smtp_password: str = field(default="", repr=False)
    facebook_page_token: str = field(default="", repr=False)
    imap_password: str = field(default="", repr=False)
    imap_oauth2_token: str = field(default="", repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Secrets:
        return cls(*(environ.get(name, "") for name in SECRET_VARIABLES))

    def present(self) -> list[str]:
        """The names of the variables that are set (not their values)."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.discord_token,
                  self.smtp_password, self.facebook_page_token, self.imap_password,
                  self.imap_oauth2_token)  # fmt: skip
        return [name for name, value in zip(SECRET_VARIABLES, values, strict=True) if value]


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration: one typed section per table of the file, defaults filled in."""

    source: Path | None = None
    bot: BotSettings = field(default_factory=BotSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    facebook: FacebookSettings = field(default_factory=FacebookSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    web: WebSettings = field(default_factory=WebSettings)
    attachments: AttachmentsSettings = field(default_factory=AttachmentsSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    secrets: Secrets = field(default_factory=Secrets)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot.timezone)

    @property
    def slack_configured(self) -> bool:
        return bool(self.secrets.slack_bot_token)

    @property
    def discord_configured(self) -> bool:
        return bool(self.secrets.discord_token)

    @property
    def facebook_configured(self) -> bool:
        """Both halves are there: the Page to post to and its token."""
        return bool(self.facebook.page_id and self.secrets.facebook_page_token)

    @property
    def file_rules(self) -> FileRules:
        """[attachments] as the relay and the public pages apply it."""
        section = self.attachments
        return FileRules(
            upload=section.upload,
            allowed=frozenset(t.strip().lstrip(".").lower() for t in section.allowed_types),
            slack_max_bytes=section.slack_max_bytes,
            discord_max_bytes=section.discord_max_bytes,
        )

    @property
    def console_enabled(self) -> bool:
        setting = self.console.enabled
        return setting == "on" or (setting == "auto" and not (self.slack_configured or self.discord_configured))

    def data_dir(self, override: Path | None) -> Path:
        """--data-dir, else [bot] data_dir relative to the config file, else ./data."""
        if override is not None:
            return override
        if self.bot.data_dir:
            base = self.source.parent if self.source else Path.cwd()
            return (base / Path(self.bot.data_dir).expanduser()).resolve()
        return Path("data")


# The file's tables, and what each field's annotation means as a kind of value -----------------------

_SECTIONS: dict[str, type[Any]] = {
    "bot": BotSettings, "contact": ContactSettings, "console": ConsoleSettings, "slack": SlackSettings,
    "discord": DiscordSettings, "facebook": FacebookSettings, "mail": MailSettings,
    "reminders": RemindersSettings, "digest": DigestSettings, "calendar": CalendarSettings, "web": WebSettings,
    "attachments": AttachmentsSettings, "http": HttpSettings,
}  # fmt: skip
_KIND_OF_TYPE = {str: "str", int: "int", bool: "bool"}


def _kind(annotation: Any) -> str:  # noqa: ANN401 - a type annotation, whatever form it has
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "str"
    if origin is tuple:
        return f"list[{_KIND_OF_TYPE[typing.get_args(annotation)[0]]}]"
    if origin is Mapping:
        return "dict[str,str]"
    return _KIND_OF_TYPE[annotation]


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """A section's field types, evaluated once (schema and build both read them)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(sys.modules[__name__]))
    return _HINTS[cls]


def _schema_of(cls: type[Any]) -> dict[str, Any]:
    hints = _hints(cls)
    schema: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            schema[f.name] = _schema_of(hints[f.name])
            continue
        default = f.default_factory() if callable(f.default_factory) else f.default
        if isinstance(default, tuple):
            default = list(default)
        elif isinstance(default, Mapping):
            default = dict(default)
        schema[f.metadata.get("key") or f.name] = Key(_kind(hints[f.name]), default, f.metadata["check"],
                                                        f.metadata["doc"])  # fmt: skip
    return schema


# Every key the bot reads, by table (derived from the sections above; the tests walk it).
SCHEMA: dict[str, Any] = {name: _schema_of(cls) for name, cls in _SECTIONS.items()}


def _build(cls: type[T], values: Mapping[str, Any]) -> T:
    """A section from its validated values (lists become tuples, tables read-only mappings)."""
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = values[f.metadata.get("key") or f.name]
        if dataclasses.is_dataclass(hints[f.name]):
            value = _build(hints[f.name], value)
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dict):
            value = MappingProxyType(dict(value))
        kwargs[f.name] = value
    return cls(**kwargs)


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
    sections = {name: _build(cls, values[name]) for name, cls in _SECTIONS.items()}
    return Config(source=path, secrets=Secrets.from_environment(env), **sections)
