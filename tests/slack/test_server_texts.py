"""A workspace's own texts through the real slack-bolt app: the add-file shortcut, `/speech text …`, refusals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Library
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.server_texts import Libraries, ServerTexts
from bot.slack import OAuthConfig, listeners
from bot.slack.daily import SlackDeliverer
from bot.slack.runner import SlackHttpServer, start_slack_http, start_slack_socket
from bot.slack.texts import CONFIRM_REMOVE_ACTION
from bot.store import SlackInstallation, Store, SubscriptionSpec, open_store
from bot.store.base import SqlStore
from bot.store.texts import TextShelf
from tests.clocks import HandClock
from tests.fakes.slack_api import FAKE_TEAM_ID, INSTALLED_BOT_TOKEN, INSTALLED_TEAM_ID, FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TODAY, SlackClient, all_text
from tests.slack.shortcuts import message_shortcut_body, message_shortcut_payload

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SCOPE = f"slack:{FAKE_TEAM_ID}"
OTHER_TEAM = "T0OTHERTEAM"
TEACHER = "U0TEACHER"
STUDENT = "U0STUDENT"
ADMIN = "U0ADMINISTRATOR"
OWNER = "U0OWNERPERSON"
MAX_BYTES = 64 * 1024
LESSON = b"""---
title: The Lesson of the Lighthouse
speaker: Ada Keeper
date: 1901-05-04
---
The keeper climbed the tower every evening before the lamps were lit along the harbour.

She wrote that a lighthouse teaches patience, because the sea answers nobody in a hurry.
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def texts(store: Store, library: Library) -> ServerTexts:
    shelf = TextShelf(cast(SqlStore, store))
    return ServerTexts(shelf, Libraries(library, shelf), max_bytes=MAX_BYTES, max_texts=50)


@pytest.fixture
def clock() -> HandClock:
    return HandClock(NOW)


@pytest.fixture
def scheduler(store: Store, texts: ServerTexts, fake_slack: FakeSlack, clock: HandClock) -> Scheduler:
    deliverer = SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.base_url))
    return Scheduler(store, texts.libraries, {"slack": deliverer}, clock=clock)


@pytest.fixture
async def teacher_slack(
    library: Library, fake_slack: FakeSlack, texts: ServerTexts, store: Store, scheduler: Scheduler, clock: HandClock
) -> AsyncIterator[SlackClient]:
    server: SlackHttpServer = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
        today=lambda: TODAY,
        now=clock,
        daily=DailyService(store, texts.libraries, scheduler),
        texts=texts,
    )
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)
    await server.close()


async def use_shortcut(slack: SlackClient, files: list[dict[str, Any]], *, user: str = TEACHER) -> str:
    """Use "Add file to speechbot" on a message with `files`; the private answer's text."""
    before = len(slack.fake.responses)
    status, body = await slack.post(message_shortcut_body(slack.fake, files, user=user))
    assert (status, body) == (200, "")  # acked at once, answered afterwards
    answers = await slack.fake.wait_for("response_url", before + 1)
    answer = answers[before].args
    assert answer["_key"] == "shortcut" and answer.get("response_type") == "ephemeral"
    return all_text(answer)


async def add_lesson(slack: SlackClient, *, user: str = TEACHER) -> str:
    return await use_shortcut(slack, [slack.fake.share_file("lighthouse.md", LESSON, token=BOT_TOKEN)], user=user)


async def add_lesson_read_by_daily_posts(slack: SlackClient, store: Store) -> None:
    """The lesson added by the teacher, and daily posts in C0CLASS that read it."""
    await add_lesson(slack)
    spec = SubscriptionSpec("slack", FAKE_TEAM_ID, "C0CLASS", "lighthouse", "08:30", "UTC", set_up_by=TEACHER)
    store.save_subscription(spec, now=NOW, next_run_at=NOW, next_local_date=NOW.date())


async def command(slack: SlackClient, text: str, *, user: str = STUDENT, team: str = FAKE_TEAM_ID) -> str:
    """Run `/speech <text>` as `user` in `team`; all the answer's text."""
    before = len(slack.fake.responses)
    body = slack.slash_body(text, user=user).replace(f"team_id={FAKE_TEAM_ID}", f"team_id={team}")
    status, answer = await slack.post(body)
    assert status == 200
    if answer:
        return all_text(json.loads(answer))
    calls = await slack.fake.wait_for("response_url", before + 1)
    return all_text(calls[before].args)


