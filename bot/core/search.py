"""Fuzzy sentence search: the one place that knows how queries are matched, scored and rejected.

Each query word is matched against the vocabulary (exact, typo, or word-stem), the postings of the
matched words give the candidate sentences, and a sentence scores by how much of the query's weight it
covers. A query whose words mostly do not occur in the text is off-topic and returns no hits, rather than
the least-bad sentence.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from bot.core.corpus import Document, Sentence
from bot.core.normalize import STOPWORDS, normalize_text, words_with_spans
from bot.core.refs import clean_input

MAX_QUERY_CHARS = 300
MIN_COVERAGE = 0.6  # share of the query's weight a sentence must contain to count as a hit
_RERANK = 60  # candidates that get the (slower) phrase score


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


@dataclass(frozen=True, slots=True)
class _Term:
    word: str
    weight: float
    matches: dict[int, float]  # word id -> similarity 0..1


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
    if size <= 5:
        edits = OSA.distance(query_word, word, score_cutoff=1)
        if edits <= 1 and (size == 5 or Indel.distance(query_word, word) <= 1 or sorted(word) == sorted(query_word)):
            return 0.85
        return 0.0
    similarity = fuzz.ratio(query_word, word, score_cutoff=80) / 100
    if similarity:
        return similarity
    if size >= 8 and OSA.distance(query_word, word, score_cutoff=2) <= 2:
        return 0.8
    return 0.0


class SearchIndex:
    """An inverted index from normal words to sentences, built once per library."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._entries: list[tuple[str, Sentence]] = []
        word_ids: dict[str, int] = {}
        postings: list[array[int]] = []
        for document in documents:
            for sentence in document.sentences:
                sentence_id = len(self._entries)
                self._entries.append((document.id, sentence))
                for word in {w for w, _, _ in words_with_spans(sentence.text)}:
                    word_id = word_ids.setdefault(word, len(word_ids))
                    if word_id == len(postings):
                        postings.append(array("I"))
                    postings[word_id].append(sentence_id)
        self._word_ids = word_ids
        self._words = list(word_ids)
        self._postings = postings
        self._sorted_words = sorted(word_ids)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self._words:
            self._by_length[len(word)].append(word)
        self._max_weight = math.log(1 + max(len(self._entries), 1))

    def __len__(self) -> int:
        return len(self._entries)

    def search(
        self, query: str, *, limit: int = 5, offset: int = 0, document: str | None = None, prefix: bool = False
    ) -> list[Hit]:
        """Ranked hits for a query; empty when nothing in the text is close enough."""
        cleaned = clean_input(query, limit=MAX_QUERY_CHARS)
        words = [w for w, _, _ in words_with_spans(cleaned)]
        if not words or limit <= 0:
            return []
        terms = self._terms(words, prefix=prefix)
        if not terms:
            return []
        total_weight = sum(term.weight for term in terms)
        coverage: dict[int, float] = defaultdict(float)
        for term in terms:
            best: dict[int, float] = {}
            for word_id, similarity in term.matches.items():
                for sentence_id in self._postings[word_id]:
                    if similarity > best.get(sentence_id, 0.0):
                        best[sentence_id] = similarity
            for sentence_id, similarity in best.items():
                coverage[sentence_id] += term.weight * similarity
        threshold = MIN_COVERAGE * total_weight
        candidates = [
            (covered / total_weight, sentence_id)
            for sentence_id, covered in coverage.items()
            if covered >= threshold and (document is None or self._entries[sentence_id][0] == document)
        ]
        candidates.sort(key=lambda item: (-item[0], item[1]))
        normal_query = " ".join(words)
        scored = []
        for share, sentence_id in candidates[: max(_RERANK, offset + limit)]:
            sentence = self._entries[sentence_id][1]
            phrase = fuzz.partial_ratio(normal_query, normalize_text(sentence.text), processor=None) / 100
            scored.append((round(100 * (0.75 * share + 0.25 * phrase)), sentence_id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self._hit(sentence_id, score, terms, prefix) for score, sentence_id in scored[offset : offset + limit]]

    def _terms(self, words: Sequence[str], *, prefix: bool) -> list[_Term]:
        """The query's weighted words with the vocabulary words each can stand for."""
        content = [w for w in words if w not in STOPWORDS]
        if not content:
            return []
        unique = list(dict.fromkeys(content))
        terms = []
        for word in unique:
            matches = self._matching_words(word, prefix=prefix and word == unique[-1] == words[-1])
            frequency = max((len(self._postings[i]) for i in matches), default=0)
            weight = math.log(1 + len(self._entries) / frequency) if frequency else self._max_weight
            terms.append(_Term(word, weight, matches))
        return terms

    def _matching_words(self, word: str, *, prefix: bool) -> dict[int, float]:
        """Vocabulary words close to `word`, found among words of similar length (and by prefix)."""
        matches: dict[int, float] = {}
        if word in self._word_ids:
            matches[self._word_ids[word]] = 1.0
        size = len(word)
        if size >= 4:
            pool = [w for length in range(size - 2, size + 6) for w in self._by_length.get(length, ())]
            for candidate, _, _ in process.extract(
                word, pool, scorer=fuzz.ratio, processor=None, score_cutoff=60, limit=None
            ):
                similarity = word_similarity(word, candidate)
                if similarity:
                    matches[self._word_ids[candidate]] = max(similarity, matches.get(self._word_ids[candidate], 0))
        if prefix and size >= 2:
            start = bisect_left(self._sorted_words, word)
            for candidate in self._sorted_words[start : start + 200]:
                if not candidate.startswith(word):
                    break
                matches.setdefault(self._word_ids[candidate], 0.9)
        return matches

    def _hit(self, sentence_id: int, score: int, terms: list[_Term], prefix: bool) -> Hit:
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
        window = max(2 * len(terms) + 2, 3)
        best: tuple[int, int, int] = (0, 0, 0)
        for i in range(len(found)):
            inside = [item for item in found[i:] if item[1] - found[i][1] <= window * 12]
            distinct = len({term for term, _, _ in inside})
            span = (inside[0][1], inside[-1][2])
            if distinct > best[0] or (distinct == best[0] and span[1] - span[0] < best[2] - best[1]):
                best = (distinct, *span)
        return best[1], best[2]
