"""Settings are read once, validated, and never show secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert not (settings.discord_enabled or settings.slack_socket_enabled or settings.slack_http_enabled)
    assert settings.slack_command == "/speech"
    import platformdirs

    assert settings.data_dir == platformdirs.user_data_path("speechbot", appauthor=False)
    assert settings.cache_dir == platformdirs.user_cache_path("speechbot", appauthor=False)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\nSLACK_COMMAND=quoteit\nPORT=8080\n")
    settings = load_settings({"PORT": "9000"}, env_file=env_file)
    assert settings.discord_token == "from-file"
    assert settings.slack_command == "/quoteit"
    assert settings.port == 9000


def test_secrets_are_masked_in_repr(tmp_path: Path) -> None:
    settings = load_settings(
        {"DISCORD_TOKEN": "not-a-real-token", "DATABASE_URL": "postgresql://u:pw@h/db"}, env_file=None
    )
    shown = repr(settings)
    assert "not-a-real-token" not in shown and "pw@" not in shown


@pytest.mark.parametrize(("name", "value"), [("PORT", "eighty"), ("DISCORD_SHARD_IDS", "0,x")])
def test_malformed_numbers_give_a_clear_error(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, env_file=None)


def test_texts_setting_accepts_several_folders() -> None:
    import os

    settings = load_settings({"SPEECHBOT_TEXTS": f"a{os.pathsep}b"}, env_file=None)
    assert settings.texts == (Path("a"), Path("b"))


def test_env_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes("\ufeffDISCORD_TOKEN=from-notepad\n".encode())
    assert load_settings({}, env_file=env_file).discord_token == "from-notepad"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"DISCORD_TOKEN=abc\nthis line is not a setting\n", r"\.env, line 2: write settings as NAME=value"),
        (b"DISCORD_TOKEN=\xe9t\xe9\n", r"\.env is not UTF-8 text"),
    ],
)
def test_a_malformed_env_file_is_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings({}, env_file=env_file)
    assert "\n" not in str(raised.value) and "abc" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "0"), ("PORT", "70000"), ("LOG_LEVEL", "loud"), ("LOG_LEVEL", "verbose")]
)
def test_out_of_range_settings_give_a_clear_error(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, env_file=None)


def test_log_level_is_accepted_in_any_case() -> None:
    assert load_settings({"LOG_LEVEL": " debug "}, env_file=None).log_level == "DEBUG"


def test_a_heroku_style_dyno_marks_the_disk_as_throwaway() -> None:
    assert load_settings({"DYNO": "worker.1"}, env_file=None).ephemeral_disk
    assert not load_settings({}, env_file=None).ephemeral_disk
