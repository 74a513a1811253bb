"""A workspace's own texts on Slack: the "Add file to speechbot" message shortcut and `/speech text …`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import UserError
from bot.core.render import SOMETHING_WRONG, line_groups
from bot.server_texts import ServerText, ServerTexts, scope_of, size_words
from bot.slack.admins import is_workspace_admin
from bot.slack.blocks import SlackMessage, button_value, context, error_message, escape, mention, section
from bot.slack.config import PLATFORM
from bot.slack.files import fetch_text_file, pick_text_file

ADD_TEXT_SHORTCUT = "speechbot_add_text"
ADD_TEXT_NAME = "Add file to speechbot"  # Slack refuses a shortcut name of more than 24 characters
ADD_TEXT_DESCRIPTION = "Add the message's .txt or .md file to this workspace's texts"
CONFIRM_REMOVE_ACTION = "speech_text_remove_confirm"
ACTIONS = ("list", "remove", "default", "hide-bundled", "show-bundled")
NO_WORKSPACE = "Texts belong to a workspace; use this in one of its channels."
ADMINS_ONLY = "Only a workspace admin or owner can {}."

log = logging.getLogger("speechbot.slack")


class SlackTexts:
    """The shortcut, `/speech text` and its confirm button, bound to the server-texts service and a clock."""

    def __init__(self, service: ServerTexts, command_name: str, now: Callable[[], datetime]) -> None:
        self.service = service
        self.command_name = command_name
        self.now = now

    async def on_add_file(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """The message shortcut: fetch the message's .txt/.md file and add it; the answer is for the person only."""
        await ack()  # downloading takes longer than Slack waits for the ack
        try:
            message = await self._add_file(body, client, context)
        except UserError as problem:
            message = error_message(problem.message)
        except Exception:
            log.exception("Slack add-file shortcut failed")  # the traceback, not the file
            message = error_message(SOMETHING_WRONG)
        await respond(**message.as_kwargs(), replace_original=False)

    async def _add_file(self, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> SlackMessage:
        scope = scope_of(PLATFORM, context.team_id)
        if scope is None:
            raise UserError(NO_WORKSPACE)
        shared = pick_text_file(body.get("message") or {})
        token = context.bot_token or client.token
        if not token:
            raise UserError("I have no token for this workspace; ask an admin to install the app again.")
        fetched = await fetch_text_file(client, shared, token=token, max_bytes=self.service.max_bytes)
        user = str((body.get("user") or {}).get("id") or "")
        added = await self.service.add(scope, filename=fetched.name, data=fetched.data, added_by=user, now=self.now())
        command = self.command_name
        lines = [
            f"Added *{escape(added.title)}* to this workspace's texts as `{added.text_id}`.",
            f"Quote it with `{command} quote 1.1 in:{added.text_id}`, search it with "
            f"`{command} search <words> in:{added.text_id}`, or make it the text commands read when they "
            f"name none with `{command} text default {added.text_id}`.",
        ]
        summary = escape(f"Added {added.title[:200]} as {added.text_id}.")
        return SlackMessage(text=summary, blocks=[section("\n".join(lines))])

    async def run(self, words: list[str], command: dict[str, Any], client: AsyncWebClient) -> SlackMessage:
        """`text list|remove <id>|default <id>|default none|hide-bundled|show-bundled`, answered privately."""
        action, args = (words[1].lower(), words[2:]) if len(words) > 1 else ("list", [])
        scope = scope_of(PLATFORM, command.get("team_id"))
        user = str(command.get("user_id") or "")
        try:
            if scope is None:
                raise UserError(NO_WORKSPACE)
            if action == "list":
                return await self._list(scope)
            if action == "remove":
                if not args:
                    raise UserError(f"Which text? Try `{self.command_name} text remove <id>` (`text list` shows ids).")
                return await self._remove(scope, " ".join(args), user, client, confirmed=False)
            if action not in ACTIONS:
                raise UserError(self._usage())
            if not await is_workspace_admin(client, user):
                raise UserError(ADMINS_ONLY.format("choose the default text or hide the bundled ones"))
            if action == "default":
                return await self._default(scope, args, str(command.get("channel_id") or ""))
            hidden = action == "hide-bundled"
            await self.service.set_bundled_hidden(scope, hidden)
            shown = "hidden from" if hidden else "shown in"
            return _plain(f"The texts that came with the bot are now {shown} this workspace.")
        except UserError as problem:
            return error_message(problem.message)

    async def on_confirm_remove(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """The "Remove it and pause" button: remove the text and pause the daily posts that read it."""
        await ack()
        text_id = button_value(_action_value(body)).get("t")
        scope = scope_of(PLATFORM, (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"))
        user = str((body.get("user") or {}).get("id") or "")
        try:
            if not isinstance(text_id, str) or not text_id or scope is None:
                raise UserError("That button has expired; run the remove command again.")
            message = await self._remove(scope, text_id, user, client, confirmed=True)
        except UserError as problem:
            message = error_message(problem.message)
        except Exception:
            log.exception("Slack text removal failed")
            message = error_message(SOMETHING_WRONG)
        await respond(**message.as_kwargs(), replace_original=True)

    async def _list(self, scope: str) -> SlackMessage:
        own = await self.service.list(scope)
        libraries = self.service.libraries
        default = await asyncio.to_thread(libraries.default_document, scope)
        library = await asyncio.to_thread(libraries.for_scope, scope)
        shared = [d for d in library.documents.values() if d.id not in {t.text_id for t in own}]
        lines = [f"*This workspace's texts* ({len(own)} of {self.service.max_texts}):"]
        lines += [_listed(text, default) for text in own] or [f"None yet: use “{ADD_TEXT_NAME}” on a file."]
        lines.append(f"*Texts every workspace reads* ({len(shared)}):")
        lines += [f"• `{d.id}` {escape(d.title)}" + (" (default)" if d.id == default else "") for d in shared[:20]]
        if len(shared) > 20:
            lines.append(f"… and {len(shared) - 20} more (`{self.command_name} texts` lists them all).")
        if libraries.bundled and not libraries.bundled & set(library.documents):
            lines.append("_The texts that came with the bot are hidden here._")
        return SlackMessage(text=f"{len(own)} texts of this workspace", blocks=_sections(lines))

    async def _remove(
        self, scope: str, text_id: str, user: str, client: AsyncWebClient, *, confirmed: bool
    ) -> SlackMessage:
        admin = await is_workspace_admin(client, user, quiet=True)
        before = await self.service.list(scope)
        removal = await self.service.remove(
            scope, text_id, by=user, may_remove_any=admin, confirmed=confirmed, now=self.now()
        )
        if not removal.removed:
            channels = ", ".join(f"<#{c}>" for c in removal.needs_confirmation[:10])
            warning = (
                f"Daily posts in {channels} read `{removal.text_id}`. Removing it pauses them "
                "until someone sets them up with another text."
            )
            button = {
                "type": "button",
                "style": "danger",
                "text": {"type": "plain_text", "text": "Remove it and pause them"},
                "action_id": CONFIRM_REMOVE_ACTION,
                "value": json.dumps({"t": removal.text_id}),  # the text meant, not the words typed for it
            }
            return SlackMessage(
                text="Removing this text pauses daily posts; confirm with the button.",
                blocks=[section(f":warning: {warning}"), {"type": "actions", "elements": [button]}],
            )
        left = {t.text_id for t in await self.service.list(scope)}
        gone = next((t.text_id for t in before if t.text_id not in left), text_id)  # the id a prefix or title meant
        paused = f" {removal.paused} daily subscription(s) that read it are paused." if removal.paused else ""
        return _plain(f"Removed `{gone}` from this workspace's texts.{paused}")

    async def _default(self, scope: str, args: list[str], channel: str) -> SlackMessage:
        here = bool(args) and args[-1].lower() == "here"
        names = args[:-1] if here else args
        if len(names) != 1:
            raise UserError(f"Try `{self.command_name} text default <id>`, `… default none`, or add `here`.")
        chosen = None if names[0].lower() == "none" else names[0]
        await self.service.set_default(scope, chosen, channel_id=channel if here else None)
        where = "this channel" if here else "this workspace"
        if chosen is None:
            return _plain(f"{where.capitalize()} has no default text now; commands read the first one listed.")
        picked = await asyncio.to_thread(self.service.libraries.default_document, scope, channel if here else None)
        picked = picked or chosen
        return _plain(f"Commands in {where} that name no text now read `{picked}`.")

    def _usage(self) -> str:
        command = self.command_name
        return (
            f"Try `{command} text list`, `{command} text remove <id>`, `{command} text default <id>` "
            f"(or `none`, `… here` for this channel), `{command} text hide-bundled` or `show-bundled`."
        )


def texts_help(command: str) -> str:
    """The help line for a workspace's own texts, under the commands every platform has."""
    return (
        f"This workspace's own texts: use “{ADD_TEXT_NAME}” on a message with a .txt or .md file, then "
        f"`{command} text list`; admins and owners: `{command} text default <id>|none [here]`, "
        f"`{command} text hide-bundled|show-bundled`; they and whoever added a text: `{command} text remove <id>`."
    )


def _listed(text: ServerText, default: str | None) -> str:
    facts = ", ".join(escape(f) for f in (text.speaker, text.date) if f)
    about = f" ({facts})" if facts else ""
    mark = " (default)" if text.text_id == default else ""
    added = f"{size_words(text.size_bytes)}, added by {mention(text.added_by)}"
    return f"• `{text.text_id}` {escape(text.title)}{about}{mark}: {added}"


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines as sections, each within Slack's limit."""
    blocks = [section(group) for group in line_groups(lines, 2800)]
    return blocks[:49] + ([context("The list goes on; remove texts you no longer use.")] if len(blocks) > 49 else [])


def _plain(text: str) -> SlackMessage:
    """A short private answer; what people typed in it stays text, never a mention."""
    return SlackMessage(text=text, blocks=[section(escape(text))])


def _action_value(body: dict[str, Any]) -> str | None:
    actions = body.get("actions") or [{}]
    value = actions[0].get("value")
    return value if isinstance(value, str) else None
