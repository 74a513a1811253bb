"""The shared core: texts, references, search, daily passages and wording. No platform imports here."""

from bot.core.corpus import Document, Paragraph, Passage, Sentence
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.search import Hit

__all__ = ["Document", "Hit", "Library", "Paragraph", "Passage", "Sentence", "UserError"]
