"""Every slash command, autocomplete and button, through the real discord.py client and the fake Discord."""

from __future__ import annotations

import asyncio
import random
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.core.daily import passage_for
from bot.core.library import Library
from bot.core.render import about_text, citation
from bot.discord.client import AnyBot
from bot.discord.embeds import COLOUR
from bot.store import Store, SubscriptionSpec
from tests.discord.conftest import Starter
from tests.fakes.discord_api import (
    CHANNEL_ID,
    GUILD_ID,
    OTHER_USER_ID,
    ROLE_ID,
    USER_ID,
    FakeDiscord,
    Recorded,
)

EPHEMERAL = 64
NOBODY = {"parse": []}


def data(rec: Recorded) -> dict[str, Any]:
    """The message part of an interaction callback."""
    body = rec.body
    assert isinstance(body, dict)
    return body["data"]


def buttons(rec: Recorded) -> list[dict[str, Any]]:
    """The buttons of a callback's components, in order."""
    return [c for row in data(rec).get("components", []) for c in row["components"]]


def assert_private_hint(rec: Recorded, text: str) -> None:
    """An ephemeral plain-text answer that pings nobody."""
    assert rec.body["type"] == 4
    assert data(rec) == {"tts": False, "content": text, "flags": EPHEMERAL, "allowed_mentions": NOBODY}


async def test_quote_ref_answers_with_embed_title_text_and_citation(
    bot: AnyBot, fake: FakeDiscord, library: Library
) -> None:
    rec = await fake.interact(fake.command("quote", {"ref": "3.2"}))
    passage = library.default.passage("3.2")
    assert rec.path.endswith("/callback") and rec.query == {"with_response": "1"}
    assert rec.body == {
        "type": 4,
        "data": {
            "tts": False,
            "content": None,
            "embeds": [
                {
                    "type": "rich",
                    "flags": 0,
                    "title": "§3.2 · Khrushchev's Secret Speech, 1956",
                    "description": passage.text,
                    "color": COLOUR.value,
                    "footer": {"text": citation(passage, "mla")},
                }
            ],
            "allowed_mentions": NOBODY,
        },
    }


async def test_quote_private_is_ephemeral(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("quote", {"ref": "3", "private": True}))
    assert data(rec)["flags"] == EPHEMERAL
    assert data(rec)["embeds"][0]["title"].startswith("§3 ·")


async def test_quote_without_ref_is_one_of_the_readable_passages(
    bot: AnyBot, fake: FakeDiscord, library: Library
) -> None:
    rec = await fake.interact(fake.command("quote"))
    texts = {p.text for p in library.default.daily_passages}
    assert data(rec)["embeds"][0]["description"] in texts
    assert "flags" not in data(rec)


async def test_unknown_ref_gets_ephemeral_hint(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("quote", {"ref": "99"}))
    assert_private_hint(rec, "The speech has 7 paragraphs; try `3` or `3.2`.")


async def test_unknown_document_gets_ephemeral_hint(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("daily", {"document": "gettysburg"}))
    assert rec.body["type"] == 4
    assert data(rec)["flags"] == EPHEMERAL
    assert "secret-speech" in data(rec)["content"]


async def test_search_shows_refs_with_matched_words_in_bold(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("search", {"query": "enemy of the peopel"}))
    embed = data(rec)["embeds"][0]
    assert embed["title"] == "Search: enemy of the peopel"
    assert embed["description"].startswith("**§3.1** ")
    assert "**enemy of the people**" in embed["description"].lower()
    assert embed["footer"]["text"].startswith("Results 1-")
    assert data(rec)["allowed_mentions"] == NOBODY
    assert "flags" not in data(rec)


async def test_search_more_results_button_pages_in_place(bot: AnyBot, fake: FakeDiscord) -> None:
    first = await fake.interact(fake.command("search", {"query": "stalin"}))
    [more] = buttons(first)
    assert more["label"] == "More results"
    assert more["custom_id"] == f"sb:more:0:{USER_ID}:5::stalin"
    page = await fake.interact(fake.button(more["custom_id"], user_id=OTHER_USER_ID))
    assert page.body["type"] == 7  # UPDATE_MESSAGE: the same message shows the next page
    embed = data(page)["embeds"][0]
    assert embed["footer"]["text"].startswith("Results 6-")
    assert embed["description"] != data(first)["embeds"][0]["description"]
    assert data(page)["allowed_mentions"] == NOBODY


