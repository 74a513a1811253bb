"""The search index of a library: built once from its documents, then asked for ranked hits.

Each query word is matched against the vocabulary (vocabulary.py, typos.py), the postings of the matched
words give the candidate sentences that cover enough of the query's weight (coverage.py), the candidates
are ranked (ranking.py) and each hit carries the words to mark (highlight.py). The same sentence in
several texts is one hit that names the other texts in `also_in`.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, count, repeat
from typing import Any

from bot.core import normalize
from bot.core.corpus import Body, Document, Sentence
from bot.core.normalize import STOPWORDS, normal_words, spelling_key
from bot.core.refs import clean_input
from bot.core.search import coverage, highlight, ranking
from bot.core.search.hits import Hit
from bot.core.search.postings import Postings, PostingsBuilder
from bot.core.search.vocabulary import Term, Vocabulary

MAX_QUERY_CHARS = 300
_RERANK = 60  # candidates that get the (slower) phrase score


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


def _raw_words(body: Body) -> Iterator[list[str]]:
    """Each sentence's words as written, the whole text at once when it is ASCII."""
    if body.text.isascii():
        return normalize.ascii_raw_words(body.text, body.starts)
    return normalize.raw_words(map(body.sentence_text, range(body.sentence_count)))


@dataclass(frozen=True, slots=True)
class Tokenised:
    """One text's sentences as word ids of its own, made in a worker process and merged in file order."""

    words: list[str]  # its own word id -> normal word, in the order the text first uses them
    tokens: array[int]  # every sentence's word ids, one after another
    starts: array[int]  # sentence i's ids are tokens[starts[i]:starts[i + 1]]


def tokenise(body: Body) -> Tokenised:
    """A text's word ids by the same rules the index uses, so a library can be tokenised text by text in parallel."""
    words: defaultdict[str, int] = defaultdict(count().__next__)
    tokens, starts = array("I"), array("I", [0])
    for ids in normalize.word_ids(_raw_words(body), words):
        tokens.extend(ids)
        starts.append(len(tokens))
    if len(words) <= 1 << 16:  # two bytes a word id: half the bytes sent back from the worker
        tokens = array("H", tokens)
    return Tokenised(list(words), tokens, starts)


def _merged(parts: Iterable[Tokenised], vocabulary: defaultdict[str, int]) -> Iterator[list[int]]:
    """Each sentence's library word ids from texts tokenised one by one: a text's new words get the next ids
    in the order it first uses them, exactly as tokenising the whole library in one pass would give them."""
    for part in parts:
        library_ids = list(map(vocabulary.__getitem__, part.words))
        ids = list(map(library_ids.__getitem__, part.tokens))
        yield from map(ids.__getitem__, map(slice, part.starts, part.starts[1:]))


