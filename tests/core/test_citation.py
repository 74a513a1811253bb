"""Each style's rules for speeches, written messages, excerpts and translations."""

from __future__ import annotations

import pytest

from bot.core.citation import apa, chicago, mla, sentence_case
from bot.core.corpus import Document, parse_document
from bot.core.library import Library
from bot.core.render import about_text

BODY = (
    "The state of the Union is strong. I send this message to the Congress of the Union.\n\n"
    "Our message is one of hope for the Union. The Union endures.\n"
)


def _text(**meta: object) -> Document:
    return parse_document("Title\n\n* * *\n\n" + BODY, doc_id="t", meta=dict(meta))


MESSAGE = {
    "title": "State of the Union Message",
    "speaker": "Harry S. Truman",
    "date": "1946-01-21",
    "kind": "written",
    "url": "https://example.org/truman-1946",
}


def test_a_written_message_is_not_called_a_speech_in_any_style() -> None:
    passage = _text(**MESSAGE).passage("2")
    assert apa(passage) == (
        "Truman, H. S. (1946, January 21). State of the Union message. https://example.org/truman-1946 "
        "In text: (Truman, 1946, para. 2)"
    )
    assert mla(passage) == (
        "Truman, Harry S. “State of the Union Message.” 21 Jan. 1946. https://example.org/truman-1946, par. 2."
    )
    assert chicago(passage) == (
        "Harry S. Truman, “State of the Union Message” (message, January 21, 1946), par. 2, "
        "https://example.org/truman-1946."
    )


def test_a_speech_is_marked_as_one_in_apa_and_mla() -> None:
    passage = _text(**{**MESSAGE, "kind": "spoken", "title": "Address on the State of the Union"}).passage("1")
    assert "Address on the state of the Union [Speech]." in apa(passage)
    assert mla(passage).endswith("Speech, par. 1.")
    assert "(speech, January 21, 1946)" in chicago(passage)


def test_sentence_case_keeps_words_the_text_capitalises_mid_sentence() -> None:
    document = _text(**MESSAGE)
    assert sentence_case("State of the Union Message", document) == "State of the Union message"
    assert sentence_case("Faith: A Message Of Hope", document) == "Faith: A message of hope"


def test_a_named_translator_and_an_edition_appear_in_each_style() -> None:
    passage = _text(
        title="On the Cult of Personality",
        speaker="Nikita Khrushchev",
        date="1956-02-25",
        translator="J. Smith",
        edition="2nd ed.",
        excerpt=True,
    ).passage("1")
    assert "On the Cult of Personality (J. Smith, Trans.) [Speech, excerpt]. 2nd ed. In text:" in apa(passage)
    assert "Translated by J. Smith, 2nd ed., 25 Feb. 1956." in mla(passage)
    assert "“On the Cult of Personality,” excerpt, trans. J. Smith, 2nd ed. (speech," in chicago(passage)


def test_an_untitled_text_is_described_not_quoted() -> None:
    passage = parse_document(
        "To the Congress:\n\nA message body. Two.\n", doc_id="m", defaults={"speaker": "James Monroe", "year": "1819"}
    ).passage("1")
    assert apa(passage).startswith("Monroe, J. (1819). [Speech].")
    assert "“" not in mla(passage) and "“" not in chicago(passage)


@pytest.mark.parametrize("style", [mla, apa, chicago])
def test_the_bundled_excerpt_says_it_is_an_excerpt_in_translation(library: Library, style: object) -> None:
    text = style(library.document().passage("3"))  # type: ignore[operator]
    assert "excerpt" in text
    assert "translated from the russian" in text.lower()


def test_about_says_the_bundled_text_is_an_excerpt_in_translation(library: Library) -> None:
    text = about_text(library.document())
    assert "Kind: speech, excerpt, translated from the Russian" in text
    assert "paragraph numbers count this excerpt, not the whole work" in text


@pytest.mark.parametrize(
    ("kind", "spoken"),
    [("State of the Union Address", True), ("annual message", False), ("remarks", True), ("letter", False)],
)
def test_only_kinds_delivered_aloud_are_speeches(kind: str, spoken: bool) -> None:
    passage = _text(**{**MESSAGE, "kind": kind}).passage("1")
    assert ("[Speech]" in apa(passage)) is spoken
