"""Ranking across several texts: a query set over seven short public-domain texts written for these tests.

Each class of query here once failed: spelling variants, a slip in a three-letter word or beside a
stopword, two slips in a name, a phrase of common words, one common word, a sentence shared by texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Library
from bot.core.corpus import parse_document

LIBRARY = Path(__file__).parents[1] / "fixtures" / "library"

# (query, document, paragraph the first hit must come from)
ON_TOPIC: list[tuple[str, str, int]] = [
    # spelling variants: the text has one, the reader types the other
    ("honor thy father and thy mother", "exodus-20", 4),
    ("colour of the currency", "annual-message-1902", 3),
    ("organize their trade in distant markets", "annual-message-1901", 2),
    ("the center of the worlds exchange", "annual-message-1901", 2),
    ("thy neighbor's house", "exodus-20", 6),
    # a slip in a three-letter word, in a stopword, two slips in a name
    ("time to dye", "ecclesiastes-3", 1),
    ("a time to be born and a time to dye", "ecclesiastes-3", 1),
    ("what hans he that worketh", "ecclesiastes-3", 5),
    ("heard in raoha", "jeremiah-31", 1),
    ("a voice was heard in ramha lamentation", "jeremiah-31", 1),
    # phrases made of short and common words
    ("judge not lest ye be judged", "matthew-7", 1),
    ("we have no king but", "john-19", 4),
    ("ask and it shall be given", "matthew-7", 3),
    ("a time to love and a time to hate", "ecclesiastes-3", 4),
    ("shall I crucify your king", "john-19", 4),
    # half-remembered lines with typos
    ("weeping for her chidren", "jeremiah-31", 1),
    ("built his house upon a rok", "matthew-7", 7),
    ("wide is the gate and broad the way", "matthew-7", 5),
    ("thou shalt not bare false witness", "exodus-20", 5),
    ("beware of false profets in sheeps clothing", "matthew-7", 6),
]

OFF_TOPIC = [
    "sushi rice",
    "taylor swift songs",
    "napoleon at waterloo",
    "quantum computing",
    "mao",
    "hans and gretel",
    "photosynthesis in green plants",
    "stock market crash",
    "the football world cup",
    "dye",
    "hello",
    "raoha",
]


@pytest.fixture(scope="module")
def texts() -> Library:
    return Library.load([LIBRARY], include_seeds=False)


@pytest.mark.parametrize(("query", "document", "paragraph"), ON_TOPIC)
def test_multi_text_queries_find_the_right_paragraph_first(
    texts: Library, query: str, document: str, paragraph: int
) -> None:
    hits = texts.search(query)
    assert hits, query
    assert (hits[0].document, hits[0].paragraph) == (document, paragraph), query


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_multi_text_off_topic_queries_find_nothing(texts: Library, query: str) -> None:
    assert texts.search(query) == []


def test_either_spelling_of_a_word_scores_as_the_text_spells_it(texts: Library) -> None:
    for american, british in (("honor", "honour"), ("color", "colour"), ("organize", "organise")):
        query = f"{american} thy father and thy mother" if american == "honor" else american
        variant = query.replace(american, british)
        assert texts.search(query)[0].score == texts.search(variant)[0].score, query


def test_one_common_word_ranks_by_term_weight_not_by_file_order(texts: Library) -> None:
    hits = texts.search("king", limit=5)
    assert len(hits) == 5
    # the sentence that names the word four times in one line comes first, not the text's first mention
    assert hits[0].ref == "5.1"
    assert [(h.paragraph, h.sentence) for h in hits] != sorted((h.paragraph, h.sentence) for h in hits)


def test_the_same_sentence_in_two_texts_is_one_hit_naming_the_other(texts: Library) -> None:
    hits = texts.search("I thank you and God bless", limit=10)
    assert hits[0].document == "annual-message-1901"
    assert hits[0].also_in == (texts.documents["annual-message-1902"].label,)  # the library names texts by label
    assert [h.text for h in hits].count(hits[0].text) == 1


def test_a_phrase_of_common_words_beats_many_earlier_sentences_with_its_one_content_word() -> None:
    filler = " ".join(f"The king rode out on day {n} with his men." for n in range(1, 200))
    text = f"Kings\n\n{filler}\n\nThe priests answered, We have no king but Caesar.\n"
    library = Library([parse_document(text, doc_id="kings")])
    assert library.search("we have no king but")[0].text == "The priests answered, We have no king but Caesar."


def test_a_three_letter_slip_is_no_typo_of_a_consonant_or_alone() -> None:
    library = Library([parse_document("War\n\nThe war was long. The war went on.\n", doc_id="war")])
    assert library.search("wan") == []  # alone, and a consonant for a consonant
    assert library.search("the wor was long")[0].ref == "1.1"  # a vowel for a vowel beside other words


def test_highlight_marks_matched_words_not_the_words_between(library: Library) -> None:
    hit = library.search("XVII congress")[0]
    assert [hit.text[start:end] for start, end in hit.marks] == ["XVIIth", "Congress"]
    assert hit.text[slice(*hit.match)] == "XVIIth Party Congress"


def test_highlight_keeps_a_contiguous_phrase_as_one_mark(library: Library) -> None:
    hit = library.search("enemy of the peopel")[0]
    assert [hit.text[start:end] for start, end in hit.marks] == ["enemy of the people"]
    typo = library.search("barbaric tortues")[0]
    assert [typo.text[start:end] for start, end in typo.marks] == ["barbaric tortures"]
