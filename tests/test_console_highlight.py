"""The console bolds a hit's matched words only, not the words between them."""

from __future__ import annotations

from bot.console import Look, render_plain
from bot.core import Library, commands


def test_console_bolds_each_matched_word_and_not_the_words_between(library: Library) -> None:
    shown = render_plain(commands.search(library, "XVII congress"), Look(colour=True))
    assert "\x1b[1;33mXVIIth\x1b[0m Party \x1b[1;33mCongress\x1b[0m" in shown
