"""Core results as Slack Block Kit: escaped mrkdwn, bold matches, sections within Slack's size limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.render import split_text

if TYPE_CHECKING:
    from bot.core.corpus import Document, Passage
    from bot.core.search import Hit

Block = dict[str, Any]

SECTION_LIMIT = 3000  # Slack rejects a section whose text is longer
FALLBACK_LIMIT = 3000  # the notification text; Slack truncates longer ones anyway
BUTTON_VALUE_LIMIT = 2000
POST_ACTION = "speech_post"
MORE_ACTION = "speech_more"


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: fallback text, blocks, and whether the whole channel sees it."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    public: bool = False

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for bolt's respond()."""
        return {
            "text": self.text,
            "blocks": self.blocks,
            "response_type": "in_channel" if self.public else "ephemeral",
        }


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as markup, so `<!channel>` or `<@U1>` never pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def highlight(text: str, match: tuple[int, int] | None) -> str:
    """Escaped text with the matched span in bold (trimmed to whole non-space characters)."""
    if not match:
        return escape(text)
    start, end = max(0, match[0]), min(len(text), match[1])
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return escape(text)
    # `*` inside the span would end the bold early; next to a letter, Slack only sees `*` after a zero-width space.
    bold = escape(text[start:end]).replace("*", "\u2217")
    before = "\u200b" if start and text[start - 1].isalnum() else ""
    after = "\u200b" if end < len(text) and text[end].isalnum() else ""
    return f"{escape(text[:start])}{before}*{bold}*{after}{escape(text[end:])}"


def section(mrkdwn: str) -> Block:
    """A section block of mrkdwn text (the caller keeps it under SECTION_LIMIT)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def context(*parts: str) -> Block:
    """A context block: small grey lines for ref, title and citation."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": part[:SECTION_LIMIT]} for part in parts[:10]]}


def text_sections(text: str, *, quote: bool = False) -> list[Block]:
    """Plain text as escaped sections, split with the core's splitter so each fits Slack's limit."""
    limit = SECTION_LIMIT - 100
    while True:
        parts = [_as_quote(escape(part)) if quote else escape(part) for part in split_text(text, limit)]
        if all(len(part) <= SECTION_LIMIT for part in parts) or limit < 500:
            return [section(part[:SECTION_LIMIT]) for part in parts if part.strip()]
        limit -= 500  # escaping made a part longer than Slack allows: split finer


def _as_quote(mrkdwn: str) -> str:
    return "\n".join(f">{line}" if line.strip() else ">" for line in mrkdwn.split("\n"))


def passage_reply(
    passage: Passage, citation: str, *, public: bool = True, heading: str | None = None, shared_by: str | None = None
) -> Reply:
    """A quotation: the passage as blockquote sections, then ref, title and citation in a context block."""
    title = passage.document.title
    head = [section(f"*{escape(heading)}*")] if heading else []
    notes = [f"*§{escape(passage.ref)}* · {escape(title)}", escape(citation)]
    if shared_by:
        notes.append(f"shared by <@{shared_by}>")  # shared_by is a checked user id, never user text
    blocks = [*head, *text_sections(passage.text, quote=True), context(*notes)]
    return Reply(text=_fallback(f"§{passage.ref} {title}: {passage.text}"), blocks=blocks, public=public)


def citation_reply(passage: Passage, citation: str, style: str) -> Reply:
    """A citation in one style, private, for pasting into a paper."""
    blocks = [section(f"*{escape(style)}*\n{escape(citation)}"[:SECTION_LIMIT]), context(f"§{escape(passage.ref)}")]
    return Reply(text=_fallback(citation), blocks=blocks, public=False)


