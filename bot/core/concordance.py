"""Keyword in context: every place a word is used, aligned, with counts per text and per paragraph."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.normalize import normalize_word, stem

CONTEXT_CHARS = 40  # characters of context on each side of the keyword
MAX_WORD_CHARS = 60
TYPO_CUTOFF = 80.0  # how close a mistyped word must be to a word of the texts to be read as it

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


def concordance(documents: Iterable[Document], query: str, *, width: int = CONTEXT_CHARS) -> Concordance:
    """Every occurrence of the query's word (any inflection), or of the closest word when it is mistyped."""
    texts = list(documents)
    word = _one_word(query)
    key = word_key(word)
    found = _occurrences(texts, key, width)
    looked_up = normalize_word(word)
    if not found:
        closest = _closest_word(texts, looked_up)
        if closest is None:
            raise UserError(f"“{word}” is not used in {_where(texts)}, and no word there is spelled like it.")
        looked_up = closest
        found = _occurrences(texts, word_key(closest), width)
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


def _occurrences(documents: list[Document], key: str, width: int) -> list[Occurrence]:
    found: list[Occurrence] = []
    for document in documents:
        for sentence in document.sentences:
            text = sentence.text
            for match in _WORD.finditer(text):
                if word_key(match.group()) != key:
                    continue
                left = _clip_left(text[: match.start()], width)
                right = _clip_right(text[match.end() :], width)
                found.append(Occurrence(document.id, sentence.paragraph, sentence.number, left, match.group(), right))
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


def _closest_word(documents: list[Document], word: str) -> str | None:
    """The texts' word nearest in spelling, for a mistyped query; None when nothing is near enough."""
    vocabulary: dict[str, str] = {}
    for document in documents:
        for sentence in document.sentences:
            for raw in _WORD.findall(sentence.text):
                normal = normalize_word(raw)
                if len(normal) > 2:
                    vocabulary.setdefault(normal, normal)
    best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF)
    return None if best is None else str(best[2])


def _where(documents: list[Document]) -> str:
    return documents[0].title if len(documents) == 1 else "the loaded texts"


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