async def test_private_results_can_only_be_paged_by_the_asker(bot: AnyBot, fake: FakeDiscord) -> None:
    first = await fake.interact(fake.command("search", {"query": "stalin", "private": True}))
    assert data(first)["flags"] == EPHEMERAL
    [more] = buttons(first)
    assert more["custom_id"].startswith(f"sb:more:1:{USER_ID}:5:")
    refused = await fake.interact(fake.button(more["custom_id"], user_id=OTHER_USER_ID))
    assert_private_hint(refused, "Only the person who searched can page these results.")
    paged = await fake.interact(fake.button(more["custom_id"], user_id=USER_ID))
    assert paged.body["type"] == 7


async def test_buttons_work_after_a_restart(start_bot: Starter, fake: FakeDiscord, library: Library) -> None:
    first_bot = await start_bot(library)
    first = await fake.interact(fake.command("search", {"query": "stalin"}))
    await first_bot.close()
    await start_bot(library)
    page = await fake.interact(fake.button(buttons(first)[0]["custom_id"]))
    assert page.body["type"] == 7
    assert data(page)["embeds"][0]["footer"]["text"].startswith("Results 6-")


async def test_everyone_here_and_role_in_query_ping_nobody(bot: AnyBot, fake: FakeDiscord) -> None:
    query = f"@everyone @here <@&{ROLE_ID}> <@{USER_ID}> enemy of the people"
    rec = await fake.interact(fake.command("search", {"query": query}))
    assert data(rec)["allowed_mentions"] == NOBODY
    assert data(rec)["content"] is None
    assert data(rec)["embeds"][0]["title"] == "Search: enemy of the people"  # mentions are not echoed
    assert data(rec)["embeds"][0]["description"].startswith("**§3.1**")
    nothing = await fake.interact(fake.command("search", {"query": "@everyone @here"}))
    assert_private_hint(nothing, "Type some words to search for, for example `search enemy of the people`.")


async def test_off_topic_search_gets_ephemeral_hint(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("search", {"query": "banana bread recipe"}))
    assert_private_hint(
        rec, "Nothing in the loaded texts matches that. Try fewer or different words, or `quote` for a passage."
    )


async def test_search_autocomplete_suggests_sentences(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.autocomplete("search", "query", {"query": "enemy of the peo"}))
    assert rec.body["type"] == 8
    choices = rec.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert choices[0]["value"] == "§3.1 secret-speech"
    assert choices[0]["name"].startswith("§3.1 Stalin originated the concept enemy of the people.")


async def test_empty_autocomplete_offers_nothing(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.autocomplete("search", "query", {"query": ""}))
    assert rec.body == {"type": 8, "data": {"choices": []}}


async def test_choosing_a_suggestion_quotes_that_sentence(bot: AnyBot, fake: FakeDiscord, library: Library) -> None:
    rec = await fake.interact(fake.command("search", {"query": "§3.1 secret-speech"}))
    embed = data(rec)["embeds"][0]
    assert embed["title"] == "§3.1 · Khrushchev's Secret Speech, 1956"
    assert embed["description"] == library.default.passage("3.1").text


async def test_document_autocomplete_lists_loaded_texts(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.autocomplete("quote", "document", {"document": "secret"}))
    assert rec.body == {
        "type": 8,
        "data": {"choices": [{"name": "Khrushchev's Secret Speech, 1956", "value": "secret-speech"}]},
    }
    none = await fake.interact(fake.autocomplete("quote", "document", {"document": "lincoln"}))
    assert none.body["data"]["choices"] == []


async def test_context_shows_neighbours_and_next_walks_on(bot: AnyBot, fake: FakeDiscord, library: Library) -> None:
    rec = await fake.interact(fake.command("context", {"ref": "1"}))
    embed = data(rec)["embeds"][0]
    assert embed["title"] == "Context of §1 · Khrushchev's Secret Speech, 1956"
    assert embed["description"].startswith("**§1** ◀\n" + library.default.paragraphs[0].text)
    assert "**§2**\n" in embed["description"]
    previous, following = buttons(rec)
    assert (previous["label"], previous.get("disabled")) == ("Previous", True)
    assert (following["label"], following.get("disabled", False)) == ("Next", False)
    assert following["custom_id"] == f"sb:ctx:n:0:{USER_ID}:secret-speech:2"

    moved = await fake.interact(fake.button(following["custom_id"]))
    assert moved.body["type"] == 7
    assert data(moved)["embeds"][0]["title"] == "Context of §2 · Khrushchev's Secret Speech, 1956"
    assert [b.get("disabled", False) for b in buttons(moved)] == [False, False]
    assert buttons(moved)[1]["custom_id"].endswith(":3")


async def test_context_at_the_end_disables_next(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("context", {"ref": "7.1", "private": True}))
    assert data(rec)["flags"] == EPHEMERAL
    assert [b.get("disabled", False) for b in buttons(rec)] == [False, True]


