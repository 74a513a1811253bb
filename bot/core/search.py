"""Fuzzy sentence search: the one place that knows how queries are matched, scored and rejected.

Each query word is matched against the vocabulary (exact, typo, stem or prefix), the postings of the
matched words give the candidate sentences, and a sentence scores by how much of the query's weight it
covers. A query whose words mostly do not occur in the text is off-topic and returns no hits, rather than
the least-bad sentence.

One search path serves every library size. What keeps it fast on large libraries:
- typo candidates come from a character-bigram count filter over the vocabulary (bitsets held as Python
  ints, one per bigram), so only words that can be within the allowed edit distance are compared, and
  a word the texts contain is not looked up as a typo at all;
- sets of sentences are bitsets (Python ints): the sentences that reach the coverage threshold are found
  by splitting the whole library into groups of equal coverage with a few ANDs per query word, dropping
  a group as soon as the words still to come cannot lift it to the threshold, so a very common word
  costs one AND rather than a pass over its postings; a common word's bitset is kept for later queries;
- a query that cannot reach the threshold even where every word matches at its best stops at once;
- a query word's vocabulary matches are remembered, so autocomplete keystrokes reuse the earlier words;
- each sentence's normal words are kept as a forward index, so re-ranking never re-tokenises text.
"""

from __future__ import annotations

import gc
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from heapq import nlargest
from itertools import accumulate, compress, count, groupby, repeat
from operator import add, itemgetter, neg
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA, Indel

from bot.core import normalize
from bot.core.corpus import Document, Sentence
from bot.core.normalize import FILLER_WORDS, STOPWORDS, normal_words, stem, words_with_spans
from bot.core.refs import clean_input

MAX_QUERY_CHARS = 300
MIN_COVERAGE = 0.55  # share of the query's weight a sentence must contain to count as a hit
# A query word found nowhere in the texts weighs as much as the query's rarest word that is there: two
# such words sink a short query ("napoleon at waterloo", "taylor swift songs"), while one misremembered
# word in a half-remembered phrase ("stalin did not *allow* collegiality") does not.
UNKNOWN_WEIGHT = 1.0
PREFIX_WORDS = 50  # completions of a half-typed word that are tried, most frequent first
MAX_POSTINGS = 50_000  # sentences read per matched word: beyond this a word is too common to rank by
MAX_TERMS = 24  # distinct words of a (pasted) query that are matched; more only cost time
PARAGRAPH_FALLBACK_MAX = 2_000  # sentences summed by the paragraph fallback at the most
PARAGRAPH_DISCOUNT = 0.9  # a query matched across a paragraph's sentences ranks below one matched in one sentence
_RERANK = 60  # candidates that get the (slower) phrase score
TYPO_RATIO = 80  # from TYPO_RATIO_FROM letters on, a word this similar (fuzz.ratio) is a typo too
TYPO_RATIO_FROM = 6
_MATCH_CACHE = 4096  # query words whose vocabulary matches are remembered (autocomplete repeats them)
_KEEP_BITS_FROM = 64  # a word in 1/64 of the sentences or more keeps their bitset (no larger than its postings)
_MAX_GROUPS = 2000  # groups of sentences _best_covered splits before it sums per sentence instead


@dataclass(frozen=True, slots=True)
class Hit:
    """A matching sentence, its place in the text, a 0-100 score and the span to highlight."""

    document: str
    ref: str
    paragraph: int
    sentence: int
    score: int
    text: str
    match: tuple[int, int]
    label: str = ""  # the text's short label (speaker and year, or title), filled in by the library
    section: str = ""  # the heading the sentence stands under, if its text has headings
    also_in: tuple[str, ...] = ()  # labels of other texts that hold the same sentence


@dataclass(frozen=True, slots=True)
class _Term:
    word: str
    weight: float
    matches: dict[int, float]  # word id -> similarity 0..1


def max_typos(size: int) -> int:
    """Edits (OSA: insert, delete, substitute, swap neighbours) a typed word of this length may carry."""
    if size <= 3:
        return 0
    return 1 if size <= 7 else 2


def max_length_gap(size: int) -> int:
    """How much longer or shorter than the typed word a typo match may be."""
    return max_typos(size) if size < TYPO_RATIO_FROM else 2


