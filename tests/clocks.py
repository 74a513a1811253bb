"""The one clock tests move by hand, for the bots' clocks (datetimes) and monotonic ones (seconds)."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class HandClock(Generic[T]):
    """Called, it tells the time it was set to; a test moves it by setting or adding to `now`."""

    def __init__(self, now: T) -> None:
        self.now = now

    def __call__(self) -> T:
        return self.now
