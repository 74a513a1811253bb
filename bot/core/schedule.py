"""Pure scheduling rules for daily posts: local times, time zones and the next UTC run.

Nothing here reads the clock or touches a database: `now` is always an argument.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.errors import UserError

Days = Literal["daily", "weekdays"]
DAYS: tuple[Days, ...] = ("daily", "weekdays")

_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)

# Abbreviations people type; they name an offset, not a place, so they cannot follow DST rules.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "EST": ("America/New_York", "America/Toronto"),
    "EDT": ("America/New_York", "America/Toronto"),
    "ET": ("America/New_York", "America/Toronto"),
    "CST": ("America/Chicago", "America/Mexico_City", "Asia/Shanghai"),
    "CDT": ("America/Chicago", "America/Mexico_City"),
    "CT": ("America/Chicago",),
    "MST": ("America/Denver", "America/Phoenix"),
    "MDT": ("America/Denver",),
    "MT": ("America/Denver",),
    "PST": ("America/Los_Angeles", "America/Vancouver"),
    "PDT": ("America/Los_Angeles", "America/Vancouver"),
    "PT": ("America/Los_Angeles",),
    "AKST": ("America/Anchorage",),
    "HST": ("Pacific/Honolulu",),
    "GMT": ("Europe/London", "UTC"),
    "BST": ("Europe/London",),
    "WET": ("Europe/Lisbon",),
    "CET": ("Europe/Berlin", "Europe/Paris", "Europe/Warsaw"),
    "CEST": ("Europe/Berlin", "Europe/Paris", "Europe/Warsaw"),
    "MET": ("Europe/Berlin", "Europe/Paris"),
    "EET": ("Europe/Kyiv", "Europe/Athens", "Europe/Helsinki"),
    "EEST": ("Europe/Kyiv", "Europe/Athens", "Europe/Helsinki"),
    "MSK": ("Europe/Moscow",),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "AEST": ("Australia/Sydney", "Australia/Brisbane"),
    "AEDT": ("Australia/Sydney", "Australia/Melbourne"),
    "ACST": ("Australia/Adelaide", "Australia/Darwin"),
    "AWST": ("Australia/Perth",),
    "NZST": ("Pacific/Auckland",),
    "NZDT": ("Pacific/Auckland",),
}

# Cities and countries that are not the last part of an IANA name but are often typed.
_ALIASES: dict[str, str] = {
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "zulu": "UTC",
    "universal": "UTC",
    "india": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "boston": "America/New_York",
    "philadelphia": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "nyc": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "austin": "America/Chicago",
    "beijing": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "japan": "Asia/Tokyo",
    "korea": "Asia/Seoul",
    "germany": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "france": "Europe/Paris",
    "uk": "Europe/London",
    "england": "Europe/London",
    "britain": "Europe/London",
    "scotland": "Europe/London",
    "edinburgh": "Europe/London",
    "ireland": "Europe/Dublin",
    "spain": "Europe/Madrid",
    "italy": "Europe/Rome",
    "poland": "Europe/Warsaw",
    "ukraine": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "russia": "Europe/Moscow",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "leningrad": "Europe/Moscow",
    "netherlands": "Europe/Amsterdam",
    "canberra": "Australia/Sydney",
    "new zealand": "Pacific/Auckland",
    "wellington": "Pacific/Auckland",
    "saigon": "Asia/Ho_Chi_Minh",
    "israel": "Asia/Jerusalem",
    "tel aviv": "Asia/Jerusalem",
}

_POPULAR = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Singapore",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
)

_TIME_24 = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?$")
_TIME_12 = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?\s*m?\.?$")
_TIME_COMPACT = re.compile(r"^(?P<h>\d{2})(?P<m>\d{2})$")


def _visible(text: str) -> str:
    """Text without invisible characters: control characters become spaces; zero-width and direction marks
    (pasted along with a time or zone, or typed to scramble an echo) are dropped."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text if unicodedata.category(c) != "Cf")


