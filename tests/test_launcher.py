"""`speechbot run` wiring: every platform and the scheduler in one loop, and start-up failures as one line."""

from __future__ import annotations

import argparse
import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot import launcher
from bot.config import ConfigError, Settings, load_settings
from bot.core.library import Library
from bot.discord import DiscordStartError
from bot.store import SubscriptionSpec, open_store
from tests.fakes.discord_api import CHANNEL_ID, GUILD_ID, FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
DISCORD_ONLY = launcher.Plan(discord=True, daily=frozenset({"discord"}))
EVERYTHING = Settings(
    discord_token="unused-test-token",
    slack_bot_token="xoxb-fake-bot-token-not-real",
    slack_app_token="xapp-fake-app-token-not-real",
    slack_signing_secret="fake-signing-secret",
)


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    server = FakeDiscord()
    await server.start()
    server.patch(monkeypatch)
    yield server  # type: ignore[misc]
    await server.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_rejected_discord_token_stops_everything_with_one_line(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token="wrong-test-token", data_dir=tmp_path)
    with pytest.raises(DiscordStartError, match=r"^Discord rejected DISCORD_TOKEN"):
        await asyncio.wait_for(launcher._serve(settings, library, DISCORD_ONLY), 10)
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []  # the scheduler does not keep running on a closed database


async def test_unreachable_database_is_one_line_without_the_password(library: Library, tmp_path: Path) -> None:
    url = f"postgresql://speechbot:not-a-real-password@127.0.0.1:{_free_port()}/speechbot"
    settings = Settings(discord_token="unused-test-token", data_dir=tmp_path, database_url=url)
    with pytest.raises(ConfigError) as caught:
        await asyncio.wait_for(launcher._serve(settings, library, DISCORD_ONLY), 10)
    message = str(caught.value)
    assert message.startswith("Could not open the database (") and "\n" not in message
    assert "not-a-real-password" not in message


