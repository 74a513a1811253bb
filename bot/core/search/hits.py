"""What a search returns: one sentence, where it is, how well it matched and which words to mark."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """A matching sentence, its place in the text, a 0-100 score and the spans to highlight.

    `match` runs from the first marked word to the last (for clipping long sentences around it); `marks` are
    the matched words and runs of contiguous matched words themselves, which are what a renderer bolds.
    `also_in` names the other texts that hold the same sentence word for word (document ids from the index;
    the library turns them into labels). `label` and `section` say which text and heading the hit is from.
    """

    document: str
    ref: str
    paragraph: int
    sentence: int
    score: int
    text: str
    match: tuple[int, int]
    marks: tuple[tuple[int, int], ...] = ()
    label: str = ""  # the text's short label (speaker and year, or title), filled in by the library
    section: str = ""  # the heading the sentence stands under, if its text has headings
    also_in: tuple[str, ...] = ()
