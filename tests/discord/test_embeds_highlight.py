"""Search hits in Discord embeds bold the matched words only, not the words between them."""

from __future__ import annotations

from bot.core import Library, commands
from bot.discord import embeds


def test_hit_line_bolds_each_matched_word_and_not_the_words_between(library: Library) -> None:
    reply = commands.search(library, "XVII congress")
    assert "**XVIIth** Party **Congress**" in embeds.hit_line(reply, 0, show_document=False)
