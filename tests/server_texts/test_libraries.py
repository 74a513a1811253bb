"""Server indexes within a memory budget: the least recently used go, and come back from the disk cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.core.library import Library
from bot.server_texts import Libraries, ServerTexts
from bot.server_texts.memory import BudgetCache, SizeGauge
from bot.store import Store
from bot.store.texts import TextShelf

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def lesson(n: int) -> bytes:
    return (
        f"# Lesson {n}\n\nThe class of room {n} read about harbour number {n} and its lighthouse.\n\n"
        f"Every pupil in room {n} wrote a line about the tide.\n"
    ).encode()


def test_the_least_recently_used_value_goes_first_and_the_newest_always_stays() -> None:
    cache: BudgetCache[str] = BudgetCache(100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # now b is the least recently used
    cache.put("c", "C", 40)
    assert (cache.get("b"), cache.get("a"), cache.get("c"), cache.total, cache.evictions) == (None, "A", "C", 80, 1)
    cache.put("huge", "H", 500)
    assert (len(cache), cache.get("huge")) == (1, "H")


def test_an_index_is_measured_until_a_large_text_sets_the_ratio(library: Library) -> None:
    gauge = SizeGauge()
    _, small = gauge.build(1000, lambda: [bytearray(50_000)])
    assert small >= 50_000 and gauge.ratio is None
    made, large = gauge.build(100_000, lambda: [bytearray(400_000)])
    assert large >= 400_000 and gauge.ratio is not None and len(made) == 1
    assert gauge.build(200_000, list)[1] == round(gauge.ratio * 200_000)


def test_servers_over_the_budget_are_evicted_and_rebuilt_from_the_disk_cache(
    store: Store, library: Library, tmp_path: Path
) -> None:
    shelf = TextShelf(store)
    libraries = Libraries(library, shelf, memory_budget_bytes=1, cache_dir=tmp_path / "cache")
    texts = ServerTexts(shelf, libraries, max_bytes=10_000, max_texts=5)
    for n in range(3):
        asyncio.run(texts.add(f"discord:{n}", filename=f"lesson-{n}.md", data=lesson(n), added_by="u", now=NOW))
        assert libraries.for_scope(f"discord:{n}").search(f"room {n} tide")[0].document == f"lesson-{n}"
    assert len(libraries.built) == 1 and libraries.built.evictions == 2
    files = sorted((tmp_path / "cache" / "server-texts").glob("discord-*/*.pickle"))
    assert len(files) == 3
    written = [f.stat().st_mtime_ns for f in files]
    again = libraries.for_scope("discord:0")
    assert again.search("room 0 tide")[0].document == "lesson-0"
    assert "lesson-1" not in again.documents
    assert [f.stat().st_mtime_ns for f in files] == written  # read back, not rebuilt and written again
