"""Ranking the candidates: coverage first, then how closely the sentence holds the query's phrase and order.

A candidate's score (0..1) is its coverage of the query's weight, the best fuzzy alignment of the query
inside the sentence, and the share of the query's neighbouring word pairs the sentence holds in the same
order (word order and proximity: "judge not lest ye be judged"). Equal scores are broken by the literal
text (case and punctuation aside); for a query of one word, whose phrase and order say nothing, by BM25
(how often the sentence holds the word, and in how short a sentence), and only then by position. For a
query of several words the phrase and order scores already said how well a sentence holds them; a word
repeated in a long sentence is no better quotation, so position breaks what the literal text left tied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from rapidfuzz import fuzz, process, utils

from bot.core.search.vocabulary import Term

COVERAGE_SHARE = 0.7
PHRASE_SHARE = 0.2
ORDER_SHARE = 0.1
_BM25_K1 = 1.2
_BM25_B = 0.75


@dataclass(frozen=True, slots=True)
class SentenceView:
    """What ranking reads of the index: each sentence's word ids, normal text and literal text."""

    tokens: Callable[[int], Sequence[int]]
    normal_text: Callable[[int], str]
    text: Callable[[int], str]
    average_length: float


def slot_lookup(slots: list[frozenset[int]]) -> dict[int, tuple[int, ...]]:
    """For each word id, the places in the query it can stand at (see _order)."""
    lookup: dict[int, list[int]] = {}
    for place, slot in enumerate(slots):
        for word_id in slot:
            lookup.setdefault(word_id, []).append(place)
    return {word_id: tuple(places) for word_id, places in lookup.items()}


def _order(tokens: Sequence[int], lookup: dict[int, tuple[int, ...]], pairs: int) -> float:
    """Share of the query's `pairs` neighbouring word pairs found side by side (or one word apart) in order."""
    if not pairs:
        return 1.0
    held: dict[int, float] = {}  # place of a pair's first word -> 1 side by side, 0.5 one word apart
    previous: tuple[int, ...] = ()
    before_previous: tuple[int, ...] = ()
    for token in tokens:
        places = lookup.get(token, ())
        for place in places:
            if place and place - 1 in previous:
                held[place] = 1.0
            elif place and place - 1 in before_previous and place not in held:
                held[place] = 0.5
        before_previous, previous = previous, places
    return sum(held.values()) / pairs


def rank(
    candidates: list[tuple[float, int]],
    terms: list[Term],
    slots: list[frozenset[int]],
    normal_query: str,
    literal_query: str,
    view: SentenceView,
    end: int,
) -> list[tuple[float, int]]:
    """The candidates as (score, sentence id), best first; `slots` are the word ids each query word can be."""
    total_weight = sum(term.weight for term in terms)
    scored = []
    for covered, sentence_id in candidates:
        phrase = fuzz.partial_ratio(normal_query, view.normal_text(sentence_id), processor=None) / 100
        scored.append(((COVERAGE_SHARE * covered / total_weight + PHRASE_SHARE * phrase), sentence_id))
    if scored:
        # Order can add at most ORDER_SHARE, so only candidates within that of the best need it.
        top = max(score for score, _ in scored)
        lookup = slot_lookup(slots)
        pairs = len(slots) - 1
        scored = [
            (score + ORDER_SHARE * _order(view.tokens(sentence_id), lookup, pairs), sentence_id)
            if score + ORDER_SHARE >= top
            else (score, sentence_id)
            for score, sentence_id in scored
        ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return _break_ties(scored, end, terms, literal_query, view)


def _break_ties(
    ranked: list[tuple[float, int]], end: int, terms: list[Term], query: str, view: SentenceView
) -> list[tuple[float, int]]:
    """Equal scores among the first `end` ordered by the literal text's likeness to the query, then by BM25."""
    result: list[tuple[float, int]] = []
    for _, group in groupby(ranked, key=itemgetter(0)):
        tied = list(group)
        if len(tied) > 1 and len(result) < end:
            texts = {sentence_id: view.text(sentence_id) for _, sentence_id in tied}
            found = process.extract(
                query, texts, scorer=fuzz.partial_ratio, processor=utils.default_process, score_cutoff=0, limit=None
            )
            literal = {sentence_id: similarity for _, similarity, sentence_id in found}
            if len(terms) == 1:  # one word: nothing but BM25 tells the sentences apart
                weight = {sid: _bm25(view.tokens(sid), terms, view.average_length) for sid in texts}
                tied.sort(key=lambda item: (-literal[item[1]], -weight[item[1]], item[1]))
            else:
                tied.sort(key=lambda item: (-literal[item[1]], item[1]))
        result.extend(tied)
    return result


def _bm25(tokens: Sequence[int], terms: list[Term], average_length: float) -> float:
    """BM25 of a sentence for the query's terms (term weight as the idf, similarity scaling the count)."""
    norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * len(tokens) / max(average_length, 1.0))
    total = 0.0
    for term in terms:
        frequency = sum(term.matches.get(token, 0.0) for token in tokens)
        if frequency:
            total += term.weight * frequency * (_BM25_K1 + 1) / (frequency + norm)
    return total
