"""Platform-neutral wording: quotations, citations, highlights and splitting long text into parts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from bot.core.citation import STYLE_FUNCTIONS
from bot.core.corpus import Document, Paragraph, Passage
from bot.core.errors import UserError
from bot.core.search import Hit
from bot.core.segment import split_paragraphs, split_sentences

Style = Literal["mla", "apa", "chicago"]
STYLES: tuple[str, ...] = get_args(Style)


@dataclass(frozen=True, slots=True)
class Quotation:
    """A passage ready to show: heading, its whole text (each renderer splits it for its platform), citation."""

    title: str
    text: str
    footer: str
    ref: str
    document: str


SOMETHING_WRONG = "Something went wrong on our side; please try again in a moment."
DAILY_HEADING = "Passage of the day"


def counted(n: int, noun: str) -> str:
    """`1 paragraph`, `3 paragraphs`: a count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def heading(passage: Passage) -> str:
    """`§3.2 · Khrushchev's Secret Speech, 1956`: the ref first, so it is seen at a glance; then the section."""
    section = passage.document.paragraphs[passage.first_paragraph - 1].section
    return f"§{passage.ref} · {passage.document.title}" + (f" · {section}" if section else "")


def quotation(passage: Passage, *, style: Style = "mla") -> Quotation:
    """A passage with its heading and citation, its text whole."""
    return Quotation(
        title=heading(passage),
        text=passage.text,
        footer=citation(passage, style),
        ref=passage.ref,
        document=passage.document.id,
    )


def parse_style(text: str | None) -> Style:
    """A citation style from user input; MLA when none is given."""
    key = (text or "mla").strip().lower()
    for style in STYLES:
        if key == style:
            return style  # type: ignore[return-value]
    raise UserError("Citation styles are `mla`, `apa` and `chicago`; for example `cite 5 apa`.")


def citation(passage: Passage, style: str = "mla") -> str:
    """A ready-to-paste citation with paragraph numbers, in MLA, APA or Chicago style."""
    return STYLE_FUNCTIONS[parse_style(style)](passage)


def split_text(text: str, limit: int) -> list[str]:
    """Text cut at sentence boundaries into parts of at most `limit` characters, marked `(1/3)` when cut."""
    if len(text) <= limit:
        return [text]
    digits = 1
    while True:
        room = len(f" ({'9' * digits}/{'9' * digits})")
        if limit - room < _MIN_MARKED_PART:
            return _pack(text, max(limit, 1))  # too narrow for markers: plain parts that fit
        parts = _pack(text, limit - room)
        if len(parts) == 1:
            return parts  # longer than the limit only by spaces that were tidied: one part, no "(1/1)"
        if len(str(len(parts))) <= digits:
            total = len(parts)
            return [f"{part} ({number}/{total})" for number, part in enumerate(parts, start=1)]
        digits = len(str(len(parts)))  # a hundred parts or more need a wider marker; cut again


_MIN_MARKED_PART = 20  # below this, a `(12/34)` marker would take more room than the text it marks


def _pack(text: str, budget: int) -> list[str]:
    """Sentences (or, when one is too long, runs of words) packed into parts of at most `budget` characters."""
    pieces: list[tuple[str, str]] = []  # (joiner before, text)
    for p_index, paragraph in enumerate(split_paragraphs(text)):
        for s_index, sentence in enumerate(split_sentences(paragraph)):
            joiner = "\n\n" if p_index and not s_index else " "
            for chunk in _split_words(sentence, budget):
                pieces.append((joiner, chunk))
                joiner = " "
    return _fill(pieces, budget)


def _split_words(sentence: str, budget: int) -> list[str]:
    """A sentence longer than the budget, cut between words (never inside one unless it alone is too long)."""
    if len(sentence) <= budget:
        return [sentence]
    slices = [word[i : i + budget] for word in sentence.split(" ") for i in range(0, max(len(word), 1), budget)]
    return _fill([(" ", piece) for piece in slices], budget)


