"""Configuration: one TOML file, validated whole at start; secrets only from the environment.

Each section is a frozen dataclass whose fields declare their default, check and documentation
(`setting(...)`), so a key is declared once: the validator reads these declarations, reports an unknown
key (usually a typo) or a wrong value with the file, the key and what is wrong, and builds the
sections. Code reads `config.mail.intake.listen`, which `mypy --strict` checks.
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

from bot import config_checks as checks
from bot.errors import ConfigError

__all__ = [
    "SCHEMA",
    "SECRET_VARIABLES",
    "BotSettings",
    "Config",
    "ConsoleSettings",
    "ContactSettings",
    "DigestSettings",
    "DiscordSettings",
    "HttpSettings",
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
)
_SECRET_WORDS = re.compile(r"token|secret|password|passwd", re.IGNORECASE)

Check = Callable[[Any], str | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its type, default, check and a line of documentation."""

    kind: str  # "str", "int", "bool", "list[str]", "list[int]", "dict[str,str]"
    default: Any
    check: Check | None = None
    doc: str = ""


def setting(default: T, check: Check | None = None, doc: str = "", *, key: str | None = None) -> T:
    """A field of a settings section: its default, check, documentation and (when it is no Python
    name, like `from`) the key it has in the file."""
    if isinstance(default, (list, dict)):
        msg = "defaults are immutable: use a tuple or a MappingProxyType"
        raise TypeError(msg)
    meta = {"check": check, "doc": doc, "key": key}
    if isinstance(default, Mapping):  # a read-only table, made afresh for each instance
        frozen = dict(default)
        return typing.cast("T", field(default_factory=lambda: MappingProxyType(frozen), metadata=meta))
    made: T = field(default=default, metadata=meta)
    return made


_NO_CHANNELS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class BotSettings:
    timezone: str = setting("Asia/Tokyo", checks.timezone, "time zone for dates shown and times read")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting(
        "INFO", checks.one_of("DEBUG", "INFO", "WARNING", "ERROR"), "logging level"
    )
    data_dir: str = setting("", None, "data directory (relative to this file); --data-dir overrides")


