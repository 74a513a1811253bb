"""Slack listeners: take the slash command or button, ask the core's commands, hand the reply to blocks."""

from __future__ import annotations

import asyncio
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
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import commands
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.render import SOMETHING_WRONG, quotation
from bot.core.replies import HelpReply, Reply
from bot.metrics import METRICS
from bot.server_texts import Libraries, scope_of
from bot.slack import blocks, study_blocks
from bot.slack.config import PLATFORM
from bot.slack.daily_words import read_daily_words
from bot.slack.texts import ADD_TEXT_SHORTCUT, CONFIRM_REMOVE_ACTION, SlackTexts, texts_help

if TYPE_CHECKING:
    from bot.slack.daily import SlackDailyCommands
    from bot.slack.study import SlackStudy
    from bot.store import Store

# Messages sent for one command or button press: a response_url takes five, one is kept for an apology.
BURST = 4
CONTINUED_KEPT = 1000  # Continue presses remembered, so a double press sends its parts once
TOO_LONG = "This answer is too long for Slack; {} more part(s) were not sent."
UNINSTALLED = "the app was removed from this Slack workspace; reinstall it and run daily setup again"
REVOKED = "the app's Slack access to this workspace was revoked; reinstall it and run daily setup again"
STUDY_SUBCOMMANDS = frozenset({"quiz", "concordance", "trend", "card"})
NO_DAILY_POSTS = "Scheduled daily posts are not switched on for this bot; `daily` alone shows today's passage."
NO_TEXTS = "A workspace's own texts need the bot's database, which this process was started without."
LIBRARY_WAIT = 2.0  # seconds to wait for a workspace's library before acking and answering afterwards

log = logging.getLogger("speechbot.slack")


