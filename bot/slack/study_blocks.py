"""Study answers as Block Kit: quiz questions with answer buttons, reveals, scoreboards, concordance pages."""

from __future__ import annotations

import json

from bot.core.concordance import Concordance, kwic_rows, paragraph_counts
from bot.core.corpus import Document
from bot.core.quiz import KIND_NAMES, Question
from bot.quiz_service import Asked, Reveal
from bot.slack.blocks import Block, SlackMessage, escape
from bot.store.quiz import QuizScore

QUIZ_ACTION = "speech_quiz_answer"
CONCORDANCE_ACTION = "speech_concordance_more"
CONCORDANCE_PAGE = 10
KWIC_SIDE = 34
SECTION_LIMIT = 3000


def _section(text: str) -> Block:
    """A verbatim mrkdwn section: teachers' texts are never auto-linked or turned into mentions."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT], "verbatim": True}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT], "verbatim": True}]}


def question_message(asked: Asked) -> SlackMessage:
    """The question for the channel, one button per choice; the key in each value makes them restart-proof."""
    question, record = asked.question, asked.record
    closes = int(record.closes_at.timestamp())
    heading = f"*Quiz · question {record.number + 1} of {record.round_size}* ({KIND_NAMES[question.kind]})"
    choices = "\n".join(f"*{question.letter(i)})* {escape(c)}" for i, c in enumerate(question.choices))
    buttons = [
        {
            "type": "button",
            "action_id": f"{QUIZ_ACTION}_{i}",
            "text": {"type": "plain_text", "text": question.letter(i)},
            "value": json.dumps({"k": record.key, "c": i}),
        }
        for i in range(len(question.choices))
    ]
    when = f"<!date^{closes}^{{time_secs}}|when the time is up>"
    blocks = [
        _section(f"{heading}\n{escape(question.asks)}"),
        _section(f"> {escape(question.prompt)}\n\n{choices}"),
        {"type": "actions", "block_id": f"quiz_{record.key}", "elements": buttons},
        _context(f"One answer each; the answer is shown at {when}."),
    ]
    return SlackMessage(text=f"Quiz question {record.number + 1}: {question.asks}", blocks=blocks, public=True)


def reveal_message(reveal: Reveal, document: Document) -> SlackMessage:
    """The closed question in place of the open one: the right answer, where it stands, who got it."""
    question, record = reveal.asked.question, reveal.asked.record
    marks = "\n".join(_choice_line(question, i) for i in range(len(question.choices)))
    answer = (
        f"Answer: *{question.letter(question.answer)}) {escape(question.answer_text)}* · "
        f"{escape(document.title)}, §{question.ref}"
    )
    blocks = [
        _section(f"*Quiz · question {record.number + 1} of {record.round_size}: closed*"),
        _section(f"> {escape(question.prompt)}\n\n{marks}\n\n{answer}\n{reveal.who_got_it(escape)}"),
    ]
    if reveal.next is None and record.round_size > 1:
        blocks.append(_context("That was the last question of the round; `quiz scores` shows the scoreboard."))
    return SlackMessage(text=f"Answer: {question.answer_text}", blocks=blocks, public=True)


def scores_message(scores: list[QuizScore]) -> SlackMessage:
    """The workspace's scoreboard, best first, with names as plain text (never mentions)."""
    if not scores:
        text = "No quiz answers yet in this workspace."
    else:
        text = "\n".join(
            f"{place}. {escape(s.user_name)}: {s.right} right of {s.answered}" for place, s in enumerate(scores, 1)
        )
    return SlackMessage(text="Quiz scores", blocks=[_section(f"*Quiz scores*\n{text}")], public=True)


def concordance_message(found: Concordance, title_of: dict[str, str], offset: int, document: str) -> SlackMessage:
    """A private page of keyword-in-context lines, the word aligned in a code block, with "More uses"."""
    total = len(found.occurrences)
    shown = len(found.occurrences[offset : offset + CONCORDANCE_PAGE])
    several = len(found.per_document) > 1
    rows = [row.replace("`", "'") for row in kwic_rows(found, offset=offset, limit=CONCORDANCE_PAGE, side=KWIC_SIDE)]
    lines = []
    if found.corrected:
        lines.append(f"No “{escape(found.query)}” in the texts; showing results for “{escape(found.word)}”.")
    lines.append(f"*Concordance: {escape(found.word)}* ({escape(', '.join(found.forms))}): {total} uses")
    counts = paragraph_counts(found)
    blocks = [_section("\n".join(lines)), _section("```" + escape("\n".join(rows)) + "```")]
    footer = f"Uses {offset + 1}-{offset + shown} of {total} · per paragraph: {counts}"
    if several:
        footer += " · per text: " + ", ".join(f"{title_of.get(d, d)} {n}" for d, n in found.per_document.items())
    blocks.append(_context(escape(footer)))
    following = offset + CONCORDANCE_PAGE
    if total > CONCORDANCE_PAGE:
        value = json.dumps({"w": found.word, "o": following if following < total else 0, "d": document})
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CONCORDANCE_ACTION,
                        "text": {"type": "plain_text", "text": "More uses"},
                        "value": value,
                    }
                ],
            }
        )
    return SlackMessage(text=f"Concordance: {found.word}", blocks=blocks, public=False)


def _choice_line(question: Question, index: int) -> str:
    mark = ":white_check_mark:" if index == question.answer else ":white_small_square:"
    return f"{mark} {question.letter(index)}) {escape(question.choices[index])}"
