"""Per-server texts: each Discord server and Slack workspace reads the global texts plus its own.

scopes (which server a command comes from), upload (checking and parsing an uploaded file), memory (sizes
and the least-recently-used budget), libraries (each scope's library, fresh within seconds across
processes) and service (what teachers do: add, list, remove, defaults) and setup (the service built from the settings).
"""

from bot.server_texts.libraries import Libraries, default_for, library_for
from bot.server_texts.scopes import parse_scope, scope_of, workspace_of
from bot.server_texts.service import Removal, ServerText, ServerTexts
from bot.server_texts.setup import server_texts_on
from bot.server_texts.upload import size_words, too_large

__all__ = [
    "Libraries",
    "Removal",
    "ServerText",
    "ServerTexts",
    "default_for",
    "library_for",
    "parse_scope",
    "scope_of",
    "server_texts_on",
    "size_words",
    "too_large",
    "workspace_of",
]
