"""Trends: uses per 10,000 words per period, so long texts do not dominate."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.trend import PER_WORDS, trend
from tests.core.study_texts import speeches


def test_rates_are_uses_per_ten_thousand_words_of_each_year() -> None:
    counted = trend(speeches(), ["freedom", "slavery"])
    assert counted.bucket == "year"
    assert counted.periods == (1901, 1902, 1903, 1904, 1905)
    freedom, slavery = counted.series
    assert freedom.counts == (1, 1, 0, 0, 1)
    assert slavery.counts == (0, 0, 0, 0, 2)
    words_1905 = counted.words_per_period[-1]
    assert slavery.rates[-1] == pytest.approx(2 * PER_WORDS / words_1905)


def test_years_without_any_text_are_gaps_not_zeros() -> None:
    freedom = trend(speeches(), ["freedom"]).series[0]
    assert freedom.rates[2] is None and freedom.rates[3] is None
    assert freedom.rates[0] is not None and freedom.rates[0] > 0


def test_a_long_text_does_not_outweigh_a_short_one_with_the_same_rate() -> None:
    short, *_ = speeches()
    doubled = dataclasses.replace(short, paragraphs=short.paragraphs * 2, sentences=())
    doubled = dataclasses.replace(doubled, id="stone-twice", meta=dataclasses.replace(short.meta))
    once = trend([short], ["press"]).series[0]
    twice = trend([doubled], ["press"]).series[0]
    assert twice.counts[0] == 2 * once.counts[0]
    assert twice.rates[0] == pytest.approx(once.rates[0])


def test_a_wide_span_of_years_counts_by_decade() -> None:
    first, second, third = speeches()
    late = dataclasses.replace(third, meta=dataclasses.replace(third.meta, date=third.meta.date.replace(year=1950)))
    counted = trend([first, second, late], ["freedom"])
    assert counted.bucket == "decade"
    assert counted.label(counted.periods[0]) == "1900s"
    assert counted.series[0].counts[0] == 2


def test_undated_texts_are_named_and_left_out(library: Library) -> None:
    counted = trend([*speeches(), library.default], ["freedom"])
    assert counted.undated == ()  # the seed is dated (1956)
    undated = dataclasses.replace(library.default, meta=dataclasses.replace(library.default.meta, date=None, year=None))
    assert trend([*speeches(), undated], ["freedom"]).undated == ("secret-speech",)
    with pytest.raises(UserError):
        trend([undated], ["freedom"])


@pytest.mark.parametrize("words", [[], ["  "], ["a", "b", "c", "d", "e", "f"]])
def test_no_words_or_too_many_get_a_clear_message(words: list[str]) -> None:
    with pytest.raises(UserError):
        trend(speeches(), words)
