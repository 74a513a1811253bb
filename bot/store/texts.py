"""Texts that servers and workspaces added themselves, with each scope's settings and version counter."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from bot.store.base import Row, Store, _ts
from bot.store.blocking import blocking

_TEXT_COLUMNS = "scope, text_id, file_name, metadata, content_hash, size_bytes, added_by, added_at"
AddOutcome = Literal["added", "full", "duplicate", "taken"]


class _Unchanged(Exception):
    """Raised inside a transaction to roll it back (the version bump too) when a text is refused."""

    def __init__(self, outcome: AddOutcome) -> None:
        super().__init__(outcome)
        self.outcome: AddOutcome = outcome


@dataclass(frozen=True, slots=True)
class StoredText:
    """One server text as stored: its facts, and its content when it was asked for."""

    scope: str
    text_id: str
    file_name: str
    metadata: dict[str, str]
    content_hash: str
    size_bytes: int
    added_by: str
    added_at: datetime
    content: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ScopeSettings:
    """A scope's choices: its default text, per-channel defaults, whether the bundled text is hidden."""

    version: int = 0
    default_text: str | None = None
    bundled_hidden: bool = False
    channel_defaults: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Removed:
    """What a removal did: whether the text went, the channels whose daily posts use it, how many were paused."""

    removed: bool
    in_use: tuple[str, ...]
    paused: int


def _text(row: Row, content: str | None = None) -> StoredText:
    return StoredText(
        scope=row[0],
        text_id=row[1],
        file_name=row[2],
        metadata=json.loads(row[3]),
        content_hash=row[4],
        size_bytes=int(row[5]),
        added_by=row[6],
        added_at=datetime.fromtimestamp(row[7], UTC),
        content=content,
    )


def _workspace(scope: str) -> tuple[str, str]:
    """(platform, workspace id) of a scope such as `discord:123`, as the subscriptions table keys them."""
    platform, _, workspace = scope.partition(":")
    return platform, workspace


