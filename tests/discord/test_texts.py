"""The /text group through the real discord.py client and the fake Discord: a server's own texts end to end."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.library import Library
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.discord.client import AnyBot
from bot.discord.daily import DiscordDeliverer
from bot.server_texts import Libraries, ServerTexts
from bot.store import Store
from bot.store.texts import TextShelf
from tests.discord.conftest import Starter
from tests.fakes.discord_api import APP_ID, CHANNEL_ID, GUILD_ID, USER_ID, FakeDiscord, Recorded, channel_option
from tests.server_texts.samples import LESSON
from tests.test_cli import speechbot

EPHEMERAL = 64
OTHER_GUILD = GUILD_ID + (1 << 22)  # another server that installed the bot
SCOPE = f"discord:{GUILD_ID}"
NO_MANAGE_GUILD = ((1 << 53) - 1) & ~(1 << 5)
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(subscriptions: Store) -> Store:
    """The bot's database (SQLite in the test's `subscriptions` folder)."""
    return subscriptions


@pytest.fixture
def texts(store: Store, library: Library, tmp_path: Path) -> ServerTexts:
    shelf = TextShelf(store)
    libraries = Libraries(library, shelf, cache_dir=tmp_path / "cache", check_seconds=0.2)
    return ServerTexts(shelf, libraries, max_bytes=64 * 1024, max_texts=50)


@pytest.fixture
async def bot(start_bot: Starter, library: Library, store: Store, texts: ServerTexts, fake: FakeDiscord) -> AnyBot:
    fake.installed_guilds.add(OTHER_GUILD)
    scheduler = Scheduler(store, texts.libraries, {"discord": DiscordDeliverer()})
    return await start_bot(library, daily=DailyService(store, texts.libraries, scheduler), texts=texts)


def said(rec: Recorded) -> str:
    """The content of a private answer: a response, or the followup after a deferral."""
    body = rec.body
    data = body.get("data", body)
    assert data["flags"] & EPHEMERAL, data
    return str(data["content"])


async def add(fake: FakeDiscord, data: bytes = LESSON, filename: str = "lighthouse.md", **options: Any) -> str:
    """/text add with an uploaded file; the private answer's text."""
    value, resolved = fake.attachment_option(filename, data, size=options.pop("size", None))
    done = len(fake.of("POST", f"/webhooks/{APP_ID}/"))
    rec = await fake.interact(
        fake.subcommand("text", "add", {"file": value, **options}, types={"file": 11}, resolved=resolved)
    )
    if rec.body["type"] != 5:  # refused before deferring
        return said(rec)
    followups = await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=done + 1)
    return said(followups[-1])


def embed_of(rec: Recorded) -> dict[str, Any]:
    return rec.body["data"]["embeds"][0]


async def test_a_teacher_adds_a_text_and_the_class_quotes_searches_and_cites_it(bot: AnyBot, fake: FakeDiscord) -> None:
    answer = await add(fake)
    assert (
        answer
        == "Added **The Lesson of the Lighthouse** as `lighthouse`: 2 paragraphs. Try `/quote document:lighthouse`."
    )
    assert len(fake.downloads) == 1
    quoted = await fake.interact(fake.command("quote", {"ref": "2", "document": "lighthouse"}))
    assert embed_of(quoted)["description"].startswith("She wrote that a lighthouse teaches patience")
    found = await fake.interact(fake.command("search", {"query": "lighthouse teaches patience"}))
    assert "lighthouse teaches patience" in json.dumps(embed_of(found)).replace("**", "")
    cited = await fake.interact(fake.command("cite", {"ref": "1", "document": "lighthouse"}))
    assert "Keeper" in embed_of(cited)["description"]
    listed = await fake.interact(fake.subcommand("text", "list"))
    assert said(listed).startswith("`lighthouse` **The Lesson of the Lighthouse** · Ada Keeper · 1901-05-04")
    choices = await fake.interact(fake.autocomplete("quote", "document", {"document": "light"}))
    assert [c["value"] for c in choices.body["data"]["choices"]] == ["lighthouse"]


async def test_the_default_text_is_what_commands_read_and_hiding_leaves_the_servers_own(
    bot: AnyBot, fake: FakeDiscord
) -> None:
    await add(fake)
    chosen = await fake.interact(fake.subcommand("text", "default", {"text": "lighthouse"}))
    assert said(chosen) == "Commands in this server now use `lighthouse` when no text is named."
    quoted = await fake.interact(fake.command("quote", {"ref": "1"}))
    assert embed_of(quoted)["description"].startswith("The keeper climbed the tower")
    before = await fake.interact(fake.command("search", {"query": "Stalin originated the concept"}))
    assert "Stalin" in json.dumps(before.body)
    hidden = await fake.interact(fake.subcommand("text", "hide-bundled"))
    assert said(hidden) == "The bundled texts are hidden in this server."
    after = await fake.interact(fake.command("search", {"query": "Stalin originated the concept"}))
    assert "Stalin originated" not in json.dumps(after.body)
    listed = await fake.interact(fake.subcommand("text", "list"))
    assert "Default text: `lighthouse`" in said(listed) and "bundled texts are hidden" in said(listed)
    shown = await fake.interact(fake.subcommand("text", "show-bundled"))
    assert said(shown) == "The bundled texts are shown in this server again."


