"""`speechbot run` wiring: every platform and the scheduler in one loop, and start-up failures as one line."""

from __future__ import annotations

import argparse
import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import launcher
from bot.config import ConfigError, Settings
from bot.core.library import Library
from bot.discord import DiscordStartError
from bot.store import SubscriptionSpec, open_store
from tests.fakes.discord_api import FakeDiscord


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
        await asyncio.wait_for(launcher._serve(settings, library, slack_http=False), 10)
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []  # the scheduler does not keep running on a closed database


async def test_unreachable_database_is_one_line_without_the_password(library: Library, tmp_path: Path) -> None:
    url = f"postgresql://speechbot:not-a-real-password@127.0.0.1:{_free_port()}/speechbot"
    settings = Settings(discord_token="unused-test-token", data_dir=tmp_path, database_url=url)
    with pytest.raises(ConfigError) as caught:
        await asyncio.wait_for(launcher._serve(settings, library, slack_http=False), 10)
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
    task = asyncio.create_task(launcher._serve(settings, library, slack_http=False))
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
    task = asyncio.create_task(launcher._serve(settings, library, slack_http=False))
    await fake.wait_connected()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "Slack is not started: SLACK_BOT_TOKEN needs SLACK_APP_TOKEN or SLACK_SIGNING_SECRET" in caplog.text
    assert "xoxb-" not in caplog.text
