"""The one clock: the time and the day in UTC, the same for the bots, the console and the CLI.

Everything that needs the time takes a `Clock` argument defaulting to `utc_now`, so tests pass a fixed one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]
Today = Callable[[], date]


def utc_now() -> datetime:
    """The real time, aware and in UTC."""
    return datetime.now(UTC)


def today_utc(clock: Clock = utc_now) -> date:
    """The UTC calendar day of `clock`, whatever zone the machine is in: the day the bots post for."""
    return clock().astimezone(UTC).date()
