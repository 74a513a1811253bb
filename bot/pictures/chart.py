"""Trend charts: uses of words per 10,000 words over the years, drawn with matplotlib as a PNG."""

from __future__ import annotations

import io
import math

from matplotlib.figure import Figure  # the object API: no pyplot, no global state, no screen needed

from bot.core.trend import PER_WORDS, Trend

COLOURS = ("#1f5f8b", "#b5542b", "#3d7a3a", "#7a3d7a", "#8b7a1f")


def trend_chart(trend: Trend, *, title: str) -> bytes:
    """A line per word over the periods; periods without any text are gaps, not zeros."""
    labels = [trend.label(p) for p in trend.periods]
    figure = Figure(figsize=(10, 5.2), dpi=120)
    axes = figure.subplots()
    positions = list(range(len(trend.periods)))
    for series, colour in zip(trend.series, COLOURS, strict=False):
        values = [math.nan if rate is None else rate for rate in series.rates]
        total = sum(series.counts)
        axes.plot(positions, values, marker="o", linewidth=2, color=colour, label=f"{series.word} ({total})")
    step = max(1, len(labels) // 12)
    axes.set_xticks(positions[::step], labels[::step], rotation=45 if len(labels) > 8 else 0)
    axes.set_ylabel(f"uses per {PER_WORDS:,} words")
    axes.set_xlabel("decade" if trend.bucket == "decade" else "year")
    axes.set_title(title)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
