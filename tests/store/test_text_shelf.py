"""Server-text storage on both backends: limits, duplicates, defaults, versions and removal with daily posts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store, SubscriptionSpec, open_store
from bot.store.texts import StoredText, TextShelf

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCOPE = "discord:900"


@pytest.fixture
def shelf(store: Store) -> TextShelf:
    return TextShelf(store)


def text(text_id: str, content: str = "One paragraph.", scope: str = SCOPE) -> StoredText:
    return StoredText(
        scope=scope,
        text_id=text_id,
        file_name=f"{text_id}.md",
        metadata={"title": text_id.title()},
        content_hash=f"hash-{content}",
        size_bytes=len(content.encode()),
        added_by="u1",
        added_at=NOW,
        content=content,
    )


def test_an_added_text_is_listed_with_its_facts_and_its_content_on_request(shelf: TextShelf) -> None:
    assert shelf.add(text("lesson"), max_texts=5) == "added"
    (listed,) = shelf.texts(SCOPE)
    assert (listed.text_id, listed.metadata, listed.added_at, listed.content) == (
        "lesson",
        {"title": "Lesson"},
        NOW,
        None,
    )
    assert shelf.contents(SCOPE)[0].content == "One paragraph."
    assert shelf.texts("discord:other") == []


def test_every_change_moves_the_scope_version_on(shelf: TextShelf) -> None:
    assert shelf.version(SCOPE) == 0
    shelf.add(text("lesson"), max_texts=5)
    shelf.set_default(SCOPE, "lesson")
    shelf.set_bundled_hidden(SCOPE, True)
    assert shelf.version(SCOPE) == 3
    assert shelf.version("discord:other") == 0


def test_a_full_scope_and_a_second_copy_are_refused_and_nothing_changes(shelf: TextShelf) -> None:
    shelf.add(text("a", "first"), max_texts=2)
    assert shelf.add(text("b", "first"), max_texts=2) == "duplicate"
    shelf.add(text("b", "second"), max_texts=2)
    version = shelf.version(SCOPE)
    assert shelf.add(text("c", "third"), max_texts=2) == "full"
    assert shelf.add(text("b", "fourth"), max_texts=5) == "taken"
    assert [t.text_id for t in shelf.texts(SCOPE)] == ["a", "b"]
    assert shelf.version(SCOPE) == version


def test_defaults_are_kept_per_scope_and_channel_and_go_with_their_text(shelf: TextShelf) -> None:
    shelf.add(text("a", "first"), max_texts=5)
    shelf.add(text("b", "second"), max_texts=5)
    shelf.set_default(SCOPE, "a")
    shelf.set_default(SCOPE, "b", channel_id="c1")
    shelf.set_bundled_hidden(SCOPE, True)
    settings = shelf.settings(SCOPE)
    assert (settings.default_text, settings.channel_defaults, settings.bundled_hidden) == ("a", {"c1": "b"}, True)
    shelf.remove(SCOPE, "b", pause_reason=None, now=NOW)
    shelf.remove(SCOPE, "a", pause_reason=None, now=NOW)
    settings = shelf.settings(SCOPE)
    assert (settings.default_text, settings.channel_defaults) == (None, {})


def test_removing_a_text_a_daily_post_uses_waits_for_a_reason_then_pauses_it(store: Store, shelf: TextShelf) -> None:
    shelf.add(text("lesson"), max_texts=5)
    spec = SubscriptionSpec("discord", "900", "c7", "lesson", "08:30", "UTC", set_up_by="u1")
    store.save_subscription(spec, now=NOW, next_run_at=NOW, next_local_date=NOW.date())
    asked = shelf.remove(SCOPE, "lesson", pause_reason=None, now=NOW)
    assert (asked.removed, asked.in_use, asked.paused) == (False, ("c7",), 0)
    assert [t.text_id for t in shelf.texts(SCOPE)] == ["lesson"]
    done = shelf.remove(SCOPE, "lesson", pause_reason="its text was removed", now=NOW)
    assert (done.removed, done.paused) == (True, 1)
    paused = store.subscription("discord", "900", "c7")
    assert paused is not None and paused.paused_reason == "its text was removed" and paused.next_run_at is None
    assert not shelf.remove(SCOPE, "lesson", pause_reason=None, now=NOW).removed


def test_a_second_connection_sees_a_change_by_the_version(url: str | None, tmp_path: Path, shelf: TextShelf) -> None:
    other = open_store(url, tmp_path)
    try:
        seen = TextShelf(other)
        before = seen.version(SCOPE)
        shelf.add(text("lesson"), max_texts=5)
        assert seen.version(SCOPE) == before + 1
        assert [t.text_id for t in seen.texts(SCOPE)] == ["lesson"]
    finally:
        other.close()


def test_two_connections_adding_at_once_never_pass_the_limit(url: str | None, tmp_path: Path, shelf: TextShelf) -> None:
    others = [open_store(url, tmp_path) for _ in range(4)]
    try:
        shelves = [TextShelf(other) for other in others]
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(lambda n: shelves[n].add(text(f"t{n}", f"text {n}"), max_texts=2), range(4)))
        assert sorted(outcomes) == ["added", "added", "full", "full"]
        assert len(shelf.texts(SCOPE)) == 2 and shelf.version(SCOPE) == 2
    finally:
        for other in others:
            other.close()