def parse_local_time(text: str) -> time:
    """Turn what a person types ("08:30", "8:30am", "8 am", "20h15") into a wall-clock time."""
    text = _visible(text)
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


@lru_cache(maxsize=1)
def _zone_choices() -> dict[str, str]:
    """Map every region zone name to the text people would type for it ("america/new york")."""
    names = [*sorted(z for z in available_timezones() if z.startswith(_REGIONS)), "UTC"]
    return {name: name.replace("_", " ").lower() for name in names}


@lru_cache(maxsize=1)
def _all_zone_names() -> dict[str, str]:
    """Every IANA name that follows a place's rules, keyed in lower case (includes links like US/Eastern)."""
    names = (z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix")))
    return {name.lower(): name for name in [*names, "UTC"]}


@lru_cache(maxsize=1)
def _city_index() -> dict[str, str]:
    """Map the last part of each zone name ("new york", "kolkata") to its zone."""
    index: dict[str, str] = {}
    for name, spoken in _zone_choices().items():
        index.setdefault(spoken.rsplit("/", 1)[-1], name)
    return index


def _normalise(text: str) -> str:
    return " ".join(text.strip().replace("_", " ").replace("-", " ").lower().split())


def match_timezone(text: str) -> str:
    """Turn a typed zone ("berlin", "new york", "Europe/Berlin") into an IANA name or explain why not."""
    raw = " ".join(_visible(text).split())
    if not raw:
        raise UserError("Give a time zone such as `Europe/Berlin` or a city such as `berlin`.")
    if raw.upper() in _ABBREVIATIONS:
        options = ", ".join(f"`{z}`" for z in _ABBREVIATIONS[raw.upper()])
        raise UserError(
            f"`{raw.upper()}` is an abbreviation for an offset, and it does not switch with daylight saving "
            f"time. Use the place instead, for example {options}."
        )
    exact = _all_zone_names().get(raw.lower())
    if exact is not None:
        return exact
    wanted = _normalise(raw)
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    for name, spoken in _zone_choices().items():
        if spoken == wanted:
            return name
    if wanted in _city_index():
        return _city_index()[wanted]
    if len(wanted) >= 4:
        # Damerau-Levenshtein counts a swapped pair of letters ("berlni") as one edit.
        close = process.extract(
            wanted,
            {zone: city for city, zone in _city_index().items()},
            scorer=DamerauLevenshtein.normalized_similarity,
            processor=utils.default_process,
            score_cutoff=0.8,
            limit=2,
        )
        if len(close) == 1 or (len(close) == 2 and close[0][1] > close[1][1]):
            return str(close[0][2])
    suggestions = timezone_suggestions(raw, limit=3)
    hint = ", ".join(f"`{s}`" for s in suggestions) if suggestions else "`Europe/Berlin`, `America/New_York`"
    shown = raw[:40]
    raise UserError(f"I do not know the time zone `{shown}`. Try a city or an IANA name, for example {hint}.")


def timezone_suggestions(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for an autocomplete box: prefix matches first, then close spellings."""
    wanted = _normalise(_visible(prefix))
    if not wanted:
        return list(_POPULAR[:limit])
    found: list[str] = []
    alias = _ALIASES.get(wanted)
    if alias:
        found.append(alias)
    for name, spoken in _zone_choices().items():
        city = spoken.rsplit("/", 1)[-1]
        if (spoken.startswith(wanted) or city.startswith(wanted)) and name not in found:
            found.append(name)
    if not found and len(wanted) >= 3:
        cities = {name: spoken.rsplit("/", 1)[-1] for name, spoken in _zone_choices().items()}
        for _text, _score, name in process.extract(
            wanted,
            cities,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=70,
            limit=limit,
        ):
            if name not in found:
                found.append(name)
    return found[:limit]


def describe_run(moment: datetime, zone: ZoneInfo | str) -> str:
    """Show a UTC instant as the channel's local time, e.g. 'Mon 30 Mar 2026, 08:30 CEST (Europe/Berlin)'."""
    tz = resolve_zone(zone)
    local = _aware(moment).astimezone(tz)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()} ({tz.key})"
