"""Building the server-text service once per process, from the settings and the store it shares."""

from __future__ import annotations

from bot.config import Settings
from bot.core.library import Library
from bot.server_texts.libraries import Libraries
from bot.server_texts.service import ServerTexts
from bot.store import Store
from bot.store.texts import TextShelf


def server_texts_on(store: Store, settings: Settings, shared: Library) -> ServerTexts:
    """The service on the process's database, with the limits and memory budget the settings give."""
    shelf = TextShelf(store)
    libraries = Libraries(
        shared, shelf, memory_budget_bytes=settings.server_text_memory_mb * 1024 * 1024, cache_dir=settings.cache_dir
    )
    return ServerTexts(shelf, libraries, max_bytes=settings.server_text_max_bytes, max_texts=settings.server_texts_max)
