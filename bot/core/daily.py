"""Which passage belongs to a day or to a channel's n-th post: pure, so every rule can be tested."""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache
from typing import Literal

from bot.core.corpus import Document, Passage

Mode = Literal["shuffle", "sequential"]
EPOCH = dt.date(2024, 1, 1)


def passage_for(day: dt.date, document: Document) -> Passage:
    """The passage of the day: the same for everyone on that day, no repeats until all were shown."""
    return nth_passage(document, (day - EPOCH).days, mode="shuffle", seed="passage-of-the-day")


def nth_passage(document: Document, n: int, *, mode: Mode = "shuffle", seed: str = "") -> Passage:
    """The n-th passage of a plan: `sequential` reads the text in order, `shuffle` visits each once per cycle."""
    passages = document.daily_passages
    count = len(passages)
    if mode == "sequential":
        return passages[n % count]
    cycle, position = divmod(n, count)
    return passages[_cycle_order(document.id, seed, count, cycle)[position]]


@lru_cache(maxsize=4096)
def _cycle_order(doc_id: str, seed: str, count: int, cycle: int) -> tuple[int, ...]:
    """A shuffled order for one cycle whose first item never repeats the previous cycle's last."""
    if count <= 2:
        return tuple(range(count))  # with two passages, 0 1 0 1 is the only order without a repeat
    order = _shuffled(doc_id, seed, count, cycle)
    if order[0] == _shuffled(doc_id, seed, count, cycle - 1)[-1]:
        order[0], order[1] = order[1], order[0]  # the swap never touches the last item, which stays as drawn
    return tuple(order)


def _shuffled(doc_id: str, seed: str, count: int, cycle: int) -> list[int]:
    order = list(range(count))
    random.Random(f"{doc_id}|{seed}|{cycle}").shuffle(order)  # noqa: S311 - a reading order, not a secret
    return order
