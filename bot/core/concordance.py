"""Keyword in context: every place a word is used, aligned, with counts per text and per paragraph."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.normalize import normalize_word, stem

CONTEXT_CHARS = 40  # characters of context on each side of the keyword
MAX_WORD_CHARS = 60
TYPO_CUTOFF = 80.0  # how close a mistyped word must be to a word of the texts to be read as it
MAX_SENTENCES = 5_000  # a word in more sentences than this ("the") is too common to read in context

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One use of the word: where it is, and the words either side of it."""

    document_id: str
    paragraph: int
    sentence: int
    left: str
    keyword: str
    right: str

    @property
    def ref(self) -> str:
        """The sentence's reference, e.g. `3.2`."""
        return f"{self.paragraph}.{self.sentence}"


@dataclass(frozen=True, slots=True)
class Concordance:
    """All occurrences of one word across the texts searched, in reading order."""

    query: str
    word: str  # the word looked up: the query's, or the text's word it was read as when mistyped
    forms: tuple[str, ...]  # the spellings found, most frequent first (`purge`, `purges`, `purged`)
    occurrences: tuple[Occurrence, ...]

    @property
    def corrected(self) -> bool:
        """Whether the query was mistyped and read as another word ("showing results for …")."""
        return normalize_word(self.query) != self.word

    @property
    def per_document(self) -> dict[str, int]:
        """Occurrences per text, in the order the texts were given."""
        return dict(Counter(o.document_id for o in self.occurrences))

    @property
    def per_paragraph(self) -> dict[tuple[str, int], int]:
        """Occurrences per (text, paragraph), in reading order."""
        return dict(Counter((o.document_id, o.paragraph) for o in self.occurrences))


def word_key(word: str) -> str:
    """What two spellings share when they count as one word: inflections meet (`purge`, `purges`)."""
    return stem(normalize_word(word))


def concordance(
    library: Library, query: str, *, documents: Sequence[Document] | None = None, width: int = CONTEXT_CHARS
) -> Concordance:
    """Every occurrence of the query's word (any inflection), or of the closest word when it is mistyped.

    The sentences come from the search index's postings, so a large library is not read through per lookup.
    """
    word = _one_word(query)
    ids = [d.id for d in documents] if documents is not None else None
    looked_up = normalize_word(word)
    found = _occurrences(library, word_key(word), ids, width)
    if not found:
        closest = _closest_word(library, looked_up)
        if closest is not None:
            looked_up = closest
            found = _occurrences(library, word_key(closest), ids, width)
    if not found:
        where = documents[0].title if documents is not None and len(documents) == 1 else "the loaded texts"
        raise UserError(f"“{word}” is not used in {where}, and no word there is spelled like it.")
    return Concordance(query, looked_up, _forms(found), tuple(found))


def _forms(found: list[Occurrence]) -> tuple[str, ...]:
    """The spellings used, most frequent first, each in its most frequent capitalisation."""
    by_form: dict[str, Counter[str]] = {}
    for occurrence in found:
        by_form.setdefault(occurrence.keyword.lower(), Counter())[occurrence.keyword] += 1
    ranked = sorted(by_form.values(), key=lambda spellings: -sum(spellings.values()))
    return tuple(spellings.most_common(1)[0][0] for spellings in ranked)


def _one_word(query: str) -> str:
    words = _WORD.findall(query.strip())
    if not words:
        raise UserError("Give one word to look up, e.g. `enemy`.")
    if len(words) > 1:
        raise UserError("The concordance looks up one word at a time; try the most telling word alone.")
    if len(words[0]) > MAX_WORD_CHARS:
        raise UserError(f"That word is too long to look up (at most {MAX_WORD_CHARS} letters).")
    return words[0]


def _occurrences(library: Library, key: str, documents: Sequence[str] | None, width: int) -> list[Occurrence]:
    found: list[Occurrence] = []
    sentences = library.sentences_using(lambda normal: stem(normal) == key, documents)
    if len(sentences) > MAX_SENTENCES:
        raise UserError(
            f"That word is in {len(sentences):,} sentences, too many to list; pick a rarer word, "
            "or one text with `in:`."
        )
    for doc_id, sentence in sentences:
        text = sentence.text
        for match in _WORD.finditer(text):
            if word_key(match.group()) != key:
                continue
            left = _clip_left(text[: match.start()], width)
            right = _clip_right(text[match.end() :], width)
            found.append(Occurrence(doc_id, sentence.paragraph, sentence.number, left, match.group(), right))
    return found


def _clip_left(text: str, width: int) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[-width:]
    space = cut.find(" ")
    return "…" + (cut[space + 1 :] if 0 <= space < width // 2 else cut)


def _clip_right(text: str, width: int) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut) + "…"


def _closest_word(library: Library, word: str) -> str | None:
    """The texts' word nearest in spelling, for a mistyped query; None when nothing is near enough."""
    choices = {w: w for w in library.words() if len(w) > 2}
    best = process.extractOne(word, choices, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF)
    return None if best is None else str(best[2])


_CLOSING = frozenset(",.;:!?)]’”'")  # punctuation that follows a word without a space


def kwic_rows(found: Concordance, *, offset: int, limit: int, side: int | None = None) -> list[str]:
    """Keyword-in-context rows for a monospaced block: the reference, then the word aligned in one column.

    `side` caps the context either side (chat messages on phones are narrow); None keeps what was found.
    """
    page = found.occurrences[offset : offset + limit]
    several = len(found.per_document) > 1
    labels = [f"{o.document_id} §{o.ref}" if several else f"§{o.ref}" for o in page]
    lefts = [_cap_left(o.left, side) for o in page]
    width = max((len(label) for label in labels), default=0)
    left_width = max((len(left) for left in lefts), default=0)
    rows = []
    for label, left, occurrence in zip(labels, lefts, page, strict=True):
        right = _cap_right(occurrence.right, side)
        joiner = "" if right[:1] in _CLOSING else " "
        rows.append(f"{label:<{width}}  {left:>{left_width}} {occurrence.keyword}{joiner}{right}")
    return rows


def paragraph_counts(found: Concordance) -> str:
    """`§3 ×2, §5 ×1`: where the word is used, naming the text too when there are several."""
    several = len(found.per_document) > 1
    return ", ".join(
        f"{doc} §{number} ×{count}" if several else f"§{number} ×{count}"
        for (doc, number), count in found.per_paragraph.items()
    )


def _cap_left(text: str, side: int | None) -> str:
    return text if side is None or len(text) <= side else "…" + text[-(side - 1) :]


def _cap_right(text: str, side: int | None) -> str:
    return text if side is None or len(text) <= side else text[: side - 1] + "…"
