"""Slack listeners: take the slash command or button, ask the core's commands, hand the reply to blocks."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import commands
from bot.core.errors import UserError
from bot.core.library import Library
from bot.slack import blocks, study_blocks

if TYPE_CHECKING:
    from bot.slack.daily import SlackDailyCommands
    from bot.slack.study import SlackStudy

DAILY_SUBCOMMANDS = ("setup", "stop", "status", "preview", "now")
STUDY_SUBCOMMANDS = frozenset({"quiz", "concordance", "trend", "card"})
NO_DAILY_POSTS = "Scheduled daily posts are not switched on for this bot; `daily` alone shows today's passage."
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
SOMETHING_WRONG = "Something went wrong on our side; please try again in a moment."

log = logging.getLogger("speechbot.slack")


@dataclass
class SpeechListeners:
    """The bot's Slack listeners, bound to one library, command name and clock."""

    library: Library
    command_name: str
    today: Callable[[], dt.date]
    daily: SlackDailyCommands | None = None
    study: SlackStudy | None = None
    rng: random.Random = field(default_factory=random.Random)

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """The slash command: the core answers in well under a millisecond, so the answer rides on the ack.

        Daily-post subcommands talk to the database and Slack's API, so they ack at once (Slack waits 3 s
        at most) and answer through response_url afterwards.
        """
        text = command.get("text") or ""
        words = text.split()
        if len(words) > 1 and words[0].lower() == "daily" and words[1].lower() in DAILY_SUBCOMMANDS:
            await ack()
            async with _always_answered(respond, "daily command"):
                if self.daily is None:
                    await respond(**blocks.error_message(NO_DAILY_POSTS).as_kwargs())
                else:
                    await respond(**(await self.daily.run(words[1:], command, client)).as_kwargs())
            return
        if words and self.study is not None and words[0].lower() in STUDY_SUBCOMMANDS:
            await ack()  # quizzes, charts and cards talk to the database and Slack's API: answer afterwards
            async with _always_answered(respond, "study command"):
                message = await self.study.run(words, command, client)
                if message is not None:
                    await respond(**message.as_kwargs())
            return
        try:
            prefix = f"{self.command_name} "
            reply = commands.answer(self.library, text, today=self.today(), rng=self.rng, prefix=prefix)
            message = blocks.render(reply)
        except Exception:
            log.exception("Slack command failed")  # the traceback, not the user's text
            message = blocks.error_message(SOMETHING_WRONG)
        await ack(**message.as_kwargs())

    async def on_post(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The "Post to channel" button: share the chosen passage publicly, then remove the private result list."""
        await ack()
        async with _always_answered(respond, "post button"):
            await self._post(body, respond)

    async def _post(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        value = blocks.button_value(_action_value(body))
        ref, document = value.get("r"), value.get("d")
        if not isinstance(ref, str) or not ref or not isinstance(document, str):
            await respond(**blocks.error_message("That button has expired; search again.").as_kwargs())
            return
        reply = _guarded(lambda: commands.quote(self.library, ref, document=document, rng=self.rng))
        message = blocks.render(reply, shared_by=_user_id(body))
        await respond(**message.as_kwargs(), replace_original=False)
        if message.public:
            await respond(delete_original=True)

    async def on_more(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The "More results" button: replace the private result list with the next page."""
        await ack()
        async with _always_answered(respond, "more button"):
            await self._more(body, respond)

    async def _more(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        value = blocks.button_value(_action_value(body))
        query, offset, document = value.get("q"), value.get("o"), value.get("d")
        if not isinstance(query, str) or not isinstance(offset, int) or offset < 0:
            await respond(**blocks.error_message("That button has expired; search again.").as_kwargs())
            return
        doc = document if isinstance(document, str) and document else None
        reply = _guarded(lambda: commands.search(self.library, query, document=doc, offset=offset))
        await respond(**blocks.render(reply).as_kwargs(), replace_original=True)


def register(
    app: AsyncApp,
    library: Library,
    *,
    command_name: str,
    today: Callable[[], dt.date],
    daily: SlackDailyCommands | None = None,
    study: SlackStudy | None = None,
) -> SpeechListeners:
    """Register every Slack listener in one visible place."""
    listeners = SpeechListeners(library, command_name, today, daily, study)
    app.command(command_name)(listeners.on_command)
    app.action(blocks.POST_ACTION)(listeners.on_post)
    app.action(blocks.MORE_ACTION)(listeners.on_more)
    if study is not None:
        app.action(re.compile(rf"^{study_blocks.QUIZ_ACTION}_\d$"))(study.on_answer)
        app.action(study_blocks.CONCORDANCE_ACTION)(study.on_concordance_more)
    return listeners


@contextlib.asynccontextmanager
async def _always_answered(respond: AsyncRespond, what: str) -> AsyncIterator[None]:
    """After the ack nobody else answers: turn a failure into a private apology instead of silence."""
    try:
        yield
    except Exception:
        log.exception("Slack %s failed", what)  # the traceback, not the user's text
        with contextlib.suppress(Exception):
            await respond(**blocks.error_message(SOMETHING_WRONG).as_kwargs())


def _guarded(make: Callable[[], commands.Reply]) -> commands.Reply:
    """The core's reply, with a UserError from a stale button turned into an error reply."""
    try:
        return make()
    except UserError as problem:
        return commands.error(problem.message)


def _action_value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    value = actions[0].get("value")
    return value if isinstance(value, str) else None


def _user_id(body: dict[str, Any]) -> str | None:
    user = (body.get("user") or {}).get("id")
    return user if isinstance(user, str) and _USER_ID.match(user) else None