class TextShelf:
    """The server-text tables behind one small interface; every change bumps the scope's version with it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _bump(self, scope: str) -> None:
        """Inside a change's transaction: move the scope's version on, so other processes reload it."""
        self.store._execute(
            "INSERT INTO server_text_scopes (scope, version) VALUES (?, 1) "
            "ON CONFLICT (scope) DO UPDATE SET version = server_text_scopes.version + 1",
            (scope,),
        )

    @blocking
    def version(self, scope: str) -> int:
        """The scope's change counter (0 before its first change): one indexed read, cheap to poll."""
        rows = self.store._rows("SELECT version FROM server_text_scopes WHERE scope = ?", (scope,))
        return int(rows[0][0]) if rows else 0

    @blocking
    def texts(self, scope: str) -> list[StoredText]:
        """The scope's texts without their content, oldest first."""
        rows = self.store._rows(
            f"SELECT {_TEXT_COLUMNS} FROM server_texts WHERE scope = ? ORDER BY added_at, text_id",  # noqa: S608 - constant columns
            (scope,),
        )
        return [_text(r) for r in rows]

    @blocking
    def contents(self, scope: str) -> list[StoredText]:
        """The scope's texts with their content, oldest first, to build its library."""
        rows = self.store._rows(
            f"SELECT {_TEXT_COLUMNS}, content FROM server_texts WHERE scope = ? ORDER BY added_at, text_id",  # noqa: S608 - constant columns
            (scope,),
        )
        return [_text(r, r[8]) for r in rows]

    @blocking
    def settings(self, scope: str) -> ScopeSettings:
        """The scope's version, default text, hidden flag and channel defaults, read together."""
        with self.store._session(transaction=False):
            rows = self.store._execute(
                "SELECT version, default_text, bundled_hidden FROM server_text_scopes WHERE scope = ?", (scope,)
            )[0]
            channels = self.store._execute(
                "SELECT channel_id, text_id FROM server_text_channels WHERE scope = ?", (scope,)
            )[0]
        if not rows:
            return ScopeSettings(channel_defaults={r[0]: r[1] for r in channels})
        version, default_text, hidden = rows[0]
        return ScopeSettings(int(version), default_text, bool(hidden), {r[0]: r[1] for r in channels})

    @blocking
    def add(self, text: StoredText, *, max_texts: int) -> AddOutcome:
        """Store a text unless the scope is full, holds the same content or the id is taken; else nothing changes.

        The scope's version row is bumped first, which (on PostgreSQL) locks it: two adds to one scope take turns,
        so neither can pass the limit the other just reached.
        """
        if text.content is None:
            raise ValueError("a stored text needs its content")
        try:
            with self.store._tx():
                self._bump(text.scope)
                count, same, taken = self.store._execute(
                    "SELECT COUNT(*), SUM(CASE WHEN content_hash = ? THEN 1 ELSE 0 END), "
                    "SUM(CASE WHEN text_id = ? THEN 1 ELSE 0 END) FROM server_texts WHERE scope = ?",
                    (text.content_hash, text.text_id, text.scope),
                )[0][0]
                if same:
                    raise _Unchanged("duplicate")
                if int(count) >= max_texts:
                    raise _Unchanged("full")
                if taken:
                    raise _Unchanged("taken")
                self.store._execute(
                    f"INSERT INTO server_texts ({_TEXT_COLUMNS}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant columns
                    (
                        text.scope,
                        text.text_id,
                        text.file_name,
                        json.dumps(text.metadata, ensure_ascii=False, sort_keys=True),
                        text.content_hash,
                        text.size_bytes,
                        text.added_by,
                        _ts(text.added_at),
                        text.content,
                    ),
                )
        except _Unchanged as refused:
            return refused.outcome
        return "added"

    @blocking
    def remove(self, scope: str, text_id: str, *, pause_reason: str | None, now: datetime) -> Removed:
        """Remove a text, its defaults with it; while daily posts use it, only with a pause reason (then paused)."""
        platform, workspace = _workspace(scope)
        with self.store._tx():
            if not self.store._execute("SELECT 1 FROM server_texts WHERE scope = ? AND text_id = ?", (scope, text_id))[
                0
            ]:
                return Removed(False, (), 0)
            using = (platform, workspace, text_id)
            in_use = tuple(
                r[0]
                for r in self.store._execute(
                    "SELECT channel_id FROM subscriptions WHERE platform = ? AND workspace_id = ? "
                    "AND document_id = ? AND active = 1 AND paused_reason IS NULL ORDER BY channel_id",
                    using,
                )[0]
            )
            if in_use and pause_reason is None:
                return Removed(False, in_use, 0)
            paused = 0
            if in_use:
                paused = self.store._execute(
                    "UPDATE subscriptions SET paused_reason = ?, next_run_at = NULL, last_error = ?, "
                    "last_error_at = ? WHERE platform = ? AND workspace_id = ? AND document_id = ? "
                    "AND active = 1 AND paused_reason IS NULL",
                    (pause_reason, pause_reason, _ts(now), *using),
                )[1]
            self.store._execute("DELETE FROM server_texts WHERE scope = ? AND text_id = ?", (scope, text_id))
            self.store._execute("DELETE FROM server_text_channels WHERE scope = ? AND text_id = ?", (scope, text_id))
            self._bump(scope)
            self.store._execute(
                "UPDATE server_text_scopes SET default_text = NULL WHERE scope = ? AND default_text = ?",
                (scope, text_id),
            )
        return Removed(True, in_use, paused)

    @blocking
    def set_default(self, scope: str, text_id: str | None, *, channel_id: str | None = None) -> None:
        """Set (or with None, clear) the scope's default text, or one channel's."""
        with self.store._tx():
            self._bump(scope)
            if channel_id is None:
                self.store._execute("UPDATE server_text_scopes SET default_text = ? WHERE scope = ?", (text_id, scope))
            elif text_id is None:
                self.store._execute(
                    "DELETE FROM server_text_channels WHERE scope = ? AND channel_id = ?", (scope, channel_id)
                )
            else:
                self.store._execute(
                    "INSERT INTO server_text_channels (scope, channel_id, text_id) VALUES (?, ?, ?) "
                    "ON CONFLICT (scope, channel_id) DO UPDATE SET text_id = excluded.text_id",
                    (scope, channel_id, text_id),
                )

    @blocking
    def set_bundled_hidden(self, scope: str, hidden: bool) -> None:
        """Hide (or show again) the bundled texts in a scope."""
        with self.store._tx():
            self._bump(scope)
            self.store._execute(
                "UPDATE server_text_scopes SET bundled_hidden = ? WHERE scope = ?", (int(hidden), scope)
            )