def word_similarity(query_word: str, word: str, *, prefix: bool = False) -> float:
    """How well a typed word stands for a word of the text (0 = not at all), tolerant of typos and stems."""
    if query_word == word:
        return 1.0
    size = len(query_word)
    if prefix and size >= 2 and word.startswith(query_word):
        return 0.9
    if size <= 3:
        return 0.0
    if size >= 5 and word.startswith(query_word) and len(word) - size <= 5:
        return 0.88  # a stem: "collegial" for "collegiality"
    if abs(len(word) - size) > max_length_gap(size):
        return 0.0
    if size >= TYPO_RATIO_FROM:
        ratio = fuzz.ratio(query_word, word, processor=None, score_cutoff=TYPO_RATIO)
        if ratio:
            return ratio / 100  # a doubled letter moved ("acussed") counts here
    allowed = max_typos(size)
    if abs(len(word) - size) > allowed or OSA.distance(query_word, word, score_cutoff=allowed) > allowed:
        return 0.0
    if size == 4 and Indel.distance(query_word, word) > 1 and sorted(word) != sorted(query_word):
        return 0.0  # in a four-letter word, only a dropped, doubled or swapped letter is a typo
    return 0.85 if size <= 5 else 0.8


def _bigrams_lost(size: int) -> int:
    """At most how many of a typed word's distinct bigrams a typo match (see word_similarity) destroys.

    A deletion destroys at most two bigram occurrences, an insertion one, a substitution two and a swap
    of neighbours three; a fuzz.ratio of TYPO_RATIO allows i insertions and j deletions with
    i + j <= (100 - TYPO_RATIO)% of both lengths.
    """
    lost = 3 * max_typos(size)
    if size >= TYPO_RATIO_FROM:
        for other in range(size - 2, size + 3):
            most = int((100 - TYPO_RATIO) * (size + other) / 100 + 1e-9)
            most -= (most - (other - size)) % 2  # insertions minus deletions is the length difference
            if most >= abs(other - size):
                deletions = (most - (other - size)) // 2
                lost = max(lost, 3 * deletions + other - size)
    return lost


def _bigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def _count_at_least(bitsets: Sequence[int], needed: int) -> int:
    """Bits set in at least `needed` of the bitsets (a bit-sliced counter over Python ints)."""
    planes: list[int] = []
    for bits in bitsets:
        carry = bits
        for level, plane in enumerate(planes):
            planes[level], carry = plane ^ carry, plane & carry
            if not carry:
                break
        if carry:
            planes.append(carry)
    if needed >= 1 << len(planes):
        return 0
    above = 0
    equal = -1  # all ones
    for level in range(len(planes) - 1, -1, -1):
        plane = planes[level]
        if needed >> level & 1:
            equal &= plane
        else:
            above |= equal & plane
            equal &= ~plane
    return above | equal


_BIT_BYTES = bytes.maketrans(b"01", b"\x00\x01")


def _select(items: Sequence[str], bits: int) -> list[str]:
    """The items whose bit is set (bit i stands for items[i])."""
    if bits.bit_count() < 64:  # few: jump from set bit to set bit
        chosen = []
        while bits:
            lowest = bits & -bits
            chosen.append(items[lowest.bit_length() - 1])
            bits ^= lowest
        return chosen
    # many: one pass in C over a string of 0/1 bytes
    flags = format(bits, "b").zfill(len(items))[::-1].encode().translate(_BIT_BYTES)
    return list(compress(items, flags))


_SINK: deque[object] = deque(maxlen=0)


def _exhaust(calls: Iterable[object]) -> None:
    """Run an iterator to its end, in C: the work is in the calls it makes."""
    _SINK.extend(calls)


def _bitset(sentence_ids: Sequence[int], size: int) -> int:
    """The sentence ids (below `size`) as the set bits of an int: bit i for sentence i."""
    if len(sentence_ids) < 2048:  # few: set bits in a byte buffer, one eighth of the size
        buffer = bytearray((size >> 3) + 1)
        for sentence_id in sentence_ids:
            buffer[sentence_id >> 3] |= 1 << (sentence_id & 7)
        return int.from_bytes(buffer, "little")
    # many: a byte per sentence, set in C, read as a binary numeral
    digits = bytearray(b"0") * size
    _exhaust(map(digits.__setitem__, sentence_ids, repeat(ord("1"))))
    digits.reverse()
    return int(digits, 2)