def line_groups(lines: list[str], limit: int) -> list[str]:
    """Lines (a listing) joined into messages of at most `limit` characters, never cutting a line short."""
    return _fill([("\n", line) for line in lines], limit)


def _fill(pieces: list[tuple[str, str]], budget: int) -> list[str]:
    """Greedily join (joiner, text) pieces into parts of at most `budget` characters, in order."""
    parts: list[str] = []
    current = ""
    for joiner, piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= budget:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def highlight_parts(hit: Hit) -> tuple[str, str, str]:
    """A hit's text as (before, matched, after) so each platform can bold the middle in its own markup."""
    start, end = hit.match
    return hit.text[:start], hit.text[start:end], hit.text[end:]


def marked_pieces(text: str, marks: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Text as pieces in order, each with whether it is a matched word (or run of them) to show in bold."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(marks):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def hit_marks(hit: Hit) -> tuple[tuple[int, int], ...]:
    """The spans of a hit to bold: its marked words, or its whole match when it names none."""
    if hit.marks:
        return hit.marks
    return (hit.match,) if hit.match[1] > hit.match[0] else ()


def hit_heading(hit: Hit) -> str:
    """`Lincoln 1863 §2.1`, with the section when the text has headings: every hit names its text."""
    where = f"{hit.label} §{hit.ref}" if hit.label else f"§{hit.ref}"
    return f"{where} ({hit.section})" if hit.section else where


def also_in(hit: Hit) -> str:
    """` (also in Adams 1797, Jefferson 1801)` for a sentence several texts hold."""
    return f" (also in {', '.join(hit.also_in)})" if hit.also_in else ""


EDITORIAL_LABEL = "Editor's note"


def context_sections(
    before: Paragraph | None,
    target: Paragraph,
    after: Paragraph | None,
    notes: tuple[tuple[int, str], ...] = (),
) -> list[tuple[str, str, bool]]:
    """(label, text, is_target) for a paragraph and its neighbours in reading order, with the editorial notes
    (`[Applause.]`) that stand between them marked as the editor's."""
    shown = [(p, t) for p, t in ((before, False), (target, True), (after, False)) if p is not None]
    sections = []
    for index, (paragraph, is_target) in enumerate(shown):
        sections.append((f"§{paragraph.number}", paragraph.text, is_target))
        if index + 1 < len(shown):
            sections.extend(
                (EDITORIAL_LABEL, text, False) for after_number, text in notes if after_number == paragraph.number
            )
    return sections


def about_text(document: Document) -> str:
    """What the text is, who spoke, and the editor's introduction, marked as the editor's."""
    meta = document.meta
    facts = [meta.title]
    if meta.speaker:
        facts.append(f"Speaker: {meta.speaker}")
    if meta.date:
        facts.append(f"Date: {meta.date:%B} {meta.date.day}, {meta.date.year}")
    if meta.occasion:
        facts.append(f"Occasion: {meta.occasion}")
    kind = meta.kind + (", excerpt" if meta.excerpt else "")
    if meta.translator:
        kind += f", translated by {meta.translator}"
    elif meta.translated_from:
        kind += f", translated from the {meta.translated_from}"
    facts.append(f"Kind: {kind}")
    if meta.excerpt:
        facts.append("This is an excerpt: its paragraph numbers count this excerpt, not the whole work.")
    for name, value in (("Edition", meta.edition), ("Source", meta.source), ("URL", meta.url)):
        if value:
            facts.append(f"{name}: {value}")
    facts.append(f"Length: {len(document.paragraphs)} paragraphs, {len(document.sentences)} sentences")
    text = "\n".join(facts)
    if document.front_matter:
        text += f"\n\nEditor's introduction (context, not the speaker's words):\n{document.front_matter}"
    return text


def one_line(text: str, limit: int) -> str:
    """Text on one line, shortened at a word boundary with an ellipsis to fit `limit` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