@dataclass(frozen=True, slots=True)
class ContactSettings:
    secretariat_name: str = setting("", None, "the secretariat's name as members know it")
    secretariat_address: str = setting("", None, "postal address for application forms")
    secretariat_email: str = setting("", None, "the secretariat's e-mail address")
    secretariat_phone: str = setting("", None, "the secretariat's phone number")
    application_form_url: str = setting("", checks.url, "where to download the application form")
    facebook_url: str = setting("", checks.url, "the network's Facebook page")
    website_url: str = setting("", checks.url, "the network's website")
    mailing_list: str = setting("", None, "the mailing list's address or page")

    def as_placeholders(self) -> dict[str, str]:
        """Every value by its key, as FAQ answers use them (`{secretariat_email}`)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    enabled: Literal["auto", "on", "off"] = setting(
        "auto", checks.one_of("auto", "on", "off"), "auto: on when no chat platform is set up"
    )


@dataclass(frozen=True, slots=True)
class SlackSettings:
    mode: Literal["socket", "http"] = setting(
        "socket", checks.one_of("socket", "http"), "Socket Mode needs no public URL"
    )
    api_base_url: str = setting("https://slack.com/api/", checks.api_url, "Slack Web API base URL")
    default_channels: tuple[str, ...] = setting((), checks.ids, "channel ids that receive every announcement")
    block_channels: Mapping[str, str] = setting(_NO_CHANNELS, checks.block_map, "block key -> channel id")
    secretariat_users: tuple[str, ...] = setting((), checks.ids, "Slack user ids allowed to announce")
    secretariat_usergroup: str = setting("", None, "a Slack user group (id) whose members may announce")
    secretariat_channel: str = setting("", None, "where meetings read from posts are proposed (default: DMs)")


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    api_base_url: str = setting("https://discord.com/api/v10", checks.api_url, "Discord REST API base URL")
    default_channels: tuple[str, ...] = setting((), checks.ids, "channel ids that receive every announcement")
    block_channels: Mapping[str, str] = setting(_NO_CHANNELS, checks.block_map, "block key -> channel id")
    guild_ids: tuple[str, ...] = setting((), checks.ids, "guilds whose slash commands are synced")
    secretariat_roles: tuple[str, ...] = setting((), checks.ids, "Discord role ids allowed to announce")
    secretariat_channel: str = setting("", None, "a private channel id where meetings read from posts are proposed")


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    listen: str = setting("127.0.0.1:8025", checks.listen, "where the SMTP/LMTP intake listens")
    protocol: Literal["smtp", "lmtp"] = setting("smtp", checks.one_of("smtp", "lmtp"), "lmtp when behind Postfix")
    addresses: tuple[str, ...] = setting((), checks.emails, "recipient addresses the intake accepts")
    list_ids: tuple[str, ...] = setting((), None, "List-Id values (inside the angle brackets) accepted")
    allowed_senders: tuple[str, ...] = setting((), checks.emails, "author addresses allowed to announce")
    list_addresses: tuple[str, ...] = setting(
        (), checks.emails, "the list's own From addresses, beside its List-Post (for unwrapping DMARC rewrites)"
    )
    subject_tags: tuple[str, ...] = setting((), None, 'subject tags that are the list\'s, beside its name ("[RMO]")')
    max_size: int = setting(10 * 1024 * 1024, checks.positive, "largest message accepted, in bytes")
    max_connections: int = setting(100, checks.positive, "SMTP/LMTP connections open at once, at most")
    max_connections_per_client: int = setting(20, checks.positive, "of them from one address (IPv6: one /64)")
    idle_timeout: int = setting(60, checks.positive, "seconds a connection may wait for the next command")
    keep_refused_bytes: int = setting(64 * 1024, checks.positive, "how much of a refused mail is kept (its start)")
    quarantine_max_bytes: int = setting(
        256 * 1024 * 1024, checks.positive, "all kept mail together at most this big: the oldest goes first"
    )
    quarantine_days: int = setting(90, checks.positive, "kept mail older than this many days is dropped")
    dkim: Literal["off", "verify", "require"] = setting(
        "off", checks.one_of("off", "verify", "require"), "check DKIM signatures (dkimpy)"
    )


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    host: str = setting("", checks.host, "SMTP server; empty writes mail to the data directory's outbox")
    port: int = setting(587, checks.port, "SMTP port")
    from_address: str = setting("", checks.address, "From address of mail the bot sends", key="from")
    username: str = setting("", None, "SMTP user (the password is SMTP_PASSWORD)")
    starttls: bool = setting(default=True, doc="use STARTTLS")
    connections: int = setting(4, checks.positive, "SMTP connections a digest run sends over at once")


@dataclass(frozen=True, slots=True)
class MailSettings:
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    outbound: OutboundSettings = field(default_factory=OutboundSettings)


@dataclass(frozen=True, slots=True)
class RemindersSettings:
    days_before: tuple[int, ...] = setting((7, 1), checks.days, "send a reminder this many days before each meeting")
    deadline_days_before: tuple[int, ...] = setting(
        (3,), checks.days, "and this many days before a registration deadline"
    )
    hour: int = setting(9, checks.hour, "the local hour reminders go out at")
    grace_hours: int = setting(
        12, checks.positive, "a reminder missed while the bot was down is sent this late at most"
    )


@dataclass(frozen=True, slots=True)
class DigestSettings:
    hour: int = setting(7, checks.hour, "the local hour digests go out at (daily ones every day, weekly ones weekly)")
    bounce_threshold: int = setting(3, checks.positive, "permanent bounces before an address is suspended")


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    auto_accept: bool = setting(
        default=False, doc="put meetings read from posts on the calendar unasked when nothing is in doubt"
    )


@dataclass(frozen=True, slots=True)
class WebSettings:
    public: bool = setting(default=True, doc="serve the public pages: /, /announcements/ID, /feed.atom, the calendars")


@dataclass(frozen=True, slots=True)
class HttpSettings:
    listen: str = setting("127.0.0.1:8080", checks.listen, "where the HTTP server listens")
    public_url: str = setting("", checks.url, "URL the server is reached at from outside, for links in mail")
    trusted_proxies: tuple[str, ...] = setting((), checks.networks, "proxies whose X-Forwarded-For is believed")


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
    """The validated configuration: one typed section per table of the file, defaults filled in."""

    source: Path | None = None
    bot: BotSettings = field(default_factory=BotSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    web: WebSettings = field(default_factory=WebSettings)
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
    "discord": DiscordSettings, "mail": MailSettings, "reminders": RemindersSettings, "digest": DigestSettings,
    "calendar": CalendarSettings, "web": WebSettings, "http": HttpSettings,
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