async def test_shortcut_adds_the_file_and_quote_reads_it_in_that_workspace(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts
) -> None:
    answer = await add_lesson(teacher_slack)
    assert "The Lesson of the Lighthouse" in answer and "`lighthouse`" in answer
    assert "/speech quote 1.1 in:lighthouse" in answer
    (download,) = fake_slack.calls_to("files.download")
    assert download.token == BOT_TOKEN  # fetched with the bot token from the private URL
    (stored,) = await texts.list(SCOPE)
    assert (stored.text_id, stored.added_by, stored.speaker) == ("lighthouse", TEACHER, "Ada Keeper")
    quoted = await command(teacher_slack, "quote 2 in:lighthouse")
    assert "a lighthouse teaches patience" in quoted
    found = await command(teacher_slack, "search keeper climbed the tower")
    assert "keeper climbed the tower" in found.lower()


async def test_another_workspace_never_sees_the_text(teacher_slack: SlackClient) -> None:
    await add_lesson(teacher_slack)
    elsewhere = await command(teacher_slack, "quote 2 in:lighthouse", team=OTHER_TEAM)
    assert "No text called “lighthouse”" in elsewhere
    assert "lighthouse" not in await command(teacher_slack, "texts", team=OTHER_TEAM)
    assert "keeper climbed" not in (await command(teacher_slack, "search keeper climbed tower", team=OTHER_TEAM))
    assert "None yet" in await command(teacher_slack, "text list", team=OTHER_TEAM)


async def test_text_list_names_each_own_text_its_adder_and_the_shared_ones(
    teacher_slack: SlackClient, library: Library
) -> None:
    await add_lesson(teacher_slack)
    listed = await command(teacher_slack, "text list")
    assert "This workspace's texts* (1 of 50)" in listed
    assert "`lighthouse` The Lesson of the Lighthouse (Ada Keeper, 1901-05-04)" in listed
    assert f"added by <@{TEACHER}>" in listed
    assert f"`{library.default.id}`" in listed


async def test_admin_sets_the_default_text_a_command_without_in_reads(
    teacher_slack: SlackClient, library: Library
) -> None:
    seed = library.default
    opening = seed.passage("1").text[:40]
    await add_lesson(teacher_slack)
    assert "keeper climbed the tower" in await command(teacher_slack, "quote 1")  # the workspace's own come first
    refused = await command(teacher_slack, f"text default {seed.id}", user=STUDENT)
    assert "Only a workspace admin or owner" in refused
    assert f"now read `{seed.id}`" in await command(teacher_slack, f"text default {seed.id}", user=ADMIN)
    assert opening in await command(teacher_slack, "quote 1")
    assert "keeper climbed the tower" in await command(teacher_slack, "quote 1 in:lighthouse")
    assert "(default)" in await command(teacher_slack, "text list")
    assert "now read `lighthouse`" in await command(teacher_slack, "text default lighthouse", user=OWNER)
    assert "Keeper, Ada. “The Lesson of the Lighthouse.”" in await command(teacher_slack, "cite 2")
    assert "no default text now" in await command(teacher_slack, "text default none", user=OWNER)
    assert "keeper climbed the tower" in await command(teacher_slack, "quote 1")
    assert opening in await command(teacher_slack, "quote 1", team=OTHER_TEAM)


async def test_a_channel_default_wins_over_the_workspace_default(teacher_slack: SlackClient, library: Library) -> None:
    seed = library.default
    await add_lesson(teacher_slack)
    assert "this workspace" in await command(teacher_slack, "text default lighthouse", user=ADMIN)
    assert "this channel" in await command(teacher_slack, f"text default {seed.id} here", user=ADMIN)
    assert seed.passage("1").text[:40] in await command(teacher_slack, "quote 1")


