"""Daily passages on Discord: the /daily-* commands and the Deliverer, through discord.py and the fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.library import Library
from bot.daily.delivery import PermanentDeliveryError
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.discord.client import AnyBot
from bot.discord.daily import DiscordDeliverer
from bot.store import Store, SubscriptionSpec, idempotency_key, open_store
from tests.clocks import HandClock
from tests.discord.conftest import Starter
from tests.fakes.discord_api import (
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    ROLE_ID,
    USER_ID,
    FakeDiscord,
    Recorded,
    channel_option,
    role_object,
)

EPHEMERAL = 64
DAILY = {"daily-setup", "daily-stop", "daily-status", "daily-preview", "daily-post-now"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store."""
    opened = open_store(None, tmp_path / "db")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> HandClock:
    return HandClock(datetime.now(UTC))


@pytest.fixture
def scheduler(store: Store, library: Library, clock: HandClock) -> Scheduler:
    """A scheduler that posts to Discord through a deliverer the bot attaches itself to."""
    return Scheduler(store, library, {"discord": DiscordDeliverer()}, clock=clock)


@pytest.fixture
async def daily_bot(start_bot: Starter, library: Library, store: Store, scheduler: Scheduler) -> AnyBot:
    """A running bot with the daily commands."""
    return await start_bot(library, daily=DailyService(store, library, scheduler))


def text(rec: Recorded) -> str:
    """The content of an ephemeral answer (a response, or the followup after a deferral)."""
    body = rec.body
    data = body.get("data", body)
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    return str(data["content"])


def setup_command(fake: FakeDiscord, **extra: Any) -> dict[str, Any]:
    """/daily-setup for the test channel at 08:30 Berlin time."""
    types, resolved = channel_option()
    options = {"channel": str(CHANNEL_ID), "time": "08:30", "timezone": "berlin", **extra}
    if "role" in extra:
        types["role"] = 8
        resolved["roles"] = {str(ROLE_ID): role_object(ROLE_ID, "students", position=1)}
    return fake.command("daily-setup", options, types=types, resolved=resolved)


async def test_daily_commands_are_for_server_managers_only(daily_bot: AnyBot, fake: FakeDiscord) -> None:
    [payload] = [r.body for r in fake.of("PUT", f"/applications/{APP_ID}/commands")]
    daily = {c["name"]: c for c in payload if c["name"] in DAILY}
    assert set(daily) == DAILY
    for command in daily.values():
        assert int(command["default_member_permissions"]) == 1 << 5  # Manage Server
        assert command["contexts"] == [0] and command["integration_types"] == [0]
    setup = {o["name"]: o for o in daily["daily-setup"]["options"]}
    assert setup["timezone"]["autocomplete"] is True
    assert [c["value"] for c in setup["mode"]["choices"]] == ["shuffle", "sequential"]
    assert setup["channel"]["type"] == 7 and setup["role"]["type"] == 8


async def test_setup_saves_the_channel_and_answers_privately(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store
) -> None:
    rec = await fake.interact(setup_command(fake, role=str(ROLE_ID), mode="sequential", days="weekdays"))
    answer = text(rec)
    assert answer.startswith("Daily passage set up for this channel: every weekday at 08:30 (Europe/Berlin), in order.")
    saved = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert saved is not None
    assert (saved.role_id, saved.mode, saved.days, saved.timezone) == (
        str(ROLE_ID),
        "sequential",
        "weekdays",
        "Europe/Berlin",
    )
    assert saved.set_up_by == str(USER_ID)


async def test_bad_time_gets_a_private_hint(daily_bot: AnyBot, fake: FakeDiscord, store: Store) -> None:
    rec = await fake.interact(setup_command(fake, time="25:99"))
    assert "time" in text(rec).lower()
    assert store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_timezone_autocomplete(daily_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.autocomplete("daily-setup", "timezone", {"timezone": "berl"}))
    choices = rec.body["data"]["choices"]
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in choices
    assert len(choices) <= 25


async def test_status_preview_and_stop(daily_bot: AnyBot, fake: FakeDiscord) -> None:
    await fake.interact(setup_command(fake))
    status = text(await fake.interact(fake.command("daily-status")))
    assert "Next post:" in status and "Nothing posted yet." in status
    preview = await fake.interact(fake.command("daily-preview"))
    assert preview.body["data"]["flags"] == EPHEMERAL
    [embed] = preview.body["data"]["embeds"]
    assert embed["author"]["name"].startswith("Next daily passage")
    assert embed["title"].startswith("§")
    assert text(await fake.interact(fake.command("daily-stop"))) == "Daily passage stopped for this channel."
    again = text(await fake.interact(fake.command("daily-status")))
    assert again.startswith("No daily passage is set up in this channel.")


