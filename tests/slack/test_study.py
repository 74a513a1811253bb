"""Study commands on Slack through slack-bolt and the fake: quiz rounds, scores, concordance, pictures."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from PIL import Image
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Library
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.quiz_service import QuizService
from bot.server_texts import Libraries
from bot.slack.daily import SlackDeliverer
from bot.slack.runner import start_slack_http
from bot.slack.study import SlackStudy, parse_quiz
from bot.slack.study_blocks import CONCORDANCE_ACTION, QUIZ_ACTION
from bot.store import Store, open_store
from bot.store.base import SqlStore
from bot.store.quiz import QuizBook
from tests.clocks import HandClock
from tests.core.study_texts import write_speeches
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SlackClient, all_text

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHANNEL = "C0FAKECHAN"


@pytest.fixture
def clock() -> HandClock:
    return HandClock(START)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


async def study_client(
    library: Library, fake_slack: FakeSlack, store: Store, clock: HandClock
) -> AsyncIterator[SlackClient]:
    deliverer = SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
        daily=DailyService(store, library, Scheduler(store, library, {"slack": deliverer}, clock=clock)),
        now=clock,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


@pytest.fixture
async def slack_study(
    library: Library, fake_slack: FakeSlack, store: Store, clock: HandClock
) -> AsyncIterator[SlackClient]:
    async for client in study_client(library, fake_slack, store, clock):
        yield client


def quiz_posts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.messages.get(CHANNEL, []) if "Quiz question" in m.get("text", "")]


def blocks_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Blocks as sent: a JSON string in a form post, a list in a JSON body."""
    blocks = message["blocks"]
    return cast(list[dict[str, Any]], json.loads(blocks) if isinstance(blocks, str) else blocks)


def answer_ids(message: dict[str, Any]) -> list[tuple[str, str]]:
    actions = next(b for b in blocks_of(message) if b["type"] == "actions")
    return [(e["action_id"], e["value"]) for e in actions["elements"]]


async def press(slack: SlackClient, action: tuple[str, str], user: str, key: str) -> dict[str, Any]:
    before = len(slack.fake.calls_to("response_url"))
    status, _ = await slack.post(slack.action_body(*action, key=key, user=user))
    assert status == 200
    calls = await slack.fake.wait_for("response_url", before + 1)
    return calls[before].args


async def test_a_quiz_round_on_slack_counts_one_answer_each_and_reveals_in_place(
    slack_study: SlackClient, fake_slack: FakeSlack, clock: HandClock
) -> None:
    status, body = await slack_study.post(slack_study.slash_body("quiz 2 30s paragraph"))
    assert status == 200 and body == ""
    await fake_slack.wait_for("chat.postMessage")
    [question] = quiz_posts(fake_slack)
    actions = answer_ids(question)
    assert len(actions) == 4 and all(a.startswith(QUIZ_ACTION) for a, _ in actions)
    assert "question 1 of 2" in all_text({"blocks": blocks_of(question)})
    for n, user in enumerate(("U0ANA", "U0BEN", "U0CY")):
        reply = await press(slack_study, actions[n], user, key=f"p{n}")
        assert reply["response_type"] == "ephemeral" and reply["text"].startswith("Counted:")
    again = await press(slack_study, actions[3], "U0ANA", key="again")
    assert again["text"] == "You already answered *a*."

    clock.now = START + timedelta(seconds=31)
    status, _ = await slack_study.post(slack_study.action_body(*actions[1], key="late", user="U0DEE"))
    assert status == 200
    [update] = await fake_slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, question["ts"])  # the question itself
    revealed = all_text({"blocks": blocks_of(update.args)})
    assert "closed" in revealed and "Answer: *" in revealed and "of 3" in revealed  # the late press did not count
    following = await fake_slack.wait_for("chat.postMessage", 2)
    assert "question 2 of 2" in all_text({"blocks": blocks_of(following[1].args)})

    scores = await slack_study.command("quiz scores", key="scores")
    assert scores["response_type"] == "in_channel"
    board = all_text(scores)
    assert board.count("of 1") == 3 and "student-" in board