async def test_hide_bundled_leaves_the_workspace_its_own_texts(teacher_slack: SlackClient, library: Library) -> None:
    seed = library.default.id
    await add_lesson(teacher_slack)
    assert "Only a workspace admin" in await command(teacher_slack, "text hide-bundled")
    assert "now hidden" in await command(teacher_slack, "text hide-bundled", user=ADMIN)
    listing = await command(teacher_slack, "texts")
    assert "lighthouse" in listing and seed not in listing
    assert "hidden here" in await command(teacher_slack, "text list")
    assert seed in await command(teacher_slack, "texts", team=OTHER_TEAM)
    assert "now shown" in await command(teacher_slack, "text show-bundled", user=ADMIN)
    assert seed in await command(teacher_slack, "texts")


@pytest.mark.parametrize("remover", [ADMIN, OWNER, TEACHER])
async def test_admins_owners_and_the_adder_may_remove_a_text(
    teacher_slack: SlackClient, texts: ServerTexts, remover: str
) -> None:
    await add_lesson(teacher_slack)
    assert "Removed `lighthouse`" in await command(teacher_slack, "text remove lighthouse", user=remover)
    assert await texts.list(SCOPE) == []
    assert "No text called" in await command(teacher_slack, "quote 1 in:lighthouse")


async def test_another_member_may_not_remove_a_text(teacher_slack: SlackClient, texts: ServerTexts) -> None:
    await add_lesson(teacher_slack)
    refused = await command(teacher_slack, "text remove lighthouse", user=STUDENT)
    assert "Only the person who added" in refused
    assert [t.text_id for t in await texts.list(SCOPE)] == ["lighthouse"]


async def test_removing_a_text_daily_posts_read_asks_first_then_pauses_them(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts, store: Store
) -> None:
    await add_lesson_read_by_daily_posts(teacher_slack, store)
    before = len(fake_slack.responses)
    status, _ = await teacher_slack.post(teacher_slack.slash_body("text remove lighthouse", user=ADMIN))
    assert status == 200
    asked = (await fake_slack.wait_for("response_url", before + 1))[before].args
    assert "<#C0CLASS>" in all_text(asked) and "pauses them" in all_text(asked)
    (button,) = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == CONFIRM_REMOVE_ACTION
    assert [t.text_id for t in await texts.list(SCOPE)] == ["lighthouse"]  # nothing changed yet
    subscription = store.subscription("slack", FAKE_TEAM_ID, "C0CLASS")
    assert subscription is not None and subscription.active

    press = teacher_slack.action_body(CONFIRM_REMOVE_ACTION, button["value"], key="confirm", user=ADMIN)
    status, _ = await teacher_slack.post(press)
    assert status == 200
    confirmed = (await fake_slack.wait_for("response_url", before + 2))[before + 1].args
    assert confirmed["_key"] == "confirm" and confirmed.get("replace_original") is True
    assert "Removed `lighthouse`" in all_text(confirmed) and "1 daily subscription(s)" in all_text(confirmed)
    assert await texts.list(SCOPE) == []
    paused = store.subscription("slack", FAKE_TEAM_ID, "C0CLASS")
    assert paused is not None and paused.next_run_at is None
    assert "The Lesson of the Lighthouse" in (paused.paused_reason or "")


async def test_a_student_pressing_the_confirm_button_changes_nothing(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts
) -> None:
    await add_lesson(teacher_slack)
    press = teacher_slack.action_body(CONFIRM_REMOVE_ACTION, json.dumps({"t": "lighthouse"}), user=STUDENT)
    status, _ = await teacher_slack.post(press)
    assert status == 200
    answers = await fake_slack.wait_for("response_url", 2)
    assert "Only the person who added" in all_text(answers[-1].args)
    assert [t.text_id for t in await texts.list(SCOPE)] == ["lighthouse"]


