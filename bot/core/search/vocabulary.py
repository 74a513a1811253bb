"""Vocabulary matching: which words of the texts a typed word stands for (exact, spelling, stem, prefix, typo)."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from heapq import nlargest
from typing import Any

from rapidfuzz.distance import OSA

from bot.core.normalize import FILLER_WORDS, STOPWORDS, spelling_key, stem
from bot.core.search.typos import TypoFilter, word_similarity

PREFIX_WORDS = 50  # completions of a half-typed word that are tried, most frequent first
MAX_TERMS = 24  # distinct words of a (pasted) query that are matched; more only cost time
# A query word found nowhere in the texts weighs as much as the query's rarest word that is there: two
# such words sink a short query ("napoleon at waterloo", "taylor swift songs"), while one misremembered
# word in a half-remembered phrase ("stalin did not *allow* collegiality") does not.
UNKNOWN_WEIGHT = 1.0
_GUESS = 0.7  # similarity of the weakest matches (see typos.near_miss and the three-letter rule)
_MATCH_CACHE = 4096  # query words whose vocabulary matches are remembered (autocomplete repeats them)
_STOPWORDS_BY_LENGTH: dict[int, list[str]] = {}
for _word in STOPWORDS:
    _STOPWORDS_BY_LENGTH.setdefault(len(_word), []).append(_word)


@dataclass(frozen=True, slots=True)
class Term:
    """One word of the query, its weight (rarer weighs more) and the vocabulary words it can stand for."""

    word: str
    weight: float
    matches: dict[int, float]  # word id -> similarity 0..1


def stopword_slip(word: str) -> bool:
    """Whether `word` is a stopword with one letter too many or two neighbours swapped ("hans" for "has")."""
    size = len(word)
    if size < 3:
        return False
    for other in _STOPWORDS_BY_LENGTH.get(size - 1, ()) if size >= 4 else ():  # "tor" is no slip of "to"
        if OSA.distance(word, other, score_cutoff=1) <= 1:
            return True
    return any(
        sorted(word) == sorted(other) and OSA.distance(word, other, score_cutoff=1) <= 1
        for other in _STOPWORDS_BY_LENGTH.get(size, ())
    )


class Vocabulary:
    """The distinct normal words of a library with what it takes to match typed words against them."""

    def __init__(self, words: list[str], frequency: array[int], context_words: Iterable[str]) -> None:
        self.words = words  # word id -> word
        self.ids = {word: word_id for word_id, word in enumerate(words)}
        self.frequency = frequency  # word id -> sentences holding it
        self._sorted_words = sorted(words)
        self._stems: dict[str, list[int]] = {}
        self._spellings: dict[str, list[int]] = {}  # spelling key -> words spelt otherwise than the key
        self.keyed = list(map(spelling_key, words))  # word id -> its spelling key ("honour" -> "honor")
        for word_id, word in enumerate(words):
            self._stems.setdefault(stem(word), []).append(word_id)
            key = self.keyed[word_id]
            if key != word:
                self._spellings.setdefault(key, []).append(word_id)
        self._typos = TypoFilter(words)
        # Title and speaker words describe the whole text, so in a query they neither help nor hurt.
        self.context_words = frozenset(context_words) - self.ids.keys()
        self._match_cache: OrderedDict[tuple[str, bool], dict[int, float]] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        """For the cache file: without the remembered query words; the id lookup is rebuilt on load."""
        state = dict(vars(self))
        del state["ids"]
        state["_match_cache"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self.ids = {word: word_id for word_id, word in enumerate(self.words)}

    def terms(self, words: Sequence[str], *, prefix: bool, sentences: int) -> list[Term]:
        """The query's weighted words (out of a library of `sentences`) with the words each can stand for."""
        words = [part for word in words for part in self._split_joined(word, prefix=prefix and word == words[-1])]
        content = [w for w in words if w not in STOPWORDS and w not in FILLER_WORDS and w not in self.context_words]
        if not content:
            return []
        unique = list(dict.fromkeys(content))[:MAX_TERMS]
        found = []
        for word in unique:
            matches = self.matching_words(word, prefix=prefix and word == unique[-1] == words[-1])
            if not matches and stopword_slip(word):
                continue  # "hans" beside "has" is the stopword mistyped, not a word of another topic
            if len(unique) == 1 and max(matches.values(), default=1.0) <= _GUESS:
                matches = {}  # a guess needs other words beside it to be read as one: "mao", "hello"
            frequency = max((self.frequency[i] for i in matches), default=0)
            weight = math.log(1 + sentences / frequency) if frequency else 0.0
            found.append((word, weight, matches))
        known = [weight for _, weight, matches in found if max(matches.values(), default=0.0) > _GUESS]
        unknown = UNKNOWN_WEIGHT * max(known, default=0.0) or math.log(1 + sentences)
        # A word matched only by a guess (a slip in three letters, two edits in a name) weighs at least as
        # much as an unknown word: the guess may add to a sentence's coverage, but cannot make it easier.
        return [
            Term(word, max(weight, unknown) if max(matches.values(), default=0.0) <= _GUESS else weight, matches)
            for word, weight, matches in found
        ]

    def _split_joined(self, word: str, *, prefix: bool) -> list[str]:
        """Words typed without a space between them (`enemyof`, `rankandfile`) as their known parts."""
        if len(word) < 5 or len(word) > 30 or prefix or word in self.ids or word in STOPWORDS:
            return [word]
        if self.matching_words(word, prefix=False):
            return [word]

        def known(part: str) -> bool:
            return len(part) >= 2 and (part in self.ids or part in STOPWORDS)

        for cut in range(2, len(word) - 1):
            if known(word[:cut]) and known(word[cut:]):
                return [word[:cut], word[cut:]]
        for first in range(2, len(word) - 3):
            if known(word[:first]):
                for second in range(first + 2, len(word) - 1):
                    if known(word[first:second]) and known(word[second:]):
                        return [word[:first], word[first:second], word[second:]]
        return [word]

    def matching_words(self, word: str, *, prefix: bool) -> dict[int, float]:
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

        ids = self.ids
        if word in ids:
            add(ids[word], 1.0)
        key = spelling_key(word)
        spellings = [*self._spellings.get(key, ()), *((ids[key],) if key in ids else ())]
        for word_id in spellings:
            add(word_id, 1.0)  # honour for honor: one word in two spellings
        size = len(word)
        if size == 3:
            for inflected in (f"{word}s", f"{word}d", f"{word}es", f"{word}ed"):
                if inflected in ids:
                    add(ids[inflected], 0.85)
        for word_id in self._stems.get(stem(word), ()):
            add(word_id, 0.85)
        if size >= 5 or (prefix and size >= 2):
            for candidate in self._completions(word, limit=PREFIX_WORDS if prefix else None):
                add(ids[candidate], word_similarity(word, candidate, prefix=prefix))
        if word not in ids and not spellings:  # a word the texts contain is taken as typed, not as a typo
            for candidate in self._typos.candidates(word):
                if candidate not in STOPWORDS:  # "wall" or "fall" is no typo of "all"
                    add(ids[candidate], word_similarity(word, candidate))
        if not matches:  # a longer slip in a rare name ("raoha" for "ramah") still points at the word
            for candidate in self._typos.near_misses(word):
                if candidate not in STOPWORDS:
                    add(ids[candidate], 0.6)
        return {word_id: similarity for word_id, similarity in matches.items() if similarity > 0}

    def typo_candidates(self, word: str) -> list[str]:
        """Vocabulary words the typo rules accept for `word` (see TypoFilter.candidates)."""
        return self._typos.candidates(word)

    def _completions(self, word: str, *, limit: int | None) -> list[str]:
        """Vocabulary words that start with `word` (the most frequent `limit` of them)."""
        start = bisect_left(self._sorted_words, word)
        end = bisect_left(self._sorted_words, word + "\U0010ffff", lo=start)
        found = [w for w in self._sorted_words[start:end] if w not in STOPWORDS and w not in FILLER_WORDS]
        if limit is not None and len(found) > limit:
            found = nlargest(limit, found, key=lambda w: self.frequency[self.ids[w]])
        return found