def about_reply(document: Document, documents: Sequence[Document]) -> Reply:
    """The editor's introduction (never quoted as the speaker's words) and the loaded texts."""
    blocks = [section(f"*{escape(document.title)}*")]
    if document.front_matter.strip():
        blocks += text_sections(document.front_matter)
    paragraphs = len(document.paragraphs)
    notes = [f"{paragraphs} paragraphs, {sum(len(p.sentences) for p in document.paragraphs)} sentences"]
    if len(documents) > 1:
        notes.append("Texts: " + ", ".join(f"`in:{escape(d.id)}` {escape(d.title)}" for d in documents))
    blocks.append(context(*notes))
    return Reply(text=_fallback(document.title), blocks=blocks[:50], public=False)


def help_reply(command: str) -> Reply:
    """How to use the one slash command."""
    c = escape(command)
    lines = [
        f"`{c} 3.2` or `{c} quote 3.2` — quote paragraph 3, sentence 2 (also `3`, `3-4`, `3.2-4`)",
        f"`{c} search enemy of the people` or just `{c} enemy of the people` — find passages",
        f"`{c} context 3.2` — the paragraph around a passage",
        f"`{c} daily` — the passage of the day",
        f"`{c} cite 3.2 apa` — a citation (mla, apa or chicago)",
        f"`{c} about` — where the text comes from",
        "Add `in:<text-id>` to pick a text when several are loaded.",
    ]
    return Reply(text=_fallback(f"How to use {command}"), blocks=[section("\n".join(lines))], public=False)


def search_reply(
    query: str, hits: Sequence[Hit], *, offset: int, more: bool, document: str | None, page_size: int
) -> Reply:
    """Ranked hits with the matched words bold, each with "Post to channel", plus "More results" to page on."""
    if not hits:
        words = "No more results" if offset else "Nothing in the text matches"
        return error_reply(f"{words} for “{query}”. Try other words, or a ref like `3.2`.")
    first, last = offset + 1, offset + len(hits)
    blocks: list[Block] = [section(f"Results {first}–{last} for “{escape(query)}”:")]
    for hit in hits:
        line = f"*§{escape(hit.ref)}*  {highlight(_clip(hit.text, hit.match), hit.match)}"
        block = section(line[:SECTION_LIMIT])
        block["accessory"] = _button("Post to channel", POST_ACTION, {"d": hit.document, "r": hit.ref})
        blocks.append(block)
    if more:
        value = {"q": query[:500], "o": offset + page_size, "d": document}
        blocks.append({"type": "actions", "elements": [_button("More results", MORE_ACTION, value)]})
    text = _fallback(f"Results for “{query}”: " + ", ".join(f"§{hit.ref}" for hit in hits))
    return Reply(text=text, blocks=blocks, public=False)


def message_reply(text: str, *, public: bool = False) -> Reply:
    """A plain informational answer (help, about, a citation), escaped and split into sections."""
    return Reply(text=_fallback(text), blocks=text_sections(text), public=public)


def markdown_reply(mrkdwn: str, fallback: str) -> Reply:
    """An ephemeral answer whose mrkdwn the caller built and escaped itself."""
    return Reply(text=_fallback(fallback), blocks=[section(mrkdwn[:SECTION_LIMIT])], public=False)


def error_reply(message: str) -> Reply:
    """A UserError's message, only for the asker."""
    return Reply(text=_fallback(message), blocks=[section(f":warning: {escape(message)}"[:SECTION_LIMIT])])


def button_value(raw: str | None) -> dict[str, Any]:
    """Decode a button value we wrote; anything else decodes to an empty dict."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _button(label: str, action_id: str, value: dict[str, Any]) -> Block:
    encoded = json.dumps(value, separators=(",", ":"))[:BUTTON_VALUE_LIMIT]
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": encoded}


def _clip(text: str, match: tuple[int, int] | None) -> str:
    """A hit's sentence, cut so a search result stays readable (the match is kept)."""
    limit = 1500
    if len(text) <= limit or (match and match[1] > limit):
        return text[: max(limit, match[1] if match else 0)]
    return text[:limit].rstrip() + "…"


def _fallback(text: str) -> str:
    return escape(text)[:FALLBACK_LIMIT]
