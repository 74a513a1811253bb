"""Pure scheduling rules: next run across DST changes, weekdays and time parsing (zone names: test_zones.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.core.schedule import local_date_of, next_run, next_run_with_date, parse_local_time, run_at
from bot.core.zones import match_timezone


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- next_run across DST -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "local_time", "expected"),
    [
        # Berlin springs forward on 2026-03-29 (CET +1 -> CEST +2): 08:30 stays 08:30 local.
        ("Europe/Berlin", utc(2026, 3, 28, 8, 0), time(8, 30), utc(2026, 3, 29, 6, 30)),
        # Berlin falls back on 2026-10-25 (CEST +2 -> CET +1).
        ("Europe/Berlin", utc(2026, 10, 24, 8, 0), time(8, 30), utc(2026, 10, 25, 7, 30)),
        # New York springs forward on 2026-03-08 (EST -5 -> EDT -4) and falls back on 2026-11-01.
        ("America/New_York", utc(2026, 3, 7, 14, 0), time(8, 30), utc(2026, 3, 8, 12, 30)),
        ("America/New_York", utc(2026, 10, 31, 14, 0), time(8, 30), utc(2026, 11, 1, 13, 30)),
        # Sydney falls back on 2026-04-05 (AEDT +11 -> AEST +10) and springs forward on 2026-10-04.
        ("Australia/Sydney", utc(2026, 4, 4, 0, 0), time(8, 30), utc(2026, 4, 4, 22, 30)),
        ("Australia/Sydney", utc(2026, 10, 3, 0, 0), time(8, 30), utc(2026, 10, 3, 21, 30)),
        # Kolkata has no DST: +05:30 all year.
        ("Asia/Kolkata", utc(2026, 1, 10, 12, 0), time(8, 0), utc(2026, 1, 11, 2, 30)),
        ("Asia/Kolkata", utc(2026, 7, 10, 12, 0), time(8, 0), utc(2026, 7, 11, 2, 30)),
    ],
)
def test_next_run_keeps_local_wall_time_across_dst_changes(
    zone: str, now: datetime, local_time: time, expected: datetime
) -> None:
    assert next_run(now, local_time, zone, "daily") == expected


@pytest.mark.parametrize(
    ("zone", "day", "local_time", "expected"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
        ("Australia/Sydney", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 16, 15)),  # 03:15 AEDT
    ],
)
def test_time_skipped_by_spring_forward_moves_forward_by_the_gap(
    zone: str, day: date, local_time: time, expected: datetime
) -> None:
    moment = run_at(day, local_time, zone)
    assert moment == expected
    local = moment.astimezone(ZoneInfo(zone))
    assert local.date() == day
    assert local.time() == time(local_time.hour + 1, local_time.minute)


@pytest.mark.parametrize(
    ("zone", "day", "local_time", "first", "second"),
    [
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30), utc(2026, 4, 4, 16, 30)),
    ],
)
def test_ambiguous_time_in_autumn_fold_posts_once_at_first_occurrence(
    zone: str, day: date, local_time: time, first: datetime, second: datetime
) -> None:
    assert run_at(day, local_time, zone) == first
    # From the first occurrence, the next run is the following day, never the repeated hour.
    after, next_day = next_run_with_date(first, local_time, zone, "daily")
    assert next_day == day + timedelta(days=1)
    assert after > second


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
@pytest.mark.parametrize("local_time", [time(8, 30), time(2, 30), time(0, 0), time(23, 59)])
def test_a_year_of_runs_is_one_per_local_day_with_no_gaps(zone: str, local_time: time) -> None:
    now = utc(2026, 1, 1)
    previous: date | None = None
    for _ in range(366):
        now, day = next_run_with_date(now, local_time, zone, "daily")
        assert local_date_of(now, zone) == day
        if previous is not None:
            assert day == previous + timedelta(days=1)
        previous = day


def test_next_run_is_strictly_after_now_so_a_post_at_its_minute_is_not_repeated() -> None:
    slot = run_at(date(2026, 5, 4), time(9, 0), "Europe/Berlin")
    assert next_run(slot, time(9, 0), "Europe/Berlin", "daily") == slot + timedelta(days=1)
    assert next_run(slot - timedelta(seconds=1), time(9, 0), "Europe/Berlin", "daily") == slot


def test_next_run_is_returned_in_utc_for_storage() -> None:
    assert next_run(utc(2026, 5, 4), time(9, 0), ZoneInfo("Asia/Kolkata"), "daily").tzinfo == UTC


def test_weekdays_skip_from_friday_evening_to_monday() -> None:
    friday_evening = utc(2026, 3, 6, 20, 0)  # Friday in Berlin
    monday, day = next_run_with_date(friday_evening, time(8, 0), "Europe/Berlin", "weekdays")
    assert day == date(2026, 3, 9)
    assert day.weekday() == 0
    assert monday == utc(2026, 3, 9, 7, 0)
    assert next_run(friday_evening, time(8, 0), "Europe/Berlin", "daily") == utc(2026, 3, 7, 7, 0)


def test_weekdays_posts_five_times_a_week() -> None:
    now = utc(2026, 3, 1)
    days = []
    for _ in range(10):
        now, day = next_run_with_date(now, time(8, 0), "America/New_York", "weekdays")
        days.append(day)
    assert [d.weekday() for d in days] == [0, 1, 2, 3, 4] * 2


def test_naive_now_is_refused_because_it_hides_a_time_zone_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(datetime(2026, 1, 1), time(8, 0), "UTC", "daily")


# --- parse_local_time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30", time(8, 30)),
        ("8:30", time(8, 30)),
        ("8:30am", time(8, 30)),
        ("8:30 PM", time(20, 30)),
        ("8 am", time(8, 0)),
        ("8am", time(8, 0)),
        ("12am", time(0, 0)),
        ("12 pm", time(12, 0)),
        ("8.30 p.m.", time(20, 30)),
        ("20h15", time(20, 15)),
        ("0830", time(8, 30)),
        ("  17:45 ", time(17, 45)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_local_time_accepts_common_spellings(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:75", "13pm", "0am", "noon", "", "   ", "8:3", "eight", "8:30:15"])
def test_parse_local_time_explains_the_expected_format(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_local_time(text)
    assert "08:30" in caught.value.message
    assert "8:30am" in caught.value.message


# --- time zones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_text", "zone_text"),
    [
        ("\u200b08:30", "Europe/Berlin\u200b"),  # zero-width spaces pasted with the text
        ("08:30\u200e", "\u2066berlin\u2069"),  # direction marks and isolates from a right-to-left chat
        ("\ufeff08:30", "Europe/\u200dBerlin"),  # a byte-order mark, a zero-width joiner
    ],
)
def test_invisible_characters_do_not_spoil_a_time_or_a_zone(time_text: str, zone_text: str) -> None:
    assert parse_local_time(time_text) == time(8, 30)
    assert match_timezone(zone_text) == "Europe/Berlin"


def test_echoed_input_cannot_flip_or_hide_the_rest_of_the_message() -> None:
    for bad in ("\u202enoon", "no\x00on\u2067"):
        with pytest.raises(UserError) as caught:
            parse_local_time(bad)
        assert not any(c in caught.value.message for c in "\u202e\u2067\x00")
    with pytest.raises(UserError) as zone:
        match_timezone("\u202eMars/Olympus\x07")
    assert "`Mars/Olympus`" in zone.value.message
