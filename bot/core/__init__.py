"""The shared core: texts, references, search, daily passages and wording. No platform imports here."""

from bot.core.corpus import Document, Paragraph, Passage, Sentence
from bot.core.errors import UserError
from bot.core.library import Library, TextFilter
from bot.core.reader import LoadOptions
from bot.core.search import Hit

__all__ = ["Document", "Hit", "Library", "LoadOptions", "Paragraph", "Passage", "Sentence", "TextFilter", "UserError"]
