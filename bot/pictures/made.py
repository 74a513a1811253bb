"""Pictures made from the library: what every platform's /card and /trend draw, with the same wording."""

from __future__ import annotations

from bot.core.library import Library
from bot.core.render import citation
from bot.core.trend import Trend


def card_picture(library: Library, ref: str, *, document: str | None = None, style: str = "mla") -> tuple[bytes, str]:
    """A quote card of `ref` as PNG bytes, and the canonical ref it shows; refuses what cannot be drawn well."""
    from bot.pictures.card import CardText, quote_card  # Pillow loads only when a card is made

    text = library.document(document)
    passage = text.passage(ref)
    who = " · ".join(p for p in (text.meta.speaker, text.title, f"§{passage.ref}") if p)
    return quote_card(CardText(passage.text, who, citation(passage, style).replace("*", ""))), passage.ref


def trend_picture(counted: Trend) -> bytes:
    """The chart of counted words as PNG bytes (count with `core.trend.trend` first: it refuses bad input)."""
    from bot.pictures.chart import trend_chart  # matplotlib is slow to import: only for the command that draws

    return trend_chart(counted, title=", ".join(s.word for s in counted.series) + " per 10,000 words")


def trend_summary(counted: Trend) -> str:
    """`Uses per 10,000 words by year (freedom: 3, slavery: 2).`, naming texts left out for want of a date."""
    totals = ", ".join(f"{s.word}: {sum(s.counts)}" for s in counted.series)
    note = f" Left out (no date): {', '.join(counted.undated)}." if counted.undated else ""
    return f"Uses per 10,000 words by {counted.bucket} ({totals}).{note}"
