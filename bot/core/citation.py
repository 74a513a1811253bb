"""Citations in MLA, APA and Chicago style, one function per style, from a text's metadata and a passage."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from itertools import pairwise

from bot.core.corpus import Document, Metadata, Passage
from bot.core.metadata import split_name

# Kinds that were delivered aloud: only these are a "[Speech]" in APA and a "Speech" in MLA.
SPOKEN_KINDS = frozenset({"speech", "address", "lecture", "sermon", "remarks", "talk", "oration"})
_MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


_WRITTEN_WORDS = frozenset({"message", "letter", "proclamation", "memorandum", "statement", "written", "essay"})


def is_spoken(meta: Metadata) -> bool:
    """Whether the text was a speech (`speech`, `State of the Union Address`) rather than a written message."""
    words = set(re.findall(r"[a-z]+", meta.kind.lower()))
    return bool(words & SPOKEN_KINDS) and not words & _WRITTEN_WORDS


def _span(passage: Passage) -> tuple[str, bool]:
    first, last = passage.first_paragraph, passage.last_paragraph
    return (f"{first}" if first == last else f"{first}-{last}"), first != last


def _capital(text: str) -> str:
    return text if text.startswith("http") else text[:1].upper() + text[1:]


def _end(text: str) -> str:
    """Text closed with a period, unless it already ends with one (`Harry S.`, `2nd ed.`) or a ? or !."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _names(meta: Metadata) -> tuple[str | None, str | None, str | None]:
    """(given, family, suffix) of the speaker: the metadata's own parts when given, else the name split."""
    if not meta.speaker and not meta.speaker_family:
        return None, None, None
    given, family, suffix = split_name(meta.speaker) if meta.speaker else (None, None, None)
    return meta.speaker_given or given, meta.speaker_family or family, suffix


def _translation(meta: Metadata, *, by: str) -> str | None:
    """`Translated by X` / `translated from the Russian`, in the style's word for it (`by`)."""
    if meta.translator:
        return f"{by} {meta.translator}"
    if meta.translated_from:
        return f"translated from the {meta.translated_from}"
    return None


def mla(passage: Passage) -> str:
    """MLA 9: Author. “Title.” Contributors, edition, occasion, date, place. Source, URL. Description, par. N."""
    meta = passage.document.meta
    span, many = _span(passage)
    given, family, suffix = _names(meta)
    author = ", ".join(x for x in (family, given, suffix) if x) if family else None
    if meta.titled:
        title = meta.title if meta.title.endswith(("?", "!", ".")) else f"{meta.title}."
        title = f"\u201c{title}\u201d"
    else:
        title = f"{_capital(meta.kind)}."  # an untitled work is described, not quoted
    date = f"{meta.date.day} {_MLA_MONTHS[meta.date.month - 1]} {meta.date.year}" if meta.date else meta.year
    delivery = [_translation(meta, by="translated by"), meta.edition, meta.occasion, date, meta.place]
    where = [meta.source, meta.url]
    description = [w for w in ("Speech" if is_spoken(meta) and meta.titled else None, meta.excerpt and "excerpt") if w]
    groups = [", ".join(str(x) for x in group if x) for group in (delivery, where, description)]
    groups = [_capital(g) for g in groups if g]
    pinpoint = f"{'pars' if many else 'par'}. {span}"
    if groups:
        groups[-1] = f"{groups[-1]}, {pinpoint}"
    else:
        title = f"{title} {pinpoint}"
    return " ".join([*([_end(author)] if author else []), title, *(_end(g) for g in groups)])


def apa(passage: Passage) -> str:
    """APA 7: Author, A. A. (Year, Month Day). Title (Translator, Trans.) [Speech]. Occasion, Place. URL"""
    document = passage.document
    meta = document.meta
    span, many = _span(passage)
    given, family, suffix = _names(meta)
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", given or "") if part[:1].isalpha())
    author = ", ".join(x for x in (family, initials, suffix) if x) if family else None
    if meta.date:
        date = f"({meta.date.year}, {meta.date:%B} {meta.date.day})"
    else:
        date = f"({meta.year})" if meta.year else "(n.d.)"
    described = [
        "Speech" if is_spoken(meta) else None,
        "excerpt" if meta.excerpt else None,
        None if meta.translator else (f"translated from the {meta.translated_from}" if meta.translated_from else None),
    ]
    bracket = ", ".join(x for x in described if x)
    if meta.titled:
        title = meta.sentence_case_title or sentence_case(meta.title, document)
        if meta.translator:
            title += f" ({meta.translator}, Trans.)"
        work = f"{title} [{_capital(bracket)}]." if bracket else f"{title}."
    else:
        work = f"[{_capital(', '.join(x for x in (meta.kind, *described[1:]) if x))}]."
    reference = f"{_end(author)} {date}. {work}" if author else f"{work} {date}."  # no author: the work leads
    where = ", ".join(_capital(x) if i == 0 else x for i, x in enumerate(y for y in (meta.occasion, meta.place) if y))
    reference += "".join(f" {_end(x)}" for x in (where, meta.edition, meta.source) if x)
    reference += f" {meta.url}" if meta.url else ""
    surname = family or (meta.title if meta.titled else _capital(meta.kind))
    year = meta.year or "n.d."
    return f"{reference} In text: ({surname}, {year}, {'paras' if many else 'para'}. {span})"


def chicago(passage: Passage) -> str:
    """Chicago 17 (note): Speaker, “Title,” translated … (speech, occasion, place, Month Day, Year), par. N, URL."""
    meta = passage.document.meta
    span, many = _span(passage)
    date = f"{meta.date:%B} {meta.date.day}, {meta.date.year}" if meta.date else meta.year
    where = ", ".join(str(x) for x in (meta.kind, meta.occasion, meta.place, date) if x)
    extras = [x for x in ("excerpt" if meta.excerpt else None, _translation(meta, by="trans."), meta.edition) if x]
    lead = [meta.speaker] if meta.speaker else []
    if meta.titled:
        title = f"\u201c{meta.title}{',' if extras else ''}\u201d"
        head = ", ".join([*lead, " ".join([title, ", ".join(extras)]).strip()])
    else:
        head = ", ".join([*lead, *extras])
    tail = ", ".join(x for x in (f"{'pars' if many else 'par'}. {span}", meta.source, meta.url) if x)
    return f"{head} ({where}), {tail}." if head else f"({_capital(where)}), {tail}."


STYLE_FUNCTIONS: dict[str, Callable[[Passage], str]] = {"mla": mla, "apa": apa, "chicago": chicago}


def sentence_case(title: str, document: Document) -> str:
    """APA's sentence case: a word is lowered only where the text itself mostly writes it in lower case.

    Counted away from the start of sentences, so "Union" in "the Union" keeps its capital while "Message"
    becomes "message"; the word after a colon keeps its capital. Metadata can give `sentence_case_title`.
    """
    lower, upper = Counter[str](), Counter[str]()
    for sentence in document.sentences:
        for word in re.findall(r"\b[A-Za-z][A-Za-z']*\b", sentence.text)[1:]:
            (lower if word[0].islower() else upper)[word.lower()] += 1
    words = title.split(" ")
    kept = [words[0]]
    for previous, word in pairwise(words):
        key = re.sub(r"[^\w']", "", word).lower()
        if previous.endswith(":") or word.isupper() or lower[key] <= upper[key]:
            kept.append(word)
        else:
            kept.append(word.lower())
    return " ".join(kept)
