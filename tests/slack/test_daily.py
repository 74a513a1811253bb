"""`/speech daily setup|stop|status|preview|now` and Slack delivery with metadata, on a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core import Library
from bot.core.daily import passage_for
from bot.daily.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.slack.daily import METADATA_EVENT, SlackDeliverer, parse_setup, slack_deliverer
from bot.slack.runner import SlackHttpServer, start_slack_http
from bot.store import SlackInstallation, Store, SubscriptionSpec, open_store
from tests.clocks import HandClock
from tests.fakes.slack_api import (
    BUSY_CHANNEL,
    GONE_CHANNEL,
    INSTALLED_BOT_TOKEN,
    INSTALLED_TEAM_ID,
    OUTSIDER_CHANNEL,
    VANISHED_USER,
    FakeSlack,
)
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SlackClient, all_text

MONDAY_0700_UTC = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


@pytest.fixture
def clock() -> HandClock:
    return HandClock(MONDAY_0700_UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def deliverer(fake_slack: FakeSlack) -> SlackDeliverer:
    return SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))


@pytest.fixture
def scheduler(store: Store, library: Library, deliverer: SlackDeliverer, clock: HandClock) -> Scheduler:
    return Scheduler(store, library, {"slack": deliverer}, clock=clock)


@pytest.fixture
async def daily_slack(
    library: Library, fake_slack: FakeSlack, store: Store, scheduler: Scheduler, clock: HandClock
) -> AsyncIterator[SlackClient]:
    server: SlackHttpServer = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
        daily=DailyService(store, library, scheduler),
        now=clock,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


async def test_setup_is_saved_and_confirmed_privately(daily_slack: SlackClient, store: Store) -> None:
    reply = await daily_slack.command("daily setup 08:30 Europe/Berlin sequential weekdays")
    assert reply["response_type"] == "ephemeral"
    assert "Daily passage set up" in all_text(reply)
    saved = store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN")
    assert saved is not None
    assert (saved.local_time, saved.timezone, saved.mode, saved.days) == (
        "08:30",
        "Europe/Berlin",
        "sequential",
        "weekdays",
    )
    assert saved.set_up_by == "U0FAKEUSER"
    assert saved.next_run_at == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)


async def test_status_and_preview_describe_the_next_post(daily_slack: SlackClient) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin", key="setup")
    status = await daily_slack.command("daily status", key="status")
    assert "Next post: Mon 30 Nov 2026, 08:30 CET (Europe/Berlin)" in all_text(status)
    preview = await daily_slack.command("daily preview", key="preview")
    assert preview["response_type"] == "ephemeral"
    assert "Next daily passage" in all_text(preview)
    assert preview["blocks"][1]["text"]["text"].startswith(">")


async def test_now_posts_once_with_metadata_and_a_second_now_does_not_repost(
    daily_slack: SlackClient, fake_slack: FakeSlack
) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin", key="setup")
    first = await daily_slack.command("daily now", key="now1")
    assert "Posted today's passage" in all_text(first)
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "C0FAKECHAN"
    assert post.args["metadata"]["event_type"] == METADATA_EVENT
    assert post.args["metadata"]["event_payload"]["key"]
    assert "Passage of the day" in all_text(post.args)
    second = await daily_slack.command("daily now", key="now2")
    assert "already posted" in all_text(second)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_scheduler_posts_at_the_set_time(
    daily_slack: SlackClient, fake_slack: FakeSlack, scheduler: Scheduler, clock: HandClock
) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin")
    assert (await scheduler.tick())["sent"] == 0
    clock.now = MONDAY_0700_UTC + timedelta(minutes=31)
    assert (await scheduler.tick())["sent"] == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_post_made_before_a_crash_is_found_in_history_not_sent_again(
    daily_slack: SlackClient,
    fake_slack: FakeSlack,
    scheduler: Scheduler,
    store: Store,
    deliverer: SlackDeliverer,
    library: Library,
    clock: HandClock,
) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin")
    clock.now = MONDAY_0700_UTC + timedelta(minutes=31)
    subscription = store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN")
    assert subscription is not None
    # Another worker claims the day and posts, then dies before it can confirm.
    claim = store.claim(subscription, clock.now.date(), worker="crashed", now=clock.now, lease=timedelta(minutes=5))
    assert claim is not None
    passage = scheduler.passage(subscription, claim.n)
    posted_ts = await deliverer.post(subscription, passage, claim.idempotency_key)

    clock.now += timedelta(minutes=10)  # the crashed worker's lease has run out
    report = await scheduler.tick()
    assert report["found"] == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    history = fake_slack.calls_to("conversations.history")
    assert history
    assert history[-1].args["include_all_metadata"] in ("1", "true", True)
    confirmed = store.subscription_by_id(subscription.id)
    assert confirmed is not None
    assert confirmed.last_message_id == posted_ts


async def test_deliverer_finds_only_its_own_key(deliverer: SlackDeliverer, store: Store, library: Library) -> None:
    spec = SubscriptionSpec("slack", "T0FAKETEAM", "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    subscription = store.save_subscription(
        spec, now=MONDAY_0700_UTC, next_run_at=MONDAY_0700_UTC, next_local_date=MONDAY_0700_UTC.date()
    )
    ts = await deliverer.post(subscription, library.default.passage("3.1"), "fake-key-1")
    since = MONDAY_0700_UTC - timedelta(minutes=10)
    assert await deliverer.find_existing(subscription, "fake-key-1", since=since) == ts
    assert await deliverer.find_existing(subscription, "fake-key-2", since=since) is None


async def test_deleted_channel_pauses_and_rate_limit_retries(
    deliverer: SlackDeliverer, store: Store, library: Library
) -> None:
    passage = library.default.passage("3.1")
    for channel, error in ((GONE_CHANNEL, PermanentDeliveryError), (BUSY_CHANNEL, TransientDeliveryError)):
        spec = SubscriptionSpec("slack", "T0FAKETEAM", channel, library.default.id, "08:30", "Europe/Berlin")
        subscription = store.save_subscription(
            spec, now=MONDAY_0700_UTC, next_run_at=MONDAY_0700_UTC, next_local_date=MONDAY_0700_UTC.date()
        )
        with pytest.raises(error) as caught:
            await deliverer.post(subscription, passage, "fake-key")
        assert "xoxb" not in caught.value.reason
    assert isinstance(caught.value, TransientDeliveryError)
    assert caught.value.retry_after == 7.0


async def test_now_in_a_deleted_channel_pauses_with_the_reason(daily_slack: SlackClient) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin", key="setup", channel=GONE_CHANNEL)
    reply = await daily_slack.command("daily now", key="now", channel=GONE_CHANNEL)
    assert "channel_not_found" in all_text(reply)
    assert "paused" in all_text(reply)


async def test_setup_where_the_bot_is_not_a_member_asks_for_an_invite(daily_slack: SlackClient, store: Store) -> None:
    reply = await daily_slack.command("daily setup 08:30 Europe/Berlin", channel=OUTSIDER_CHANNEL)
    assert "/invite @speechbot" in all_text(reply)
    assert store.subscription("slack", "T0FAKETEAM", OUTSIDER_CHANNEL) is None


async def test_only_the_owner_or_an_admin_can_stop(daily_slack: SlackClient, store: Store) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin", key="setup")
    refused = await daily_slack.command("daily stop", key="other", user="U0OTHERSTUDENT")
    assert "Only the person who set up" in all_text(refused)
    assert store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN").active  # type: ignore[union-attr]
    stopped = await daily_slack.command("daily stop", key="admin", user="U0ADMINTEACHER")
    assert "stopped" in all_text(stopped)
    assert not store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN").active  # type: ignore[union-attr]


async def test_bad_setup_input_is_a_private_hint(daily_slack: SlackClient) -> None:
    cases = (("daily setup", "daily setup 08:30"), ("daily setup 25:99 Europe/Berlin", "HH:MM"))
    for n, (text, hint) in enumerate(cases):
        reply = await daily_slack.command(text, key=f"bad{n}")
        assert reply["response_type"] == "ephemeral"
        assert ":warning:" in all_text(reply)
        assert hint in all_text(reply)


async def test_daily_subcommands_without_a_store_say_so(slack: SlackClient) -> None:
    reply = await slack.command("daily setup 08:30 Europe/Berlin")
    assert "not switched on" in all_text(reply)


def test_parse_setup_reads_time_zone_and_options_in_any_order() -> None:
    parsed = parse_setup(["8", "am", "New", "York", "weekdays", "sequential", "in:secret-speech"], "/speech")
    assert (parsed.time_text, parsed.zone_text) == ("8 am", "New York")
    assert (parsed.mode, parsed.days, parsed.document_id) == ("sequential", "weekdays", "secret-speech")


async def test_deliverer_from_settings_uses_the_bot_token(
    fake_slack: FakeSlack, store: Store, library: Library
) -> None:
    deliverer = slack_deliverer(Settings(slack_bot_token=BOT_TOKEN), client_base_url=fake_slack.base_url)
    spec = SubscriptionSpec("slack", "T0FAKETEAM", "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    subscription = store.save_subscription(
        spec, now=MONDAY_0700_UTC, next_run_at=MONDAY_0700_UTC, next_local_date=MONDAY_0700_UTC.date()
    )
    await deliverer.post(subscription, library.default.passage("3.1"), "fake-key")
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.token == BOT_TOKEN


async def test_oauth_deliverer_pauses_a_workspace_that_uninstalled(
    fake_slack: FakeSlack, store: Store, library: Library, tmp_path: Path
) -> None:
    settings = Settings(slack_client_id="0000.fake", slack_client_secret="fake-secret", data_dir=tmp_path)
    deliverer = slack_deliverer(settings, client_base_url=fake_slack.base_url, store=store)
    store.save_slack_installation(installation("T0GONETEAM"))
    store.delete_slack_installation(team_id="T0GONETEAM", enterprise_id=None)
    spec = SubscriptionSpec("slack", "T0GONETEAM", "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    subscription = store.save_subscription(
        spec, now=MONDAY_0700_UTC, next_run_at=MONDAY_0700_UTC, next_local_date=MONDAY_0700_UTC.date()
    )
    with pytest.raises(PermanentDeliveryError, match="no longer installed"):
        await deliverer.post(subscription, library.default.passage("3.1"), "fake-key")
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_oauth_deliverer_posts_with_the_token_the_workspace_installed_into_the_store(
    fake_slack: FakeSlack, store: Store, library: Library, tmp_path: Path
) -> None:
    settings = Settings(slack_client_id="0000.fake", slack_client_secret="fake-secret", data_dir=tmp_path)
    deliverer = slack_deliverer(settings, client_base_url=fake_slack.base_url, store=store)
    store.save_slack_installation(installation(INSTALLED_TEAM_ID, enterprise_id="E0FAKEORG"))
    spec = SubscriptionSpec("slack", INSTALLED_TEAM_ID, "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    subscription = store.save_subscription(
        spec, now=MONDAY_0700_UTC, next_run_at=MONDAY_0700_UTC, next_local_date=MONDAY_0700_UTC.date()
    )
    await deliverer.post(subscription, library.default.passage("3.1"), "fake-key")
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert post.token == INSTALLED_BOT_TOKEN


def test_oauth_deliverer_needs_the_store_it_finds_tokens_in(tmp_path: Path) -> None:
    settings = Settings(slack_client_id="0000.fake", slack_client_secret="fake-secret", data_dir=tmp_path)
    with pytest.raises(ValueError, match="pass store="):
        slack_deliverer(settings)


def installation(team_id: str, *, enterprise_id: str | None = None) -> SlackInstallation:
    return SlackInstallation(
        team_id=team_id,
        enterprise_id=enterprise_id,
        bot_token=INSTALLED_BOT_TOKEN,
        installed_at=MONDAY_0700_UTC,
        bot_scopes=("commands", "chat:write"),
        installed_by="U0INSTALLER",
    )


async def test_failed_admin_lookup_gets_a_private_answer_not_silence(daily_slack: SlackClient, store: Store) -> None:
    await daily_slack.command("daily setup 08:30 Europe/Berlin", key="setup")
    reply = await daily_slack.command("daily stop", key="stop", user=VANISHED_USER)
    assert reply["response_type"] == "ephemeral"
    assert "could not check whether you are a workspace admin" in all_text(reply)
    assert store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN").active  # type: ignore[union-attr]


async def test_database_failure_gets_a_private_apology_and_a_log_line(
    daily_slack: SlackClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    store.close()  # the database went away under the running bot
    reply = await daily_slack.command("daily status <!channel> secret-word", key="status")
    assert reply["response_type"] == "ephemeral"
    assert "Something went wrong on our side" in all_text(reply)
    assert "Slack daily command failed" in caplog.text
    assert "secret-word" not in caplog.text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("daily set up 08:30 Europe/Berlin", "/speech daily setup 08:30 Europe/Berlin"),
        ("daily stpo", "/speech daily stop"),
        ("daily setup08:30 Europe/Berlin", "/speech daily setup 08:30 Europe/Berlin"),
        ("daily statsu", "/speech daily status"),
        ("daily Preveiw", "/speech daily preview"),
        ("daily 08:30 Europe/Berlin", "/speech daily setup 08:30 Europe/Berlin"),
    ],
)
async def test_mistyped_daily_subcommand_gets_a_private_hint_not_a_public_passage(
    daily_slack: SlackClient, fake_slack: FakeSlack, store: Store, typed: str, meant: str
) -> None:
    reply = await daily_slack.command(typed)
    assert reply["response_type"] == "ephemeral"
    assert f"Did you mean `{meant}`?" in all_text(reply)
    assert "Passage of the day" not in all_text(reply)
    assert store.subscription("slack", "T0FAKETEAM", "C0FAKECHAN") is None
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_unknown_daily_word_lists_the_subcommands_privately(daily_slack: SlackClient) -> None:
    reply = await daily_slack.command("daily tomorrow")
    assert reply["response_type"] == "ephemeral"
    assert "`setup`, `stop`, `status`, `preview`, `now`" in all_text(reply)


async def test_daily_with_a_document_option_still_shows_the_passage(daily_slack: SlackClient) -> None:
    reply = await daily_slack.command("daily in:secret-speech")
    assert reply["response_type"] == "in_channel"
    assert "Passage of the day" in all_text(reply)


async def test_mistyped_daily_subcommand_without_daily_posts_is_private_too(slack: SlackClient) -> None:
    reply = await slack.command("daily stpo")
    assert reply["response_type"] == "ephemeral"
    assert "Scheduled daily posts are not switched on" in all_text(reply)


@pytest.fixture
async def zoned_slack(
    library: Library, fake_slack: FakeSlack, store: Store, scheduler: Scheduler, clock: HandClock
) -> AsyncIterator[SlackClient]:
    """Like daily_slack, with the UTC day of `/speech daily` read from the same fixed clock."""
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
        daily=DailyService(store, library, scheduler),
        now=clock,
        today=lambda: clock.now.date(),
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


async def test_daily_shows_the_day_of_the_channels_own_zone(
    zoned_slack: SlackClient, library: Library, clock: HandClock
) -> None:
    clock.now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # still Sunday 29 November in New York
    await zoned_slack.command("daily setup 07:00 America/New_York", key="setup")
    here = await zoned_slack.command("daily", key="here")
    elsewhere = await zoned_slack.command("daily", key="elsewhere", channel="C0OTHERCHAN")
    new_york, utc = passage_for(date(2026, 11, 29), library.default), passage_for(date(2026, 11, 30), library.default)
    assert new_york.ref != utc.ref
    assert f"§{new_york.ref} ·" in all_text(here)
    assert f"§{utc.ref} ·" in all_text(elsewhere)  # no subscription there: the UTC day
