"""Word trends over time: how often words are used per year or decade, per 10,000 words of text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.concordance import word_key
from bot.core.corpus import Document
from bot.core.errors import UserError

PER_WORDS = 10_000  # rates are per this many words, so long texts do not dominate
MAX_WORDS = 5
DECADE_SPAN = 30  # years of dated texts above which the chart counts by decade
Bucket = Literal["year", "decade"]

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class Series:
    """One word's uses per period: raw counts and the rate per 10,000 words."""

    word: str
    counts: tuple[int, ...]
    rates: tuple[float | None, ...]  # None for a period with no text at all: a gap, not a zero


@dataclass(frozen=True, slots=True)
class Trend:
    """Periods (years or decades, as their first year) and each word's series over them."""

    bucket: Bucket
    periods: tuple[int, ...]
    words_per_period: tuple[int, ...]
    series: tuple[Series, ...]
    undated: tuple[str, ...]  # ids of texts left out because they carry no date

    def label(self, period: int) -> str:
        """`1956`, or `1950s` when counting by decade."""
        return f"{period}s" if self.bucket == "decade" else str(period)


def check_request(documents: Iterable[Document], words: Iterable[str]) -> None:
    """Refuse at once what `trend` would refuse (no words, too many, no dated text), before any counting."""
    _words(words)
    if not any(_year(d) is not None for d in documents):
        raise UserError("None of these texts carries a date, so there is no trend to draw; give them dates first.")


def trend(documents: Iterable[Document], words: Iterable[str], *, bucket: Bucket | None = None) -> Trend:
    """Each word's uses per period across the dated texts; inflections count as the word (`purges`)."""
    texts = list(documents)
    asked = tuple(words)
    check_request(texts, asked)
    asked = _words(asked)
    dated = [d for d in texts if _year(d) is not None]
    undated = tuple(d.id for d in texts if _year(d) is None)
    years = [year for d in dated if (year := _year(d)) is not None]
    chosen: Bucket = bucket or ("decade" if max(years) - min(years) > DECADE_SPAN else "year")
    totals: Counter[int] = Counter()
    uses = {word: Counter[int]() for word in asked}
    keys = {word_key(word): word for word in asked}
    for document, year in zip(dated, years, strict=True):
        period = year - year % 10 if chosen == "decade" else year
        for sentence in document.sentences:
            for raw in _WORD.findall(sentence.text):
                totals[period] += 1
                word = keys.get(word_key(raw))
                if word is not None:
                    uses[word][period] += 1
    periods = _periods(sorted(totals), chosen)
    per_period = tuple(totals[p] for p in periods)
    series = tuple(
        Series(
            word,
            tuple(uses[word][p] for p in periods),
            tuple(_rate(uses[word][p], totals[p]) for p in periods),
        )
        for word in asked
    )
    return Trend(chosen, periods, per_period, series, undated)


def _year(document: Document) -> int | None:
    """The year a text is from: its date's, or the year alone when the metadata gives only that."""
    return document.meta.date.year if document.meta.date is not None else document.meta.year


def _words(words: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for item in words:
        for word in _WORD.findall(item):
            if word.lower() not in (f.lower() for f in found):
                found.append(word)
    if not found:
        raise UserError("Give one to five words to follow, e.g. `freedom slavery`.")
    if len(found) > MAX_WORDS:
        raise UserError(f"A trend chart follows at most {MAX_WORDS} words at once.")
    return tuple(found)


def _periods(seen: list[int], bucket: Bucket) -> tuple[int, ...]:
    """Every period from the first dated text to the last, so years without texts show as gaps."""
    step = 10 if bucket == "decade" else 1
    return tuple(range(seen[0], seen[-1] + 1, step))


def _rate(count: int, total: int) -> float | None:
    return count * PER_WORDS / total if total else None