async def test_slack_subscriptions_are_left_alone_when_only_discord_runs(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    store = open_store(None, tmp_path)
    spec = SubscriptionSpec("slack", "T0FAKETEAM", "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # overdue
    store.save_subscription(spec, now=past, next_run_at=past, next_local_date=past.date())
    store.close()
    settings = Settings(discord_token=fake.token, data_dir=tmp_path)
    task = asyncio.create_task(launcher._serve(settings, library, DISCORD_ONLY))
    await fake.wait_connected()
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reopened = open_store(None, tmp_path)
    sub = reopened.subscription("slack", "T0FAKETEAM", "C0FAKECHAN")
    reopened.close()
    assert sub is not None and sub.next_run_at == past and sub.last_error is None


def test_slack_http_flag_without_signing_secret_is_one_line_not_the_console(library: Library, tmp_path: Path) -> None:
    args = argparse.Namespace(command="run", slack_http=True, port=None, host=None, shard_ids=None, shard_count=None)
    settings = Settings(slack_bot_token="xoxb-fake-bot-token-not-real", data_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"^--slack-http needs SLACK_SIGNING_SECRET"):
        launcher.run(args, settings, library)


async def test_half_configured_slack_beside_discord_is_said_in_the_log(
    fake: FakeDiscord, library: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(discord_token=fake.token, slack_bot_token="xoxb-fake-bot-token-not-real", data_dir=tmp_path)
    task = asyncio.create_task(launcher._serve(settings, library, DISCORD_ONLY))
    await fake.wait_connected()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "Slack is not started: SLACK_BOT_TOKEN needs SLACK_APP_TOKEN or SLACK_SIGNING_SECRET" in caplog.text
    assert "xoxb-" not in caplog.text


def _role(command_line: str, settings: Settings = EVERYTHING) -> launcher.Plan | None:
    from bot.cli import build_parser

    args = build_parser().parse_args(command_line.split()[1:])  # without the leading `speechbot`
    return launcher.plan(args, settings)


def test_procfile_connects_discord_in_one_process_and_slack_in_another() -> None:
    roles = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(roles) == {"web", "worker", "release"}
    assert roles["release"] == "speechbot db upgrade"
    web, worker = _role(roles["web"]), _role(roles["worker"])
    assert web == launcher.Plan(discord=False, slack="http", daily=frozenset(), chosen=True)
    assert worker == launcher.Plan(discord=True, slack=None, daily=frozenset({"discord", "slack"}), chosen=True)


@pytest.mark.parametrize(
    ("command_line", "expected"),
    [
        ("speechbot run", launcher.Plan(discord=True, slack="socket", daily=frozenset({"discord", "slack"}))),
        ("speechbot", launcher.Plan(discord=True, slack="socket", daily=frozenset({"discord", "slack"}))),
        ("speechbot run discord", launcher.Plan(discord=True, daily=frozenset({"discord"}), chosen=True)),
        ("speechbot run slack", launcher.Plan(slack="socket", daily=frozenset({"slack"}), chosen=True)),
        ("speechbot run slack --slack-http", launcher.Plan(slack="http", daily=frozenset({"slack"}), chosen=True)),
        ("speechbot run discord slack --daily off", launcher.Plan(True, "socket", frozenset(), chosen=True)),
    ],
)
def test_run_connects_only_the_platforms_named(command_line: str, expected: launcher.Plan) -> None:
    assert _role(command_line) == expected


@pytest.mark.parametrize(
    ("command_line", "settings", "message"),
    [
        ("speechbot run discord", Settings(slack_bot_token="xoxb-x", slack_app_token="xapp-x"), "needs DISCORD_TOKEN"),
        ("speechbot run slack", Settings(discord_token="unused"), "`speechbot run slack` needs SLACK_BOT_TOKEN"),
        ("speechbot run discord --slack-http", EVERYTHING, "--slack-http is for Slack"),
    ],
)
def test_a_platform_that_cannot_start_is_one_line(command_line: str, settings: Settings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _role(command_line, settings)


def test_unknown_platform_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "teams"])
    assert exited.value.code == 2
    assert "'teams' is not a platform; choose discord or slack" in capsys.readouterr().err


def test_daily_all_adds_slack_posting_without_a_slack_connection() -> None:
    settings = Settings(discord_token="unused", slack_bot_token="xoxb-fake-bot-token-not-real")
    assert _role("speechbot run discord --daily all", settings) == launcher.Plan(
        discord=True, daily=frozenset({"discord", "slack"}), chosen=True
    )
    assert _role("speechbot run discord --daily all", Settings(discord_token="unused")) == launcher.Plan(
        discord=True, daily=frozenset({"discord"}), chosen=True
    )


def test_no_configured_platform_means_the_console() -> None:
    assert _role("speechbot run", Settings()) is None


async def test_sqlite_on_a_throwaway_disk_is_warned_about_at_start(
    fake: FakeDiscord, library: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(discord_token=fake.token, data_dir=tmp_path, ephemeral_disk=True)
    task = asyncio.create_task(launcher._serve(settings, library, DISCORD_ONLY))
    await fake.wait_connected()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "this host (DYNO is set) wipes its disk" in caplog.text
    assert "Set DATABASE_URL to a PostgreSQL database" in caplog.text


def test_no_disk_warning_with_a_database_url_or_a_lasting_disk(caplog: pytest.LogCaptureFixture) -> None:
    launcher.warn_about_disk(Settings(ephemeral_disk=True, database_url="postgresql://db.invalid/x"))
    launcher.warn_about_disk(Settings(ephemeral_disk=False))
    assert "DYNO" not in caplog.text


def test_an_old_data_folder_database_is_pointed_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "speechbot.sqlite3").write_bytes(b"")
    launcher.warn_about_disk(Settings(data_dir=tmp_path / "user-data"), cwd=tmp_path)
    assert "Set SPEECHBOT_DATA_DIR=data to keep using the old database" in caplog.text
    caplog.clear()
    launcher.warn_about_disk(Settings(data_dir=tmp_path / "data"), cwd=tmp_path)
    assert "earlier version" not in caplog.text


def _sample(name: str, **labels: str) -> float:
    from bot.metrics import METRICS

    return METRICS.registry.get_sample_value(name, labels) or 0.0


async def test_health_port_shows_discord_commands_and_daily_posts_from_the_scheduler(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    store = open_store(None, tmp_path)
    spec = SubscriptionSpec("discord", str(GUILD_ID), str(CHANNEL_ID), library.default.id, "08:30", "Europe/Berlin")
    overdue = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    local_day = overdue.astimezone(ZoneInfo("Europe/Berlin")).date()
    store.save_subscription(spec, now=overdue, next_run_at=overdue, next_local_date=local_day)
    store.close()
    sent, answered = (
        _sample("speechbot_daily_posts_total", outcome="sent"),
        _sample("speechbot_commands_answered_total", platform="discord"),
    )
    port = _free_port()
    settings = Settings(discord_token=fake.token, data_dir=tmp_path, host="127.0.0.1", health_port=port)
    task = asyncio.create_task(launcher._serve(settings, library, DISCORD_ONLY))
    try:
        await fake.wait_connected(timeout=30)
        await fake.interact(fake.command("quote", {"ref": "3.2"}), timeout=15)
        for _ in range(300):  # bounded: the scheduler looks again within 2 s of the login
            if fake.channel_posts():
                break
            await asyncio.sleep(0.1)
        assert len(fake.channel_posts()) == 1
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                text = await response.text()
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                health = response.status, await response.json()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert "speechbot_scheduler_running 1.0" in text and "speechbot_scheduler_lag_seconds" in text
    assert _sample("speechbot_daily_posts_total", outcome="sent") == sent + 1
    assert _sample("speechbot_commands_answered_total", platform="discord") == answered + 1
    assert health[0] == 200 and health[1]["ok"] is True


def test_health_port_cannot_share_the_slack_http_port(library: Library, tmp_path: Path) -> None:
    settings = Settings(slack_signing_secret="fake-signing-secret", data_dir=tmp_path, port=3000, health_port=3000)
    role = launcher.Plan(slack="http", chosen=True)
    with pytest.raises(ConfigError, match="--health-port must differ from the Slack HTTP port"):
        asyncio.run(launcher._serve(settings, library, role))


def test_health_port_comes_from_the_command_line_or_the_environment() -> None:
    from bot.cli import build_parser

    assert load_settings({"SPEECHBOT_HEALTH_PORT": "8080"}, env_file=None).health_port == 8080
    args = build_parser().parse_args(["run", "discord", "--health-port", "9090"])
    assert launcher._with_overrides(args, Settings()).health_port == 9090


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_health_port_out_of_range_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "--health-port", port])
    assert exited.value.code == 2 and "is not a port number from 1 to 65535" in capsys.readouterr().err
