"""References as students type them, and the help they get when one is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.refs import Ref, parse_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", Ref(3, None, 3, None)),
        ("3.2", Ref(3, 2, 3, 2)),
        ("3.2-4", Ref(3, 2, 3, 4)),
        ("3-4", Ref(3, None, 4, None)),
        ("§3.2", Ref(3, 2, 3, 2)),
        ("§ 3", Ref(3, None, 3, None)),
        (" 2.1–3.1 ", Ref(2, 1, 3, 1)),
        ("para 5", Ref(5, None, 5, None)),
    ],
)
def test_reference_forms_parse(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize(
    ("ref", "first_words", "canonical"),
    [
        ("3", "Stalin originated", "3"),
        ("3.2", "This term automatically", "3.2"),
        ("3.2-4", "This term automatically", "3.2-4"),
        ("3-4", "Stalin originated", "3-4"),
        ("§5.1", "The Commission", "5.1"),
        ("3.1-4", "Stalin originated", "3"),
    ],
)
def test_references_select_the_right_sentences(library: Library, ref: str, first_words: str, canonical: str) -> None:
    passage = library.document().passage(ref)
    assert passage.text.startswith(first_words)
    assert passage.ref == canonical


def test_paragraph_range_keeps_paragraph_break(library: Library) -> None:
    assert "\n\n" in library.document().passage("3-4").text


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("9", "The speech has 7 paragraphs; try `3` or `3.2`."),
        ("12345678", "The speech has 7 paragraphs; try `3` or `3.2`."),
        ("3.1234567", "Paragraph 3 has 4 sentences"),
        ("0", "The speech has 7 paragraphs; try `3` or `3.2`."),
        ("3.9", "Paragraph 3 has 4 sentences; try `3.1` to `3.4`."),
        ("1.2", "Paragraph 1 has 1 sentence; try `1.1`."),
        ("4-2", "That range runs backwards"),
        ("abc", "That is not a reference."),
        ("", "Give a reference."),
        ("@everyone", "That is not a reference."),
    ],
)
def test_unknown_references_explain_what_exists(library: Library, ref: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        library.document().passage(ref)
    assert raised.value.message.startswith(message)
    assert "\n" not in raised.value.message


@given(st.text(max_size=300))
def test_no_text_crashes_reference_parsing(library: Library, text: str) -> None:
    try:
        library.document().passage(text)
    except UserError as problem:
        assert problem.message


@given(st.sampled_from(["\u200b3", "3\u200f", "\u202e3.2", "3.2\x00", "３", "3.2 🎉", "9" * 10_000, " \t\n"]))
def test_odd_characters_in_references_are_handled(library: Library, text: str) -> None:
    try:
        passage = library.document().passage(text)
    except UserError as problem:
        assert len(problem.message) < 200
    else:
        assert passage.ref.startswith("3")


def test_hint_for_a_one_paragraph_text_offers_references_that_exist() -> None:
    from bot.core.corpus import parse_document

    document = parse_document("Title\n\n* * *\n\nOnly one sentence here.\n", doc_id="short")
    with pytest.raises(UserError) as raised:
        document.passage("2")
    assert raised.value.message == "The speech has 1 paragraph; try `1` or `1.1`."
    assert document.passage("1.1").text == "Only one sentence here."
