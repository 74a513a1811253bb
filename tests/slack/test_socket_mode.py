"""Socket Mode end to end: the fake hands out a ws://127.0.0.1 URL, sends envelopes and checks the acks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.core import Library
from bot.daily.service import DailyService
from bot.slack import SlackConfigError
from bot.slack.runner import start_slack_socket
from bot.store import Store, SubscriptionSpec, open_store
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, TODAY, all_text

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.fixture
async def handler(library: Library, fake_slack: FakeSlack) -> AsyncIterator[AsyncSocketModeHandler]:
    running = await start_slack_socket(
        library,
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        client_base_url=fake_slack.base_url,
        today=lambda: TODAY,
    )
    await fake_slack.wait_for_socket()
    yield running
    await running.close_async()


def slash_payload(fake: FakeSlack, text: str) -> dict[str, Any]:
    return {
        "token": "fake-verification-token",
        "team_id": "T0FAKETEAM",
        "channel_id": "C0FAKECHAN",
        "user_id": "U0FAKEUSER",
        "command": "/speech",
        "text": text,
        "api_app_id": "A0FAKEAPP",
        "response_url": fake.response_url("socket"),
        "trigger_id": "1234.5678.fake-socket",
    }


async def test_connection_is_opened_with_the_app_token(handler: AsyncSocketModeHandler, fake_slack: FakeSlack) -> None:
    (call,) = fake_slack.calls_to("apps.connections.open")
    assert call.token == APP_TOKEN


async def test_slash_command_envelope_is_acknowledged_with_the_answer(
    handler: AsyncSocketModeHandler, fake_slack: FakeSlack
) -> None:
    envelope_id = await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, "quote 3.2"))
    ack = await fake_slack.wait_for_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id
    assert ack["payload"]["response_type"] == "in_channel"
    assert "This term automatically rendered" in all_text(ack["payload"])
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []  # one answer, in the ack; nothing more through response_url


async def test_search_over_socket_mode_is_ephemeral(handler: AsyncSocketModeHandler, fake_slack: FakeSlack) -> None:
    envelope_id = await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, "enemy of the peopel"))
    answer = (await fake_slack.wait_for_ack(envelope_id))["payload"]
    assert answer["response_type"] == "ephemeral"
    assert "*enemy of the people*" in all_text(answer)


async def test_redelivered_envelope_is_acknowledged_but_not_answered_again(
    handler: AsyncSocketModeHandler, fake_slack: FakeSlack
) -> None:
    payload = slash_payload(fake_slack, "quote 3.2")
    envelope_id = await fake_slack.send_envelope("slash_commands", payload, retry_attempt=1, retry_reason="timeout")
    assert await fake_slack.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    await asyncio.sleep(0.3)
    assert fake_slack.responses == []


async def test_malformed_app_token_is_one_line_error(library: Library, fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackConfigError, match=r"SLACK_APP_TOKEN must be a token starting with xapp-"):
        await start_slack_socket(library, bot_token=BOT_TOKEN, app_token=BOT_TOKEN, client_base_url=fake_slack.base_url)
    assert fake_slack.calls == []


async def test_revoked_app_token_is_one_line_error_not_a_reconnect_loop(
    library: Library, fake_slack: FakeSlack
) -> None:
    with pytest.raises(SlackConfigError, match=r"Slack rejected SLACK_APP_TOKEN \(invalid_auth\)"):
        await start_slack_socket(
            library, bot_token=BOT_TOKEN, app_token="xapp-revoked-fake", client_base_url=fake_slack.base_url
        )


@pytest.fixture
async def daily_handler(
    library: Library, fake_slack: FakeSlack, tmp_path: Path
) -> AsyncIterator[tuple[AsyncSocketModeHandler, Store]]:
    store = open_store(None, tmp_path)
    running = await start_slack_socket(
        library,
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        client_base_url=fake_slack.base_url,
        today=lambda: TODAY,
        daily=DailyService(store, library),
        now=lambda: NOW,
    )
    await fake_slack.wait_for_socket()
    yield running, store
    await running.close_async()
    store.close()


def uninstalled_event(team: str = "T0FAKETEAM") -> dict[str, Any]:
    return {
        "token": "fake-verification-token",
        "team_id": team,
        "api_app_id": "A0FAKEAPP",
        "event": {"type": "app_uninstalled"},
        "type": "event_callback",
        "event_id": "Ev0FAKE1",
        "event_time": 1700000000,
        "authorizations": [{"team_id": team, "user_id": "U0FAKEBOT", "is_bot": True, "enterprise_id": None}],
    }


def subscribe(store: Store, library: Library, team: str = "T0FAKETEAM") -> int:
    spec = SubscriptionSpec("slack", team, "C0FAKECHAN", library.default.id, "08:30", "Europe/Berlin")
    return store.save_subscription(spec, now=NOW, next_run_at=NOW, next_local_date=NOW.date()).id


async def paused_reason(store: Store, subscription_id: int) -> str | None:
    """The pause reason once the event listener has had its turn (bolt runs it after the ack)."""
    for _ in range(200):
        found = store.subscription_by_id(subscription_id)
        if found is not None and found.paused_reason:
            return found.paused_reason
        await asyncio.sleep(0.02)
    return None


async def test_first_event_delivery_with_retry_attempt_zero_is_handled(
    daily_handler: tuple[AsyncSocketModeHandler, Store], fake_slack: FakeSlack, library: Library
) -> None:
    _, store = daily_handler
    subscription_id = subscribe(store, library)
    envelope_id = await fake_slack.send_envelope("events_api", uninstalled_event(), retry_attempt=0, retry_reason="")
    assert await fake_slack.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    assert "removed from this Slack workspace" in (await paused_reason(store, subscription_id) or "")


async def test_redelivered_event_is_acknowledged_but_not_handled_again(
    daily_handler: tuple[AsyncSocketModeHandler, Store], fake_slack: FakeSlack, library: Library
) -> None:
    _, store = daily_handler
    retried, fresh = subscribe(store, library, "T0RETRIED"), subscribe(store, library)
    envelope_id = await fake_slack.send_envelope(
        "events_api", uninstalled_event("T0RETRIED"), retry_attempt=2, retry_reason="timeout"
    )
    assert await fake_slack.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    # A first delivery sent after it is handled; by then the retry would have been too.
    await fake_slack.wait_for_ack(await fake_slack.send_envelope("events_api", uninstalled_event(), retry_attempt=0))
    assert await paused_reason(store, fresh) is not None
    found = store.subscription_by_id(retried)
    assert found is not None
    assert found.paused_reason is None


async def test_commands_answered_over_socket_mode_are_counted_for_metrics(
    handler: AsyncSocketModeHandler, fake_slack: FakeSlack
) -> None:
    from bot.metrics import METRICS

    def answered() -> float:
        return METRICS.registry.get_sample_value("speechbot_commands_answered_total", {"platform": "slack"}) or 0.0

    before = answered()
    envelope_id = await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, "quote 3.2"))
    await fake_slack.wait_for_ack(envelope_id)
    assert answered() == before + 1
