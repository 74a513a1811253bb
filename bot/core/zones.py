"""Time-zone names as people type them: "berlin", "new york", "Europe/Berlin" or a typo, to an IANA zone.

Matching and suggesting zones is its own job beside the scheduling rules in bot/core/schedule.py.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.errors import UserError

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


def visible(text: str) -> str:
    """Text without invisible characters: control characters become spaces; zero-width and direction marks
    (pasted along with a time or zone, or typed to scramble an echo) are dropped."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text if unicodedata.category(c) != "Cf")


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
    raw = " ".join(visible(text).split())
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
    wanted = _normalise(visible(prefix))
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