async def test_daily_is_the_passage_of_the_interaction_day(bot: AnyBot, fake: FakeDiscord, library: Library) -> None:
    payload = fake.command("daily")
    rec = await fake.interact(payload)
    day = discord.utils.snowflake_time(int(payload["id"])).date()
    passage = passage_for(day, library.default)
    assert data(rec)["embeds"][0]["description"] == passage.text
    assert data(rec)["embeds"][0]["title"] == f"§{passage.ref} · Khrushchev's Secret Speech, 1956"


def snowflake_at(moment: datetime) -> str:
    """An interaction id made at `moment`: discord.py reads the interaction's time from it (a fixed clock)."""
    return str(discord.utils.time_snowflake(moment))


async def test_daily_in_an_american_evening_is_the_channels_local_day(
    bot_with_daily: AnyBot, fake: FakeDiscord, library: Library, subscriptions: Store
) -> None:
    evening = datetime(2026, 2, 10, 21, 0, tzinfo=ZoneInfo("America/Chicago"))  # 03:00 UTC on 11 February
    local_day, utc_day = date(2026, 2, 10), date(2026, 2, 11)
    assert passage_for(local_day, library.default).ref != passage_for(utc_day, library.default).ref
    spec = SubscriptionSpec("discord", str(GUILD_ID), str(CHANNEL_ID), "secret-speech", "08:00", "America/Chicago")
    subscriptions.save_subscription(
        spec, now=evening, next_run_at=evening + timedelta(hours=11), next_local_date=date(2026, 2, 11)
    )
    payload = fake.command("daily")
    payload["id"] = snowflake_at(evening)
    rec = await fake.interact(payload)
    assert data(rec)["embeds"][0]["description"] == passage_for(local_day, library.default).text

    elsewhere = fake.command("daily", guild_id=GUILD_ID + 1)  # a channel without a daily post: the UTC day
    elsewhere["id"] = snowflake_at(evening)
    rec = await fake.interact(elsewhere)
    assert data(rec)["embeds"][0]["description"] == passage_for(utc_day, library.default).text


async def test_daily_after_the_channels_post_stopped_is_the_utc_day(
    bot_with_daily: AnyBot, fake: FakeDiscord, library: Library, subscriptions: Store
) -> None:
    evening = datetime(2026, 2, 10, 21, 0, tzinfo=ZoneInfo("America/Chicago"))
    spec = SubscriptionSpec("discord", str(GUILD_ID), str(CHANNEL_ID), "secret-speech", "08:00", "America/Chicago")
    subscriptions.save_subscription(spec, now=evening, next_run_at=evening, next_local_date=date(2026, 2, 11))
    subscriptions.stop_subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    payload = fake.command("daily")
    payload["id"] = snowflake_at(evening)
    rec = await fake.interact(payload)
    assert data(rec)["embeds"][0]["description"] == passage_for(date(2026, 2, 11), library.default).text


async def test_cite_in_each_style(bot: AnyBot, fake: FakeDiscord, library: Library) -> None:
    passage = library.default.passage("5")
    for style in ("mla", "apa", "chicago"):
        rec = await fake.interact(fake.command("cite", {"ref": "5", "style": style}))
        [embed] = data(rec)["embeds"]
        assert embed["title"] == f"{style.upper()} citation · §5 · Khrushchev's Secret Speech, 1956"
        assert embed["description"] == citation(passage, style)
    default = await fake.interact(fake.command("cite", {"ref": "5"}))
    assert data(default)["embeds"][0]["description"] == citation(passage, "mla")


async def test_about_shows_source_and_introduction(bot: AnyBot, fake: FakeDiscord, library: Library) -> None:
    rec = await fake.interact(fake.command("about"))
    [embed] = data(rec)["embeds"]
    assert embed["title"] == "Khrushchev's Secret Speech, 1956"
    assert embed["description"] == about_text(library.default)


async def test_help_lists_every_command_with_an_example(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("help"))
    text = data(rec)["embeds"][0]["description"]
    for name in ("quote", "search", "context", "daily", "cite", "about", "help"):
        assert f"**/{name}**" in text
    assert "Example: `/search query:enemy of the peopel`" in text
    assert data(rec)["flags"] == EPHEMERAL


async def test_dm_interaction_from_a_user_install(bot: AnyBot, fake: FakeDiscord) -> None:
    payload = fake.command("quote", {"ref": "2.1"}, dm=True)
    assert "member" not in payload and "user" in payload
    rec = await fake.interact(payload)
    assert data(rec)["embeds"][0]["title"].startswith("§2.1 ·")
    suggestions = await fake.interact(fake.autocomplete("search", "query", {"query": "stalin"}, dm=True))
    assert suggestions.body["data"]["choices"]