async def test_a_list_of_fifty_texts_comes_in_several_messages_and_names_every_one(
    bot: AnyBot, fake: FakeDiscord, texts: ServerTexts
) -> None:
    ids = []
    for n in range(50):
        title = f"A reading with a fairly long title for the list, number {n}"
        data = f"---\ntitle: {title}\nspeaker: Ada Keeper\n---\nThe keeper wrote page {n} of the log.\n".encode()
        added = await texts.add(SCOPE, filename=f"reading-{n}.md", data=data, added_by=str(USER_ID), now=NOW)
        ids.append(added.text_id)
    rec = await fake.interact(fake.subcommand("text", "list"))
    messages = [said(rec)]
    for count in range(1, 10):  # the followups arrive one after another
        messages = [said(rec), *(said(f) for f in await fake.wait_for("POST", f"/webhooks/{APP_ID}/", count=count))]
        if all(f"`{text_id}`" in "\n".join(messages) for text_id in ids):
            break
    assert all(f"`{text_id}`" in "\n".join(messages) for text_id in ids)
    assert len(messages) > 1 and all(len(m) <= 2000 for m in messages)


@pytest.mark.parametrize(
    ("data", "filename", "size", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR", "photo.txt", None, "The file looks like a binary file, not text"),
        ("Caf\u00e9 au lait.".encode("latin-1"), "menu.txt", None, "The file is not UTF-8 text"),
        (b"# Only a title\n", "title.md", None, "The text has no body paragraphs"),
        (b"Fine words.", "speech.pdf", None, "Only .txt and .md files can be added as texts."),
        (b"Fine words.", "huge.txt", 10 * 1024 * 1024, "The file is 10.0 MB; a text may be at most 64 KB."),
    ],
)
async def test_each_refusal_is_one_private_sentence_and_nothing_is_stored(
    bot: AnyBot, fake: FakeDiscord, texts: ServerTexts, data: bytes, filename: str, size: int | None, says: str
) -> None:
    answer = await add(fake, data, filename, size=size)
    assert answer.startswith(says) and answer.count(". ") == 0
    assert texts.shelf.texts(SCOPE) == [] and texts.shelf.version(SCOPE) == 0
    if size is not None:
        assert fake.downloads == []  # a file too large is refused before it is downloaded


async def test_another_server_and_a_dm_never_see_a_servers_text(bot: AnyBot, fake: FakeDiscord) -> None:
    await add(fake)
    elsewhere = await fake.interact(fake.command("quote", {"document": "lighthouse"}, guild_id=OTHER_GUILD))
    assert "No text called “lighthouse”" in said(elsewhere)
    dm = await fake.interact(fake.command("quote", {"document": "lighthouse"}, dm=True))
    assert "No text called “lighthouse”" in said(dm)
    choices = await fake.interact(fake.autocomplete("quote", "document", {"document": "light"}, guild_id=OTHER_GUILD))
    assert choices.body["data"]["choices"] == []
    listed = await fake.interact(fake.subcommand("text", "list", guild_id=OTHER_GUILD))
    assert said(listed).startswith("This server has no texts of its own yet")


async def test_removing_a_text_a_daily_post_uses_asks_then_pauses_it(
    bot: AnyBot, fake: FakeDiscord, store: Store
) -> None:
    await add(fake)
    types, resolved = channel_option()
    options = {"channel": str(CHANNEL_ID), "time": "08:30", "timezone": "berlin", "document": "lighthouse"}
    await fake.interact(fake.command("daily-setup", options, types=types, resolved=resolved))
    student = await fake.interact(
        fake.subcommand("text", "remove", {"text": "lighthouse"}, user_id=USER_ID + 7, permissions=NO_MANAGE_GUILD)
    )
    assert (
        said(student) == "Only the person who added “The Lesson of the Lighthouse” or a server manager may remove it."
    )
    asked = await fake.interact(fake.subcommand("text", "remove", {"text": "lighthouse"}))
    assert said(asked).startswith(f"Daily posts in <#{CHANNEL_ID}> use this text. Remove it anyway?")
    [button] = asked.body["data"]["components"][0]["components"]
    assert button["custom_id"] == f"sb:txrm:{USER_ID}:lighthouse"
    subscription = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert subscription is not None and subscription.paused_reason is None
    confirmed = await fake.interact(fake.button(button["custom_id"]))
    assert confirmed.body["type"] == 7
    assert confirmed.body["data"]["content"] == "Removed `lighthouse`. 1 daily post(s) that used it are paused."
    paused = store.subscription("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert paused is not None and paused.paused_reason == (
        "its text “The Lesson of the Lighthouse” was removed from this server"
    )
    gone = await fake.interact(fake.command("quote", {"document": "lighthouse"}))
    assert "No text called “lighthouse”" in said(gone)


