"""Concordance: every use of a word, counted the way a brute-force count would."""

from __future__ import annotations

import re

import pytest

from bot.core.concordance import concordance, word_key
from bot.core.corpus import parse_document
from bot.core.errors import UserError
from bot.core.library import Library
from tests.core.study_texts import speeches


def brute_force_count(library: Library, key: str) -> int:
    """Count by reading every word of every sentence, independently of the concordance's own loop."""
    total = 0
    for document in library.documents.values():
        for paragraph in document.paragraphs:
            total += sum(word_key(w) == key for w in re.findall(r"\w+(?:['’]\w+)*", paragraph.text))
    return total


@pytest.mark.parametrize("word", ["enemy", "Stalin", "party", "the", "repression", "people"])
def test_counts_match_a_brute_force_count_on_the_seed(library: Library, word: str) -> None:
    found = concordance(library, word)
    assert len(found.occurrences) == brute_force_count(library, word_key(word))
    assert sum(found.per_document.values()) == len(found.occurrences)
    assert sum(found.per_paragraph.values()) == len(found.occurrences)


def test_inflections_are_one_word_and_their_spellings_are_listed(library: Library) -> None:
    found = concordance(library, "enemies")
    assert set(found.forms) == {"enemy", "enemies"}
    assert [o.ref for o in found.occurrences][:2] == ["3.1", "3.3"]


def test_keyword_sits_between_its_left_and_right_context(library: Library) -> None:
    found = concordance(library, "concept")
    first = next(o for o in found.occurrences if o.ref == "3.1")
    assert (first.left, first.keyword, first.right) == ("Stalin originated the", "concept", "enemy of the people.")


def test_long_context_is_clipped_at_a_word_with_an_ellipsis(library: Library) -> None:
    found = concordance(library, "wreckers", width=20)
    occurrence = found.occurrences[0]
    assert occurrence.left.startswith("…") and occurrence.right.endswith("…")
    assert len(occurrence.left) <= 21 and len(occurrence.right) <= 21


def test_mistyped_word_is_read_as_the_closest_word_of_the_text(library: Library) -> None:
    found = concordance(library, "stalni")
    assert found.corrected and found.word == "stalin"
    assert len(found.occurrences) == brute_force_count(library, "stalin")


def test_counts_per_text_across_several_texts() -> None:
    found = concordance(Library(speeches()), "freedom")
    assert found.per_document == {"stone-1901": 1, "kell-1902": 1, "moss-1905": 1}
    assert not found.corrected


@pytest.mark.parametrize("query", ["", "   ", "two words", "x" * 61, "zzzzqqq"])
def test_unusable_queries_get_a_clear_message(library: Library, query: str) -> None:
    with pytest.raises(UserError):
        concordance(library, query)


def test_a_word_used_more_often_than_the_search_keeps_per_word_is_counted_in_full(library: Library) -> None:
    big = Library([parse_document("Repeated\n\n" + "The cat sat. " * 3000, doc_id="cats")])
    assert len(concordance(big, "cat").occurrences) == 3000  # more than the search index keeps per word


def test_a_word_in_too_many_sentences_is_refused_with_a_hint() -> None:
    big = Library([parse_document("Repeated\n\n" + "The cat sat. " * 5001, doc_id="cats")])
    with pytest.raises(UserError, match="5,001 sentences, too many to list"):
        concordance(big, "cat")


def test_the_documents_option_keeps_to_those_texts() -> None:
    texts = speeches()
    found = concordance(Library(texts), "freedom", documents=[texts[2]])
    assert found.per_document == {"moss-1905": 1}
