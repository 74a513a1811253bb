"""`speechbot run` as a user starts it: both platforms at once, in one process, against the local stand-ins."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.run_against_fakes import start_speechbot_run
from tests.fakes.slack_api import FakeSlack
from tests.slack.test_socket_mode import slash_payload


@contextlib.asynccontextmanager
async def speechbot_run(
    tmp_path: Path, discord: FakeDiscord, slack: FakeSlack
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The `speechbot run` process, with tokens only for the stand-ins, stopped with SIGTERM afterwards."""
    log = (tmp_path / "run.log").open("w")  # a file, not a pipe nobody reads, so the bot can never block on it
    process = await start_speechbot_run(discord, slack, tmp_path / "data", log)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeSlack]]:
    discord = FakeDiscord()
    await discord.start()
    slack = await FakeSlack().start()
    yield discord, slack
    await slack.stop()
    await discord.close()


async def test_run_answers_discord_and_slack_from_one_process(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeSlack]
) -> None:
    discord, slack = fakes
    async with speechbot_run(tmp_path, discord, slack) as process:
        await discord.wait_connected(timeout=30)
        await slack.wait_for_socket(seconds=30)

        callback = await discord.interact(discord.command("quote", {"ref": "3.2"}), timeout=15)
        embed = callback.body["data"]["embeds"][0]
        assert embed["title"].startswith("§3.2")
        assert callback.body["data"]["allowed_mentions"] == {"parse": []}

        envelope = await slack.send_envelope("slash_commands", slash_payload(slack, "enemy of the peopel"))
        ack = await slack.wait_for_ack(envelope, seconds=15)
        assert ack["envelope_id"] == envelope
        assert "*enemy of the people*" in str(ack["payload"])

        assert (tmp_path / "data" / "speechbot.sqlite3").is_file()  # the scheduler's database was created
        assert process.returncode is None

        process.send_signal(signal.SIGTERM)  # what a host sends on a deploy: close cleanly, exit 0
        assert await asyncio.wait_for(process.wait(), 15) == 0
    assert "SIGTERM received; closing the connections" in (tmp_path / "run.log").read_text()
