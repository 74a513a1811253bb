"""Which sentences hold each word: postings in one flat array, and bitsets for the common words."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import repeat

from bot.core.search.bitsets import bitset, exhaust

SENTENCES_PER_CHUNK = 1 << 16  # sentences whose postings are collected in small arrays before they are packed
MAX_POSTINGS = 50_000  # sentences read per matched word: beyond this a word is too common to rank by
_KEEP_BITS_FROM = 64  # a word in 1/64 of the sentences or more has a bitset (no larger than its postings)


class Postings:
    """Sentence ids by word id, 4 bytes each; the bitsets of common words are built here, never on a query."""

    def __init__(self, flat: array[int], starts: array[int], sentences: int) -> None:
        self.size = sentences
        self._flat = flat  # every word's sentence ids, word after word
        self._starts = starts  # word id -> where its sentence ids begin in _flat
        self.frequency = array("I", (starts[i + 1] - starts[i] for i in range(len(starts) - 1)))
        self._bits = {
            word_id: bitset(self.sentences_with(word_id), self.size)
            for word_id, frequency in enumerate(self.frequency)
            if frequency * _KEEP_BITS_FROM >= self.size
        }

    def sentences_with(self, word_id: int) -> array[int]:
        """The sentences holding the word, in order (at most MAX_POSTINGS of them)."""
        start = self._starts[word_id]
        return self._flat[start : min(self._starts[word_id + 1], start + MAX_POSTINGS)]

    def every_sentence_with(self, word_id: int) -> array[int]:
        """All the sentences holding the word, in order, however many (for counting, not ranking)."""
        return self._flat[self._starts[word_id] : self._starts[word_id + 1]]

    def holders(self, word_ids: Sequence[int]) -> int:
        """The sentences holding any of the words, as a bitset."""
        bits = 0
        rare = array("I")
        for word_id in word_ids:
            word_bits = self._bits.get(word_id)
            if word_bits is None:
                rare.extend(self.sentences_with(word_id))
            else:
                bits |= word_bits
        return bits | bitset(rare, self.size) if rare else bits

    def gain(self, word_ids: dict[int, float], weight: float) -> dict[int, float]:
        """The weight a term adds to each sentence that holds one of its words (the best word it holds)."""
        gain: dict[int, float] = {}
        # lowest similarity first, so a sentence keeps the best word it holds for this term
        for word_id, similarity in sorted(word_ids.items(), key=lambda item: item[1]):
            gain.update(dict.fromkeys(self.sentences_with(word_id), weight * similarity))
        return gain


class PostingsBuilder:
    """Collects which sentences hold each word, sentence by sentence, into the flat arrays Postings reads.

    The lists grow in one small array per word for a chunk of sentences at a time, then are packed into a
    flat array for that chunk: a large library never holds all its postings as small arrays at once, whose
    freed memory the process would keep.
    """

    def __init__(self, chunk: int = SENTENCES_PER_CHUNK) -> None:
        self._holders: list[array[int]] = []  # word id -> the sentences of this chunk holding it
        self._chunks: list[tuple[array[int], array[int]]] = []  # (flat, starts) of each packed chunk
        self._chunk = chunk
        self._chunk_end = chunk

    def add(self, sentence_id: int, word_ids: Sequence[int], words: int) -> None:
        """Sentence `sentence_id` (given in ascending order) holds these words, out of `words` so far."""
        if sentence_id >= self._chunk_end:
            self._pack()
            self._chunk_end = sentence_id + self._chunk
        holders = self._holders
        if len(holders) < words:
            holders.extend(array("I") for _ in range(words - len(holders)))
        exhaust(map(array.append, map(holders.__getitem__, set(word_ids)), repeat(sentence_id)))  # in C

    def _pack(self) -> None:
        flat, starts = array("I"), array("I", [0])
        for sentence_ids in self._holders:
            flat.extend(sentence_ids)
            starts.append(len(flat))
            del sentence_ids[:]
        self._chunks.append((flat, starts))

    def finish(self, words: int) -> tuple[array[int], array[int]]:
        """Every word's sentence ids, word after word, and where each word's begin (one more: the end)."""
        self._pack()
        self._holders = []
        flat = array("I", [0]) * sum(len(chunk) for chunk, _ in self._chunks)
        starts = array("I", [0])
        end = 0
        for word_id in range(words):
            for chunk, chunk_starts in self._chunks:
                if word_id + 1 < len(chunk_starts):
                    first, last = chunk_starts[word_id], chunk_starts[word_id + 1]
                    flat[end : end + last - first] = chunk[first:last]
                    end += last - first
            starts.append(end)
        self._chunks = []
        return flat, starts
