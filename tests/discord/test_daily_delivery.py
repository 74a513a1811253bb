"""Daily posts on Discord under load and faults: busy channels, long passages, posts cut short."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.core.corpus import parse_document
from bot.core.library import Library
from bot.daily.delivery import TransientDeliveryError
from bot.discord.client import REQUEST_TIMEOUT, bound_request_time
from bot.discord.daily import DAILY_ID, DiscordDeliverer
from bot.store import Store, Subscription, SubscriptionSpec, open_store
from tests.discord.conftest import Starter
from tests.fakes.discord_api import CHANNEL_ID, GUILD_ID, FakeDiscord

# One sentence without a full stop: a daily passage too long for one message's embeds (6,000 characters).
LONG_TEXT = "Long speech\n\n* * *\n\n" + " ".join(f"word{n}" for n in range(1600)) + "\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path / "db")
    yield opened
    opened.close()


def subscribe(store: Store, document_id: str) -> Subscription:
    spec = SubscriptionSpec("discord", str(GUILD_ID), str(CHANNEL_ID), document_id, "08:30", "Europe/Berlin")
    now = datetime.now(UTC)
    return store.save_subscription(spec, now=now, next_run_at=now, next_local_date=now.date())


def posts_with_key(fake: FakeDiscord, key: str) -> list[str]:
    """The custom_ids of every message in the channel whose button carries this key."""
    found = []
    for message in fake.messages.values():
        for row in message.get("components") or []:
            for button in row.get("components", []):
                match = DAILY_ID.fullmatch(button.get("custom_id", ""))
                if match and match["key"] == key:
                    found.append(button["custom_id"])
    return found


async def test_our_post_is_found_behind_hundreds_of_newer_messages(
    start_bot: Starter, fake: FakeDiscord, library: Library, store: Store
) -> None:
    bot = await start_bot(library)
    deliverer = DiscordDeliverer(bot)
    sub = subscribe(store, library.default.id)
    since = datetime.now(UTC) - timedelta(minutes=10)
    fake.chatter(30)
    posted = await deliverer.post(sub, library.default.passage("3.1"), "sb1-20260301")
    fake.chatter(400)  # a busy class channel: the post is far outside the newest 50 or 100
    assert await deliverer.find_existing(sub, "sb1-20260301", since=since) == posted
    assert await deliverer.find_existing(sub, "sb1-20260302", since=since) is None
    pages = fake.of("GET", f"/channels/{CHANNEL_ID}/messages")
    assert all("after" in page.query for page in pages)  # read forwards from the day's first attempt


async def test_the_look_up_gives_up_rather_than_post_blind_when_the_channel_is_too_busy(
    start_bot: Starter, fake: FakeDiscord, library: Library, store: Store
) -> None:
    bot = await start_bot(library)
    deliverer = DiscordDeliverer(bot, lookup_limit=150)
    sub = subscribe(store, library.default.id)
    since = datetime.now(UTC) - timedelta(minutes=10)
    fake.chatter(200)
    with pytest.raises(TransientDeliveryError, match="too many messages"):
        await deliverer.find_existing(sub, "sb1-20260301", since=since)


async def test_a_passage_longer_than_one_message_is_posted_in_full(
    start_bot: Starter, fake: FakeDiscord, store: Store
) -> None:
    library = Library([parse_document(LONG_TEXT, doc_id="long")])
    bot = await start_bot(library)
    deliverer = DiscordDeliverer(bot)
    sub = subscribe(store, "long")
    passage = library.document("long").daily_passages[0]
    await deliverer.post(sub, passage, "sb1-20260301")
    posts = fake.channel_posts()
    assert len(posts) >= 2
    sent = " ".join(embed["description"] for post in posts for embed in post["embeds"])
    assert "word0 " in sent
    assert "word1599" in sent  # the end of the passage, which only a later message carries
    assert posts[0]["nonce"] == "sb1-20260301"
    assert len({post["nonce"] for post in posts}) == len(posts)  # each part its own nonce
    total = len(posts)
    expected = [f"sb:day:long:1:sb1-20260301:{n}/{total}" for n in range(1, total + 1)]
    assert posts_with_key(fake, "sb1-20260301") == expected


async def test_a_long_post_cut_short_is_finished_not_sent_again(
    start_bot: Starter, fake: FakeDiscord, store: Store
) -> None:
    library = Library([parse_document(LONG_TEXT, doc_id="long")])
    bot = await start_bot(library)
    deliverer = DiscordDeliverer(bot)
    sub = subscribe(store, "long")
    passage = library.document("long").daily_passages[0]
    since = datetime.now(UTC) - timedelta(minutes=10)
    fake.post_faults = [None, 503]  # the first part goes out, the second fails
    with pytest.raises(TransientDeliveryError):
        await deliverer.post(sub, passage, "sb1-20260301")
    assert len(posts_with_key(fake, "sb1-20260301")) == 1
    # The scheduler's retry: look first (the post is incomplete, so not found), then finish it.
    assert await deliverer.find_existing(sub, "sb1-20260301", since=since) is None
    first = await deliverer.post(sub, passage, "sb1-20260301")
    parts = posts_with_key(fake, "sb1-20260301")
    total = len(parts)
    assert total >= 2
    assert sorted(parts) == [f"sb:day:long:1:sb1-20260301:{n}/{total}" for n in range(1, total + 1)]  # no part twice
    assert await deliverer.find_existing(sub, "sb1-20260301", since=since) == first


async def test_a_hanging_request_times_out_well_inside_the_daily_lease(
    start_bot: Starter, fake: FakeDiscord, library: Library, store: Store
) -> None:
    # discord.py alone would wait aiohttp's 300 s, the whole lease; the bot bounds every REST request.
    assert REQUEST_TIMEOUT.total is not None
    assert REQUEST_TIMEOUT.total <= 60
    bot = await start_bot(library)
    bound_request_time(bot.http, aiohttp.ClientTimeout(total=0.3))  # the same mechanism, quicker for a test
    deliverer = DiscordDeliverer(bot)
    sub = subscribe(store, library.default.id)
    fake.post_delay = 5.0
    with pytest.raises(TransientDeliveryError, match="TimeoutError"):
        await deliverer.post(sub, library.default.passage("3.1"), "sb1-20260301")