_SET_BITS = [tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256)]
_NONZERO_BYTE = re.compile(rb"[^\x00]")


def _lowest_bits(bits: int, limit: int) -> list[int]:
    """The positions of the `limit` lowest set bits, in ascending order."""
    found: list[int] = []
    if limit <= 0:
        return found
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for match in _NONZERO_BYTE.finditer(data):  # the scan for set bytes runs in C
        start = match.start()
        found.extend(start * 8 + bit for bit in _SET_BITS[data[start]])
        if len(found) >= limit:
            break
    return found[:limit]


class _TooManyGroups(Exception):
    """Raised inside _best_covered when splitting into groups costs more than summing per sentence."""


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects (none of them garbage).

    Afterwards they are moved out of the collector's sight (gc.freeze): otherwise its next runs, during
    the first searches, would walk the million new objects twice, at some 50 ms a time. They are still
    freed when no longer referenced; none of them is part of a reference cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


class SearchIndex:
    """An inverted index from normal words to sentences, built once per library."""

    def __init__(self, documents: Iterable[Document]) -> None:
        with paused_gc():  # millions of new objects, none of them garbage: collecting them is wasted time
            self._build(tuple(documents))

    def _build(self, documents: tuple[Document, ...]) -> None:
        self._entries: list[tuple[str, Sentence]] = []
        self._documents: dict[str, tuple[int, int]] = {}  # document id -> its range of sentence ids
        for document in documents:
            self._documents[document.id] = (len(self._entries), len(self._entries) + len(document.sentences))
            self._entries.extend(zip(repeat(document.id), document.sentences))
        word_ids: defaultdict[str, int] = defaultdict(count().__next__)  # a new word gets the next id
        postings: list[list[int]] = []
        tokens = array("I")  # every sentence's word ids, one after another
        starts = array("I", [0])
        texts = (sentence.text for _, sentence in self._entries)
        for sentence_id, ids in enumerate(normalize.word_ids(texts, word_ids)):
            tokens.extend(ids)
            starts.append(len(tokens))
            if len(postings) < len(word_ids):
                postings.extend([] for _ in range(len(word_ids) - len(postings)))
            for word_id in set(ids):
                postings[word_id].append(sentence_id)
        self._word_ids = dict(word_ids)
        self._words = list(word_ids)
        # Sentence ids as lists of shared int objects: dict.fromkeys over them is twice as fast as over
        # arrays, which would make a new int for every element read.
        self._postings: list[list[int] | None] = list(postings)
        self._frequency = array("I", map(len, postings))  # sentences holding each word
        self._sentence_ids = list(range(len(self._entries)))
        self._tokens = tokens
        self._starts = starts
        self._sorted_words = sorted(word_ids)
        self._stems: dict[str, list[int]] = {}
        for word, word_id in word_ids.items():
            self._stems.setdefault(stem(word), []).append(word_id)
        self._build_typo_filter()
        self._max_weight = math.log(1 + max(len(self._entries), 1))
        # Title and speaker words describe the whole text, so in a query they neither help nor hurt.
        self._context_words = {
            word
            for document in documents
            for field in (document.meta.title, document.meta.short_title, document.meta.speaker)
            for word in normal_words(field or "")
        } - word_ids.keys()
        self._match_cache: OrderedDict[tuple[str, bool], dict[int, float]] = OrderedDict()
        self._word_bits: dict[int, int] = {}

    def _build_typo_filter(self) -> None:
        """Words ordered by length, and for each character bigram the bitset of words that contain it."""
        by_length = sorted(range(len(self._words)), key=lambda word_id: len(self._words[word_id]))
        self._length_words = [self._words[word_id] for word_id in by_length]
        lengths = [len(self._words[word_id]) for word_id in by_length]
        # _length_bounds[n]: position of the first word at least n letters long
        self._length_bounds = array("I", (bisect_left(lengths, n) for n in range((lengths[-1] if lengths else 0) + 2)))
        positions: dict[str, list[int]] = {}
        for position, word_id in enumerate(by_length):
            word = self._words[word_id]
            for bigram in _bigrams(word):
                positions.setdefault(bigram, []).append(position)
        size = (len(by_length) + 8) // 8
        self._bigram_bits: dict[str, int] = {}
        for bigram, where in positions.items():
            buffer = bytearray(size)
            for position in where:
                buffer[position >> 3] |= 1 << (position & 7)
            self._bigram_bits[bigram] = int.from_bytes(buffer, "little")

    def __len__(self) -> int:
        return len(self._entries)

    def __getstate__(self) -> dict[str, Any]:
        """The index for the on-disk cache: postings flattened into one array, no remembered query words."""
        state = dict(vars(self))
        flat = array("I")
        for word_id in range(len(self._postings)):
            flat.extend(self._sentences_with(word_id))
        state["_postings"] = flat
        state["_match_cache"] = OrderedDict()
        state["_word_bits"] = {}
        del state["_sentence_ids"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._flat_postings: array[int] = state.pop("_postings")
        self._flat_starts = array("I", [0])
        self._flat_starts.extend(accumulate(state["_frequency"]))
        vars(self).update(state)
        self._postings = [None] * len(self._frequency)
        self._sentence_ids = list(range(len(self._entries)))

    def _sentences_with(self, word_id: int) -> list[int]:
        """The word's postings as a list of shared ints (from the cache they are unpacked on first use)."""
        posting = self._postings[word_id]
        if posting is None:
            start, end = self._flat_starts[word_id], self._flat_starts[word_id + 1]
            posting = list(map(self._sentence_ids.__getitem__, self._flat_postings[start:end]))
            self._postings[word_id] = posting
        return posting

    def search(
        self, query: str, *, limit: int = 5, offset: int = 0, document: str | None = None, prefix: bool = False
    ) -> list[Hit]:
        """Ranked hits for a query; empty when nothing in the text is close enough."""
        cleaned = clean_input(query, limit=MAX_QUERY_CHARS)
        words = normal_words(cleaned)
        if not words or limit <= 0:
            return []
        offset = max(0, offset)
        within = self._documents.get(document) if document is not None else None
        if document is not None and within is None:
            return []
        terms = self._terms(words, prefix=prefix)
        if not terms:
            return []
        total_weight = sum(term.weight for term in terms)
        best = self._best_covered(terms, max(_RERANK, offset + limit), within)
        if not best and len(terms) > 1:
            best = self._best_in_paragraphs(terms, max(_RERANK, offset + limit), within)
        normal_query = " ".join(words)
        scored = []
        for covered, sentence_id in best:
            phrase = fuzz.partial_ratio(normal_query, self._normal_text(sentence_id), processor=None) / 100
            scored.append((0.75 * covered / total_weight + 0.25 * phrase, sentence_id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        page = self._break_ties(scored, offset + limit, cleaned)[offset : offset + limit]
        return [self._hit(sentence_id, round(100 * score), terms) for score, sentence_id in page]

    def _break_ties(self, ranked: list[tuple[float, int]], end: int, query: str) -> list[tuple[float, int]]:
        """Equal scores among the first `end` put in order of how closely the sentence's literal text holds
        the query (case and punctuation aside), then by position, rather than by position alone."""
        result: list[tuple[float, int]] = []
        for _, group in groupby(ranked, key=itemgetter(0)):
            tied = list(group)
            if len(tied) > 1 and len(result) < end:
                texts = {sentence_id: self._entries[sentence_id][1].text for _, sentence_id in tied}
                found = process.extract(
                    query, texts, scorer=fuzz.partial_ratio, processor=utils.default_process, score_cutoff=0, limit=None
                )
                literal = {sentence_id: similarity for _, similarity, sentence_id in found}
                tied.sort(key=lambda item: (-literal[item[1]], item[1]))
            result.extend(tied)
        return result

    def _best_covered(self, terms: list[_Term], count: int, within: tuple[int, int] | None) -> list[tuple[float, int]]:
        """The `count` sentences covering most of the query's weight (at least MIN_COVERAGE of it).

        Sentences are grouped by which of each term's similarity levels they hold, with sets of sentences
        as bitsets (Python ints): walking the terms heaviest first, a group is split by the next term and
        dropped as soon as even the best of the terms still to come cannot lift it to the threshold. Every
        sentence of a final group has the same coverage, so the best groups give the hits (ties go to the
        earlier sentence). A common word costs one AND of two bitsets, not a pass over its postings.
        """
        ordered = sorted(terms, key=lambda term: -term.weight)
        total_weight = sum(term.weight for term in terms)
        threshold = MIN_COVERAGE * total_weight - 1e-9
        best = [term.weight * max(term.matches.values(), default=0.0) for term in ordered]
        if sum(best) + 1e-9 < threshold:
            return []  # even a sentence holding every term at its best match falls short
        rest = [*accumulate(best[::-1]), 0.0][::-1][1:]  # rest[i]: the most the terms after i can add
        levels = [self._levels(term) for term in ordered]
        first, last = within if within is not None else (0, len(self._entries))
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
            return self._best_covered_by_sums(ordered, count, within)
        chosen: list[tuple[float, int]] = []
        for covered in sorted(groups, reverse=True):
            chosen.extend((covered, sentence_id) for sentence_id in _lowest_bits(groups[covered], count - len(chosen)))
            if len(chosen) >= count:
                break
        return chosen

    def _levels(self, term: _Term) -> list[tuple[float, int]]:
        """The weight `term` adds to a sentence, best first, with the sentences (a bitset) it adds it to."""
        by_similarity: dict[float, list[int]] = defaultdict(list)
        for word_id, similarity in term.matches.items():
            by_similarity[similarity].append(word_id)
        return [
            (term.weight * similarity, self._holders(by_similarity[similarity]))
            for similarity in sorted(by_similarity, reverse=True)
        ]

    def _holders(self, word_ids: list[int]) -> int:
        """The sentences holding any of the words, as a bitset; a common word's is kept for the next query."""
        bits = 0
        rare: list[int] = []
        for word_id in word_ids:
            if self._frequency[word_id] * _KEEP_BITS_FROM < len(self):
                rare.extend(self._sentences_with(word_id)[:MAX_POSTINGS])
                continue
            word_bits = self._word_bits.get(word_id)
            if word_bits is None:
                word_bits = self._word_bits[word_id] = _bitset(self._sentences_with(word_id)[:MAX_POSTINGS], len(self))
            bits |= word_bits
        return bits | _bitset(rare, len(self)) if rare else bits

    def _best_covered_by_sums(
        self, ordered: list[_Term], count: int, within: tuple[int, int] | None
    ) -> list[tuple[float, int]]:
        """_best_covered for queries whose terms split the sentences into too many groups.

        Terms are taken rarest first; once the weight of the terms still to come is below the threshold,
        a sentence that holds none of the terms so far cannot qualify, so only those are candidates.
        The per-sentence sums are done with dict, set and map operations that run in C.
        """
        total_weight = sum(term.weight for term in ordered)
        threshold = MIN_COVERAGE * total_weight - 1e-9
        gains = [self._gain(term) for term in ordered]
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

    def _gain(self, term: _Term) -> dict[int, float]:
        """The weight `term` adds to each sentence that holds one of its words (the best word it holds)."""
        gain: dict[int, float] = {}
        # lowest similarity first, so a sentence keeps the best word it holds for this term
        for word_id, similarity in sorted(term.matches.items(), key=lambda item: item[1]):
            gain.update(dict.fromkeys(self._sentences_with(word_id)[:MAX_POSTINGS], term.weight * similarity))
        return gain

    def _best_in_paragraphs(
        self, terms: list[_Term], count: int, within: tuple[int, int] | None
    ) -> list[tuple[float, int]]:
        """When no single sentence covers the query, the paragraphs that do, and their sentences that help.

        "confessions by torture" names words from two sentences of one paragraph: the student remembers the
        passage, not the sentence. Each returned sentence carries its paragraph's coverage, slightly lowered.
        """
        total_weight = sum(term.weight for term in terms)
        threshold = MIN_COVERAGE * total_weight - 1e-9
        if sum(term.weight * max(term.matches.values(), default=0.0) for term in terms) + 1e-9 < threshold:
            return []  # even a paragraph holding every term at its best match falls short
        gains = [self._gain(term) for term in terms]
        if sum(map(len, gains)) > PARAGRAPH_FALLBACK_MAX:
            return []  # words this common say little about which passage was meant, and the sums would be slow
        paragraph_gain: dict[tuple[str, int], float] = defaultdict(float)
        sentence_gain: dict[int, float] = defaultdict(float)
        for gain in gains:
            best_in_paragraph: dict[tuple[str, int], float] = {}
            for sentence_id, value in gain.items():
                if within is not None and not within[0] <= sentence_id < within[1]:
                    continue
                document_id, sentence = self._entries[sentence_id]
                key = (document_id, sentence.paragraph)
                best_in_paragraph[key] = max(value, best_in_paragraph.get(key, 0.0))
                sentence_gain[sentence_id] += value
            for key, value in best_in_paragraph.items():
                paragraph_gain[key] += value
        chosen = [
            (PARAGRAPH_DISCOUNT * paragraph_gain[key], sentence_gain[sentence_id], sentence_id)
            for sentence_id in sentence_gain
            if paragraph_gain[key := (self._entries[sentence_id][0], self._entries[sentence_id][1].paragraph)]
            >= threshold
        ]
        chosen.sort(key=lambda item: (-item[0], -item[1], item[2]))
        return [(covered, sentence_id) for covered, _, sentence_id in chosen[:count]]

    def _normal_text(self, sentence_id: int) -> str:
        tokens = self._tokens[self._starts[sentence_id] : self._starts[sentence_id + 1]]
        return " ".join(map(self._words.__getitem__, tokens))

    def _terms(self, words: Sequence[str], *, prefix: bool) -> list[_Term]:
        """The query's weighted words with the vocabulary words each can stand for."""
        words = [part for word in words for part in self._split_joined(word, prefix=prefix and word == words[-1])]
        content = [w for w in words if w not in STOPWORDS and w not in FILLER_WORDS and w not in self._context_words]
        if not content:
            return []
        unique = list(dict.fromkeys(content))[:MAX_TERMS]
        found = []
        for word in unique:
            matches = self._matching_words(word, prefix=prefix and word == unique[-1] == words[-1])
            frequency = max((self._frequency[i] for i in matches), default=0)
            weight = math.log(1 + len(self._entries) / frequency) if frequency else 0.0
            found.append((word, weight, matches))
        unknown = UNKNOWN_WEIGHT * max((weight for _, weight, _ in found), default=0.0) or self._max_weight
        return [_Term(word, weight or unknown, matches) for word, weight, matches in found]

    def _split_joined(self, word: str, *, prefix: bool) -> list[str]:
        """Words typed without a space between them (`enemyof`, `rankandfile`) as their known parts."""
        if len(word) < 5 or len(word) > 30 or prefix or word in self._word_ids or word in STOPWORDS:
            return [word]
        if self._matching_words(word, prefix=False):
            return [word]

        def known(part: str) -> bool:
            return len(part) >= 2 and (part in self._word_ids or part in STOPWORDS)

        for cut in range(2, len(word) - 1):
            if known(word[:cut]) and known(word[cut:]):
                return [word[:cut], word[cut:]]
        for first in range(2, len(word) - 3):
            if known(word[:first]):
                for second in range(first + 2, len(word) - 1):
                    if known(word[first:second]) and known(word[second:]):
                        return [word[:first], word[first:second], word[second:]]
        return [word]

    def _matching_words(self, word: str, *, prefix: bool) -> dict[int, float]:
        """Vocabulary words `word` can stand for, remembered for the next keystroke."""
        key = (word, prefix)
        cached = self._match_cache.get(key)
        # Another thread (slack-bolt runs listeners in a pool) may evict the same key meanwhile.
        if cached is not None:
            with suppress(KeyError):
                self._match_cache.move_to_end(key)
            return cached
        matches = self._find_matching_words(word, prefix=prefix)
        self._match_cache[key] = matches
        with suppress(KeyError):
            while len(self._match_cache) > _MATCH_CACHE:
                self._match_cache.popitem(last=False)
        return matches

    def _find_matching_words(self, word: str, *, prefix: bool) -> dict[int, float]:
        matches: dict[int, float] = {}

        def add(word_id: int, similarity: float) -> None:
            if similarity > matches.get(word_id, 0.0):
                matches[word_id] = similarity

        if word in self._word_ids:
            add(self._word_ids[word], 1.0)
        size = len(word)
        if size == 3:
            for inflected in (f"{word}s", f"{word}d", f"{word}es", f"{word}ed"):
                if inflected in self._word_ids:
                    add(self._word_ids[inflected], 0.85)
        for word_id in self._stems.get(stem(word), ()):
            add(word_id, 0.85)
        if size >= 5 or (prefix and size >= 2):
            for candidate in self._completions(word, limit=PREFIX_WORDS if prefix else None):
                add(self._word_ids[candidate], word_similarity(word, candidate, prefix=prefix))
        if word not in self._word_ids:  # a word the texts contain is taken as typed, not as a typo
            for candidate in self._typo_candidates(word):
                if candidate not in STOPWORDS:  # "wall" or "fall" is no typo of "all"
                    add(self._word_ids[candidate], word_similarity(word, candidate))
        return {word_id: similarity for word_id, similarity in matches.items() if similarity > 0}

    def _completions(self, word: str, *, limit: int | None) -> list[str]:
        """Vocabulary words that start with `word` (the most frequent `limit` of them)."""
        start = bisect_left(self._sorted_words, word)
        end = bisect_left(self._sorted_words, word + "\U0010ffff", lo=start)
        found = [w for w in self._sorted_words[start:end] if w not in STOPWORDS and w not in FILLER_WORDS]
        if limit is not None and len(found) > limit:
            found = nlargest(limit, found, key=lambda w: self._frequency[self._word_ids[w]])
        return found

    def _typo_candidates(self, word: str) -> list[str]:
        """Vocabulary words that word_similarity takes for a typo of `word`, found without a full scan.

        Only words of nearly the same length that keep enough of the typed word's character bigrams can
        be within reach (see _bigrams_lost); rapidfuzz then checks those few.
        """
        size = len(word)
        if not max_typos(size):
            return []
        grams = _bigrams(word)
        needed = len(grams) - _bigrams_lost(size)
        gap = max_length_gap(size)
        bounds = self._length_bounds
        low = bounds[min(max(size - gap, 0), len(bounds) - 1)]
        high = bounds[min(size + gap + 1, len(bounds) - 1)]
        if low >= high:
            return []
        found = (1 << (high - low)) - 1
        if needed > 0:
            counted = _count_at_least([self._bigram_bits[g] for g in grams if g in self._bigram_bits], needed)
            found &= counted >> low
        near = _select(self._length_words[low:high], found)
        if not near:
            return []
        allowed = max_typos(size)
        close = {
            w
            for w, _, _ in process.extract(
                word, near, scorer=OSA.distance, processor=None, score_cutoff=allowed, limit=None
            )
        }
        if size >= TYPO_RATIO_FROM:
            similar = process.extract(
                word, near, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_RATIO, limit=None
            )
            close.update(w for w, _, _ in similar)
        return [candidate for candidate in near if candidate in close and word_similarity(word, candidate)]

    def _hit(self, sentence_id: int, score: int, terms: list[_Term]) -> Hit:
        document_id, sentence = self._entries[sentence_id]
        return Hit(
            document=document_id,
            ref=sentence.ref,
            paragraph=sentence.paragraph,
            sentence=sentence.number,
            score=max(0, min(100, score)),
            text=sentence.text,
            match=self._match_span(sentence.text, terms),
        )

    def _match_span(self, text: str, terms: list[_Term]) -> tuple[int, int]:
        """The tightest stretch of the sentence that holds the most query words, for bold highlighting."""
        matched_words = {self._words[word_id]: index for index, term in enumerate(terms) for word_id in term.matches}
        found = [(matched_words[w], start, end) for w, start, end in words_with_spans(text) if w in matched_words]
        if not found:
            return (0, 0)
        reach = max(2 * len(terms) + 2, 3) * 12  # characters a highlighted stretch may run past its first word
        best: tuple[int, int, int] = (0, 0, 0)
        held: Counter[int] = Counter()  # terms of the words found[i:end], kept as the window slides (linear time)
        end = 0
        for i, (_, start, _) in enumerate(found):
            while end < len(found) and found[end][1] - start <= reach:
                held[found[end][0]] += 1
                end += 1
            distinct = len(held)
            span = (start, found[end - 1][2])
            if distinct > best[0] or (distinct == best[0] and span[1] - span[0] < best[2] - best[1]):
                best = (distinct, *span)
            held[found[i][0]] -= 1
            if not held[found[i][0]]:
                del held[found[i][0]]
        return best[1], best[2]


__all__ = ["MIN_COVERAGE", "Hit", "SearchIndex", "word_similarity"]
