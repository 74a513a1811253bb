"""Loading, front matter, paragraph and sentence numbering of the real seed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.corpus import parse_document, read_document
from bot.core.library import Library
from bot.core.segment import split_paragraphs, split_sentences

# The first words of every sentence of the seed, paragraph by paragraph: pins the splitter's behaviour.
SEED_SENTENCE_STARTS = [
    ["We have to consider seriously"],
    ["Stalin acted not through", "Whoever opposed this concept", "This was especially true"],
    [
        "Stalin originated the concept",
        "This term automatically rendered",
        "This concept, enemy of",
        "In the main, and",
    ],
    ["This led to the"],
    ["The Commission [of Inquiry]", "It became apparent that"],
    ["Lenin used severe methods"],
    ["Stalin, on the other", "It is clear that", "Instead of proving his"],
]


def test_seed_has_seven_paragraphs_and_fifteen_sentences(library: Library) -> None:
    document = library.document()
    assert len(document.paragraphs) == 7
    assert len(document.sentences) == 15


def test_every_seed_sentence_starts_where_expected(library: Library) -> None:
    document = library.document()
    starts = [
        [s.text[: len(expected)] for s, expected in zip(p.sentences, row, strict=True)]
        for p, row in zip(document.paragraphs, SEED_SENTENCE_STARTS, strict=True)
    ]
    assert starts == SEED_SENTENCE_STARTS


def test_sentences_are_numbered_inside_their_paragraph(library: Library) -> None:
    refs = [s.ref for s in library.document().sentences]
    assert refs[:5] == ["1.1", "2.1", "2.2", "2.3", "3.1"]
    assert refs[-1] == "7.3"


def test_ellipsis_brackets_and_etc_do_not_end_sentences(library: Library) -> None:
    document = library.document()
    assert document.passage("2.3").text.endswith("fell victim to Stalin's despotism. . . .")
    assert "XVIIth Party Congress [1934], when many" in document.passage("2.3").text
    assert "spies, wreckers, etc., but were always honest Communists" in document.passage("5.2").text


def test_front_matter_is_the_editors_introduction_not_the_body(library: Library) -> None:
    document = library.document()
    assert document.title == "Khrushchev's Secret Speech, 1956"
    assert document.front_matter.startswith("Nikita Khrushchev (1894-1971), First Secretary")
    assert all("First Secretary" not in s.text for s in document.sentences)
    assert document.paragraphs[0].text.startswith("We have to consider seriously")


def test_metadata_beside_the_text_feeds_citations(library: Library) -> None:
    meta = library.document().meta
    assert (meta.speaker, meta.date.isoformat() if meta.date else None) == ("Nikita Khrushchev", "1956-02-25")


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("He met J. V. Stalin. Then he left.", ["He met J. V. Stalin.", "Then he left."]),
        ("Dr. Smith came. He spoke.", ["Dr. Smith came.", "He spoke."]),
        ("They cut . . . the rest. Next.", ["They cut . . . the rest.", "Next."]),
        (
            'He called it a "confession." The accused denied it.',
            ['He called it a "confession."', "The accused denied it."],
        ),
        ('The so-called "enemies" were honest. Truly.', ['The so-called "enemies" were honest.', "Truly."]),
        (
            "Spies, wreckers, etc., were named. Then more.",
            ["Spies, wreckers, etc., were named.", "Then more."],
        ),
        ("After the U.S. Army left, quiet. Then war?", ["After the U.S. Army left, quiet.", "Then war?"]),
        ("Why? Because! Done.", ["Why?", "Because!", "Done."]),
        ("The 1937 purge [see 1938]. It grew.", ["The 1937 purge [see 1938].", "It grew."]),
    ],
)
def test_sentence_splitter_edge_cases(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_hard_wrapped_lines_are_joined_and_blank_lines_separate_paragraphs() -> None:
    assert split_paragraphs("one line\nwrapped here\n\n  second\n") == ["one line wrapped here", "second"]


def test_markdown_text_without_separator_takes_its_heading_as_title(two_texts: Library) -> None:
    document = two_texts.document("gettysburg")
    assert document.title == "The Gettysburg Address"
    assert document.front_matter == ""
    assert document.paragraphs[0].text.startswith("Four score and seven years ago our fathers brought forth")
    assert len(document.paragraphs[1].sentences) == 4


def test_a_text_with_no_body_is_refused() -> None:
    with pytest.raises(ValueError, match="no body"):
        parse_document("Title\n\n* * *\n", doc_id="empty")


def test_daily_passages_are_whole_sentences_within_one_paragraph(library: Library) -> None:
    passages = library.document().daily_passages
    assert len(passages) > 7
    for passage in passages:
        assert passage.first_paragraph == passage.last_paragraph
        assert 150 <= len(passage.text) <= 700
    covered = [s.ref for p in passages for s in p.sentences]
    assert covered == [s.ref for s in library.document().sentences]


def test_document_ids_are_short_slugs_whatever_the_file_is_called(tmp_path: Path) -> None:
    text = tmp_path / ("A Very Long Title, Of A Reader Of Sources About The Soviet Union (1917-1991) " * 2 + ".txt")
    text.write_text("Title\n\n* * *\n\nBody sentence one. Body sentence two.\n", encoding="utf-8")
    document = read_document(text)
    assert len(document.id) <= 40
    assert document.id.startswith("a-very-long-title-of-a-reader")
    assert not document.id.endswith("-")
