"""Socket Mode end to end: the fake hands out a ws://127.0.0.1 URL, sends envelopes and checks the acks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.core import Library
from bot.slack import SlackConfigError
from bot.slack.runner import start_slack_socket
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, TODAY, all_text


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