REFUSALS = [
    ("no file", None, b"", "That message has no file"),
    ("wrong type", "reading.pdf", b"%PDF-1.7 binary", "Only .txt and .md files can be added"),
    ("binary", "reading.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    ("not UTF-8", "reading.txt", "Caf\u00e9 au lait, a paragraph of words.\n".encode("latin-1"), "UTF-8"),
    ("no body paragraph", "reading.md", b"---\ntitle: Only a Title\n---\n# Only a Title\n", "paragraph"),
    ("too big", "reading.txt", b"A sentence of the long reading.\n\n" * 4000, "at most 64 KB"),
]


@pytest.mark.parametrize(("case", "name", "data", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_each_refusal_is_one_clear_sentence_and_stores_nothing(
    teacher_slack: SlackClient, texts: ServerTexts, case: str, name: str | None, data: bytes, words: str
) -> None:
    files = [] if name is None else [teacher_slack.fake.share_file(name, data, token=BOT_TOKEN)]
    answer = await use_shortcut(teacher_slack, files)
    assert words.lower() in answer.lower()
    sentence = answer.removeprefix(":warning: ")
    assert "\n" not in sentence and sentence.count(". ") == 0 and sentence.endswith((".", ")"))
    assert await texts.list(SCOPE) == []
    if case in ("no file", "wrong type", "too big"):
        assert teacher_slack.fake.calls_to("files.download") == []  # refused before any byte was fetched


async def test_a_file_bigger_than_slack_said_is_cut_off_while_downloading(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts
) -> None:
    data = b"A sentence of the long reading, again and again.\n\n" * 3000
    shared = fake_slack.share_file("long.txt", data, token=BOT_TOKEN, claimed_size=1000)
    answer = await use_shortcut(teacher_slack, [shared])
    assert "larger than 64 KB" in answer
    assert len(fake_slack.calls_to("files.download")) == 1
    assert await texts.list(SCOPE) == []


async def test_a_link_to_another_service_is_refused_without_sending_the_token_there(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts
) -> None:
    shared = fake_slack.share_file("notes.txt", LESSON, token=BOT_TOKEN, external=True)
    answer = await use_shortcut(teacher_slack, [shared])
    assert "link to another service" in answer
    assert fake_slack.calls_to("files.download") == []
    assert await texts.list(SCOPE) == []


async def test_a_file_the_bot_cannot_see_is_refused(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts
) -> None:
    shared = fake_slack.share_file("lighthouse.md", LESSON, token=INSTALLED_BOT_TOKEN)  # another workspace's
    answer = await use_shortcut(teacher_slack, [shared])
    assert "cannot see that file" in answer
    assert await texts.list(SCOPE) == []


async def test_the_private_file_url_wants_the_bot_token(fake_slack: FakeSlack) -> None:
    shared = fake_slack.share_file("lighthouse.md", LESSON, token=BOT_TOKEN)
    url = shared["url_private_download"]
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as anonymous:
            assert anonymous.status == 401
        async with session.get(url, headers={"Authorization": f"Bearer {INSTALLED_BOT_TOKEN}"}) as foreign:
            assert foreign.status == 401
        async with session.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"}) as allowed:
            assert (allowed.status, await allowed.read()) == (200, LESSON)
        async with session.get(url.replace(shared["id"], "F0NOSUCH")) as unknown:
            assert unknown.status == 404


async def test_text_subcommands_without_a_database_say_so(slack: SlackClient, fake_slack: FakeSlack) -> None:
    assert "need the bot's database" in await command(slack, "text list")
    answer = await use_shortcut(slack, [fake_slack.share_file("lighthouse.md", LESSON, token=BOT_TOKEN)])
    assert "need the bot's database" in answer
    assert fake_slack.calls_to("files.download") == []


async def test_unknown_text_subcommand_lists_the_ones_there_are(teacher_slack: SlackClient) -> None:
    answer = await command(teacher_slack, "text rename lighthouse", user=ADMIN)
    assert "text list" in answer and "hide-bundled" in answer


async def test_a_second_process_answers_with_the_new_text_within_seconds(
    teacher_slack: SlackClient, library: Library, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    other_store = open_store(None, tmp_path)  # another process's connection to the same database
    clock = HandClock(0.0)
    shelf = TextShelf(cast(SqlStore, other_store))
    other_texts = ServerTexts(shelf, Libraries(library, shelf, clock=clock), max_bytes=MAX_BYTES, max_texts=50)
    other = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        client_base_url=fake_slack.base_url,
        texts=other_texts,
    )
    try:
        async with aiohttp.ClientSession() as session:
            second = SlackClient(session, other, fake_slack)
            assert "No text called" in await command(second, "quote 2 in:lighthouse")  # read before the add
            await add_lesson(teacher_slack)
            clock.now += 3.0  # its next version check
            assert "a lighthouse teaches patience" in await command(second, "quote 2 in:lighthouse")
    finally:
        await other.close()
        other_store.close()


async def test_the_shortcut_works_over_socket_mode(library: Library, fake_slack: FakeSlack, texts: ServerTexts) -> None:
    handler = await start_slack_socket(
        library, bot_token=BOT_TOKEN, app_token=APP_TOKEN, client_base_url=fake_slack.base_url, texts=texts
    )
    try:
        await fake_slack.wait_for_socket()
        files = [fake_slack.share_file("lighthouse.md", LESSON, token=BOT_TOKEN)]
        envelope_id = await fake_slack.send_envelope("interactive", message_shortcut_payload(fake_slack, files))
        await fake_slack.wait_for_ack(envelope_id)
        (answer,) = await fake_slack.wait_for("response_url")
        assert "`lighthouse`" in all_text(answer.args)
        assert [t.text_id for t in await texts.list(SCOPE)] == ["lighthouse"]
    finally:
        await handler.close_async()


async def test_daily_posts_read_the_workspace_default_text(
    teacher_slack: SlackClient, fake_slack: FakeSlack, store: Store, scheduler: Scheduler, clock: HandClock
) -> None:
    await add_lesson(teacher_slack)
    await command(teacher_slack, "text default lighthouse", user=ADMIN)
    assert "Daily passage set up" in await command(teacher_slack, "daily setup 10:00 UTC sequential")
    saved = store.subscription("slack", FAKE_TEAM_ID, "C0FAKECHAN")
    assert saved is not None and saved.document_id == "lighthouse"
    assert "keeper climbed the tower" in await command(teacher_slack, "daily preview")
    clock.now = NOW + timedelta(hours=1, minutes=1)
    assert (await scheduler.tick())["sent"] == 1
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert "keeper climbed the tower" in all_text(post.args)
    assert "The Lesson of the Lighthouse" in all_text(post.args)


async def test_daily_setup_names_a_workspace_text_only_where_it_lives(teacher_slack: SlackClient, store: Store) -> None:
    await add_lesson(teacher_slack)
    assert "Daily passage set up" in await command(teacher_slack, "daily setup 10:00 UTC in:lighthouse")
    elsewhere = await command(teacher_slack, "daily setup 10:00 UTC in:lighthouse", team=OTHER_TEAM)
    assert "No text called “lighthouse”" in elsewhere
    assert store.subscription("slack", OTHER_TEAM, "C0FAKECHAN") is None


HARBOUR = "\n\n".join(
    f"Paragraph {n} of the harbour log tells how the {word} ship came in at dawn and the keeper wrote it down."
    for n, word in enumerate(["red", "blue", "grey", "white", "black", "green"], 1)
).encode()


async def test_study_tools_read_the_workspace_texts(teacher_slack: SlackClient, fake_slack: FakeSlack) -> None:
    await use_shortcut(teacher_slack, [fake_slack.share_file("harbour-log.txt", HARBOUR, token=BOT_TOKEN)])
    found = await command(teacher_slack, "concordance keeper in:harbour-log")
    assert "keeper" in found.lower() and "6" in found
    assert "No text called" in await command(teacher_slack, "concordance keeper in:harbour-log", team=OTHER_TEAM)
    status, _ = await teacher_slack.post(teacher_slack.slash_body("quiz in:harbour-log"))
    assert status == 200
    (question,) = await fake_slack.wait_for("chat.postMessage")  # the question goes to the channel
    assert "harbour log" in all_text(question.args).lower()


async def test_a_library_still_being_indexed_is_answered_after_an_empty_ack(
    teacher_slack: SlackClient, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_log = "\n\n".join(f"Entry {n}: the keeper logged ship number {n} at the harbour wall." for n in range(600))
    await use_shortcut(teacher_slack, [fake_slack.share_file("long-log.txt", long_log.encode(), token=BOT_TOKEN)])
    monkeypatch.setattr(listeners, "LIBRARY_WAIT", 0.0)  # Slack's 3 s, as if indexing the new text took longer
    before = len(fake_slack.responses)
    status, body = await teacher_slack.post(teacher_slack.slash_body("quote 5 in:long-log"))
    assert (status, body) == (200, "")  # acked before the workspace's library was ready
    answer = (await fake_slack.wait_for("response_url", before + 1))[before].args
    assert answer["response_type"] == "in_channel" and "ship number 4 at the harbour" in all_text(answer)


async def test_a_text_the_operator_added_is_listed_without_a_mention(
    teacher_slack: SlackClient, texts: ServerTexts
) -> None:
    await texts.add(SCOPE, filename="lighthouse.md", data=LESSON, added_by="operator", now=NOW)  # `speechbot texts add`
    listed = await command(teacher_slack, "text list")
    assert "added by operator" in listed and "<@operator>" not in listed


async def test_remove_takes_the_title_words_and_names_the_text_it_removed(
    teacher_slack: SlackClient, texts: ServerTexts
) -> None:
    await add_lesson(teacher_slack)
    assert "Removed `lighthouse`" in await command(teacher_slack, "text remove lesson of the", user=TEACHER)
    assert await texts.list(SCOPE) == []


async def test_help_names_the_shortcut_and_the_text_subcommands(teacher_slack: SlackClient) -> None:
    shown = await command(teacher_slack, "help")
    assert (
        "“Add file to speechbot”" in shown and "/speech text list" in shown and "text remove &lt;id&gt;" in shown
    )  # escaped mrkdwn


async def test_with_oauth_each_workspace_adds_with_its_own_installed_token(
    library: Library, fake_slack: FakeSlack, texts: ServerTexts, store: Store, tmp_path: Path
) -> None:
    installed = SlackInstallation(
        team_id=INSTALLED_TEAM_ID,
        enterprise_id=None,
        bot_token=INSTALLED_BOT_TOKEN,
        installed_at=NOW,
        bot_scopes=("commands", "chat:write", "files:read"),
        installed_by="U0INSTALLER",
    )
    store.save_slack_installation(installed)
    oauth = OAuthConfig(client_id="0000.fake-client-id", client_secret="fake-client-secret", data_dir=tmp_path)
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        oauth=oauth,
        port=0,
        client_base_url=fake_slack.base_url,
        store=store,
        texts=texts,
    )
    try:
        async with aiohttp.ClientSession() as session:
            slack = SlackClient(session, server, fake_slack)
            files = [fake_slack.share_file("lighthouse.md", LESSON, token=INSTALLED_BOT_TOKEN, team=INSTALLED_TEAM_ID)]
            status, _ = await slack.post(message_shortcut_body(fake_slack, files, team=INSTALLED_TEAM_ID))
            assert status == 200
            (answer,) = await fake_slack.wait_for("response_url")
            assert "`lighthouse`" in all_text(answer.args)
    finally:
        await server.close()
    (download,) = fake_slack.calls_to("files.download")
    assert download.token == INSTALLED_BOT_TOKEN
    assert [t.text_id for t in await texts.list(f"slack:{INSTALLED_TEAM_ID}")] == ["lighthouse"]
    assert await texts.list(SCOPE) == []


async def test_confirming_a_removal_named_by_title_words_removes_the_text_it_named(
    teacher_slack: SlackClient, fake_slack: FakeSlack, texts: ServerTexts, store: Store
) -> None:
    await add_lesson_read_by_daily_posts(teacher_slack, store)
    before = len(fake_slack.responses)
    await teacher_slack.post(teacher_slack.slash_body("text remove lesson of the", user=ADMIN))
    asked = (await fake_slack.wait_for("response_url", before + 1))[before].args
    assert "`lighthouse`" in all_text(asked)
    (button,) = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    other = b"---\ntitle: The Lesson of the Garden\n---\nA garden teaches that growing things take seasons.\n"
    await texts.add(SCOPE, filename="garden.md", data=other, added_by=TEACHER, now=NOW)  # while the question waits

    press = teacher_slack.action_body(CONFIRM_REMOVE_ACTION, button["value"], key="confirm", user=ADMIN)
    await teacher_slack.post(press)
    confirmed = (await fake_slack.wait_for("response_url", before + 2))[before + 1].args
    assert "Removed `lighthouse`" in all_text(confirmed)
    assert [t.text_id for t in await texts.list(SCOPE)] == ["garden"]
