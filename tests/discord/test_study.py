"""Study commands on Discord through discord.py and the fake: quiz rounds, scoreboard, concordance, pictures."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.core.library import Library
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.discord.client import AnyBot
from bot.discord.daily import DiscordDeliverer
from bot.discord.study import StudyCommands
from bot.store import Store, open_store
from tests.core.study_texts import write_speeches
from tests.discord.conftest import Starter
from tests.fakes.discord_api import CHANNEL_ID, OTHER_USER_ID, USER_ID, FakeDiscord, Recorded

EPHEMERAL = 64
THIRD_USER_ID = USER_ID + 10


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path / "db")
    yield opened
    opened.close()


def service(store: Store, library: Library) -> DailyService:
    return DailyService(store, library, Scheduler(store, library, {"discord": DiscordDeliverer()}))


@pytest.fixture
async def quiz_bot(start_bot: Starter, library: Library, store: Store) -> AnyBot:
    return await start_bot(library, daily=service(store, library))


def message_of(rec: Recorded) -> dict[str, Any]:
    data: dict[str, Any] = rec.body.get("data", rec.body)
    return data


def buttons(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


def private_text(rec: Recorded) -> str:
    data = message_of(rec)
    assert data["flags"] & EPHEMERAL
    return str(data["content"])


def study(bot: AnyBot) -> StudyCommands:
    cog = bot.get_cog("StudyCommands")
    assert isinstance(cog, StudyCommands)
    return cog


async def test_a_quiz_round_counts_one_answer_each_reveals_in_place_and_scores(
    quiz_bot: AnyBot, fake: FakeDiscord
) -> None:
    rec = await fake.interact(fake.command("quiz", {"questions": 2, "seconds": 30, "kind": "paragraph"}))
    question = message_of(rec)
    assert question["allowed_mentions"] == {"parse": []}
    assert "question 1 of 2" in question["embeds"][0]["title"]
    ids = buttons(question)
    assert len(ids) == 4
    answer_of = {}
    for user_id, index in ((USER_ID, 0), (OTHER_USER_ID, 1), (THIRD_USER_ID, 2)):
        reply = await fake.interact(fake.button(ids[index], user_id=user_id))
        assert private_text(reply).startswith("Counted:")
        answer_of[user_id] = index
    again = await fake.interact(fake.button(ids[3], user_id=USER_ID))
    assert private_text(again) == "You already answered **a**."

    edits_before = len(fake.of("PATCH", f"/channels/{CHANNEL_ID}/messages/"))
    closed = await study(quiz_bot).close_due(datetime.now(UTC) + timedelta(seconds=31))
    assert closed == 1
    [edit] = fake.of("PATCH", f"/channels/{CHANNEL_ID}/messages/")[edits_before:]
    reveal = edit.body["embeds"][0]
    assert "closed" in reveal["title"] and edit.body["components"] == []
    assert "Answer: **" in reveal["description"] and "Secret Speech, 1956, §" in reveal["description"]
    assert "of 3" in reveal["description"]  # three people answered
    [following] = fake.channel_posts()
    assert "question 2 of 2" in following["embeds"][0]["title"]
    assert following["allowed_mentions"] == {"parse": []}
    assert await study(quiz_bot).close_due(datetime.now(UTC) + timedelta(seconds=31)) == 0  # no double reveal

    scores = message_of(await fake.interact(fake.command("quiz-scores")))
    board = scores["embeds"][0]["description"]
    assert board.count("of 1") == 3  # three people, each one answer counted


async def test_an_open_question_survives_a_restart(
    start_bot: Starter, fake: FakeDiscord, library: Library, store: Store
) -> None:
    first = await start_bot(library, daily=service(store, library))
    rec = await fake.interact(fake.command("quiz", {"seconds": 30}))
    ids = buttons(message_of(rec))
    await first.close()
    second = await start_bot(library, daily=service(store, library))
    counted = await fake.interact(fake.button(ids[1], user_id=OTHER_USER_ID))
    assert private_text(counted).startswith("Counted:")
    assert await study(second).close_due(datetime.now(UTC) + timedelta(seconds=31)) == 1
    [edit] = fake.of("PATCH", f"/channels/{CHANNEL_ID}/messages/")
    assert "1 of 1" in edit.body["embeds"][0]["description"] or "Nobody of 1" in edit.body["embeds"][0]["description"]


async def test_quiz_options_out_of_range_and_unknown_buttons_are_refused(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("quiz", {"kind": "speaker"}))
    assert "two speakers" in private_text(rec)
    fake.messages["1"] = {
        **fake._message(CHANNEL_ID, {}),
        "id": "1",
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 1, "label": "a", "custom_id": "sb:quiz:abcdef:0"}]}
        ],
    }
    gone = await fake.interact(fake.button("sb:quiz:abcdef:0"))
    assert "no longer known" in private_text(gone)


async def test_concordance_pages_with_a_restart_proof_button(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("concordance", {"word": "the"}))
    page = message_of(rec)
    embed = page["embeds"][0]
    assert embed["title"].startswith("Concordance: the")
    assert embed["footer"]["text"].startswith("Uses 1-10 of ")
    [more] = buttons(page)
    second = message_of(await fake.interact(fake.button(more)))
    assert second["embeds"][0]["footer"]["text"].startswith("Uses 11-20 of ")


async def test_concordance_of_a_mistyped_word_says_what_it_shows(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("concordance", {"word": "stalni"}))
    description = message_of(rec)["embeds"][0]["description"]
    assert description.startswith("No “stalni” in the texts; showing results for “stalin”.")
    assert "```" in description and "Stalin" in description


def png_of(rec: Recorded) -> Image.Image:
    [data] = rec.files.values()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_card_is_attached_as_a_png(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("card", {"ref": "3.1"}))
    assert png_of(rec).size == (1600, 900)
    assert message_of(rec)["content"] == "§3.1 · Khrushchev's Secret Speech, 1956"


async def test_a_card_too_long_for_a_slide_is_refused_privately(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("card", {"ref": "1-7"}))
    assert "too long to read on one card" in private_text(rec)


async def test_trend_chart_is_attached_for_dated_texts(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path, store: Store
) -> None:
    folder = write_speeches(tmp_path / "speeches")
    library = Library.load([folder])
    await start_bot(library, daily=service(store, library))
    await fake.interact(fake.command("trend", {"words": "freedom slavery"}))
    [followup] = await fake.wait_for("POST", "/webhooks/")
    assert png_of(followup).format == "PNG"
    assert "freedom: 3" in followup.body["content"] and "slavery: 2" in followup.body["content"]


async def test_a_press_after_the_time_reveals_in_place_and_asks_the_next_question(
    quiz_bot: AnyBot, fake: FakeDiscord
) -> None:
    rec = await fake.interact(fake.command("quiz", {"questions": 2, "seconds": 10}))
    ids = buttons(message_of(rec))
    assert private_text(await fake.interact(fake.button(ids[0]))).startswith("Counted:")
    later = datetime.now(UTC) + timedelta(seconds=11)
    study(quiz_bot).clock = lambda: later
    late = await fake.interact(fake.button(ids[1], user_id=OTHER_USER_ID))
    assert late.body["type"] == 7  # the question message itself is edited, not a new message posted
    revealed = late.body["data"]
    assert "closed" in revealed["embeds"][0]["title"] and revealed["components"] == []
    assert "of 1" in revealed["embeds"][0]["description"]  # the late press was not counted
    [following] = await fake.wait_for("POST", "/webhooks/")
    assert "question 2 of 2" in following.body["embeds"][0]["title"]
    assert len(buttons(following.body)) == 4


async def test_the_running_bot_reveals_a_question_when_its_time_is_up(quiz_bot: AnyBot, fake: FakeDiscord) -> None:
    await fake.interact(fake.command("quiz", {"seconds": 10}))
    later = datetime.now(UTC) + timedelta(seconds=11)
    study(quiz_bot).clock = lambda: later
    [edit] = await fake.wait_for("PATCH", f"/channels/{CHANNEL_ID}/messages/", timeout=10)  # no press needed
    assert "Nobody answered." in edit.body["embeds"][0]["description"]
