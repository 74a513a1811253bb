"""Keeping server indexes within a memory budget: an honest size for each, and a least-recently-used cache."""

from __future__ import annotations

import gc
import tracemalloc
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

CALIBRATION_BYTES = 64 * 1024  # texts at least this large set the bytes-per-byte ratio once


class SizeGauge:
    """How much memory an index takes, measured with tracemalloc until one large enough build sets a ratio
    of memory to text bytes; later builds are sized by that ratio without tracing (tracing is slow)."""

    def __init__(self) -> None:
        self.ratio: float | None = None

    def build(self, text_bytes: int, make: Callable[[], T]) -> tuple[T, int]:
        """Run `make` and return its result with the memory it holds (measured, or by the known ratio)."""
        if self.ratio is not None:
            return make(), self.estimate(text_bytes)
        started = not tracemalloc.is_tracing()
        if started:
            tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        try:
            made = make()
            size = max(0, tracemalloc.get_traced_memory()[0] - before)
        finally:
            if started:
                tracemalloc.stop()
        if text_bytes >= CALIBRATION_BYTES:
            self.ratio = size / text_bytes
        return made, size

    def estimate(self, text_bytes: int) -> int:
        """The memory an index of `text_bytes` of text takes by the measured ratio (0 before measuring)."""
        return round((self.ratio or 0.0) * text_bytes)


class BudgetCache(Generic[T]):
    """Values with their sizes, the least recently used dropped while the total is over the budget
    (the newest is always kept, so one value larger than the budget still serves its caller)."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self.total = 0
        self.evictions = 0
        self.dropped_bytes = 0  # sizes evicted since the last reclaim
        self._items: OrderedDict[str, tuple[T, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> T | None:
        """The value for `key`, now the most recently used; None when it was never put or was dropped."""
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: str, value: T, size: int) -> None:
        """Keep a value, dropping the least recently used ones until the total fits the budget."""
        old = self._items.pop(key, None)
        if old is not None:
            self.total -= old[1]
        self._items[key] = (value, size)
        self.total += size
        while self.total > self.budget_bytes and len(self._items) > 1:
            _, (_, dropped) = self._items.popitem(last=False)
            self.total -= dropped
            self.evictions += 1
            self.dropped_bytes += dropped


def reclaim_frozen() -> None:
    """Free evicted indexes: they are built under gc.freeze (see search.paused_gc), so their reference cycles
    stay out of the collector's sight; one full collection finds them, then everything alive is frozen again."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