async def test_a_daily_post_comes_from_the_servers_text(bot: AnyBot, fake: FakeDiscord) -> None:
    await add(fake)
    await fake.interact(fake.subcommand("text", "default", {"text": "lighthouse"}))
    types, resolved = channel_option()
    options = {"channel": str(CHANNEL_ID), "time": "08:30", "timezone": "berlin"}  # no text named: the default
    await fake.interact(fake.command("daily-setup", options, types=types, resolved=resolved))
    await fake.interact(fake.command("daily-post-now"))
    await fake.wait_for("POST", f"/channels/{CHANNEL_ID}/messages")
    [post] = fake.channel_posts()
    assert post["embeds"][0]["author"]["name"] == "Passage of the day"
    description = post["embeds"][0]["description"]
    assert "keeper climbed the tower" in description or "lighthouse teaches patience" in description


async def test_a_text_added_in_another_process_is_answered_within_seconds(
    bot: AnyBot, fake: FakeDiscord, tmp_path: Path
) -> None:
    lesson = tmp_path / "lighthouse.md"
    lesson.write_bytes(LESSON)
    env = {"SPEECHBOT_DATA_DIR": str(tmp_path / "subscriptions")}  # the bot's own database
    added = await asyncio.to_thread(
        speechbot, "texts", "add", str(lesson), "--server", SCOPE, cwd=tmp_path, extra_env=env
    )
    assert added.returncode == 0, added.stderr
    for _ in range(50):  # the bot checks the server's version every 0.2 s here (every 3 s by default)
        quoted = await fake.interact(fake.command("quote", {"ref": "2", "document": "lighthouse"}))
        if quoted.body["type"] == 4 and quoted.body["data"].get("embeds"):
            break
        await asyncio.sleep(0.1)
    assert embed_of(quoted)["description"].startswith("She wrote that a lighthouse")
    searched = await asyncio.to_thread(
        speechbot, "search", "--json", "lighthouse teaches patience", "--server", SCOPE, cwd=tmp_path, extra_env=env
    )
    assert json.loads(searched.stdout)["hits"][0]["document"] == "lighthouse"


@pytest.mark.parametrize("action", ["add", "list", "default"])
async def test_building_a_server_library_does_not_hold_up_other_interactions(
    bot: AnyBot, fake: FakeDiscord, texts: ServerTexts, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """While a server's library is being built for /text (held here until /help was answered), /help is answered."""
    if action != "add":
        await add(fake)
    entered, release, order = threading.Event(), threading.Event(), []
    for_scope = texts.libraries.for_scope

    def held_for_scope(scope: str | None) -> Library:
        entered.set()
        release.wait(5)  # bounded: on the event loop this would stall everything for 5 s, then go on
        order.append(action)
        return for_scope(scope)

    monkeypatch.setattr(texts.libraries, "for_scope", held_for_scope)
    if action == "add":
        first = add(fake)
    else:
        options = {"text": "lighthouse"} if action == "default" else {}
        first = fake.interact(fake.subcommand("text", action, options), timeout=10)
    building = asyncio.create_task(first)
    assert await asyncio.to_thread(entered.wait, 10)  # the library is being built
    await fake.interact(fake.command("help"), timeout=10)
    order.append("help")
    release.set()
    await building
    assert order[:2] == ["help", action]


async def test_a_title_that_looks_like_a_mention_pings_nobody_and_the_button_is_fenced(
    bot: AnyBot, fake: FakeDiscord, store: Store
) -> None:
    answer = await add(fake, title="@everyone <@&1>")
    assert "@everyone" in answer
    added = fake.of("POST", f"/webhooks/{APP_ID}/")[-1].body
    assert added["allowed_mentions"] == {"parse": []}
    listed = await fake.interact(fake.subcommand("text", "list"))
    assert "@everyone" in said(listed) and listed.body["data"]["allowed_mentions"] == {"parse": []}
    types, resolved = channel_option()
    options = {"channel": str(CHANNEL_ID), "time": "08:30", "timezone": "berlin", "document": "lighthouse"}
    await fake.interact(fake.command("daily-setup", options, types=types, resolved=resolved))
    asked = await fake.interact(fake.subcommand("text", "remove", {"text": "lighthouse"}))
    [button] = asked.body["data"]["components"][0]["components"]
    other = await fake.interact(fake.button(button["custom_id"], user_id=USER_ID + 7))
    assert said(other) == "Only the person who asked to remove the text can confirm it."
    await fake.interact(fake.subcommand("text", "remove", {"text": "lighthouse"}))  # the question again
    first = await fake.interact(fake.button(button["custom_id"]))
    assert first.body["data"]["content"].startswith("Removed `lighthouse`.")
    stale = await fake.interact(fake.button(button["custom_id"]))  # the other copy of the question
    assert stale.body["data"]["content"] == "This server has no text of its own called “lighthouse”."
    assert stale.body["data"]["allowed_mentions"] == {"parse": []}
