"""Slack listeners: parse the slash command or button, call the core, hand the result to blocks."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.core.daily import passage_for
from bot.core.errors import UserError
from bot.core.render import citation
from bot.slack import blocks
from bot.slack.blocks import Reply

if TYPE_CHECKING:
    from bot.core import Library

log = logging.getLogger("speechbot.slack")

PAGE_SIZE = 5
STYLES = ("mla", "apa", "chicago")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


@dataclass
class SpeechListeners:
    """The bot's Slack listeners, bound to one library, command name and clock."""

    library: Library
    command_name: str = "/speech"
    today: Callable[[], dt.date] = dt.date.today

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """The slash command: ack at once (Slack waits 3 s at most), then answer through response_url."""
        await ack()
        reply = self.answer(command.get("text") or "")
        await respond(**reply.as_kwargs())

    async def on_post(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """"Post to channel": share the chosen passage publicly, then remove the private result list."""
        await ack()
        value = blocks.button_value(_action_value(body))
        try:
            passage = self.library.document(value.get("d")).passage(str(value.get("r", "")))
        except UserError as error:
            await respond(**blocks.error_reply(error.message).as_kwargs(), replace_original=False)
            return
        reply = blocks.passage_reply(passage, citation(passage, "mla"), shared_by=_user_id(body))
        await respond(**reply.as_kwargs(), replace_original=False)
        await respond(delete_original=True)

    async def on_more(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """"More results": replace the private result list with the next page."""
        await ack()
        value = blocks.button_value(_action_value(body))
        offset = value.get("o")
        query = value.get("q")
        if not isinstance(offset, int) or not isinstance(query, str) or offset < 0:
            await respond(**blocks.error_reply("That button has expired; search again.").as_kwargs())
            return
        doc = value.get("d") if isinstance(value.get("d"), str) else None
        reply = self._guard(lambda: self.search(query, document=doc, offset=offset))
        await respond(**reply.as_kwargs(), replace_original=True)

    def answer(self, text: str) -> Reply:
        """The reply to one slash command's text (a UserError becomes a private error message)."""
        return self._guard(lambda: self._answer(text))

    def _guard(self, make: Callable[[], Reply]) -> Reply:
        try:
            return make()
        except UserError as error:
            return blocks.error_reply(error.message)

    def _answer(self, text: str) -> Reply:
        name, args, doc = parse(text)
        document = self.library.document(doc)
        match name:
            case "quote":
                passage = document.passage(args) if args else passage_for(self.today(), document)
                return blocks.passage_reply(passage, citation(passage, "mla"))
            case "search":
                return self.search(args, document=doc, offset=0)
            case "context":
                if not args:
                    raise UserError(f"Which passage? Try `{self.command_name} context 3.2`.")
                return blocks.context_reply(document, args)
            case "daily":
                passage = passage_for(self.today(), document)
                return blocks.passage_reply(passage, citation(passage, "mla"), heading="Passage of the day")
            case "cite":
                ref, _, style = args.rpartition(" ")
                if style.lower() not in STYLES:
                    ref, style = args, "mla"
                if not ref.strip():
                    raise UserError(f"Cite which passage? Try `{self.command_name} cite 3.2 apa`.")
                passage = document.passage(ref)
                return blocks.citation_reply(passage, citation(passage, style.lower()), style.upper())
            case "about":
                return blocks.about_reply(document, list(self.library.documents.values()))
            case _:
                return blocks.help_reply(self.command_name)

    def search(self, query: str, *, document: str | None, offset: int) -> Reply:
        """One page of search results for a query."""
        if not query.strip():
            raise UserError(f"Search for what? Try `{self.command_name} search enemy of the people`.")
        hits = self.library.search(query, limit=PAGE_SIZE + 1, offset=offset, document=document)
        return blocks.search_reply(
            query, hits[:PAGE_SIZE], offset=offset, more=len(hits) > PAGE_SIZE, document=document, page_size=PAGE_SIZE
        )


def register(
    app: AsyncApp, library: Library, *, command_name: str = "/speech", today: Callable[[], dt.date] = dt.date.today
) -> SpeechListeners:
    """Register every Slack listener in one visible place."""
    listeners = SpeechListeners(library, command_name, today)
    app.command(command_name)(listeners.on_command)
    app.action(blocks.POST_ACTION)(listeners.on_post)
    app.action(blocks.MORE_ACTION)(listeners.on_more)
    return listeners


def _action_value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    value = actions[0].get("value")
    return value if isinstance(value, str) else None


def _user_id(body: dict[str, Any]) -> str | None:
    user = (body.get("user") or {}).get("id")
    return user if isinstance(user, str) and _USER_ID.match(user) else None


SUBCOMMANDS = ("quote", "search", "context", "daily", "cite", "about", "help")
_LOOKS_LIKE_REF = re.compile(r"^(?:§|¶)?\s*\d[\d.\s\-–—]*$")


def parse(text: str) -> tuple[str, str, str | None]:
    """Split `/speech` text into (subcommand, arguments, document id from `in:<id>`)."""
    words, doc = [], None
    for word in text.split():
        if doc is None and word.lower().startswith("in:") and len(word) > 3:
            doc = word[3:]
        else:
            words.append(word)
    if not words:
        return "help", "", doc
    first = words[0].lower()
    if first in SUBCOMMANDS:
        return first, " ".join(words[1:]), doc
    rest = " ".join(words)
    if _LOOKS_LIKE_REF.match(rest):
        return "quote", rest, doc
    return "search", rest, doc
