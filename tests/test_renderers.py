"""Every kind of answer is shown by every renderer: Discord embeds, Slack blocks and the console's text."""

from __future__ import annotations

import datetime as dt
import random
from typing import get_args

import pytest

from bot.console import render_plain
from bot.core.commands import answer
from bot.core.library import Library
from bot.core.replies import ErrorReply, Reply
from bot.discord.embeds import reply_embeds
from bot.slack import blocks

LINES = ("3.2", "search enemy of the people", "context 3", "daily", "cite 5 apa", "about", "texts", "help", "quote 99")


@pytest.fixture(scope="module")
def every_kind(library: Library) -> list[Reply]:
    replies = [answer(library, line, today=dt.date(2026, 3, 1), rng=random.Random(1)) for line in LINES]
    assert {type(reply) for reply in replies} == set(get_args(Reply))  # one of each kind, none left out
    return replies


def test_every_answer_renders_on_every_platform(every_kind: list[Reply], library: Library) -> None:
    titles = {doc_id: doc.title for doc_id, doc in library.documents.items()}
    for reply in every_kind:
        assert render_plain(reply).strip(), reply
        message = blocks.render(reply)
        assert message.text and message.blocks, reply
        if not isinstance(reply, ErrorReply):  # Discord shows errors as a private line, not as embeds
            embeds = reply_embeds(reply, titles)
            assert embeds and all(embed.description for embed in embeds), reply
