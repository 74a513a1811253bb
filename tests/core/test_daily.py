"""The passage of the day: deterministic, every passage once per cycle, never the same two days running."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.core.daily import nth_passage, passage_for, planned_passage
from bot.core.library import Library

START = dt.date(2026, 1, 1)


def test_same_day_always_gives_the_same_passage(library: Library) -> None:
    document = library.document()
    assert passage_for(dt.date(2026, 11, 28), document).ref == passage_for(dt.date(2026, 11, 28), document).ref


def test_every_passage_is_used_once_before_any_repeats(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    for cycle_start in range(0, 5 * count, count):
        refs = [nth_passage(document, n, seed="x").ref for n in range(cycle_start, cycle_start + count)]
        assert sorted(refs) == sorted(p.ref for p in document.daily_passages)


def test_consecutive_days_differ_across_a_year_including_cycle_boundaries(library: Library) -> None:
    document = library.document()
    refs = [passage_for(START + dt.timedelta(days=i), document).ref for i in range(400)]
    assert all(a != b for a, b in itertools.pairwise(refs))


def test_order_is_shuffled_not_reading_order(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    shuffled = [nth_passage(document, n, seed="x").ref for n in range(count)]
    assert shuffled != [p.ref for p in document.daily_passages]


def test_each_channel_seed_has_its_own_order(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    orders = {tuple(nth_passage(document, n, seed=seed).ref for n in range(count)) for seed in "abcdef"}
    assert len(orders) > 1


def test_sequential_plan_reads_the_text_in_order_then_starts_again(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    refs = [nth_passage(document, n, mode="sequential").ref for n in range(count + 1)]
    assert refs[:count] == [p.ref for p in document.daily_passages]
    assert refs[count] == refs[0] == "1"


def test_far_future_days_still_work(library: Library) -> None:
    assert passage_for(dt.date(2400, 2, 29), library.document()).text


def _closest_return(refs: list[str]) -> int:
    """The fewest posts between two showings of the same passage."""
    last: dict[str, int] = {}
    closest = len(refs)
    for i, ref in enumerate(refs):
        if ref in last:
            closest = min(closest, i - last[ref])
        last[ref] = i
    return closest


def test_passage_of_the_day_never_returns_within_half_a_cycle_over_three_years(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    refs = [passage_for(START + dt.timedelta(days=i), document).ref for i in range(3 * 366)]
    assert count == 13
    assert _closest_return(refs) >= 7  # 13 passages: never back within a week


def test_channel_shuffles_never_return_within_half_a_cycle_over_three_years(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    for seed in ("1", "2", "3", "17", "250", "98765", "x"):
        refs = [nth_passage(document, n, seed=seed).ref for n in range(3 * 366)]
        assert _closest_return(refs) > count / 2, seed
        for start in range(0, len(refs) - count, count):  # still every passage once per cycle
            assert sorted(refs[start : start + count]) == sorted(p.ref for p in document.daily_passages), seed


def test_days_before_the_epoch_keep_the_same_spacing(library: Library) -> None:
    document = library.document()
    refs = [passage_for(dt.date(2023, 6, 1) + dt.timedelta(days=i), document).ref for i in range(400)]
    assert _closest_return(refs) >= 7


def test_spacing_holds_for_small_and_even_sized_plans() -> None:
    import random

    from bot.core.daily import min_gap, next_cycle

    for count in (1, 2, 3, 4, 12, 40):
        order = tuple(range(count))
        sequence = list(order)
        for cycle in range(200):
            draw = list(range(count))
            random.Random(cycle).shuffle(draw)
            order = next_cycle(order, tuple(draw))
            assert sorted(order) == list(range(count))
            sequence += order
        assert _closest_return([str(i) for i in sequence]) >= min(min_gap(count), count)


def test_a_channels_plan_is_its_subscription_ids_shuffle_or_the_text_in_order(library: Library) -> None:
    document = library.document()
    count = len(document.daily_passages)
    for n in range(2 * count):
        shuffled = nth_passage(document, n, mode="shuffle", seed="42")
        assert planned_passage(document, n, mode="shuffle", plan=42) == shuffled
        assert planned_passage(document, n, mode="sequential", plan=42) == document.daily_passages[n % count]
