"""Typed commands as the console and Slack receive them, answered by the core."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from bot.core import commands
from bot.core.commands import answer
from bot.core.library import Library, TextFilter
from bot.core.replies import (
    AboutReply,
    CiteReply,
    ContextReply,
    ErrorReply,
    HelpReply,
    QuoteReply,
    Reply,
    SearchReply,
    TextsReply,
)
from tests.core.test_library import _reader

TODAY = dt.date(2026, 11, 28)


def ask(library: Library, line: str):  # type: ignore[no-untyped-def]
    return answer(library, line, today=TODAY, rng=random.Random(7))


def test_a_bare_reference_quotes_it(library: Library) -> None:
    reply = ask(library, "3.2")
    assert isinstance(reply, QuoteReply)
    assert reply.quotation is not None and reply.quotation.ref == "3.2"


@pytest.mark.parametrize(("line", "ref"), [("§§3", "3"), ("3—4", "3-4"), ("para 5", "5"), ("¶ 2.1", "2.1")])
def test_every_reference_form_quote_takes_also_quotes_when_typed_bare(library: Library, line: str, ref: str) -> None:
    reply = ask(library, line)
    assert isinstance(reply, QuoteReply)
    assert reply.quotation is not None and reply.quotation.ref == ref


def test_plain_words_search(library: Library) -> None:
    reply = ask(library, "/speech enemy of the peopel")
    assert isinstance(reply, SearchReply)
    assert reply.hits[0].paragraph == 3


def test_search_pages_with_offset(library: Library) -> None:
    first = answer(library, "search stalin", today=TODAY, rng=random.Random(1))
    second = answer(library, "search stalin", today=TODAY, rng=random.Random(1), offset=5)
    assert first.has_more
    assert {h.ref for h in first.hits}.isdisjoint(h.ref for h in second.hits)


def test_quote_without_ref_is_a_readable_passage(library: Library) -> None:
    reply = ask(library, "/quote")
    assert reply.quotation is not None
    assert reply.quotation.ref in {p.ref for p in library.document().daily_passages}


def test_daily_is_the_passage_of_the_day(library: Library) -> None:
    assert ask(library, "/daily").quotation == ask(library, "daily").quotation


@pytest.mark.parametrize(
    ("line", "kind", "fragment"),
    [
        ("/cite 5 apa", CiteReply, "para. 5"),
        ("/about", AboutReply, "Editor's introduction"),
        ("/help", HelpReply, "/cite <ref>"),
        ("", HelpReply, "/quote"),
        ("/texts", TextsReply, "secret-speech"),
        ("/quote 12", ErrorReply, "The speech has 7 paragraphs"),
        ("/search xyzzy", ErrorReply, "Nothing in"),
        ("/search ", ErrorReply, "Type some words"),
        ("/cite 5 harvard", ErrorReply, "Citation styles"),
        ("/quote 3 in:nope", ErrorReply, "Loaded texts"),
    ],
)
def test_commands_answer_or_explain(library: Library, line: str, kind: type[Reply], fragment: str) -> None:
    reply = ask(library, line)
    assert isinstance(reply, kind)
    assert fragment in getattr(reply, "text", "")


def test_context_answers_with_a_context_reply(library: Library) -> None:
    reply = ask(library, "/context 1")
    assert isinstance(reply, ContextReply) and reply.paragraph == 1 and reply.quotation.ref == "1"


def test_context_includes_neighbours_and_marks_the_target(library: Library) -> None:
    reply = ask(library, "/context 3.2")
    assert [(label, target) for label, _, target in reply.sections] == [
        ("§2", False),
        ("§3", True),
        ("§4", False),
    ]


def test_in_option_picks_a_document(two_texts: Library) -> None:
    reply = answer(two_texts, "/quote 1 in:gettysburg", today=TODAY, rng=random.Random(1))
    assert reply.quotation is not None and reply.quotation.title.endswith("The Gettysburg Address")


def test_mention_tricks_are_just_words(library: Library) -> None:
    reply = ask(library, "@everyone <@&123> <!channel>")
    assert isinstance(reply, ErrorReply)


def test_by_from_and_to_options_filter_a_search(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_library import _reader

    reader = _reader(tmp_path)
    reply = ask(reader, 'search freedom by:"Frederick Douglass"')
    assert isinstance(reply, SearchReply) and {h.document for h in reply.hits} == {"douglass-1852"}
    reply = ask(reader, "freedom from:1862 to:1862")
    assert isinstance(reply, SearchReply) and {h.document for h in reply.hits} == {"lincoln-1862"}
    reply = ask(reader, "/quote 1 in:gettysburg")
    assert reply.quotation is not None and reply.quotation.title == "§1 · The Gettysburg Address · Part One"
    assert ask(reader, "freedom from:soon").text == "`from:` takes a year, for example `from:1861`."
    assert "ambiguous" in ask(reader, "quote 1 in:lincoln").text
    assert "name one with `in:<id>`" in ask(reader, "quote 1 by:lincoln").text


def test_context_marks_editorial_notes_between_paragraphs() -> None:
    from bot.core.corpus import parse_document

    document = parse_document("T\n\n* * *\n\nOne here.\n\n[Applause.]\n\nTwo here.\n\nThree.\n", doc_id="t")
    reply = ask(Library([document]), "context 1")
    assert [(label, text) for label, text, _ in reply.sections] == [
        ("§1", "One here."),
        ("Editor's note", "[Applause.]"),
        ("§2", "Two here."),
    ]


def test_a_filtered_search_keeps_its_filter_in_the_query_it_pages_with(tmp_path: Path) -> None:
    reader = _reader(tmp_path)
    first = commands.search(reader, "freedom", limit=1, within=TextFilter(speaker="Abraham Lincoln"))
    assert first.query == 'freedom by:"Abraham Lincoln"' and first.has_more
    second = commands.search(reader, first.query, limit=1, offset=1)
    assert second.hits and all(reader.documents[h.document].meta.speaker == "Abraham Lincoln" for h in second.hits)
    years = commands.search(reader, "freedom from:1863 to:1863")
    assert {h.document for h in years.hits} == {"lincoln-1863"} and years.query == "freedom from:1863 to:1863"
