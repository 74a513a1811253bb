"""Which passage belongs to a day or to a channel's n-th post: pure, so every rule can be tested."""

from __future__ import annotations

import datetime as dt
import random
import threading
from functools import lru_cache
from typing import Literal

from bot.core.corpus import Document, Passage

Mode = Literal["shuffle", "sequential"]
EPOCH = dt.date(2024, 1, 1)
CHECKPOINT_EVERY = 64  # cycles between the orders a shuffle keeps, so a far day costs at most this many draws


def passage_for(day: dt.date, document: Document) -> Passage:
    """The passage of the day: the same for everyone on that day, no repeats until all were shown."""
    return nth_passage(document, (day - EPOCH).days, mode="shuffle", seed="passage-of-the-day")


def nth_passage(document: Document, n: int, *, mode: Mode = "shuffle", seed: str = "") -> Passage:
    """The n-th passage of a plan: `sequential` reads the text in order, `shuffle` visits each once per cycle.

    A shuffled passage never comes back sooner than `min_gap(count)` posts later (more than half a cycle),
    across cycle boundaries too.
    """
    passages = document.daily_passages
    count = len(passages)
    if mode == "sequential":
        return passages[n % count]
    cycle, position = divmod(n, count)
    return passages[_cycle_order(document.id, seed, count, cycle)[position]]


def planned_passage(document: Document, n: int, *, mode: Mode, plan: int | str) -> Passage:
    """The n-th post of a channel's plan; the plan's id (the subscription's) seeds the shuffle, so channels differ."""
    return nth_passage(document, n, mode=mode, seed=str(plan))


def min_gap(count: int) -> int:
    """How many posts apart the same passage must be in a shuffle: more than half of the cycle."""
    return count // 2 + 1


@lru_cache(maxsize=4096)
def _cycle_order(doc_id: str, seed: str, count: int, cycle: int) -> tuple[int, ...]:
    """The order of one cycle of a shuffle (negative cycles: days before the epoch)."""
    if cycle >= 0:
        return _chain(doc_id, seed, count, "+").order(cycle)
    # Before the epoch the plan runs backwards from cycle 0: reversing a sequence keeps every gap between
    # repeats, so the same rule holds across the whole timeline.
    return tuple(reversed(_chain(doc_id, seed, count, "-").order(-cycle)))


class _Chain:
    """Cycle orders drawn one after another, each constrained by the one before (so repeats stay far apart)."""

    def __init__(self, doc_id: str, seed: str, count: int, direction: str) -> None:
        self.doc_id, self.seed, self.count, self.direction = doc_id, seed, count, direction
        self._lock = threading.Lock()
        forward = _shuffled(doc_id, seed, count, 0)
        self._checkpoints = [forward if direction == "+" else tuple(reversed(forward))]

    def order(self, cycle: int) -> tuple[int, ...]:
        """The k-th cycle's order, from the nearest kept checkpoint."""
        mark, steps = divmod(cycle, CHECKPOINT_EVERY)
        with self._lock:
            while len(self._checkpoints) <= mark:
                start = (len(self._checkpoints) - 1) * CHECKPOINT_EVERY
                self._checkpoints.append(self._walk(self._checkpoints[-1], start, CHECKPOINT_EVERY))
            base = self._checkpoints[mark]
        return self._walk(base, mark * CHECKPOINT_EVERY, steps)

    def _walk(self, order: tuple[int, ...], cycle: int, steps: int) -> tuple[int, ...]:
        for k in range(cycle + 1, cycle + steps + 1):
            seed = self.seed if self.direction == "+" else f"{self.seed}|before-epoch"
            order = next_cycle(order, _shuffled(self.doc_id, seed, self.count, k))
        return order


@lru_cache(maxsize=1024)
def _chain(doc_id: str, seed: str, count: int, direction: str) -> _Chain:
    return _Chain(doc_id, seed, count, direction)


def next_cycle(previous: tuple[int, ...], draw: tuple[int, ...]) -> tuple[int, ...]:
    """The next cycle: the draw's order, except that no item lands within `min_gap` of its previous showing.

    An item at position p of the previous cycle may only take position q >= p + gap - count; filling the
    positions in turn with the earliest-drawn item allowed there never gets stuck (each position has at
    least one allowed item left), so every cycle still shows every item once.
    """
    count = len(previous)
    gap = min(min_gap(count), count)
    earliest = {item: p + gap - count for p, item in enumerate(previous)}
    left = list(draw)
    order: list[int] = []
    for q in range(count):
        pick = next(item for item in left if earliest[item] <= q)
        left.remove(pick)
        order.append(pick)
    return tuple(order)


def _shuffled(doc_id: str, seed: str, count: int, cycle: int) -> tuple[int, ...]:
    order = list(range(count))
    random.Random(f"{doc_id}|{seed}|{cycle}").shuffle(order)  # noqa: S311 - a reading order, not a secret
    return tuple(order)
