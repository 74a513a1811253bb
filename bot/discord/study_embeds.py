"""Study answers as Discord embeds: quiz questions and reveals, scoreboards, concordance pages."""

from __future__ import annotations

from discord import Embed
from discord.utils import escape_markdown

from bot.core.concordance import Concordance, kwic_rows, paragraph_counts
from bot.core.corpus import Document
from bot.core.quiz import KIND_NAMES, Question
from bot.discord.embeds import COLOUR, DESCRIPTION_LIMIT, clip
from bot.quiz_service import Asked, Reveal
from bot.store.quiz import QuizScore

CONCORDANCE_PAGE = 10
KWIC_SIDE = 34  # characters either side of the word: a page stays inside a phone's code block


def question_embed(asked: Asked, *, closes_at: int) -> Embed:
    """The question with its lettered choices and when it closes (a Discord relative timestamp)."""
    question, record = asked.question, asked.record
    choices = "\n".join(f"**{question.letter(i)})** {escape_markdown(c)}" for i, c in enumerate(question.choices))
    body = f"{question.asks}\n\n> {escape_markdown(question.prompt)}\n\n{choices}\n\nCloses <t:{closes_at}:R>."
    embed = Embed(
        title=f"Quiz · question {record.number + 1} of {record.round_size} ({KIND_NAMES[question.kind]})",
        description=body[:DESCRIPTION_LIMIT],
        colour=COLOUR,
    )
    embed.set_footer(text="One answer each; the answer is shown when the question closes.")
    return embed


def reveal_embed(reveal: Reveal, document: Document) -> Embed:
    """The closed question: the right answer, where the sentence stands, and who got it."""
    question = reveal.asked.question
    record = reveal.asked.record
    lines = [
        f"> {escape_markdown(question.prompt)}",
        "",
        *(_choice_line(question, i) for i in range(len(question.choices))),
        "",
        f"Answer: **{question.letter(question.answer)}) {escape_markdown(question.answer_text)}** "
        f"· {escape_markdown(document.title)}, §{question.ref}",
        reveal.who_got_it(escape_markdown),
    ]
    embed = Embed(
        title=f"Quiz · question {record.number + 1} of {record.round_size}: closed",
        description="\n".join(lines)[:DESCRIPTION_LIMIT],
        colour=COLOUR,
    )
    if reveal.next is None and record.round_size > 1:
        embed.set_footer(text="That was the last question of the round. /quiz-scores shows the scoreboard.")
    return embed


def scores_embed(scores: list[QuizScore], where: str) -> Embed:
    """The scoreboard, best first (names as they were when people answered, never mentions)."""
    if not scores:
        text = "No answers yet. Start a round with /quiz."
    else:
        text = "\n".join(
            f"{place}. {escape_markdown(s.user_name)}: {s.right} right of {s.answered}"
            for place, s in enumerate(scores, start=1)
        )
    return Embed(title=clip(f"Quiz scores · {where}", 256), description=text[:DESCRIPTION_LIMIT], colour=COLOUR)


def concordance_embed(found: Concordance, title_of: dict[str, str], offset: int) -> Embed:
    """A page of keyword-in-context lines, the word aligned in a code block, with the counts."""
    total = len(found.occurrences)
    shown = len(found.occurrences[offset : offset + CONCORDANCE_PAGE])
    several = len(found.per_document) > 1
    rows = [row.replace("`", "'") for row in kwic_rows(found, offset=offset, limit=CONCORDANCE_PAGE, side=KWIC_SIDE)]
    heading = ""
    if found.corrected:
        heading = f"No “{escape_markdown(found.query)}” in the texts; showing results for “{found.word}”.\n"
    counts = paragraph_counts(found)
    per_text = ""
    if several:
        per_text = "\nPer text: " + ", ".join(f"{title_of.get(d, d)} {n}" for d, n in found.per_document.items())
    body = f"{heading}```\n" + "\n".join(rows) + f"\n```Per paragraph: {counts}{per_text}"
    embed = Embed(
        title=clip(f"Concordance: {found.word} ({', '.join(found.forms)})", 256),
        description=body[:DESCRIPTION_LIMIT],
        colour=COLOUR,
    )
    span = f"{offset + 1}-{offset + shown}" if shown else "none"
    embed.set_footer(text=f"Uses {span} of {total}")
    return embed


def _choice_line(question: Question, index: int) -> str:
    mark = "✅" if index == question.answer else "▫️"
    return f"{mark} {question.letter(index)}) {escape_markdown(question.choices[index])}"
