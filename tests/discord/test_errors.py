"""Failures that are no bug of ours get short, true, private answers and a one-line log, not a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.discord.client import AnyBot
from bot.discord.replies import STALE_COMMAND, UNKNOWN_COMMAND, UNSEEN_CHANNEL
from bot.store import Store
from tests.discord.test_commands import assert_private_hint
from tests.fakes.discord_api import GUILD_ID, FakeDiscord, private_thread_option


def assert_logged_briefly(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing at ERROR, and no traceback at any level."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all(r.exc_info is None for r in caplog.records)


async def test_private_thread_the_bot_has_not_joined_gets_a_true_hint(
    bot_with_daily: AnyBot, fake: FakeDiscord, subscriptions: Store, caplog: pytest.LogCaptureFixture
) -> None:
    types, resolved = private_thread_option()
    thread_id = next(iter(resolved["channels"]))
    payload = fake.command(
        "daily-setup",
        {"channel": thread_id, "time": "08:30", "timezone": "Europe/Berlin"},
        types=types,
        resolved=resolved,
    )
    caplog.set_level(logging.INFO)
    rec = await fake.interact(payload)
    assert_private_hint(rec, UNSEEN_CHANNEL)
    assert "private thread, add the bot to the thread first" in UNSEEN_CHANNEL
    assert_logged_briefly(caplog)
    assert "Could not convert a channel option of /daily-setup" in caplog.text
    assert subscriptions.subscription("discord", str(GUILD_ID), thread_id) is None


async def test_command_removed_in_a_deploy_gets_a_true_hint(
    bot: AnyBot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    rec = await fake.interact(fake.command("passage"))
    assert_private_hint(rec, UNKNOWN_COMMAND)
    assert_logged_briefly(caplog)
    assert "unknown command /passage" in caplog.text


async def test_command_whose_options_changed_in_a_deploy_gets_a_true_hint(
    bot: AnyBot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    rec = await fake.interact(fake.command("context", {"paragraph": "3"}))  # an older /context without `ref`
    assert_private_hint(rec, STALE_COMMAND)
    assert_logged_briefly(caplog)
    assert "Discord's /context differs from this bot's" in caplog.text


async def test_autocomplete_of_a_removed_command_offers_nothing(
    bot: AnyBot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    rec = await fake.interact(fake.autocomplete("passage", "query", {"query": "stal"}))
    assert rec.body == {"type": 8, "data": {"choices": []}}
    assert_logged_briefly(caplog)
