"""Trend charts: a PNG with a line per word."""

from __future__ import annotations

import io

from PIL import Image

from bot.core.trend import trend
from bot.pictures.chart import trend_chart
from tests.core.study_texts import speeches


def test_the_chart_is_a_png_that_differs_by_word() -> None:
    freedom = trend_chart(trend(speeches(), ["freedom"]), title="freedom")
    both = trend_chart(trend(speeches(), ["freedom", "slavery"]), title="freedom, slavery")
    for data in (freedom, both):
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size == (1200, 624)
    assert freedom != both
