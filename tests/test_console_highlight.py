"""The console bolds a hit's matched words only, not the words between them."""

from __future__ import annotations

from bot.console import render_plain
from bot.core import Library, commands


def test_console_bolds_each_matched_word_and_not_the_words_between(library: Library) -> None:
    assert "**XVIIth** Party **Congress**" in render_plain(commands.search(library, "XVII congress"))