@dataclass
class SpeechListeners:
    """The bot's Slack listeners, bound to the workspaces' libraries, a command name and a clock."""

    libraries: Libraries
    command_name: str
    today: Callable[[], dt.date]
    daily: SlackDailyCommands | None = None
    study: SlackStudy | None = None
    texts: SlackTexts | None = None
    rng: random.Random = field(default_factory=random.Random)
    _continued: dict[tuple[str, str, int], None] = field(default_factory=dict)

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """The slash command, in HTTP and Socket Mode alike; each one answered is counted for /metrics."""
        await self._command(ack, command, respond, client)
        METRICS.count_command("slack")

    async def _command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """The core answers in well under a millisecond, so the answer rides on the ack.

        Daily-post subcommands talk to the database and Slack's API, so they ack at once (Slack waits 3 s
        at most) and answer through response_url afterwards; so do answers too long for one message.
        """
        text = command.get("text") or ""
        words = text.split()
        is_daily = bool(words) and words[0].lower() == "daily"
        if is_daily and len(words) > 1:
            try:
                subcommand = read_daily_words(words[1:], self.command_name)
            except UserError as problem:
                hint = NO_DAILY_POSTS if self.daily is None else problem.message
                await ack(**blocks.error_message(hint).as_kwargs())
                return
            if subcommand is not None:
                await ack()
                async with _always_answered(respond, "daily command"):
                    if self.daily is None:
                        await respond(**blocks.error_message(NO_DAILY_POSTS).as_kwargs())
                    else:
                        await self._send(respond, await self.daily.run(subcommand, command, client))
                return
        if words and words[0].lower() == "text":
            await ack()  # a workspace's texts live in the database; removing asks Slack who is an admin
            async with _always_answered(respond, "text command"):
                listed = blocks.error_message(NO_TEXTS)
                if self.texts is not None:
                    listed = await self.texts.run(words, command, client)
                await self._send(respond, listed)
            return
        if words and self.study is not None and words[0].lower() in STUDY_SUBCOMMANDS:
            await ack()  # quizzes, charts and cards talk to the database and Slack's API: answer afterwards
            async with _always_answered(respond, "study command"):
                message = await self.study.run(words, command, client)
                if message is not None:
                    await self._send(respond, message)
            return
        team, channel = command.get("team_id"), command.get("channel_id")
        reading = asyncio.ensure_future(self._reading(team, channel))
        done, _ = await asyncio.wait({reading}, timeout=LIBRARY_WAIT)
        if not done:
            await ack()  # a workspace's texts are being indexed for the first time: answer through response_url
        try:
            library, default = await reading
            today = await self._channel_today(command) if is_daily else self.today()
            prefix = f"{self.command_name} "
            reply = commands.answer(library, text, today=today, rng=self.rng, prefix=prefix, default=default)
            if isinstance(reply, HelpReply):
                reply = HelpReply(f"{reply.text}\n{texts_help(self.command_name)}")
            message = blocks.render(reply)
        except Exception:
            log.exception("Slack command failed")  # the traceback, not the user's text
            message = blocks.error_message(SOMETHING_WRONG)
        if done and len(message.parts()) == 1:
            await ack(**message.as_kwargs())
            return
        if done:
            await ack()
        async with _always_answered(respond, "long answer"):
            await self._send(respond, message)

    async def _reading(self, team: str | None, channel: str | None) -> tuple[Library, str | None]:
        """The workspace's library and the text its commands read when they name none (the channel's first)."""
        scope = scope_of(PLATFORM, team)
        library = await asyncio.to_thread(self.libraries.for_scope, scope)
        default = await asyncio.to_thread(self.libraries.default_document, scope, channel)
        return library, default

    async def library_of(self, body: dict[str, Any]) -> Library:
        """The library of the workspace a button was pressed in."""
        return await asyncio.to_thread(self.libraries.for_scope, scope_of(PLATFORM, team_of(body)))

    async def _channel_today(self, command: dict[str, Any]) -> dt.date:
        """Today where the channel's own daily post is scheduled, so `daily` shows the same day; else UTC."""
        if self.daily is None:
            return self.today()
        try:
            local = await self.daily.today(command)
        except Exception:
            log.warning("could not read the channel's daily time zone; showing the UTC day", exc_info=True)
            return self.today()
        return self.today() if local is None else local

    async def _send(
        self, respond: AsyncRespond, message: blocks.SlackMessage, *, first: int = 0, room: int = BURST
    ) -> None:
        """Send the parts from `first` on, at most `room` of them; a Continue button asks for the rest."""
        parts = message.parts()
        chosen = parts[first : first + room]
        for offset, part in enumerate(chosen):
            number = first + offset
            if offset == len(chosen) - 1 and number + 1 < len(parts):
                if message.origin is None:
                    await respond(**part.as_kwargs(), replace_original=False)
                    log.warning("a Slack answer of %d parts cannot be rendered again; sent %d", len(parts), number + 1)
                    await respond(**blocks.error_message(TOO_LONG.format(len(parts) - number - 1)).as_kwargs())
                    return
                value = {**message.origin, "n": number + 1}
                part = blocks.with_continue(part, value, next_part=number + 2, total=len(parts))
            await respond(**part.as_kwargs(), replace_original=False)

    async def on_continue(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The "Continue reading" button: the next parts of a long passage, and no button left on the last one."""
        await ack()
        async with _always_answered(respond, "continue button"):
            await self._continue(body, respond)

    async def _continue(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        value = blocks.button_value(_action_value(body))
        number = value.get("n")
        message = self._rebuild(await self.library_of(body), value)
        if message is None or not isinstance(number, int) or not 0 < number < len(message.parts()):
            await respond(**blocks.error_message("That button has expired; ask for the passage again.").as_kwargs())
            return
        channel, container = body.get("channel") or {}, body.get("container") or {}
        where = (str(channel.get("id")), str(container.get("message_ts")), number)
        if where in self._continued:
            return  # pressed twice (or by two people at once): those parts are already on their way
        self._continued[where] = None
        while len(self._continued) > CONTINUED_KEPT:
            del self._continued[next(iter(self._continued))]
        pressed = message.parts()[number - 1]
        await respond(**pressed.as_kwargs(), replace_original=True)  # the same part, without its button
        await self._send(respond, message, first=number, room=BURST - 1)

    def _rebuild(self, library: Library, value: dict[str, Any]) -> blocks.SlackMessage | None:
        """The long answer a Continue button belongs to, rendered again from the ref it names."""
        kind, document, ref = value.get("k"), value.get("d"), value.get("r")
        if not isinstance(document, str):
            return None
        try:
            if kind == "quote" and isinstance(ref, str):
                heading, shared_by = value.get("h"), value.get("s")
                return blocks.quotation_message(
                    quotation(library.document(document).passage(ref)),
                    heading=heading if isinstance(heading, str) else None,
                    shared_by=shared_by if isinstance(shared_by, str) and blocks.is_user_id(shared_by) else None,
                    public=value.get("p") is not False,
                )
            if kind == "context" and isinstance(ref, str):
                return blocks.render(commands.context(library, ref, document=document))
            if kind == "about":
                return blocks.render(commands.about(library, document=document))
        except UserError:
            return None
        return None

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
        library = await self.library_of(body)
        reply = _guarded(lambda: commands.quote(library, ref, document=document, rng=self.rng))
        message = blocks.render(reply, shared_by=_user_id(body))
        await self._send(respond, message, room=BURST - 1)
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
        library = await self.library_of(body)
        reply = _guarded(lambda: commands.search(library, query, document=doc, offset=offset))
        await respond(**blocks.render(reply).as_kwargs(), replace_original=True)


@dataclass
class RemovalListeners:
    """`app_uninstalled` and `tokens_revoked`: forget the workspace's token and pause its daily posts."""

    store: Store | None
    installations: AsyncInstallationStore | None
    now: Callable[[], dt.datetime]

    async def on_app_uninstalled(self, context: AsyncBoltContext) -> None:
        """The app was removed from a workspace: nothing can be posted there any more."""
        await self._remove(context, UNINSTALLED)

    async def on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """A revoked bot token ends posting too; revoked user tokens change nothing (the app keeps none)."""
        if (event.get("tokens") or {}).get("bot"):
            await self._remove(context, REVOKED)

    async def _remove(self, context: AsyncBoltContext, reason: str) -> None:
        org_wide = bool(context.is_enterprise_install)
        team = None if org_wide else context.team_id
        if self.installations is not None:
            await self.installations.async_delete_all(enterprise_id=context.enterprise_id, team_id=team)
        paused = 0
        if self.store is not None and team:
            paused = await self.store.pause_workspace.aio(PLATFORM, team, reason=reason, now=self.now())
        workspace = team or context.enterprise_id
        log.warning("Slack workspace %s: %s; %d daily subscription(s) paused", workspace, reason, paused)


def register(
    app: AsyncApp,
    libraries: Libraries,
    *,
    command_name: str,
    today: Callable[[], dt.date],
    daily: SlackDailyCommands | None = None,
    removal: RemovalListeners | None = None,
    study: SlackStudy | None = None,
    texts: SlackTexts | None = None,
) -> SpeechListeners:
    """Register every Slack listener in one visible place."""
    listeners = SpeechListeners(libraries, command_name, today, daily, study, texts)
    app.command(command_name)(listeners.on_command)
    app.message_shortcut(ADD_TEXT_SHORTCUT)(texts.on_add_file if texts is not None else _texts_unavailable)
    if texts is not None:
        app.action(CONFIRM_REMOVE_ACTION)(texts.on_confirm_remove)
    app.action(blocks.POST_ACTION)(listeners.on_post)
    app.action(blocks.MORE_ACTION)(listeners.on_more)
    app.action(blocks.CONTINUE_ACTION)(listeners.on_continue)
    if removal is not None:
        app.event("app_uninstalled")(removal.on_app_uninstalled)
        app.event("tokens_revoked")(removal.on_tokens_revoked)
    if study is not None:
        app.action(re.compile(rf"^{study_blocks.QUIZ_ACTION}_\d$"))(study.on_answer)
        app.action(study_blocks.CONCORDANCE_ACTION)(study.on_concordance_more)
    return listeners


async def _texts_unavailable(ack: AsyncAck, respond: AsyncRespond) -> None:
    """The add-file shortcut in a process without a database: say so instead of failing silently."""
    await ack()
    await respond(**blocks.error_message(NO_TEXTS).as_kwargs(), replace_original=False)


def team_of(body: dict[str, Any]) -> str | None:
    """The workspace a button press or shortcut came from."""
    team = body.get("team")
    found = team.get("id") if isinstance(team, dict) else team
    found = found or (body.get("user") or {}).get("team_id")
    return found if isinstance(found, str) and found else None


@contextlib.asynccontextmanager
async def _always_answered(respond: AsyncRespond, what: str) -> AsyncIterator[None]:
    """After the ack nobody else answers: turn a failure into a private apology instead of silence."""
    try:
        yield
    except Exception:
        log.exception("Slack %s failed", what)  # the traceback, not the user's text
        with contextlib.suppress(Exception):
            await respond(**blocks.error_message(SOMETHING_WRONG).as_kwargs())


def _guarded(make: Callable[[], Reply]) -> Reply:
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
    return user if isinstance(user, str) and blocks.is_user_id(user) else None
