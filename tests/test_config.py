"""Configuration: validated whole at start; every error names the file, the key and the problem."""

from __future__ import annotations

import tomllib

import pytest

from bot.config import SCHEMA, Key, load_config
from bot.errors import ConfigError
from tests.helpers import ROOT, rmo_bot

EXAMPLE = ROOT / "config.example.toml"


def _keys(schema, prefix=()):
    for name, spec in schema.items():
        if isinstance(spec, Key):
            yield (*prefix, name)
        else:
            yield from _keys(spec, (*prefix, name))


def test_example_loads_and_covers_every_key():
    """config.example.toml is valid and shows every key the bot reads."""
    load_config(EXAMPLE, environ={})
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for path in _keys(SCHEMA):
        node = example
        for part in path:
            assert part in node, f"config.example.toml lacks {'.'.join(path)}"
            node = node[part]


def test_defaults_without_a_file():
    """With no file the embedded defaults apply: loopback listeners, console on, the real APIs."""
    config = load_config(None, environ={})
    assert config.mail.intake.listen == "127.0.0.1:8025"
    assert config.slack.api_base_url == "https://slack.com/api/"
    assert config.console_enabled


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[mail.intake]\nlisten = "localhost"\n', '[mail.intake] listen: expected "HOST:PORT"'),
        ('[mail.intake]\nlist_id = ["a"]\n', "[mail.intake] list_id: unknown key"),
        ('[mail.outbound]\nport = "25"\n', "[mail.outbound] port: expected a whole number"),
        ("[mail.outbound]\nport = 70000\n", "[mail.outbound] port: expected a port number"),
        ('[slack]\nmode = "websocket"\n', "[slack] mode: expected one of 'socket', 'http'"),
        ('[slack]\nbot_token = "xoxb-1"\n', "[slack] bot_token: secrets are not read from files"),
        ('[discord]\napi_base_url = "discord.com"\n', "[discord] api_base_url: expected an http(s) URL"),
        ('[slack]\nblock_channels = { kansai = "C1" }\n', "[slack] block_channels: unknown block 'kansai'"),
        ('[bot]\ntimezone = "Japan/Tokyo"\n', "[bot] timezone: unknown time zone"),
        ('[mail.intake]\nallowed_senders = ["secretariat"]\n', "[mail.intake] allowed_senders: not e-mail addresses"),
        ('slack = "on"\n', "slack: expected a section [slack]"),
        ("[bot\n", "not valid TOML"),
        ('[bot]\ntimezone = "Asia"\n', "[bot] timezone: unknown time zone 'Asia'"),
        ('[mail.outbound]\nhost = "smtp.example.org:587"\n', "[mail.outbound] host: expected a host name only"),
        ('[slack]\nblock_channels = { kinki = "" }\n', "[slack] block_channels: empty channel id for 'kinki'"),
        ('[discord]\nguild_ids = [""]\n', "[discord] guild_ids: an empty id in the list"),
        ('[http]\ntrusted_proxies = ["proxy.local"]\n', "[http] trusted_proxies: expected addresses or networks"),
        ('[attachments]\nallowed_types = ["pdf", "exe"]\n', "[attachments] allowed_types: 'exe' can carry a program"),
        ('[attachments]\nallowed_types = ["svg"]\n', "[attachments] allowed_types: 'svg' can carry a program"),
        ('[attachments]\nallowed_types = ["pdff"]\n', "[attachments] allowed_types: unknown file type 'pdff'"),
        ("[attachments]\ndiscord_max_bytes = 0\n", "[attachments] discord_max_bytes: expected a positive number"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path, toml, expected):
    """Each mistake is reported with the file, the key and what is wrong with it."""
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ={})
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_secrets_come_from_the_environment_and_are_never_printed():
    """Secrets are read from the environment; the config's repr and check-config show names, not values."""
    config = load_config(None, environ={"SLACK_BOT_TOKEN": "xoxb-secret-value", "DISCORD_TOKEN": "disc-secret"})
    assert config.slack_configured
    assert config.discord_configured
    assert not config.console_enabled
    assert "secret-value" not in repr(config)
    result = rmo_bot("check-config", env={"SLACK_BOT_TOKEN": "xoxb-secret-value"})
    assert result.returncode == 0, result.stderr
    assert "SLACK_BOT_TOKEN" in result.stdout
    assert "secret-value" not in result.stdout + result.stderr


def test_cli_reports_a_bad_config_without_a_traceback(tmp_path):
    """`rmo-bot check-config` on a bad file exits 1 with one clear line."""
    path = tmp_path / "config.toml"
    path.write_text('[http]\nlisten = "0.0.0.0"\n', encoding="utf-8")
    result = rmo_bot("check-config", "--config", path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f'rmo-bot: error: {path}: [http] listen: expected "HOST:PORT" such as "127.0.0.1:8025", got \'0.0.0.0\''
    )


def test_config_toml_in_the_working_directory_is_used(tmp_path):
    """Without --config, ./config.toml is read when present."""
    (tmp_path / "config.toml").write_text('[console]\nenabled = "off"\n', encoding="utf-8")
    result = rmo_bot("check-config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "configuration: config.toml: OK" in result.stdout
    assert "platforms: none\n" in result.stdout
