"""Highlighting: which words of a hit to mark, the matched words and runs of them, not the text between."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Container

from bot.core.normalize import words_with_spans


def marks(text: str, matched: dict[str, int], query_words: Container[str]) -> tuple[tuple[int, int], ...]:
    """Spans to bold: the query's matched words in the tightest stretch holding the most of them.

    `matched` maps each normal word that counts as a query term to the term's number. Neighbouring
    matched words form one span ("barbaric tortures"), and so do query words between two of them ("enemy
    of the people"); other words between matches stay plain ("XVIIth *Party Congress* [1934], when ...").
    """
    words = words_with_spans(text)
    found = [(matched[w], index) for index, (w, _, _) in enumerate(words) if w in matched]
    if not found:
        return ()
    first, last = _best_window(found, [words[index][1] for _, index in found], terms=len(set(matched.values())))
    spans: list[tuple[int, int]] = []
    run_start: int | None = None  # index of the run's first matched word
    run_end = 0  # index of its last matched word
    for index in range(first, last + 1):
        word = words[index][0]
        if word in matched:
            if run_start is None:
                run_start = index
            run_end = index
        elif run_start is not None and word not in query_words:
            spans.append((words[run_start][1], words[run_end][2]))
            run_start = None
    if run_start is not None:
        spans.append((words[run_start][1], words[run_end][2]))
    return tuple(spans)


def _best_window(found: list[tuple[int, int]], starts: list[int], *, terms: int) -> tuple[int, int]:
    """Word indexes of the first and last match in the shortest stretch that holds the most distinct terms."""
    reach = max(2 * terms + 2, 3) * 12  # characters a highlighted stretch may run past its first word
    best: tuple[int, int, int, int] = (0, 0, found[0][1], found[0][1])  # distinct, -width, first, last
    held: Counter[int] = Counter()  # terms of the matches found[i:end], kept as the window slides (linear time)
    end = 0
    for i, start in enumerate(starts):
        while end < len(found) and starts[end] - start <= reach:
            held[found[end][0]] += 1
            end += 1
        last = i  # the window cut back to where it first holds every term it holds
        seen = {found[i][0]}
        while len(seen) < len(held):
            last += 1
            seen.add(found[last][0])
        candidate = (len(held), start - starts[last], found[i][1], found[last][1])
        if candidate[:2] > best[:2]:
            best = candidate
        held[found[i][0]] -= 1
        if not held[found[i][0]]:
            del held[found[i][0]]
    return best[2], best[3]


def covering(spans: Collection[tuple[int, int]]) -> tuple[int, int]:
    """The stretch from the first mark to the last, (0, 0) when nothing is marked."""
    if not spans:
        return (0, 0)
    return min(start for start, _ in spans), max(end for _, end in spans)
