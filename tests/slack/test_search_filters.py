"""Slack search across several texts: hits name their text, by:/from:/to: narrow them, More keeps the filter."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.slack.blocks import MORE_ACTION
from bot.slack.runner import start_slack_http
from tests.core.test_library import _reader
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SlackClient, all_text


@pytest.fixture
async def reader_slack(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackClient]:
    server = await start_slack_http(
        _reader(tmp_path),
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


async def test_every_hit_names_its_text_and_shared_sentences_say_where_else(reader_slack: SlackClient) -> None:
    message = await reader_slack.command("search truths about the freedom of the press")
    text = all_text(message)
    assert "*Lincoln 1861 §" in text or "*Douglass 1852 §" in text
    assert "(also in " in text


async def test_a_speaker_filter_holds_on_the_next_page(reader_slack: SlackClient) -> None:
    first = await reader_slack.command('search freedom by:"Abraham Lincoln"', key="s1")
    headings = [b["text"]["text"].split("*")[1] for b in first["blocks"][1:] if b["type"] == "section"]
    assert headings and all(h.startswith("Lincoln 186") for h in headings)
    # the More button repeats the query with its filter, so the next page keeps to the same texts
    value = json.dumps({"q": 'freedom by:"Abraham Lincoln"', "o": 1, "d": None})
    before = len(reader_slack.fake.calls_to("response_url"))
    await reader_slack.post(reader_slack.action_body(MORE_ACTION, value, key="s2"))
    page = (await reader_slack.fake.wait_for("response_url", before + 1))[before].args
    later = [b["text"]["text"].split("*")[1] for b in page["blocks"][1:] if b["type"] == "section"]
    assert later and all(h.startswith("Lincoln 186") for h in later)
    assert 'by:"Abraham Lincoln"' in page["blocks"][0]["text"]["text"]  # the heading says which texts
