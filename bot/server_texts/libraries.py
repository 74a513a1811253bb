"""Each server's library: the shared texts plus its own, built on first use and kept within a memory budget."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core import index_cache
from bot.core.library import Library, seeds_dir
from bot.core.search import SearchIndex
from bot.server_texts.memory import BudgetCache, SizeGauge, reclaim_frozen
from bot.server_texts.scopes import scope_of
from bot.server_texts.upload import rebuild
from bot.store.texts import ScopeSettings, StoredText, TextShelf

CHECK_SECONDS = 3.0  # how stale a process's view of a server may be before it asks the database again


@dataclass(frozen=True, slots=True)
class _Seen:
    """What this process last read of a scope: its settings, its texts (no content) and when it checked."""

    settings: ScopeSettings
    texts: tuple[StoredText, ...]
    key: str
    checked_at: float


@dataclass(slots=True)
class _Built:
    """A scope's own texts as a library, and the joined views of it made so far (by whether bundled is hidden)."""

    own: Library
    views: dict[bool, Library]


def texts_key(texts: tuple[StoredText, ...] | list[StoredText]) -> str:
    """A hash of a scope's texts (id, content hash, facts): the name of its index in memory and on disk."""
    digest = hashlib.sha256(b"speechbot server texts 1\n")
    for text in texts:
        digest.update(f"{text.text_id}\0{text.content_hash}\0{sorted(text.metadata.items())}\n".encode())
    return digest.hexdigest()


def bundled_ids(library: Library) -> frozenset[str]:
    """The ids of the texts that came with the bot (its seeds), which a server may hide."""
    seeds = seeds_dir().resolve()
    return frozenset(
        d.id for d in library.documents.values() if d.source is not None and seeds in d.source.resolve().parents
    )


class Libraries:
    """Hands out the library each scope reads; thread-safe, and fast after a scope's first use."""

    def __init__(
        self,
        shared: Library,
        shelf: TextShelf | None = None,
        *,
        memory_budget_bytes: int = 256 * 1024 * 1024,
        cache_dir: Path | None = None,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.shelf = shelf
        self.bundled = bundled_ids(shared)
        self.gauge = SizeGauge()
        self.built: BudgetCache[_Built] = BudgetCache(memory_budget_bytes)
        self._cache_dir = cache_dir
        self._code_key = index_cache.cache_key([]) if cache_dir is not None else ""  # the parsing code's hash
        self._check_seconds = check_seconds
        self._clock = clock
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.RLock()

    def for_scope(self, scope: str | None) -> Library:
        """Global texts plus the server's own (own first, bundled hidden when asked); DMs get the global ones."""
        if scope is None or self.shelf is None:
            return self.shared
        with self._lock:
            seen = self._fresh(scope)
            hidden = seen.settings.bundled_hidden
            if not seen.texts and not hidden:
                return self.shared
            if not seen.texts:
                return Library.joined(None, self.shared, hidden=self.bundled)
            built = self._built(scope, seen)
            view = built.views.get(hidden)
            if view is None:
                view = Library.joined(built.own, self.shared, hidden=self.bundled if hidden else ())
                built.views[hidden] = view
            return view

    def default_document(self, scope: str | None, channel_id: str | None = None) -> str | None:
        """The text a command uses when it names none: the channel's default, else the server's, else None."""
        if scope is None or self.shelf is None:
            return None
        with self._lock:
            settings = self._fresh(scope).settings
        chosen = settings.channel_defaults.get(channel_id or "") or settings.default_text
        if chosen is None or chosen not in self.for_scope(scope).documents:
            return None
        return chosen

    def texts(self, scope: str) -> tuple[StoredText, ...]:
        """The scope's own texts (no content) as this process last read them."""
        with self._lock:
            return self._fresh(scope).texts

    def forget(self, scope: str) -> None:
        """Read the scope again at its next use (this process just changed it)."""
        with self._lock:
            self._seen.pop(scope, None)

    def _fresh(self, scope: str) -> _Seen:
        """The scope as last read, asking the database (one indexed SELECT) when the last look is stale."""
        assert self.shelf is not None  # noqa: S101 - callers return early without a shelf
        now = self._clock()
        seen = self._seen.get(scope)
        if seen is not None and now - seen.checked_at < self._check_seconds:
            return seen
        if seen is not None and self.shelf.version(scope) == seen.settings.version:
            seen = _Seen(seen.settings, seen.texts, seen.key, now)
        else:
            settings = self.shelf.settings(scope)
            texts = tuple(self.shelf.texts(scope)) if settings.version else ()
            seen = _Seen(settings, texts, texts_key(texts), now)
        self._seen[scope] = seen
        return seen

    def _built(self, scope: str, seen: _Seen) -> _Built:
        """The scope's own library from memory, else the disk cache, else parsed and indexed from the database."""
        built = self.built.get(seen.key)
        if built is not None:
            return built
        assert self.shelf is not None  # noqa: S101 - only called with a shelf
        stored = self.shelf.contents(scope)
        key = texts_key(stored)  # the texts as read now, which a change since the version check may have moved on
        size_of_texts = sum(t.size_bytes for t in stored)
        folder = self._folder(scope)
        disk_key = hashlib.sha256(f"{self._code_key}\0{key}".encode()).hexdigest()
        from_disk = False

        def load() -> Library:
            nonlocal from_disk
            cached = index_cache.read(folder, disk_key) if folder is not None else None
            if cached is not None:
                from_disk = True
                return Library(cached[0], index=cached[1])
            return Library([rebuild(t) for t in stored])

        own, size = self.gauge.build(size_of_texts, load)
        if not from_disk and folder is not None and isinstance(own._index, SearchIndex):
            index_cache.write(folder, disk_key, list(own.documents.values()), own._index)
        built = _Built(own, {})
        self.built.put(key, built, size)
        if self.built.dropped_bytes > self.built.budget_bytes // 4:  # a quarter of the budget waits to be freed
            self.built.dropped_bytes = 0
            reclaim_frozen()
        if key != seen.key:
            self._seen[scope] = _Seen(seen.settings, tuple(_without_content(stored)), key, seen.checked_at)
        return built

    def _folder(self, scope: str) -> Path | None:
        """One cache folder per scope, so its older versions are dropped as new ones are written."""
        if self._cache_dir is None:
            return None
        return self._cache_dir / "server-texts" / re.sub(r"[^A-Za-z0-9_-]", "-", scope)


def library_for(source: Library | Libraries, platform: str, workspace_id: str | None) -> Library:
    """The library a server or workspace reads, for services handed either one library or every server's."""
    if isinstance(source, Library):
        return source
    return source.for_scope(scope_of(platform, workspace_id))


def default_for(
    source: Library | Libraries, platform: str, workspace_id: str | None, channel_id: str | None
) -> str | None:
    """The text a server (or one of its channels) chose as its default; None with one library or no choice."""
    if isinstance(source, Library):
        return None
    return source.default_document(scope_of(platform, workspace_id), channel_id)


def _without_content(stored: list[StoredText]) -> list[StoredText]:
    return [
        StoredText(t.scope, t.text_id, t.file_name, t.metadata, t.content_hash, t.size_bytes, t.added_by, t.added_at)
        for t in stored
    ]
