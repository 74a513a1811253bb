"""The offline console as a person types into it: commands, paging, walking the text, completion, emphasis."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from bot.console import Look, Session, completions, run_console, unknown_command, wants_colour
from bot.core.library import Library

DAY = dt.date(2026, 2, 25)


def _session(library: Library, *, colour: bool = False) -> Session:
    return Session(library, today=lambda: DAY, rng=random.Random(7), look=Look(colour))


@pytest.mark.parametrize(
    ("line", "meant"), [("/qoute 3.2", "/quote"), ("/serch stalin", "/search"), ("/contxt 3", "/context")]
)
def test_a_misspelt_command_is_named_not_searched(library: Library, line: str, meant: str) -> None:
    reply = _session(library).respond(line)
    assert f"Did you mean {meant}?" in reply
    assert "Nothing in" not in reply


def test_an_unknown_command_with_no_near_name_points_to_help(library: Library) -> None:
    assert _session(library).respond("/xyzzy") == "There is no /xyzzy command. Type /help for the list."


@pytest.mark.parametrize("line", ["/quote 3.2", "/3.2", "/speech 3.2", "stalin", "/search stalin", "/§3"])
def test_known_commands_refs_and_plain_words_are_not_unknown(line: str) -> None:
    assert unknown_command(line) is None


def test_next_and_prev_walk_from_the_last_context(library: Library) -> None:
    session = _session(library)
    assert "Type /context <ref> first" in session.respond("next")
    assert "▶ §3 " in session.respond("/context 3")
    assert "▶ §4 " in session.respond("next")
    assert "▶ §3 " in session.respond("prev")
    session.respond("/context 7")
    assert session.respond("next") == "That was the last paragraph."
    session.respond("/context 1")
    assert session.respond("prev") == "That was the first paragraph."


def test_next_stays_in_the_text_chosen_with_in(two_texts: Library) -> None:
    session = _session(two_texts)
    assert "Four score" in session.respond("/context 1 in:gettysburg")
    after = session.respond("next")
    assert "▶ §2 " in after and "Stalin" not in after


def test_more_pages_a_search_and_then_says_there_is_no_more(library: Library) -> None:
    session = _session(library)
    assert "No more results" in session.respond("more")
    first = session.respond("/search stalin")
    assert first.startswith("Results 1-5 for “stalin”:") and "type `more`" in first
    assert session.respond("more").startswith("Results 6-")
    assert "No more results" in session.respond("more")


def test_help_lists_the_console_words_and_in(library: Library) -> None:
    text = _session(library).respond("/help")
    assert "`/cite <ref> [mla|apa|chicago]`" in text
    for word in ("`more`", "`next`", "`prev`", "`in:<id>`", f"in:{library.default.id}", "Ctrl-C", "Ctrl-D"):
        assert word in text


def test_help_says_daily_posts_are_set_up_in_a_server_or_channel_not_here(library: Library) -> None:
    text = _session(library).respond("/help")
    assert "set one up in a Discord server with `/daily-setup` or in a Slack channel" in text
    assert "(server managers)" not in text


def test_daily_has_the_heading_the_cli_prints(library: Library) -> None:
    assert _session(library).respond("/daily").startswith("Passage of the day, Wednesday 25 February 2026\n§")


def test_errors_are_plain_sentences_without_the_chat_privacy_note(library: Library) -> None:
    reply = _session(library).respond("/quote 42")
    assert reply == "The speech has 7 paragraphs; try `3` or `3.2`."


def test_matched_words_are_bold_on_a_terminal_and_plain_otherwise(library: Library) -> None:
    coloured = _session(library, colour=True).respond("/search enemy of the peopel")
    assert "\x1b[1;33menemy of the people\x1b[0m" in coloured
    plain = _session(library).respond("/search enemy of the peopel")
    assert "\x1b[" not in plain and "**" not in plain and "enemy of the people" in plain


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("out", "environ", "expected"),
    [
        (_Tty(), {"TERM": "xterm"}, True),
        (_Tty(), {"TERM": "xterm", "NO_COLOR": "1"}, False),
        (_Tty(), {"TERM": "dumb"}, False),
        (io.StringIO(), {"TERM": "xterm"}, False),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(out: io.StringIO, environ: dict[str, str], expected: bool) -> None:
    assert wants_colour(out, environ) is expected


@pytest.mark.parametrize(
    ("before", "word", "expected"),
    [
        ("", "/se", ["/search "]),
        ("", "/c", ["/context ", "/cite ", "/concordance ", "/card "]),
        ("", "ne", ["next "]),
        ("/quote ", "", ["1", "2", "3", "4", "5", "6", "7"]),
        ("/context ", "3.", ["3.1", "3.2", "3.3", "3.4"]),
        ("/cite 5 ", "a", ["apa "]),
        ("/search famine ", "in:", ["in:secret-speech ", "in:gettysburg "]),
        ("/search ", "fam", []),
    ],
)
def test_tab_completes_commands_refs_styles_and_text_ids(
    two_texts: Library, before: str, word: str, expected: list[str]
) -> None:
    assert completions(two_texts, before, word) == expected


def test_refs_complete_from_the_text_named_with_in(two_texts: Library) -> None:
    count = len(two_texts.document("gettysburg").paragraphs)
    assert completions(two_texts, "/quote in:gettysburg ", "") == [str(n) for n in range(1, count + 1)]


def test_piped_lines_are_answered_until_quit(library: Library) -> None:
    out = io.StringIO()
    run_console(library, today=lambda: DAY, rng=random.Random(1), lines=["/quote 1", "quit", "/quote 2"], out=out)
    text = out.getvalue()
    assert "§1 ·" in text and "§2 ·" not in text
