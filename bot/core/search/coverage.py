"""Candidate sentences: those covering most of the query's weight, found with bitsets rather than per-sentence sums.

A sentence covers the weight of each query term it holds a word for (times that word's similarity); one
that reaches MIN_COVERAGE of the query's weight is a candidate. When more sentences tie on coverage than
are wanted, the ones holding more of the query's stopwords go first ("we have no king but" names one
content word), then the earlier sentence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, neg

from bot.core.search.bitsets import count_at_least, lowest_bits
from bot.core.search.postings import Postings
from bot.core.search.vocabulary import Term

MIN_COVERAGE = 0.55  # share of the query's weight a sentence must contain to count as a hit
PARAGRAPH_FALLBACK_MAX = 2_000  # sentences summed by the paragraph fallback at the most
PARAGRAPH_DISCOUNT = 0.9  # a query matched across a paragraph's sentences ranks below one matched in one sentence
_MAX_GROUPS = 2000  # groups of sentences best_covered splits before it sums per sentence instead


class _TooManyGroups(Exception):
    """Raised inside best_covered when splitting into groups costs more than summing per sentence."""


def _levels(postings: Postings, term: Term) -> list[tuple[float, int]]:
    """The weight `term` adds to a sentence, best first, with the sentences (a bitset) it adds it to."""
    by_similarity: dict[float, list[int]] = defaultdict(list)
    for word_id, similarity in term.matches.items():
        by_similarity[similarity].append(word_id)
    return [
        (term.weight * similarity, postings.holders(by_similarity[similarity]))
        for similarity in sorted(by_similarity, reverse=True)
    ]


def _preferred(group: int, limit: int, hints: Sequence[int]) -> list[int]:
    """Up to `limit` sentences of a group of equal coverage: most query stopwords held first, then by position."""
    if group.bit_count() <= limit:
        return lowest_bits(group, limit)
    chosen: list[int] = []
    layers = []
    for needed in range(len(hints), 0, -1):
        layer = group & count_at_least(hints, needed)
        layers.append(layer)
        group ^= layer
    layers.append(group)
    for layer in layers:
        chosen.extend(lowest_bits(layer, limit - len(chosen)))
        if len(chosen) >= limit:
            break
    return chosen


def best_covered(
    postings: Postings, terms: list[Term], count: int, within: tuple[int, int] | None, hints: Sequence[int] = ()
) -> list[tuple[float, int]]:
    """The `count` sentences covering most of the query's weight (at least MIN_COVERAGE of it).

    Sentences are grouped by which of each term's similarity levels they hold, with sets of sentences
    as bitsets (Python ints): walking the terms heaviest first, a group is split by the next term and
    dropped as soon as even the best of the terms still to come cannot lift it to the threshold. Every
    sentence of a final group has the same coverage, so the best groups give the hits (ties: see
    _preferred, with `hints` the bitsets of the query's stopwords). A common word costs one AND of two
    bitsets, not a pass over its postings.
    """
    ordered = sorted(terms, key=lambda term: -term.weight)
    total_weight = sum(term.weight for term in terms)
    threshold = MIN_COVERAGE * total_weight - 1e-9
    best = [term.weight * max(term.matches.values(), default=0.0) for term in ordered]
    if sum(best) + 1e-9 < threshold:
        return []  # even a sentence holding every term at its best match falls short
    rest = [*accumulate(best[::-1]), 0.0][::-1][1:]  # rest[i]: the most the terms after i can add
    levels = [_levels(postings, term) for term in ordered]
    first, last = within if within is not None else (0, postings.size)
    if first >= last:
        return []
    groups: dict[float, int] = {}  # coverage -> the sentences that have exactly it
    budget = [_MAX_GROUPS]

    def split(depth: int, sentences: int, covered: float) -> None:
        if depth == len(levels):
            if covered >= threshold:
                groups[covered] = groups.get(covered, 0) | sentences
            return
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooManyGroups
        reach = rest[depth] - 1e-9
        for gain, holders in levels[depth]:
            if covered + gain + reach < threshold:
                return  # nor will a lower level, or lacking the term
            part = sentences & holders
            if part:
                split(depth + 1, part, covered + gain)
                sentences ^= part
                if not sentences:
                    return
        if covered + reach >= threshold:
            split(depth + 1, sentences, covered)

    try:
        split(0, (1 << last) - (1 << first), 0.0)
    except _TooManyGroups:  # a long pasted query whose words scatter: sum per sentence instead
        return best_covered_by_sums(postings, ordered, count, within)
    chosen: list[tuple[float, int]] = []
    for covered in sorted(groups, reverse=True):
        taken = _preferred(groups[covered], count - len(chosen), hints)
        chosen.extend((covered, sentence_id) for sentence_id in taken)
        if len(chosen) >= count:
            break
    return chosen


def best_covered_by_sums(
    postings: Postings, ordered: list[Term], count: int, within: tuple[int, int] | None
) -> list[tuple[float, int]]:
    """best_covered for queries whose terms split the sentences into too many groups.

    Terms are taken rarest first; once the weight of the terms still to come is below the threshold,
    a sentence that holds none of the terms so far cannot qualify, so only those are candidates.
    The per-sentence sums are done with dict, set and map operations that run in C.
    """
    total_weight = sum(term.weight for term in ordered)
    threshold = MIN_COVERAGE * total_weight - 1e-9
    gains = [postings.gain(term.matches, term.weight) for term in ordered]
    remaining = total_weight
    essential = 0
    for term in ordered:
        if remaining >= threshold:
            essential += 1
        remaining -= term.weight
    candidates = list(set().union(*gains[:essential]))
    if within is not None:
        first, last = within
        candidates = [sentence_id for sentence_id in candidates if first <= sentence_id < last]
    if not candidates:
        return []
    sums: Iterator[float] = map(gains[0].get, candidates, repeat(0.0))
    for gain in gains[1:]:
        sums = map(add, sums, map(gain.get, candidates, repeat(0.0)))
    coverage = list(sums)
    # Coverage takes few distinct values: find the lowest one that still makes the cut, then sort
    # only the sentences at or above it (ties go to the earlier sentence).
    tally = Counter(compress(coverage, map(threshold.__le__, coverage)))
    cutoff, taken = threshold, 0
    for value in sorted(tally, reverse=True):
        cutoff, taken = value, taken + tally[value]
        if taken >= count:
            break
    keep = list(map(cutoff.__le__, coverage))
    chosen = sorted(zip(map(neg, compress(coverage, keep)), compress(candidates, keep), strict=True))
    return [(-negative, sentence_id) for negative, sentence_id in chosen[:count]]


def best_in_paragraphs(
    postings: Postings,
    terms: list[Term],
    count: int,
    within: tuple[int, int] | None,
    paragraph_of: Callable[[int], int],
) -> list[tuple[float, int]]:
    """When no single sentence covers the query, the paragraphs that do, and their sentences that help.

    "confessions by torture" names words from two sentences of one paragraph: the student remembers the
    passage, not the sentence. Each returned sentence carries its paragraph's coverage, slightly lowered.
    """
    total_weight = sum(term.weight for term in terms)
    threshold = MIN_COVERAGE * total_weight - 1e-9
    if sum(term.weight * max(term.matches.values(), default=0.0) for term in terms) + 1e-9 < threshold:
        return []  # even a paragraph holding every term at its best match falls short
    gains = [postings.gain(term.matches, term.weight) for term in terms]
    if sum(map(len, gains)) > PARAGRAPH_FALLBACK_MAX:
        return []  # words this common say little about which passage was meant, and the sums would be slow
    paragraph_gain: dict[int, float] = defaultdict(float)
    sentence_gain: dict[int, float] = defaultdict(float)
    for gain in gains:
        best_in_paragraph: dict[int, float] = {}
        for sentence_id, value in gain.items():
            if within is not None and not within[0] <= sentence_id < within[1]:
                continue
            key = paragraph_of(sentence_id)
            best_in_paragraph[key] = max(value, best_in_paragraph.get(key, 0.0))
            sentence_gain[sentence_id] += value
        for key, value in best_in_paragraph.items():
            paragraph_gain[key] += value
    chosen = [
        (PARAGRAPH_DISCOUNT * paragraph_gain[paragraph_of(sentence_id)], sentence_gain[sentence_id], sentence_id)
        for sentence_id in sentence_gain
        if paragraph_gain[paragraph_of(sentence_id)] >= threshold
    ]
    chosen.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(covered, sentence_id) for covered, _, sentence_id in chosen[:count]]