async def test_the_closer_reveals_questions_a_restart_left_open(
    library: Library, fake_slack: FakeSlack, store: Store, clock: HandClock
) -> None:
    async for slack in study_client(library, fake_slack, store, clock):
        await slack.post(slack.slash_body("quiz 30s"))
        await fake_slack.wait_for("chat.postMessage")
        [question] = quiz_posts(fake_slack)
        reply = await press(slack, answer_ids(question)[0], "U0ANA", key="p")
        assert reply["text"].startswith("Counted:")
    # the server is gone; a new process's closer finds the open question in the database
    study = SlackStudy(Libraries(library), QuizService(QuizBook(cast(SqlStore, store)), library), "/speech", clock)
    web = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url)

    async def client_for(team: str) -> AsyncWebClient:
        return web

    assert await study.close_due(client_for) == 0  # not due yet
    clock.now = START + timedelta(seconds=31)
    assert await study.close_due(client_for) == 1
    assert await study.close_due(client_for) == 0  # revealed once
    [update] = fake_slack.calls_to("chat.update")
    assert "of 1" in all_text({"blocks": blocks_of(update.args)})


async def test_quiz_reset_is_for_admins_and_bad_options_get_a_hint(slack_study: SlackClient) -> None:
    refused = await slack_study.command("quiz reset", key="r1")
    assert "admin" in refused["text"] and refused["response_type"] == "ephemeral"
    allowed = await slack_study.command("quiz reset", key="r2", user="U0ADMINUSER")
    assert "scores are cleared" in allowed["text"]
    hint = await slack_study.command("quiz banana", key="h")
    assert "did not understand `banana`" in hint["text"] and hint["response_type"] == "ephemeral"
    speakers = await slack_study.command("quiz speaker", key="s")
    assert "two speakers" in speakers["text"]


def test_quiz_options_read_in_any_order() -> None:
    request = parse_quiz(["30s", "gap", "5", "in:secret"], "/speech")
    assert (request.kind, request.questions, request.seconds, request.document) == ("gap", 5, 30, "secret")


async def test_concordance_is_private_and_pages(slack_study: SlackClient) -> None:
    first = await slack_study.command("concordance the", key="c1")
    assert first["response_type"] == "ephemeral"
    text = all_text(first)
    assert "Concordance: the" in text and "Uses 1-10 of" in text and "```" in text
    more = next(b for b in first["blocks"] if b["type"] == "actions")["elements"][0]
    assert more["action_id"] == CONCORDANCE_ACTION
    before = len(slack_study.fake.calls_to("response_url"))
    await slack_study.post(slack_study.action_body(CONCORDANCE_ACTION, more["value"], key="c2"))
    page = (await slack_study.fake.wait_for("response_url", before + 1))[before].args
    assert page["replace_original"] is True and "Uses 11-20 of" in all_text(page)


async def test_card_is_uploaded_to_the_channel(slack_study: SlackClient, fake_slack: FakeSlack) -> None:
    reply = await slack_study.command("card 3.1", key="card")
    assert reply["text"] == "The card is in the channel."
    [shared] = fake_slack.shared_files
    assert shared["channel_id"] == CHANNEL and "§3.1" in shared["initial_comment"]
    [png] = fake_slack.uploads.values()
    assert Image.open(io.BytesIO(png)).size == (1600, 900)


async def test_trend_chart_is_uploaded_for_dated_texts(
    fake_slack: FakeSlack, store: Store, clock: HandClock, tmp_path: Path
) -> None:
    folder = write_speeches(tmp_path / "speeches")
    async for slack in study_client(Library.load([folder]), fake_slack, store, clock):
        reply = await slack.command("trend freedom slavery", key="t")
        assert reply["text"] == "The chart is in the channel."
    [shared] = fake_slack.shared_files
    assert "freedom: 3" in shared["initial_comment"]
    [png] = fake_slack.uploads.values()
    assert Image.open(io.BytesIO(png)).format == "PNG"


async def test_the_running_server_reveals_a_question_when_its_time_is_up(
    slack_study: SlackClient, fake_slack: FakeSlack, clock: HandClock
) -> None:
    await slack_study.post(slack_study.slash_body("quiz 10s"))
    await fake_slack.wait_for("chat.postMessage")
    [question] = quiz_posts(fake_slack)
    clock.now = START + timedelta(seconds=11)
    [update] = await fake_slack.wait_for("chat.update", seconds=10)  # the server's own closer, no press needed
    assert update.args["ts"] == question["ts"] and "Nobody answered." in all_text({"blocks": blocks_of(update.args)})