class SearchIndex:
    """An inverted index from normal words to sentences, built once per library."""

    def __init__(self, documents: Iterable[Document]) -> None:
        with paused_gc():  # millions of new objects, none of them garbage: collecting them is wasted time
            self._build(tuple(documents), None)

    @classmethod
    def merged(cls, parts: Iterable[tuple[Document, Tokenised]]) -> SearchIndex:
        """The index of texts tokenised one by one (by `tokenise`, in file order), each indexed as it comes:
        while worker processes still parse later texts, this one indexes the earlier ones."""
        index = cls.__new__(cls)
        with paused_gc():
            index._build([], parts)
        return index

    def _register(self, document: Document) -> None:
        """The document's sentences get the next sentence ids, its paragraphs the next paragraph numbers."""
        body = document.body
        self._documents[document.id] = (self._size, self._size + body.sentence_count)
        self._document_ids.append(document.id)
        self._document_starts.append(self._size)
        self._bodies.append(body)
        self._size += body.sentence_count
        first = len(self._paragraph_ids) and self._paragraph_ids[-1] + 1
        for paragraph in range(body.paragraph_count):
            self._paragraph_ids.extend(repeat(first + paragraph, body.sentences_in(paragraph)))

    def _registered(
        self, parts: Iterable[tuple[Document, Tokenised]], documents: list[Document]
    ) -> Iterator[Tokenised]:
        for document, part in parts:
            documents.append(document)
            self._register(document)
            yield part

    def _build(self, documents: Sequence[Document], parts: Iterable[tuple[Document, Tokenised]] | None) -> None:
        self._bodies: list[Body] = []
        self._document_ids: list[str] = []
        self._document_starts = array("I")  # first sentence id of each document, in order
        self._documents: dict[str, tuple[int, int]] = {}  # document id -> its range of sentence ids
        self._size = 0
        self._paragraph_ids = array("I")  # sentence id -> a number for its paragraph, unique across the library
        word_ids: defaultdict[str, int] = defaultdict(count().__next__)  # a new word gets the next id
        tokens = array("H")  # every sentence's word ids, one after another (four bytes each past 65,536 words)
        starts = array("I", [0])
        postings = PostingsBuilder()
        if parts is None:
            for document in documents:
                self._register(document)
            sentences = normalize.word_ids(chain.from_iterable(map(_raw_words, self._bodies)), word_ids)
        else:
            documents = []  # filled as the parts come
            sentences = _merged(self._registered(parts, documents), word_ids)
        for sentence_id, ids in enumerate(sentences):
            try:
                tokens.extend(ids)
            except OverflowError:
                tokens = array("I", tokens[: starts[-1]])
                tokens.extend(ids)
            starts.append(len(tokens))
            postings.add(sentence_id, ids, len(word_ids))
        flat, posting_starts = postings.finish(len(word_ids))
        self._tokens = tokens
        self._starts = starts
        self._average_length = len(self._tokens) / max(self._size, 1)
        self._postings = Postings(flat, posting_starts, self._size)
        context = {
            word
            for document in documents
            for field in (document.meta.title, document.meta.short_title, document.meta.speaker)
            for word in normal_words(field or "")
        }
        self._vocabulary = Vocabulary(list(word_ids), self._postings.frequency, context)
        self._view = ranking.SentenceView(self._tokens_of, self._normal_text, self._text, self._average_length)

    def __getstate__(self) -> dict[str, Any]:
        """For the cache file: everything but the view, which is bound methods of this index."""
        state = dict(vars(self))
        del state["_view"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._view = ranking.SentenceView(self._tokens_of, self._normal_text, self._text, self._average_length)

    def __len__(self) -> int:
        return self._size

    def words(self) -> list[str]:
        """Every normal word of the indexed sentences (for looking up a mistyped word)."""
        return self._vocabulary.words

    def sentences_using(
        self, accept: Callable[[str], bool], documents: Collection[str] | None = None
    ) -> list[tuple[str, Sentence]]:
        """Every sentence holding a word `accept` takes (normal words), with its text's id, in reading order.

        Read from the postings, not by scanning the texts; `documents` keeps only those texts' sentences.
        """
        found: set[int] = set()
        for word_id, word in enumerate(self._vocabulary.words):
            if accept(word):
                found.update(self._postings.every_sentence_with(word_id))
        ranges = [self._documents[d] for d in documents if d in self._documents] if documents is not None else None
        chosen = sorted(s for s in found if ranges is None or any(low <= s < high for low, high in ranges))
        return [(self._document_of(s), self._sentence(s)) for s in chosen]

    def _place(self, sentence_id: int) -> tuple[int, int]:
        """(document number, sentence index within that document) of a sentence id."""
        document = bisect_right(self._document_starts, sentence_id) - 1
        return document, sentence_id - self._document_starts[document]

    def _document_of(self, sentence_id: int) -> str:
        return self._document_ids[bisect_right(self._document_starts, sentence_id) - 1]

    def _sentence(self, sentence_id: int) -> Sentence:
        document, index = self._place(sentence_id)
        return self._bodies[document].sentence(index)

    def _tokens_of(self, sentence_id: int) -> array[int]:
        return self._tokens[self._starts[sentence_id] : self._starts[sentence_id + 1]]

    def _normal_text(self, sentence_id: int) -> str:
        """The sentence's normal words, each in one spelling (so "honour" and "honor" compare equal)."""
        return " ".join(map(self._vocabulary.keyed.__getitem__, self._tokens_of(sentence_id)))

    def _text(self, sentence_id: int) -> str:
        document, index = self._place(sentence_id)
        return self._bodies[document].sentence_text(index)

    def _terms(self, words: list[str], *, prefix: bool) -> list[Term]:
        return self._vocabulary.terms(words, prefix=prefix, sentences=len(self))

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
        ids = self._vocabulary.ids
        hints = [ids[w] for w in dict.fromkeys(words) if w in STOPWORDS and w in ids]
        wanted = max(_RERANK, offset + limit)
        best = coverage.best_covered(
            self._postings, terms, wanted, within, [self._postings.holders([word_id]) for word_id in hints]
        )
        if not best and len(terms) > 1:
            best = coverage.best_in_paragraphs(self._postings, terms, wanted, within, self._paragraph_ids.__getitem__)
        by_word = {term.word: frozenset(term.matches) for term in terms}
        slots = [by_word.get(w) or frozenset([ids[w]] if w in ids else ()) for w in words]
        normal_query = " ".join(map(spelling_key, words))
        ranked = ranking.rank(best, terms, slots, normal_query, cleaned, self._view, offset + limit)
        page = self._grouped(ranked, offset + limit)[offset : offset + limit]
        matched = {self._vocabulary.words[word_id]: n for n, term in enumerate(terms) for word_id in term.matches}
        query_words = frozenset(words)
        return [
            self._hit(sentence_id, round(100 * score), matched, query_words, also_in)
            for score, sentence_id, also_in in page
        ]

    def _grouped(self, ranked: list[tuple[float, int]], end: int) -> list[tuple[float, int, tuple[str, ...]]]:
        """The first `end` hits with the same sentence in other texts folded into the best-ranked copy."""
        grouped: list[tuple[float, int, list[str]]] = []
        first_copy: dict[str, int] = {}  # sentence text -> its place in `grouped`
        for score, sentence_id in ranked:
            document = self._document_of(sentence_id)
            place = first_copy.get(text := self._normal_text(sentence_id))
            if place is not None:
                _, kept, others = grouped[place]
                if document != self._document_of(kept):
                    if document not in others:
                        others.append(document)
                    continue
            elif len(grouped) >= end:
                break
            else:
                first_copy[text] = len(grouped)
            grouped.append((score, sentence_id, []))
        return [(score, sentence_id, tuple(others)) for score, sentence_id, others in grouped]

    def _hit(
        self,
        sentence_id: int,
        score: int,
        matched: dict[str, int],
        query_words: frozenset[str],
        also_in: tuple[str, ...],
    ) -> Hit:
        sentence = self._sentence(sentence_id)
        spans = highlight.marks(sentence.text, matched, query_words)
        return Hit(
            document=self._document_of(sentence_id),
            ref=sentence.ref,
            paragraph=sentence.paragraph,
            sentence=sentence.number,
            score=max(0, min(100, score)),
            text=sentence.text,
            match=highlight.covering(spans),
            marks=spans,
            also_in=also_in,
        )
