"""Answers longer than one Slack message: every word arrives, in order, each message within Slack's limits and cited."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.core import Library
from bot.slack.blocks import CONTINUE_ACTION, MAX_BLOCKS, MESSAGE_TEXT_LIMIT, SECTION_LIMIT, text_size
from bot.slack.runner import start_slack_http
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import (
    BOT_TOKEN,
    LINK_WORDS,
    LONG_PARAGRAPHS,
    LONG_SENTENCES,
    LONG_TEXT_ID,
    SIGNING_SECRET,
    TODAY,
    SlackClient,
    all_text,
    long_marker,
)

MARKER = re.compile(r"Marker-p(\d+)s(\d+)")
PART = re.compile(r"Part (\d+) of (\d+)")
EVERY_SENTENCE = [(p, s) for p in range(1, LONG_PARAGRAPHS + 1) for s in range(1, LONG_SENTENCES + 1)]


@pytest.fixture
async def long_slack(long_library: Library, fake_slack: FakeSlack) -> AsyncIterator[SlackClient]:
    server = await start_slack_http(
        long_library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        host="127.0.0.1",
        port=0,
        client_base_url=fake_slack.base_url,
        today=lambda: TODAY,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


def check_limits(message: dict[str, Any]) -> None:
    """What Slack refuses: more than 50 blocks, a longer section, or too much text in one message."""
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert text_size(message["blocks"]) <= MESSAGE_TEXT_LIMIT
    for block in message["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT


def cited(message: dict[str, Any]) -> bool:
    notes = [b for b in message["blocks"] if b["type"] == "context" and "A Very Long Lecture" in json.dumps(b)]
    return bool(notes) and "Speaker" in json.dumps(notes[0])


def continue_button(message: dict[str, Any]) -> dict[str, Any] | None:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == CONTINUE_ACTION:
                return element  # type: ignore[no-any-return]
    return None


def batch_done(sent: list[dict[str, Any]]) -> bool:
    """After the replaced message: the last part so far carries the next button, or is the very last part."""
    if len(sent) < 2:
        return False
    part = PART.search(all_text(sent[-1]))
    return continue_button(sent[-1]) is not None or (part is not None and part.group(1) == part.group(2))


def markers(messages: list[dict[str, Any]]) -> list[tuple[int, int]]:
    text = "\n".join(all_text(m) for m in messages)
    return [(int(p), int(s)) for p, s in MARKER.findall(text)]


async def read_to_the_end(slack: SlackClient, first: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Press Continue on the last message until none is left; the messages in the order they were posted."""
    posted = list(first)
    for press in range(30):
        button = continue_button(posted[-1])
        if button is None:
            return posted
        before = len(slack.fake.responses)
        status, _ = await slack.post(
            slack.action_body(CONTINUE_ACTION, button["value"], key=f"more{press}", message_ts=f"1700000001.{press}")
        )
        assert status == 200
        await slack.fake.wait_for("response_url", before + 2)
        for _ in range(100):  # the parts after the replaced one arrive one by one
            if batch_done(slack.fake.responses[before:]):
                break
            await asyncio.sleep(0.05)
        replaced, *more = slack.fake.responses[before:]
        assert replaced["replace_original"] is True
        assert continue_button(replaced) is None  # the pressed button is gone
        posted[-1] = replaced
        posted += more
    raise AssertionError("the passage never ended")


async def test_long_quote_arrives_whole_in_order_across_messages_each_cited(
    long_slack: SlackClient, fake_slack: FakeSlack
) -> None:
    status, ack = await long_slack.post(long_slack.slash_body(f"quote 1-{LONG_PARAGRAPHS} in:{LONG_TEXT_ID}"))
    assert (status, ack) == (200, "")
    first = [call.args for call in await fake_slack.wait_for("response_url", 4)]
    assert continue_button(first[-1]) is not None
    messages = await read_to_the_end(long_slack, first)
    assert len(messages) > 4
    assert markers(messages) == EVERY_SENTENCE  # nothing lost, nothing twice, in reading order
    for number, message in enumerate(messages, 1):
        check_limits(message)
        assert message["response_type"] == "in_channel"
        assert cited(message), f"message {number} has no citation"
        assert f"Part {number} of {len(messages)}" in all_text(message)
    assert continue_button(messages[-1]) is None


async def test_pressing_continue_twice_sends_the_next_parts_once(
    long_slack: SlackClient, fake_slack: FakeSlack
) -> None:
    await long_slack.post(long_slack.slash_body(f"quote 1-{LONG_PARAGRAPHS} in:{LONG_TEXT_ID}"))
    first = [call.args for call in await fake_slack.wait_for("response_url", 4)]
    button = continue_button(first[-1])
    assert button is not None
    for _ in range(2):
        await long_slack.post(long_slack.action_body(CONTINUE_ACTION, button["value"], key="twice"))
    await fake_slack.wait_for("response_url", 8)
    await asyncio.sleep(0.3)
    assert len(fake_slack.responses) == 8  # 4, then the replaced message and 3 more: not another 4
    sent = markers([fake_slack.responses[0:4][-1], *fake_slack.responses[5:]])
    assert len(sent) == len(set(sent))


async def test_context_longer_than_one_message_keeps_every_paragraph_and_the_citation(
    long_slack: SlackClient, fake_slack: FakeSlack
) -> None:
    status, ack = await long_slack.post(long_slack.slash_body(f"context 5 in:{LONG_TEXT_ID}"))
    assert (status, ack) == (200, "")
    await asyncio.sleep(0.3)
    messages = [call.args for call in await fake_slack.wait_for("response_url", 2)]
    assert continue_button(messages[-1]) is None
    expected = [(p, s) for p in (4, 5, 6) for s in range(1, LONG_SENTENCES + 1)]
    assert markers(messages) == expected
    for message in messages:
        check_limits(message)
        assert cited(message)


async def test_short_quote_still_rides_on_the_ack(long_slack: SlackClient, fake_slack: FakeSlack) -> None:
    message = await long_slack.command(f"quote 2.3 in:{LONG_TEXT_ID}")
    assert long_marker(2, 3) in all_text(message)
    assert cited(message)
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []


async def test_links_and_channel_words_in_a_text_are_quoted_verbatim(long_slack: SlackClient) -> None:
    message = await long_slack.command(f"quote {LONG_PARAGRAPHS + 1} in:{LONG_TEXT_ID}")
    section = message["blocks"][0]["text"]
    assert section["verbatim"] is True
    assert section["text"] == ">" + LINK_WORDS
