"""Daily posts on Slack under faults: lost responses, proxies' error pages, hangs, busy channels.

Slack has no nonce: the only guard against a second post is never resending blindly and looking first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core import Library
from bot.daily.delivery import TransientDeliveryError
from bot.daily.scheduler import Scheduler
from bot.slack.daily import SlackDeliverer, slack_deliverer
from bot.store import Store, Subscription, SubscriptionSpec, open_store
from tests.clocks import HandClock
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import BOT_TOKEN

CHANNEL = "C0DAILY"
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, the subscription's time


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def clock(fake_slack: FakeSlack) -> HandClock:
    clock = HandClock(START)
    fake_slack.clock = lambda: clock.now.timestamp()  # Slack's ts follow the same simulated time
    return clock


@pytest.fixture
def deliverer(fake_slack: FakeSlack) -> SlackDeliverer:
    """The deliverer as `speechbot run` builds it (default slack-sdk client settings otherwise)."""
    return slack_deliverer(Settings(slack_bot_token=BOT_TOKEN), client_base_url=fake_slack.base_url)


def subscribe(store: Store, library: Library) -> Subscription:
    spec = SubscriptionSpec("slack", "T0FAKETEAM", CHANNEL, library.default.id, "08:00", "Europe/Berlin")
    return store.save_subscription(spec, now=START, next_run_at=START, next_local_date=START.date())


def our_posts(fake: FakeSlack) -> list[dict[str, object]]:
    return [m for m in fake.messages.get(CHANNEL, []) if m.get("metadata")]


async def post_through_a_fault(
    fault: str, fake: FakeSlack, store: Store, library: Library, deliverer: SlackDeliverer, clock: HandClock
) -> list[str]:
    """One scheduled day with `fault` on the first chat.postMessage; the outcomes of the ticks it took."""
    subscribe(store, library)
    fake.faults["chat.postMessage"] = [fault]
    scheduler = Scheduler(store, library, {"slack": deliverer}, clock=clock)
    outcomes = []
    for _ in range(4):
        report = await scheduler.tick()
        outcomes += [name for name, count in report.outcomes.items() for _ in range(count)]
        clock.now += timedelta(minutes=2)  # past the retry's backoff
    return outcomes


@pytest.mark.parametrize("fault", ["stored-then-drop", "stored-then-500"])
async def test_a_message_stored_before_the_response_was_lost_is_posted_once(
    fault: str, fake_slack: FakeSlack, store: Store, library: Library, deliverer: SlackDeliverer, clock: HandClock
) -> None:
    outcomes = await post_through_a_fault(fault, fake_slack, store, library, deliverer, clock)
    assert len(our_posts(fake_slack)) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # no library retry resent it
    assert outcomes == ["retry", "found"]  # the retry looked first and found the stored message


@pytest.mark.parametrize("fault", ["drop", "html-502", "text-503", "ratelimited"])
async def test_a_post_that_never_arrived_is_sent_on_the_next_attempt(
    fault: str, fake_slack: FakeSlack, store: Store, library: Library, deliverer: SlackDeliverer, clock: HandClock
) -> None:
    outcomes = await post_through_a_fault(fault, fake_slack, store, library, deliverer, clock)
    assert len(our_posts(fake_slack)) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert outcomes == ["retry", "sent"]


async def test_a_response_that_hangs_past_the_client_timeout_is_not_posted_again(
    fake_slack: FakeSlack, store: Store, library: Library, clock: HandClock
) -> None:
    deliverer = SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url), timeout=1)
    fake_slack.hang_seconds = 4  # longer than the client's timeout
    outcomes = await post_through_a_fault("stored-then-hang", fake_slack, store, library, deliverer, clock)
    assert len(our_posts(fake_slack)) == 1
    assert outcomes == ["retry", "found"]


@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [("html-502", 502, 11.0), ("html-503-as-json", 503, None), ("text-503", 503, None), ("ratelimited", 429, 3.0)],
)
async def test_error_pages_that_are_not_slack_json_are_transient_with_their_status(
    fault: str,
    status: int,
    retry_after: float | None,
    fake_slack: FakeSlack,
    store: Store,
    library: Library,
    deliverer: SlackDeliverer,
) -> None:
    sub = subscribe(store, library)
    fake_slack.faults["chat.postMessage"] = [fault]
    with pytest.raises(TransientDeliveryError) as caught:
        await deliverer.post(sub, library.default.passage("3.1"), "sb1-20261130")
    reason = caught.value.reason
    assert reason in (f"Slack chat.postMessage: HTTP {status}", "Slack chat.postMessage: ratelimited")
    assert caught.value.retry_after == retry_after
    assert "xoxb" not in reason
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_our_post_is_found_behind_hundreds_of_newer_messages(
    fake_slack: FakeSlack, store: Store, library: Library, deliverer: SlackDeliverer, clock: HandClock
) -> None:
    sub = subscribe(store, library)
    fake_slack.chatter(CHANNEL, 50)  # before the day began: never read
    clock.now += timedelta(hours=1)
    since = clock.now - timedelta(minutes=10)
    ts = await deliverer.post(sub, library.default.passage("3.1"), "sb1-20261130")
    fake_slack.chatter(CHANNEL, 450)  # far outside the newest 100
    assert await deliverer.find_existing(sub, "sb1-20261130", since=since) == ts
    assert await deliverer.find_existing(sub, "sb1-20261201", since=since) is None
    pages = fake_slack.calls_to("conversations.history")
    assert all(float(page.args["oldest"]) == pytest.approx(since.timestamp()) for page in pages)
    assert any(page.args.get("cursor") for page in pages)  # paged by cursor


async def test_the_look_up_gives_up_rather_than_post_blind_when_the_channel_is_too_busy(
    fake_slack: FakeSlack, store: Store, library: Library, clock: HandClock
) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)
    deliverer = SlackDeliverer(client, history_page=20, history_pages=3)
    sub = subscribe(store, library)
    fake_slack.chatter(CHANNEL, 100)
    with pytest.raises(TransientDeliveryError, match="too many messages"):
        await deliverer.find_existing(sub, "sb1-20261130", since=START - timedelta(minutes=10))
    assert len(fake_slack.calls_to("conversations.history")) == 3
