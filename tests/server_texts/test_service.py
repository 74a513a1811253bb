"""Server texts end to end on the real store: add with the folder rules, refusals, scopes, defaults, removal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.errors import UserError
from bot.core.library import Library
from bot.server_texts import Libraries, ServerTexts, scope_of
from bot.store import Store, SubscriptionSpec, open_store
from bot.store.texts import TextShelf
from tests.clocks import HandClock
from tests.server_texts.samples import LESSON

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUILD = "discord:900"


def make(store: Store, library: Library, clock: HandClock, **limits: int) -> ServerTexts:
    shelf = TextShelf(store)
    libraries = Libraries(library, shelf, clock=clock, check_seconds=3.0)
    return ServerTexts(
        shelf, libraries, max_bytes=limits.get("max_bytes", 2 * 1024 * 1024), max_texts=limits.get("max_texts", 50)
    )


@pytest.fixture
def clock() -> HandClock:
    return HandClock(0.0)


@pytest.fixture
def texts(store: Store, library: Library, clock: HandClock) -> ServerTexts:
    return make(store, library, clock)


def add(texts: ServerTexts, data: bytes = LESSON, name: str = "lighthouse.md", scope: str = GUILD, **options: str):
    return asyncio.run(texts.add(scope, filename=name, data=data, added_by="u1", now=NOW, **options))


def test_an_added_text_is_quoted_and_searched_in_its_server_first(texts: ServerTexts, library: Library) -> None:
    added = add(texts)
    assert (added.text_id, added.title, added.speaker, added.date) == (
        "lighthouse",
        "The Lesson of the Lighthouse",
        "Ada Keeper",
        "1901-05-04",
    )
    server = texts.libraries.for_scope(GUILD)
    assert next(iter(server.documents)) == "lighthouse"
    assert set(library.documents) < set(server.documents)
    assert server.document("lighthouse").passage("2").text.startswith("She wrote that a lighthouse")
    assert server.search("lighthouse teaches patience")[0].document == "lighthouse"
    assert server.search("keeper climbed tower")[0].label == "Keeper 1901"


def test_another_server_and_a_dm_never_see_it(texts: ServerTexts, library: Library) -> None:
    add(texts)
    assert "lighthouse" not in texts.libraries.for_scope("discord:901").documents
    assert texts.libraries.for_scope(scope_of("discord", None)) is library
    assert not texts.libraries.for_scope("slack:900").search("lighthouse teaches patience")


def test_the_shared_library_is_joined_not_rebuilt(texts: ServerTexts, library: Library) -> None:
    add(texts)
    server = texts.libraries.for_scope(GUILD)
    shared_id = next(iter(library.documents))
    assert server.documents[shared_id] is library.documents[shared_id]
    assert texts.libraries.for_scope(GUILD) is server  # the same view while nothing changed
    hits = server.search("Stalin originated the concept")
    assert hits and hits == library.search("Stalin originated the concept")


def test_options_override_front_matter(texts: ServerTexts) -> None:
    added = add(texts, title="Harbour notes", speaker="Bo Keeper", date="1902")
    meta = texts.libraries.for_scope(GUILD).document(added.text_id).meta
    assert (meta.title, meta.speaker, meta.year) == ("Harbour notes", "Bo Keeper", 1902)


@pytest.mark.parametrize(
    ("data", "name", "options", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR", "picture.txt", {}, "binary"),
        ("Caf\u00e9 au lait.".encode("latin-1"), "menu.txt", {}, "not UTF-8"),
        (b"   \n\n ", "empty.txt", {}, "empty"),
        (b"Fine words.", "speech.pdf", {}, ".txt and .md"),
        (b"# Only a title\n", "title.md", {}, "no body paragraphs"),
        (LESSON, "lighthouse.md", {"date": "next tuesday"}, "not a date"),
        (b"x" * 3000, "big.txt", {}, "at most 2 KB"),
    ],
)
def test_each_bad_upload_is_one_sentence_and_stores_nothing(
    store: Store, library: Library, clock: HandClock, data: bytes, name: str, options: dict[str, str], says: str
) -> None:
    texts = make(store, library, clock, max_bytes=2048)
    with pytest.raises(UserError) as refused:
        add(texts, data, name, **options)
    assert says in refused.value.message
    assert refused.value.message.count(". ") == 0 and refused.value.message.endswith(".")
    assert asyncio.run(texts.list(GUILD)) == []
    assert texts.shelf.version(GUILD) == 0


def test_a_full_server_and_a_second_copy_are_refused(store: Store, library: Library, clock: HandClock) -> None:
    texts = make(store, library, clock, max_texts=1)
    add(texts)
    with pytest.raises(UserError, match="already has that text as `lighthouse`"):
        add(texts, name="copy.md")
    with pytest.raises(UserError, match="already has 1 texts"):
        add(texts, LESSON.replace(b"harbour", b"bay"), "other.md")


def test_a_name_taken_by_a_global_text_gets_a_number(texts: ServerTexts, library: Library) -> None:
    shared_id = next(iter(library.documents))
    added = add(texts, name=f"{shared_id}.md")
    assert added.text_id == f"{shared_id}-2"


def test_defaults_per_server_and_channel_are_what_commands_use(texts: ServerTexts, library: Library) -> None:
    add(texts)
    shared_id = next(iter(library.documents))
    asyncio.run(texts.set_default(GUILD, "lighthouse"))
    asyncio.run(texts.set_default(GUILD, shared_id, channel_id="c2"))
    assert texts.libraries.default_document(GUILD) == "lighthouse"
    assert texts.libraries.default_document(GUILD, "c2") == shared_id
    assert texts.libraries.default_document("discord:901") is None
    with pytest.raises(UserError, match="No text called"):
        asyncio.run(texts.set_default(GUILD, "no-such-text"))


def test_hiding_the_bundled_texts_leaves_the_servers_own(texts: ServerTexts, library: Library) -> None:
    with pytest.raises(UserError, match="Add a text first"):
        asyncio.run(texts.set_bundled_hidden(GUILD, True))
    add(texts)
    asyncio.run(texts.set_bundled_hidden(GUILD, True))
    assert list(texts.libraries.for_scope(GUILD).documents) == ["lighthouse"]
    assert not texts.libraries.for_scope(GUILD).search("Stalin originated the concept")
    asyncio.run(texts.set_bundled_hidden(GUILD, False))
    assert len(texts.libraries.for_scope(GUILD).documents) == len(library.documents) + 1


def test_only_the_adder_or_a_manager_removes_and_daily_posts_wait_for_confirmation(
    store: Store, texts: ServerTexts
) -> None:
    add(texts)
    with pytest.raises(UserError, match="Only the person who added"):
        asyncio.run(texts.remove(GUILD, "lighthouse", by="u2", may_remove_any=False, now=NOW))
    spec = SubscriptionSpec("discord", "900", "c7", "lighthouse", "08:30", "UTC", set_up_by="u1")
    store.save_subscription(spec, now=NOW, next_run_at=NOW, next_local_date=NOW.date())
    asked = asyncio.run(texts.remove(GUILD, "lighthouse", by="u1", may_remove_any=False, now=NOW))
    assert (asked.removed, asked.needs_confirmation) == (False, ("c7",))
    assert "lighthouse" in texts.libraries.for_scope(GUILD).documents
    done = asyncio.run(texts.remove(GUILD, "lighthouse", by="u1", may_remove_any=False, confirmed=True, now=NOW))
    assert (done.removed, done.paused) == (True, 1)
    paused = store.subscription("discord", "900", "c7")
    assert paused is not None and "The Lesson of the Lighthouse" in (paused.paused_reason or "")
    assert "lighthouse" not in texts.libraries.for_scope(GUILD).documents
    with pytest.raises(UserError, match="no text of its own"):
        asyncio.run(texts.remove(GUILD, "lighthouse", by="u1", may_remove_any=True, now=NOW))


@pytest.fixture
def second_store(url: str | None, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(url, tmp_path)
    yield opened
    opened.close()


def test_a_second_process_sees_a_new_text_once_its_check_is_due(
    texts: ServerTexts, second_store: Store, library: Library, clock: HandClock
) -> None:
    other = make(second_store, library, clock).libraries
    assert "lighthouse" not in other.for_scope(GUILD).documents
    add(texts)
    clock.now += 1.0
    assert "lighthouse" not in other.for_scope(GUILD).documents  # checked a second ago: not asked again yet
    clock.now += 3.0
    assert other.for_scope(GUILD).search("lighthouse teaches patience")[0].document == "lighthouse"
    asyncio.run(texts.remove(GUILD, "lighthouse", by="u1", may_remove_any=True, now=NOW))
    clock.now += 3.0
    assert "lighthouse" not in other.for_scope(GUILD).documents