async def test_post_now_sends_with_nonce_and_pings_only_the_role(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store
) -> None:
    await fake.interact(setup_command(fake, role=str(ROLE_ID)))
    rec = await fake.interact(fake.command("daily-post-now"))
    assert rec.body == {"type": 5, "data": {"flags": EPHEMERAL}}  # deferred, thinking, private
    [followup] = await fake.wait_for("POST", f"/webhooks/{APP_ID}/")
    assert text(followup).startswith("Posted today's passage: §")
    [post] = fake.channel_posts()
    sub = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert sub is not None and sub.last_post_at is not None
    key = idempotency_key(sub.id, sub.last_post_at.astimezone(ZoneInfo("Europe/Berlin")).date())
    assert post["nonce"] == key and post["enforce_nonce"] is True
    assert post["content"] == f"<@&{ROLE_ID}>"
    assert post["allowed_mentions"] == {"parse": [], "roles": [ROLE_ID]}
    assert post["embeds"][0]["author"]["name"] == "Passage of the day"
    [button] = post["components"][0]["components"]
    assert button["label"] == "Read in context" and button["custom_id"].endswith(f":{key}")

    second = await fake.interact(fake.command("daily-post-now"))
    assert second.body["type"] == 5
    followups = await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=2)
    assert text(followups[1]).startswith("Today's passage was already posted in this channel.")
    assert len(fake.channel_posts()) == 1

    context = await fake.interact(fake.button(button["custom_id"]))
    assert context.body["data"]["flags"] == EPHEMERAL
    assert context.body["data"]["embeds"][0]["title"].startswith("Context of §")


async def test_scheduler_posts_once_at_the_set_time(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store, scheduler: Scheduler, clock: HandClock
) -> None:
    await fake.interact(setup_command(fake))
    sub = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert sub is not None and sub.next_run_at is not None
    clock.now = sub.next_run_at - timedelta(minutes=1)
    assert (await scheduler.tick())["sent"] == 0
    clock.now = sub.next_run_at + timedelta(seconds=5)
    assert (await scheduler.tick())["sent"] == 1
    assert (await scheduler.tick())["sent"] == 0
    [post] = fake.channel_posts()
    assert post["content"] is None and post["allowed_mentions"] == {"parse": []}


async def test_deliverer_finds_its_earlier_post_and_discord_drops_a_repeated_nonce(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store, scheduler: Scheduler, library: Library
) -> None:
    await fake.interact(setup_command(fake))
    sub = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert sub is not None
    deliverer = scheduler.deliverers["discord"]
    passage = library.default.passage("3.1")
    since = datetime.now(UTC) - timedelta(minutes=1)
    first = await deliverer.post(sub, passage, "sb1-20260225")
    assert await deliverer.find_existing(sub, "sb1-20260225", since=since) == first
    assert await deliverer.find_existing(sub, "sb1-20260226", since=since) is None
    assert await deliverer.post(sub, passage, "sb1-20260225") == first  # enforce_nonce: no duplicate
    assert fake.of("GET", f"/channels/{CHANNEL_ID}/messages")


async def test_deleted_channel_pauses_with_a_reason(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store, scheduler: Scheduler, clock: HandClock, library: Library
) -> None:
    await fake.interact(setup_command(fake))
    fake.deleted_channels.add(CHANNEL_ID)
    sub = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert sub is not None and sub.next_run_at is not None
    with pytest.raises(PermanentDeliveryError, match="the channel was deleted"):
        await scheduler.deliverers["discord"].post(sub, library.default.passage("1"), "sb9-20260101")
    clock.now = sub.next_run_at + timedelta(seconds=5)
    assert (await scheduler.tick())["paused"] == 1
    status = text(await fake.interact(fake.command("daily-status")))
    assert "Paused: the channel was deleted." in status


def everyone_role_setup(fake: FakeDiscord) -> dict[str, Any]:
    """/daily-setup with the server's @everyone role (its id is the server's id) as the role to mention."""
    types, resolved = channel_option()
    types["role"] = 8
    resolved["roles"] = {str(GUILD_ID): role_object(GUILD_ID, "@everyone")}
    options = {"channel": str(CHANNEL_ID), "time": "08:30", "timezone": "berlin", "role": str(GUILD_ID)}
    return fake.command("daily-setup", options, types=types, resolved=resolved)


async def test_everyone_role_is_refused_as_the_daily_mention(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store
) -> None:
    answer = text(await fake.interact(everyone_role_setup(fake)))
    assert "cannot mention @everyone" in answer
    assert store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_a_stored_everyone_role_is_never_pinged(
    daily_bot: AnyBot, fake: FakeDiscord, store: Store, scheduler: Scheduler, library: Library
) -> None:
    await fake.interact(setup_command(fake))
    sub = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert sub is not None
    older = replace(sub, role_id=str(GUILD_ID))  # saved before setup refused it
    await scheduler.deliverers["discord"].post(older, library.default.passage("3.1"), "sb1-20260225")
    [post] = fake.channel_posts()
    assert post["content"] is None
    assert post["allowed_mentions"] == {"parse": []}


async def test_posts_due_at_start_up_wait_for_the_login_instead_of_failing(
    start_bot: Starter, fake: FakeDiscord, library: Library, store: Store, scheduler: Scheduler, clock: HandClock
) -> None:
    spec = SubscriptionSpec("discord", str(GUILD_ID), str(CHANNEL_ID), library.default.id, "08:30", "Europe/Berlin")
    overdue = clock.now - timedelta(minutes=1)
    sub = store.save_subscription(
        spec, now=overdue, next_run_at=overdue, next_local_date=overdue.astimezone(ZoneInfo("Europe/Berlin")).date()
    )
    assert (await scheduler.tick()).outcomes == {}  # the bot has not logged in yet
    waiting = store.subscription_by_id(sub.id)
    assert waiting is not None and waiting.last_error is None and waiting.next_run_at == sub.next_run_at
    await start_bot(library, daily=DailyService(store, library, scheduler))
    assert (await scheduler.tick())["sent"] == 1
    [delivery] = store.deliveries(sub.id)
    assert delivery.attempts == 1  # sent at the first try, no history look-up for a retry
    assert len(fake.channel_posts()) == 1
