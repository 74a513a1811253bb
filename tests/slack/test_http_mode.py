"""HTTP mode end to end: signed requests to our real aiohttp server, answers recorded by the fake Slack."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from bot.core import Library
from bot.core.daily import passage_for
from bot.slack.runner import SlackHttpServer
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import TODAY, SlackClient, all_text


async def test_quote_by_ref_is_public_with_ref_title_and_citation(slack: SlackClient) -> None:
    message = await slack.command("quote 3.2")
    assert message["response_type"] == "in_channel"
    section, context = message["blocks"][0], message["blocks"][-1]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith(">This term automatically rendered")
    assert context["type"] == "context"
    notes = " ".join(element["text"] for element in context["elements"])
    assert "§3.2" in notes
    assert "Secret Speech" in notes
    assert "par. 3." in notes


async def test_bare_ref_quotes_the_passage(slack: SlackClient) -> None:
    message = await slack.command("3.2")
    assert message["response_type"] == "in_channel"
    assert "This term automatically rendered" in all_text(message)


async def test_quote_without_ref_posts_a_readable_passage(slack: SlackClient) -> None:
    message = await slack.command("quote")
    assert message["response_type"] == "in_channel"
    assert message["blocks"][0]["text"]["text"].startswith(">")


async def test_search_is_ephemeral_with_bold_match_and_post_button(slack: SlackClient) -> None:
    message = await slack.command("search enemy of the peopel")
    assert message["response_type"] == "ephemeral"
    first_hit = message["blocks"][1]
    assert first_hit["text"]["text"].startswith("*Khrushchev 1956 §3.1*")  # every hit names its text
    assert "*enemy of the people*" in first_hit["text"]["text"]
    button = first_hit["accessory"]
    assert button["action_id"] == "speech_post"
    assert json.loads(button["value"]) == {"d": "secret-speech", "r": "3.1"}


async def test_plain_words_search(slack: SlackClient) -> None:
    message = await slack.command("enemy of the people")
    assert message["response_type"] == "ephemeral"
    assert "*Khrushchev 1956 §3.1*" in all_text(message)


async def test_context_shows_the_paragraph_with_its_neighbours(slack: SlackClient) -> None:
    message = await slack.command("context 3.2")
    assert message["response_type"] == "in_channel"
    text = all_text(message)
    assert "*§2*" in text
    assert "*§3*" in text
    assert "*§4*" in text
    quoted = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "*§3*" in b["text"]["text"]]
    assert quoted
    assert ">" in quoted[0].split("\n", 1)[1][:1]


async def test_daily_posts_the_passage_of_the_injected_day(slack: SlackClient, library: Library) -> None:
    message = await slack.command("daily")
    expected = passage_for(TODAY, library.default)
    assert message["response_type"] == "in_channel"
    assert "Passage of the day" in all_text(message)
    assert f"§{expected.ref}" in all_text(message)
    assert expected.text.split()[0] in all_text(message)


async def test_cite_in_apa_is_private(slack: SlackClient) -> None:
    message = await slack.command("cite 5 apa")
    assert message["response_type"] == "ephemeral"
    assert "Khrushchev, N. (1956" in all_text(message)
    assert "para. 5" in all_text(message)


async def test_about_shows_the_editors_introduction_privately(slack: SlackClient) -> None:
    message = await slack.command("about")
    assert message["response_type"] == "ephemeral"
    assert "Editor's introduction" in all_text(message)


async def test_help_lists_every_subcommand_with_the_configured_name(slack: SlackClient) -> None:
    message = await slack.command("help")
    text = all_text(message)
    assert message["response_type"] == "ephemeral"
    for usage in ("/speech quote", "/speech search", "/speech context", "/speech daily", "/speech cite"):
        assert usage in text
    assert "&lt;words&gt;" in text  # `<words>` would otherwise be read as a link


async def test_empty_command_shows_help(slack: SlackClient) -> None:
    message = await slack.command("")
    assert "/speech search" in all_text(message)


async def test_unknown_ref_is_a_private_error_that_says_what_exists(slack: SlackClient) -> None:
    message = await slack.command("quote 99")
    assert message["response_type"] == "ephemeral"
    assert ":warning:" in all_text(message)
    assert "7 paragraphs" in all_text(message)


async def test_document_option_picks_the_text_and_unknown_one_is_an_error(slack: SlackClient) -> None:
    found = await slack.command("quote 3.2 in:secret-speech", key="found")
    assert found["response_type"] == "in_channel"
    missing = await slack.command("quote 3.2 in:no-such-text", key="missing")
    assert missing["response_type"] == "ephemeral"
    assert "secret-speech" in all_text(missing)


async def test_channel_mention_in_a_query_never_pings(slack: SlackClient) -> None:
    message = await slack.command("search <!channel> Stalin originated the concept enemy of the people")
    assert "<!channel>" not in json.dumps(message)
    assert "&lt;!channel&gt;" in all_text(message)
    assert "&lt;!channel&gt;" in message["text"]


async def test_user_mention_in_a_query_never_pings(slack: SlackClient) -> None:
    message = await slack.command("<@U0FAKEUSER> Stalin originated the concept enemy of the people")
    assert "<@U0FAKEUSER>" not in json.dumps(message)
    assert "&lt;@U0FAKEUSER&gt;" in all_text(message)


async def test_ampersand_in_query_is_escaped(slack: SlackClient) -> None:
    message = await slack.command("search enemy & people")
    assert "enemy &amp; people" in all_text(message)


async def test_answer_rides_on_the_ack_well_within_three_seconds(slack: SlackClient) -> None:
    started = time.perf_counter()
    status, body = await slack.post(slack.slash_body("search enemy of the people"))
    assert status == 200
    assert time.perf_counter() - started < 3
    assert "*enemy of the people*" in all_text(json.loads(body))
    await asyncio.sleep(0.2)
    assert slack.fake.responses == []  # no second message through response_url


async def test_forged_signature_is_rejected_and_not_answered(slack: SlackClient, fake_slack: FakeSlack) -> None:
    status, _ = await slack.post(slack.slash_body("quote 3.2"), secret="fake-but-wrong-secret")
    assert status == 401
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []


async def test_stale_timestamp_is_rejected(slack: SlackClient, fake_slack: FakeSlack) -> None:
    status, _ = await slack.post(slack.slash_body("quote 3.2"), timestamp=int(time.time()) - 10 * 60)
    assert status == 401
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []


async def test_retry_of_the_same_request_gets_no_second_answer(slack: SlackClient, fake_slack: FakeSlack) -> None:
    body = slack.slash_body("quote 3.2")
    first = await slack.command("quote 3.2")
    assert "This term automatically rendered" in all_text(first)
    status, ack = await slack.post(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    assert (status, ack) == (200, "")
    await asyncio.sleep(0.3)
    assert fake_slack.responses == []


async def test_post_to_channel_shares_the_passage_and_removes_the_private_list(
    slack: SlackClient, fake_slack: FakeSlack
) -> None:
    status, ack = await slack.post(slack.action_body("speech_post", '{"d":"secret-speech","r":"3.1"}'))
    assert (status, ack) == (200, "")
    shared, removed = [c.args for c in await fake_slack.wait_for("response_url", 2)]
    assert shared["response_type"] == "in_channel"
    assert shared["replace_original"] is False
    assert "Stalin originated the concept enemy of the people" in all_text(shared)
    assert "shared by <@U0FAKEUSER>" in all_text(shared)
    assert removed["delete_original"] is True
    assert not removed.get("blocks")


async def test_more_results_pages_on_in_place(slack: SlackClient, fake_slack: FakeSlack) -> None:
    first = await slack.command("search Stalin")
    buttons = [b for b in first["blocks"] if b["type"] == "actions"]
    assert buttons, "expected more than one page of hits for 'Stalin'"
    more = buttons[0]["elements"][0]
    assert more["action_id"] == "speech_more"
    status, _ = await slack.post(slack.action_body("speech_more", more["value"]))
    assert status == 200
    (second_call,) = await fake_slack.wait_for("response_url")
    second = second_call.args
    assert second["replace_original"] is True
    assert second["response_type"] == "ephemeral"
    assert all_text(second).startswith("Results 6–")
    first_refs = {b["accessory"]["value"] for b in first["blocks"] if "accessory" in b}
    second_refs = {b["accessory"]["value"] for b in second["blocks"] if "accessory" in b}
    assert second_refs
    assert not first_refs & second_refs


async def test_tampered_button_value_gives_a_private_error(slack: SlackClient, fake_slack: FakeSlack) -> None:
    await slack.post(slack.action_body("speech_post", "not json"))
    (call,) = await fake_slack.wait_for("response_url")
    assert call.args["response_type"] == "ephemeral"
    assert "expired" in all_text(call.args)


async def test_healthz(server: SlackHttpServer) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "documents": 1}


@pytest.mark.parametrize("stamp", ["not-a-number", "", "1e9", "17000000.5", "-1700000000"])
async def test_malformed_timestamp_is_refused_quietly(
    slack: SlackClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, stamp: str
) -> None:
    body = slack.slash_body("quote 3.2")
    status, _ = await slack.post(body, headers={"X-Slack-Request-Timestamp": stamp})
    assert status == 401
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []


@pytest.mark.parametrize(
    "body",
    [
        "payload=not-json",
        "payload=%5B1%5D",  # a list
        "payload=%22text%22",  # a string
        "payload",
        'payload={"type":"block_actions","actions":"speech_post"}',
        'payload={"type":"block_actions","actions":[1]}',
        'payload={"type":"block_actions","actions":[{"action_id":"speech_post","value":"{}"}]}',  # no response_url
        'payload={"type":"view_submission","view":"x"}',
    ],
)
async def test_signed_malformed_payload_is_a_quiet_400(
    slack: SlackClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    status, _ = await slack.post(body)
    assert status == 400
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    await asyncio.sleep(0.2)
    assert fake_slack.responses == []


async def test_signed_json_event_that_is_not_an_object_is_a_quiet_400(
    slack: SlackClient, caplog: pytest.LogCaptureFixture
) -> None:
    for body in ("[]", '{"type":"event_callback","event":"app_uninstalled"}'):
        status, _ = await slack.post(body, headers={"Content-Type": "application/json"})
        assert status == 400
    assert "Traceback" not in caplog.text


def mrkdwn_objects(node: Any) -> list[dict[str, Any]]:
    """Every mrkdwn text object in a message."""
    if isinstance(node, dict):
        found = [node] if node.get("type") == "mrkdwn" else []
        return found + [o for value in node.values() for o in mrkdwn_objects(value)]
    if isinstance(node, list):
        return [o for value in node for o in mrkdwn_objects(value)]
    return []


@pytest.mark.parametrize("text", ["quote 3.2", "context 3", "daily", "search enemy of the people", "cite 5"])
async def test_every_mrkdwn_text_is_verbatim(slack: SlackClient, text: str) -> None:
    message = await slack.command(text)
    objects = mrkdwn_objects(message["blocks"])
    assert objects
    assert all(o.get("verbatim") is True for o in objects)
