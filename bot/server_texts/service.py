"""What teachers do with their server's texts, whatever the platform: add, list, remove, choose defaults."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.core.corpus import numbered_id
from bot.core.errors import UserError
from bot.server_texts.libraries import Libraries
from bot.server_texts.scopes import parse_scope
from bot.server_texts.upload import read_upload
from bot.store.texts import StoredText, TextShelf

MAX_NAME_TRIES = 50  # `-2` … `-50` after a text id that is taken


@dataclass(frozen=True)
class ServerText:
    """One of a server's own texts as teachers see it in a list."""

    scope: str
    text_id: str
    title: str
    speaker: str | None
    date: str | None  # ISO date or year
    size_bytes: int
    content_hash: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class Removal:
    """What a removal did, or that it waits for a confirmation because daily posts use the text."""

    removed: bool  # False when confirmation is needed (nothing changed yet)
    needs_confirmation: tuple[str, ...]  # channel ids of active daily subscriptions that use the text
    paused: int  # subscriptions paused (with a reason) by a confirmed removal
    text_id: str = ""  # the id of the text the name stood for


def server_text(stored: StoredText) -> ServerText:
    """A stored text as listed."""
    meta = stored.metadata
    return ServerText(
        scope=stored.scope,
        text_id=stored.text_id,
        title=meta.get("title") or stored.file_name,
        speaker=meta.get("speaker"),
        date=meta.get("date"),
        size_bytes=stored.size_bytes,
        content_hash=stored.content_hash,
        added_by=stored.added_by,
        added_at=stored.added_at,
    )


def _candidates(base: str) -> list[str]:
    """`base`, then `base-2`, `base-3` … each within the id length limit."""
    return [base, *(numbered_id(base, n) for n in range(2, MAX_NAME_TRIES + 1))]


class ServerTexts:
    """Server texts on the database; every method is safe from several processes at once."""

    def __init__(self, shelf: TextShelf, libraries: Libraries, *, max_bytes: int, max_texts: int) -> None:
        self.shelf = shelf
        self.libraries = libraries
        self.max_bytes = max_bytes
        self.max_texts = max_texts

    async def add(
        self,
        scope: str,
        *,
        filename: str,
        data: bytes,
        added_by: str,
        title: str | None = None,
        speaker: str | None = None,
        date: str | None = None,
        now: datetime,
    ) -> ServerText:
        """Check, parse and store an uploaded text; a refusal is a UserError and stores nothing."""
        scope = _checked(scope)
        upload = await asyncio.to_thread(  # parsing a text of megabytes would stall the bots' event loop
            read_upload, filename, data, max_bytes=self.max_bytes, title=title, speaker=speaker, date=date
        )
        own = await self.shelf.texts.aio(scope)
        taken = set(self.libraries.shared.documents) | {t.text_id for t in own}
        for text_id in _candidates(upload.document.id):
            if text_id in taken:
                continue
            stored = StoredText(
                scope=scope,
                text_id=text_id,
                file_name=upload.file_name,
                metadata=upload.metadata,
                content_hash=upload.content_hash,
                size_bytes=upload.size_bytes,
                added_by=added_by,
                added_at=now,
                content=upload.content,
            )
            outcome = await self.shelf.add.aio(stored, max_texts=self.max_texts)
            if outcome == "added":
                self.libraries.forget(scope)
                return server_text(stored)
            if outcome == "duplicate":
                same = next((t for t in await self.list(scope) if t.content_hash == upload.content_hash), None)
                named = f" as `{same.text_id}`" if same else ""
                raise UserError(f"This server already has that text{named}.")
            if outcome == "full":
                raise UserError(
                    f"This server already has {self.max_texts} texts, the most it may keep; remove one first."
                )
            taken.add(text_id)  # "taken": added by someone else a moment ago, so try the next name
        raise UserError("This server has too many texts of that name; rename the file and add it again.")

    async def remove(
        self, scope: str, text_id: str, *, by: str, may_remove_any: bool, confirmed: bool = False, now: datetime
    ) -> Removal:
        """Remove a server's text (its adder or a manager); daily posts using it are paused once confirmed."""
        scope = _checked(scope)
        found = await self._own(scope, text_id)
        if not may_remove_any and found.added_by != by:
            raise UserError(f"Only the person who added “{found.title}” or a server manager may remove it.")
        reason = f"its text “{found.title[:80]}” was removed from this server"
        removed = await self.shelf.remove.aio(scope, found.text_id, pause_reason=reason if confirmed else None, now=now)
        if not removed.removed and not removed.in_use:
            raise UserError(f"“{found.title}” was already removed.")
        self.libraries.forget(scope)
        if not removed.removed:
            return Removal(False, removed.in_use, 0, found.text_id)
        return Removal(True, (), removed.paused, found.text_id)

    async def list(self, scope: str) -> list[ServerText]:
        """The server's own texts, oldest first."""
        stored = await self.shelf.texts.aio(_checked(scope))
        return [server_text(t) for t in stored]

    async def set_default(self, scope: str, text_id: str | None, *, channel_id: str | None = None) -> None:
        """Choose the text commands use when they name none (for the server, or one channel); None clears it."""
        scope = _checked(scope)
        chosen = None
        if text_id is not None and text_id.strip():
            library = await asyncio.to_thread(self.libraries.for_scope, scope)
            chosen = library.document(text_id).id
        await self.shelf.set_default.aio(scope, chosen, channel_id=channel_id)
        self.libraries.forget(scope)

    async def set_bundled_hidden(self, scope: str, hidden: bool) -> None:
        """Hide the texts that came with the bot from this server (or show them again)."""
        scope = _checked(scope)
        if hidden:
            others = set(self.libraries.shared.documents) - self.libraries.bundled
            if not others and not await self.list(scope):
                raise UserError("Add a text first: hiding the bundled texts would leave this server with none.")
        await self.shelf.set_bundled_hidden.aio(scope, hidden)
        self.libraries.forget(scope)

    async def _own(self, scope: str, name: str) -> ServerText:
        """One of the server's own texts by id, id prefix or title words; a UserError when none or several match."""
        own = await self.list(scope)
        key = name.strip().lower()
        exact = [t for t in own if t.text_id == key]
        matches = (
            exact or [t for t in own if t.text_id.startswith(key)] or [t for t in own if key and key in t.title.lower()]
        )
        if len(matches) == 1:
            return matches[0]
        if matches:
            shown = ", ".join(f"`{t.text_id}`" for t in matches[:10])
            raise UserError(f"“{name.strip()}” matches {len(matches)} of this server's texts: {shown}.")
        raise UserError(f"This server has no text of its own called “{name.strip()[:80]}”.")


def _checked(scope: str) -> str:
    """A scope as the service keys it; a malformed one is a UserError (it only comes from our own code or the CLI)."""
    try:
        return parse_scope(scope)
    except ValueError as problem:
        raise UserError(f"{problem}.") from None
