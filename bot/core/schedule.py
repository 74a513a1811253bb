"""Pure scheduling rules for daily posts: local times, posting days and the next UTC run (zone names: zones.py).

Nothing here reads the clock or touches a database: `now` is always an argument.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.zones import visible

Days = Literal["daily", "weekdays"]
DAYS: tuple[Days, ...] = ("daily", "weekdays")

_TIME_24 = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?$")
_TIME_12 = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?\s*m?\.?$")
_TIME_COMPACT = re.compile(r"^(?P<h>\d{2})(?P<m>\d{2})$")


def parse_local_time(text: str) -> time:
    """Turn what a person types ("08:30", "8:30am", "8 am", "20h15") into a wall-clock time."""
    text = visible(text)
    cleaned = " ".join(text.strip().lower().split())
    hour: int | None = None
    minute = 0
    if m := _TIME_12.match(cleaned):
        hour, minute = int(m["h"]), int(m["m"] or 0)
        valid = 1 <= hour <= 12 and minute <= 59
        hour = hour % 12 + (12 if m["ampm"] == "p" else 0) if valid else None
    elif m := (_TIME_24.match(cleaned) or _TIME_COMPACT.match(cleaned)):
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if hour > 23 or minute > 59:
            hour = None
    if hour is None:
        shown = text.strip()[:20] or "(nothing)"
        raise UserError(
            f"I could not read the time `{shown}`. Use 24-hour `HH:MM` such as `08:30` or `17:45`, "
            "or 12-hour such as `8:30am`."
        )
    return time(hour, minute)


def format_local_time(value: time) -> str:
    """Show a posting time the same way everywhere (HH:MM, 24-hour)."""
    return f"{value.hour:02d}:{value.minute:02d}"


def resolve_zone(zone: ZoneInfo | str) -> ZoneInfo:
    """Accept a ZoneInfo or an IANA name, so callers can keep zones as text in the database."""
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def run_at(local_date: date, local_time: time, zone: ZoneInfo | str) -> datetime:
    """The UTC instant of one day's post, applying the DST rules.

    A local time skipped by a spring-forward gap moves forward by the length of the gap (02:30 -> 03:30);
    an ambiguous time in an autumn fold uses its first occurrence. Both follow from PEP 495's fold=0.
    """
    local = datetime.combine(local_date, local_time, tzinfo=resolve_zone(zone)).replace(fold=0)
    return local.astimezone(UTC)


def is_posting_day(local_date: date, days: Days) -> bool:
    """Whether a channel on this day setting gets a post on that local date."""
    return days == "daily" or local_date.weekday() < 5


def local_date_of(moment: datetime, zone: ZoneInfo | str) -> date:
    """The calendar date in the channel's zone at an instant (what 'today' means for that channel)."""
    return _aware(moment).astimezone(resolve_zone(zone)).date()


def next_run(now: datetime, local_time: time, zone: ZoneInfo | str, days: Days) -> datetime:
    """The first post instant strictly after `now`, in UTC, so the scheduler can store and index it."""
    return next_run_with_date(now, local_time, zone, days)[0]


def next_run_with_date(now: datetime, local_time: time, zone: ZoneInfo | str, days: Days) -> tuple[datetime, date]:
    """Like next_run, but also the local date that post belongs to (the key for exactly-once)."""
    if days not in DAYS:
        raise ValueError(f"days must be one of {DAYS}")
    tz = resolve_zone(zone)
    now_utc = _aware(now).astimezone(UTC)
    day = now_utc.astimezone(tz).date() - timedelta(days=1)
    for _ in range(10):
        if is_posting_day(day, days):
            moment = run_at(day, local_time, tz)
            if moment > now_utc:
                return moment, day
        day += timedelta(days=1)
    raise AssertionError("unreachable: a posting day occurs within any ten consecutive days")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes passed to the scheduler must be timezone-aware")
    return moment


def describe_run(moment: datetime, zone: ZoneInfo | str) -> str:
    """Show a UTC instant as the channel's local time, e.g. 'Mon 30 Mar 2026, 08:30 CEST (Europe/Berlin)'."""
    tz = resolve_zone(zone)
    local = _aware(moment).astimezone(tz)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()} ({tz.key})"
