"""`app_uninstalled` and `tokens_revoked`, signed as Slack sends them: the token is forgotten, daily posts paused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.core import Library
from bot.daily.service import DailyService
from bot.slack import OAuthConfig, manifest
from bot.slack.config import BOT_SCOPES
from bot.slack.runner import start_slack_http
from bot.store import SlackInstallation, Store, Subscription, SubscriptionSpec
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import SIGNING_SECRET, SlackClient

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
TEAM, OTHER_TEAM = "T0FAKETEAM", "T0OTHERTEAM"


def subscribe(store: Store, library: Library, team: str, channel: str) -> Subscription:
    spec = SubscriptionSpec("slack", team, channel, library.default.id, "08:30", "Europe/Berlin")
    return store.save_subscription(spec, now=NOW, next_run_at=NOW, next_local_date=NOW.date())


def install(store: Store, team: str) -> None:
    store.save_slack_installation(
        SlackInstallation(team_id=team, enterprise_id=None, bot_token=f"xoxb-fake-{team}-not-real", installed_at=NOW)
    )


async def settled(check: Callable[[], bool]) -> bool:
    """Whether `check` holds once the event's listener has had its turn (bolt runs it after the ack)."""
    for _ in range(200):
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


@pytest.fixture
async def oauth_slack(
    library: Library, fake_slack: FakeSlack, store: Store, tmp_path: Path
) -> AsyncIterator[SlackClient]:
    """HTTP mode with OAuth installs and daily posts in `store` (SQLite, and PostgreSQL when configured)."""
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        oauth=OAuthConfig(client_id="0000.fake-client-id", client_secret="fake-client-secret", data_dir=tmp_path),
        port=0,
        client_base_url=fake_slack.base_url,
        daily=DailyService(store, library),
        now=lambda: NOW,
        store=store,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


def paused(store: Store, subscription: Subscription) -> str | None:
    found = store.subscription_by_id(subscription.id)
    assert found is not None
    return found.paused_reason


async def test_uninstall_forgets_the_token_and_pauses_only_that_workspaces_channels(
    oauth_slack: SlackClient, store: Store, library: Library
) -> None:
    install(store, TEAM)
    install(store, OTHER_TEAM)
    ours = [subscribe(store, library, TEAM, channel) for channel in ("C0ONE", "C0TWO")]
    theirs = subscribe(store, library, OTHER_TEAM, "C0THREE")

    status, _ = await oauth_slack.event({"type": "app_uninstalled"})
    assert status == 200
    assert await settled(lambda: store.slack_installation(team_id=TEAM, enterprise_id=None) is None)
    assert await settled(lambda: all(paused(store, s) for s in ours))
    for subscription in ours:
        assert "removed from this Slack workspace" in (paused(store, subscription) or "")
        again = store.subscription_by_id(subscription.id)
        assert again is not None
        assert again.next_run_at is None  # the scheduler no longer sees it as due
    assert paused(store, theirs) is None
    assert store.slack_installation(team_id=OTHER_TEAM, enterprise_id=None) is not None


async def test_revoked_bot_token_forgets_the_install_and_pauses(
    oauth_slack: SlackClient, store: Store, library: Library
) -> None:
    install(store, TEAM)
    subscription = subscribe(store, library, TEAM, "C0ONE")
    status, _ = await oauth_slack.event({"type": "tokens_revoked", "tokens": {"bot": ["U0FAKEBOT"]}})
    assert status == 200
    assert await settled(lambda: store.slack_installation(team_id=TEAM, enterprise_id=None) is None)
    assert await settled(lambda: paused(store, subscription) is not None)
    assert "revoked" in (paused(store, subscription) or "")


async def test_revoked_user_tokens_leave_the_bot_installed(
    oauth_slack: SlackClient, store: Store, library: Library
) -> None:
    install(store, TEAM)
    subscription = subscribe(store, library, TEAM, "C0ONE")
    status, _ = await oauth_slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}})
    assert status == 200
    # A later uninstall in another workspace shows the first event has been handled by then.
    install(store, OTHER_TEAM)
    await oauth_slack.event({"type": "app_uninstalled"}, team=OTHER_TEAM)
    assert await settled(lambda: store.slack_installation(team_id=OTHER_TEAM, enterprise_id=None) is None)
    assert store.slack_installation(team_id=TEAM, enterprise_id=None) is not None
    assert paused(store, subscription) is None


async def test_paused_channel_says_why_in_status(oauth_slack: SlackClient, store: Store, library: Library) -> None:
    install(store, TEAM)
    subscribe(store, library, TEAM, "C0FAKECHAN")
    await oauth_slack.event({"type": "app_uninstalled"})
    assert await settled(lambda: store.slack_installation(team_id=TEAM, enterprise_id=None) is None)
    install(store, TEAM)  # installed again: the channel stays paused until someone runs setup
    reply = await oauth_slack.command("daily status")
    text = " ".join(block["text"]["text"] for block in reply["blocks"])
    assert "Paused: the app was removed from this Slack workspace" in text


def test_manifest_subscribes_to_the_removal_events_and_asks_for_no_public_posting() -> None:
    for text in (manifest("/speech"), manifest("/speech", http_url="https://bot.example.invalid")):
        events = text.split("bot_events:", 1)[1].split("interactivity:", 1)[0]
        assert '- "app_uninstalled"' in events
        assert '- "tokens_revoked"' in events
        assert "chat:write.public" not in text
    assert "chat:write.public" not in BOT_SCOPES
    http = manifest("/speech", http_url="https://bot.example.invalid")
    assert http.count('request_url: "https://bot.example.invalid/slack/events"') == 2  # events and buttons
