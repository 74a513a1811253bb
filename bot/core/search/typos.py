"""Typo rules: which typed words may stand for which words of the text, and a filter that finds them fast."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from bot.core.search.bitsets import count_at_least, select

TYPO_RATIO = 80  # from TYPO_RATIO_FROM letters on, a word this similar (fuzz.ratio) is a typo too
TYPO_RATIO_FROM = 6
_VOWELS = frozenset("aeiouy")


def max_typos(size: int) -> int:
    """Edits (OSA: insert, delete, substitute, swap neighbours) a typed word of this length may carry."""
    if size <= 2:
        return 0
    return 1 if size <= 7 else 2


def max_length_gap(size: int) -> int:
    """How much longer or shorter than the typed word a typo match may be."""
    if size == 3:
        return 0  # three letters: only a vowel put for a vowel or a swap (see word_similarity)
    return max_typos(size) if size < TYPO_RATIO_FROM else 2


def _short_slip(query_word: str, word: str) -> bool:
    """In three letters a typo is only a vowel written for another ("dye" for "die") or the last two swapped."""
    if len(word) != 3 or query_word[0] != word[0]:
        return False
    if query_word[1:] == word[2:0:-1]:
        return True
    differ = [(a, b) for a, b in zip(query_word, word, strict=True) if a != b]
    return len(differ) == 1 and differ[0][0] in _VOWELS and differ[0][1] in _VOWELS


def word_similarity(query_word: str, word: str, *, prefix: bool = False) -> float:
    """How well a typed word stands for a word of the text (0 = not at all), tolerant of typos and stems."""
    if query_word == word:
        return 1.0
    size = len(query_word)
    if prefix and size >= 2 and word.startswith(query_word):
        return 0.9
    if size <= 3:
        return 0.7 if size == 3 and _short_slip(query_word, word) else 0.0
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


def near_miss(query_word: str, word: str) -> float:
    """A weaker match one edit past the typo rules, for long words only: "raoha" for "ramah"."""
    size = len(query_word)
    if not 5 <= size < TYPO_RATIO_FROM + 2 or abs(len(word) - size) > 1 or query_word[0] != word[0]:
        return 0.0  # longer words already reach two edits (see word_similarity)
    return 0.6 if OSA.distance(query_word, word, score_cutoff=2) <= 2 else 0.0


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


def bigrams(word: str) -> set[str]:
    """The word's character bigrams, with its start and end marked."""
    padded = f"^{word}$"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


class TypoFilter:
    """The vocabulary by length, and for each character bigram the bitset of words that contain it."""

    def __init__(self, words: Sequence[str]) -> None:
        self._length_words = sorted(words, key=len)
        lengths = list(map(len, self._length_words))
        # _length_bounds[n]: position of the first word at least n letters long
        self._length_bounds = array("I", (bisect_left(lengths, n) for n in range((lengths[-1] if lengths else 0) + 2)))
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(self._length_words):
            for bigram in bigrams(word):
                positions.setdefault(bigram, []).append(position)
        size = (len(self._length_words) + 8) // 8
        self._bigram_bits: dict[str, int] = {}
        for bigram, where in positions.items():
            buffer = bytearray(size)
            for position in where:
                buffer[position >> 3] |= 1 << (position & 7)
            self._bigram_bits[bigram] = int.from_bytes(buffer, "little")

    def _near(self, word: str, *, gap: int, lost: int) -> list[str]:
        """Words within `gap` letters of the length that keep all but `lost` of the word's bigrams."""
        size = len(word)
        grams = bigrams(word)
        needed = len(grams) - lost
        bounds = self._length_bounds
        low = bounds[min(max(size - gap, 0), len(bounds) - 1)]
        high = bounds[min(size + gap + 1, len(bounds) - 1)]
        if low >= high:
            return []
        found = (1 << (high - low)) - 1
        if needed > 0:
            counted = count_at_least([self._bigram_bits[g] for g in grams if g in self._bigram_bits], needed)
            found &= counted >> low
        return select(self._length_words[low:high], found)

    def candidates(self, word: str) -> list[str]:
        """Vocabulary words that word_similarity takes for a typo of `word`, found without a full scan.

        Only words of nearly the same length that keep enough of the typed word's character bigrams can
        be within reach (see _bigrams_lost); rapidfuzz then checks those few.
        """
        size = len(word)
        if not max_typos(size):
            return []
        near = self._near(word, gap=max_length_gap(size), lost=_bigrams_lost(size))
        if not near:
            return []
        if size == 3:
            return [candidate for candidate in near if _short_slip(word, candidate)]
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

    def near_misses(self, word: str) -> list[str]:
        """Vocabulary words that near_miss accepts for `word` (one edit past the typo rules)."""
        if not 5 <= len(word) < TYPO_RATIO_FROM + 2:
            return []
        near = self._near(word, gap=1, lost=6)  # two edits destroy at most six bigrams
        return [candidate for candidate in near if near_miss(word, candidate)]