async def test_long_text_is_split_across_embeds(start_bot: Starter, fake: FakeDiscord, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    rng = random.Random(7)
    words = ["liberty", "people", "party", "congress", "history", "truth", "law", "power"]
    sentences = [" ".join(rng.choice(words) for _ in range(14)).capitalize() + "." for _ in range(160)]
    (texts / "long.txt").write_text("A Long Text\n\n* * * *\n\n" + " ".join(sentences) + "\n\nShort end.\n")
    library = Library.load([texts], include_seeds=False)
    await start_bot(library, data_dir=tmp_path / "data2")
    rec = await fake.interact(fake.command("quote", {"ref": "1"}))
    first = data(rec)["embeds"]
    total = int(first[0]["description"].rsplit("/", 1)[1].rstrip(")"))
    followups = [r.body for r in await fake.wait_for("POST", "/webhooks/", count=total - len(first))]
    every = first + [e for body in followups for e in body["embeds"]]
    assert len(every) >= 3
    assert every[0]["title"].startswith("§1 · A Long Text")
    assert every[0]["description"].endswith(f" (1/{len(every)})")
    assert every[-1]["description"].endswith(f" ({len(every)}/{len(every)})")
    assert all(len(e["description"]) <= 4096 for e in every)
    assert sum(len(e["description"]) for e in first) <= 6000
    assert all(e["description"].rsplit(" (", 1)[0].endswith(".") for e in every)  # cut after a sentence
    assert "footer" in every[-1] and "footer" not in every[0]
    assert all(body["allowed_mentions"] == NOBODY for body in followups)


async def test_user_install_in_a_server_without_the_bot(bot: AnyBot, fake: FakeDiscord) -> None:
    payload = fake.command("cite", {"ref": "2", "style": "apa"}, guild_id=GUILD_ID + 1)
    assert payload["authorizing_integration_owners"] == {"1": str(USER_ID)}
    rec = await fake.interact(payload)
    assert data(rec)["embeds"][0]["title"].startswith("APA citation · §2 ·")


async def test_commands_work_in_the_guild_the_gateway_sent(bot: AnyBot, fake: FakeDiscord) -> None:
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None and guild.name == "History 101"
    rec = await fake.interact(fake.command("quote", {"ref": "4"}))
    assert rec.body["type"] == 4


async def test_private_context_pages_only_for_the_asker(bot: AnyBot, fake: FakeDiscord) -> None:
    rec = await fake.interact(fake.command("context", {"ref": "3", "private": True}))
    following = buttons(rec)[1]
    assert following["custom_id"] == f"sb:ctx:n:1:{USER_ID}:secret-speech:4"
    refused = await fake.interact(fake.button(following["custom_id"], user_id=OTHER_USER_ID))
    assert_private_hint(refused, "Only the person who asked can turn these pages.")


async def test_second_text_is_offered_and_searched(start_bot: Starter, fake: FakeDiscord, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "gettysburg.txt").write_text(
        "The Gettysburg Address\n\n* * * *\n\n"
        "Four score and seven years ago our fathers brought forth on this continent a new nation.\n\n"
        "Now we are engaged in a great civil war, testing whether that nation can long endure.\n"
    )
    await start_bot(Library.load([texts]), data_dir=tmp_path / "data3")
    rec = await fake.interact(fake.autocomplete("search", "document", {"query": "", "document": "getty"}))
    [choice] = rec.body["data"]["choices"]
    assert choice["name"] == "The Gettysburg Address"
    found = await fake.interact(fake.command("search", {"query": "civil war", "document": choice["value"]}))
    embed = data(found)["embeds"][0]
    assert embed["description"].startswith("**§2.1** ")
    assert "The Gettysburg Address" in embed["footer"]["text"]
    picked = await fake.interact(fake.command("search", {"query": f"§1 {choice['value']}"}))
    assert data(picked)["embeds"][0]["title"] == "§1 · The Gettysburg Address"


def long_paragraphs_library(folder: Path, paragraphs: int = 4) -> Library:
    """A text whose paragraphs are so long that one with its neighbours needs several messages."""
    folder.mkdir()
    rng = random.Random(11)
    words = ["liberty", "people", "party", "congress", "history", "truth", "law", "power", "letter", "court"]
    body = []
    for number in range(1, paragraphs + 1):
        sentences = [
            f"Paragraph {number} sentence {i} " + " ".join(rng.choice(words) for _ in range(12)) + "."
            for i in range(60)
        ]
        body.append(" ".join(sentences))
    (folder / "long.txt").write_text("Long Paragraphs\n\n* * * *\n\n" + "\n\n".join(body) + "\n")
    return Library.load([folder], include_seeds=False)


def part_marker(description: str) -> tuple[int, int]:
    """The `(2/7)` marker at the end of a part, as numbers."""
    found = re.search(r" \((\d+)/(\d+)\)$", description)
    assert found is not None, description[-20:]
    return int(found[1]), int(found[2])


def by_label(rec: Recorded) -> dict[str, dict[str, Any]]:
    """A callback's buttons keyed by their label."""
    return {b["label"]: b for b in buttons(rec)}


async def test_context_longer_than_a_message_pages_through_every_part(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path
) -> None:
    library = long_paragraphs_library(tmp_path / "texts")
    await start_bot(library, data_dir=tmp_path / "data2")
    rec = await fake.interact(fake.command("context", {"ref": "2"}))
    assert fake.of("POST", "/webhooks/") == []  # one message, paged, not a trail of followups
    assert list(by_label(rec)) == ["Previous", "Previous part", "Next part", "Next"]
    assert by_label(rec)["Previous part"].get("disabled") is True
    pages = [rec]
    while not by_label(pages[-1])["Next part"].get("disabled", False):
        assert len(pages) < 20
        pages.append(await fake.interact(fake.button(by_label(pages[-1])["Next part"]["custom_id"])))
    assert all(page.body["type"] == 7 for page in pages[1:])
    shown = " ".join(e["description"] for page in pages for e in data(page)["embeds"])
    _, total = part_marker(data(pages[0])["embeds"][0]["description"])
    assert len([e for page in pages for e in data(page)["embeds"]]) == total > 2
    for number in (1, 2, 3):
        for sentence in library.default.paragraphs[number - 1].text.split(". "):
            assert sentence.rstrip(".") in shown  # every sentence of the paragraph and its neighbours
    assert "paragraph 2 of 4" in data(pages[-1])["embeds"][-1]["footer"]["text"]

    back = await fake.interact(fake.button(by_label(pages[-1])["Previous part"]["custom_id"]))
    assert data(back)["embeds"] == data(pages[-2])["embeds"]
    moved = await fake.interact(fake.button(by_label(back)["Next"]["custom_id"]))
    assert data(moved)["embeds"][0]["title"] == "Context of §3 · Long Paragraphs"
    assert by_label(moved)["Previous part"].get("disabled") is True  # a new paragraph opens at its first part


async def test_next_on_a_long_context_keeps_the_later_parts_reachable(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path
) -> None:
    library = long_paragraphs_library(tmp_path / "texts")
    await start_bot(library, data_dir=tmp_path / "data2")
    rec = await fake.interact(fake.command("context", {"ref": "1", "private": True}))
    moved = await fake.interact(fake.button(by_label(rec)["Next"]["custom_id"]))
    assert data(moved)["embeds"][0]["title"] == "Context of §2 · Long Paragraphs"
    following = by_label(moved)["Next part"]
    assert following.get("disabled", False) is False
    assert following["custom_id"] == f"sb:ctx:f:1:{USER_ID}:long:2:1"
    refused = await fake.interact(fake.button(following["custom_id"], user_id=OTHER_USER_ID))
    assert_private_hint(refused, "Only the person who asked can turn these pages.")
    second = await fake.interact(fake.button(following["custom_id"]))
    _, total = part_marker(data(moved)["embeds"][0]["description"])
    assert part_marker(data(second)["embeds"][0]["description"]) == (2, total)
    assert by_label(second)["Previous part"].get("disabled", False) is False


async def test_a_slow_search_does_not_hold_up_other_interactions(
    bot: AnyBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one search is still running (held here until /help was answered), the bot answers /help."""
    entered, release, order = threading.Event(), threading.Event(), []
    search = bot.library.search

    def held_search(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        release.wait(5)  # bounded: on the event loop this would stall everything for 5 s, then go on
        order.append("search")
        return search(*args, **kwargs)

    monkeypatch.setattr(bot.library, "search", held_search)
    for first in (
        fake.command("search", {"query": "enemy of the people"}),
        fake.autocomplete("search", "query", {"query": "stal"}),
    ):
        order.clear()
        entered.clear()
        release.clear()
        searching = asyncio.create_task(fake.interact(first, timeout=10))
        assert await asyncio.to_thread(entered.wait, 10)  # the search has begun
        await fake.interact(fake.command("help"), timeout=10)
        order.append("help")
        release.set()
        assert (await searching).body["type"] in (4, 8)
        assert order == ["help", "search"]
