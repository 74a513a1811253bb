"""Discord /search across several texts: hits name their text, by/from/to narrow them, paging keeps the filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.library import Library
from tests.core.test_library import _reader
from tests.discord.conftest import Starter
from tests.fakes.discord_api import FakeDiscord


def embed_of(rec: Any) -> dict[str, Any]:
    data: dict[str, Any] = rec.body["data"]
    return data["embeds"][0]


async def test_hits_name_their_text_and_the_others_that_hold_them(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path
) -> None:
    await start_bot(_reader(tmp_path))
    rec = await fake.interact(fake.command("search", {"query": "truths about the freedom of the press"}))
    description = embed_of(rec)["description"]
    first = description.split("\n\n")[0]
    assert first.startswith(("**Lincoln 1861 §", "**Douglass 1852 §"))
    assert "(also in " in first


async def test_by_and_years_narrow_the_search_and_more_results_keeps_them(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path
) -> None:
    await start_bot(_reader(tmp_path))
    rec = await fake.interact(fake.command("search", {"query": "freedom", "by": "Douglass"}))
    hits = embed_of(rec)["description"].split("\n\n")
    assert hits and all(hit.startswith("**§") or "Douglass" in hit for hit in hits)
    assert "Lincoln" not in embed_of(rec)["description"]
    assert embed_of(rec)["title"] == "Search: freedom by:Douglass"
    rec = await fake.interact(fake.command("search", {"query": "freedom", "from": 1863, "to": 1863}))
    assert "1862" not in embed_of(rec)["description"] and "1852" not in embed_of(rec)["description"]
    empty = await fake.interact(fake.command("search", {"query": "freedom", "by": "Nobody Known"}))
    assert empty.body["data"]["flags"] & 64 and "No loaded text is by" in empty.body["data"]["content"]


async def test_speaker_choices_come_from_the_loaded_texts(
    start_bot: Starter, fake: FakeDiscord, tmp_path: Path, library: Library
) -> None:
    await start_bot(_reader(tmp_path))
    rec = await fake.interact(fake.autocomplete("search", "by", {"query": "freedom", "by": "lin"}))
    assert [c["value"] for c in rec.body["data"]["choices"]] == ["Abraham Lincoln"]
