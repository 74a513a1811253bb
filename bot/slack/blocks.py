"""Core replies as Slack Block Kit: escaped mrkdwn, bold matches, sections within Slack's size limits."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from bot.core.render import DAILY_HEADING, Quotation, also_in, hit_heading, split_text
from bot.core.replies import (
    AboutReply,
    CiteReply,
    ContextReply,
    DailyReply,
    ErrorReply,
    HelpReply,
    QuoteReply,
    Reply,
    SearchReply,
    TextsReply,
)
from bot.core.search import Hit

Block = dict[str, Any]

SECTION_LIMIT = 3000  # Slack rejects a section whose text is longer
FALLBACK_LIMIT = 3000  # the notification text; Slack shortens longer ones anyway
BUTTON_VALUE_LIMIT = 2000
MAX_BLOCKS = 50
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
# Text in one message's blocks: chat.postMessage refuses much more (msg_blocks_too_long), so replies keep to it too.
MESSAGE_TEXT_LIMIT = 12_000
POST_ACTION = "speech_post"
MORE_ACTION = "speech_more"
CONTINUE_ACTION = "speech_continue"


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One Slack answer: fallback text, blocks, and whether the whole channel sees it.

    The last `footer` blocks (ref, title, citation) close every part when the answer is too long for one
    message; `origin` says how to render it again, for the button that sends the parts after the first few.
    """

    text: str
    blocks: list[Block] = field(default_factory=list)
    public: bool = False
    footer: int = 0
    origin: dict[str, Any] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for bolt's respond() or ack(), for a message that fits (see parts())."""
        return {
            "text": self.text,
            "blocks": self.blocks,
            "response_type": "in_channel" if self.public else "ephemeral",
        }

    def parts(self) -> list[SlackMessage]:
        """The answer as messages Slack accepts, in reading order; each ends with the footer and its part number."""
        if len(self.blocks) <= MAX_BLOCKS and text_size(self.blocks) <= MESSAGE_TEXT_LIMIT:
            return [self]
        cut = len(self.blocks) - self.footer
        body, footer = self.blocks[:cut], self.blocks[cut:]
        room = MAX_BLOCKS - len(footer) - 2  # the part number and, on the last part sent, a Continue button
        budget = max(MESSAGE_TEXT_LIMIT - text_size(footer) - 200, SECTION_LIMIT)
        batches: list[list[Block]] = [[]]
        for block in body:
            if batches[-1] and (len(batches[-1]) >= room or text_size([*batches[-1], block]) > budget):
                batches.append([])
            batches[-1].append(block)
        total = len(batches)
        return [
            SlackMessage(
                text=f"{self.text[: FALLBACK_LIMIT - 20]} ({number}/{total})",
                blocks=[*batch, *footer, context(f"Part {number} of {total}")],
                public=self.public,
                origin=self.origin,
            )
            for number, batch in enumerate(batches, 1)
        ]


def text_size(blocks: Sequence[Block]) -> int:
    """Characters of text in blocks, counted the way Slack's per-message limit counts them."""
    total = 0
    for block in blocks:
        for key, value in block.items():
            if key == "text" and isinstance(value, str):
                total += len(value)
            elif isinstance(value, dict):
                total += text_size([value])
            elif isinstance(value, list):
                total += text_size([item for item in value if isinstance(item, dict)])
    return total


def with_continue(part: SlackMessage, value: dict[str, Any], *, next_part: int, total: int) -> SlackMessage:
    """The part with a button that sends the parts from `next_part` on (a response_url takes only five)."""
    button = _button(f"Continue reading (part {next_part} of {total})", CONTINUE_ACTION, value)
    return SlackMessage(part.text, [*part.blocks, {"type": "actions", "elements": [button]}], part.public)


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as markup, so `<!channel>` or `<@U1>` never pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def is_user_id(text: object) -> bool:
    """Whether a value is a Slack user id, so it may be shown as a mention."""
    return isinstance(text, str) and _USER_ID.match(text) is not None


def mention(user: str) -> str:
    """`<@U…>` for a Slack user id; anything else (say, an operator's name) as plain text that pings nobody."""
    return f"<@{user}>" if is_user_id(user) else escape(user)


def highlight(text: str, match: tuple[int, int] | None, marks: Sequence[tuple[int, int]] | None = None) -> str:
    """Escaped text with the marked spans (else the matched span) in bold, trimmed to non-space characters."""
    spans = sorted(marks) if marks else ([match] if match else [])
    parts: list[str] = []
    position = 0
    for first, last in spans:
        start, end = max(position, first, 0), min(len(text), last)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        # `*` in the span would end the bold early; beside a letter Slack sees `*` only after a zero-width space.
        bold = escape(text[start:end]).replace("*", "\u2217")
        before = "\u200b" if start and text[start - 1].isalnum() else ""
        after = "\u200b" if end < len(text) and text[end].isalnum() else ""
        parts.append(f"{escape(text[position:start])}{before}*{bold}*{after}")
        position = end
    return "".join(parts) + escape(text[position:])


def mrkdwn_text(text: str) -> Block:
    """A verbatim mrkdwn text object: a URL or `#general` in a quoted text stays the words the text has."""
    return {"type": "mrkdwn", "text": text[:SECTION_LIMIT], "verbatim": True}


def section(mrkdwn: str) -> Block:
    """A section block of mrkdwn text, cut to Slack's limit as a last resort."""
    return {"type": "section", "text": mrkdwn_text(mrkdwn)}


def context(*parts: str) -> Block:
    """A context block: small grey lines for ref, title and citation."""
    return {"type": "context", "elements": [mrkdwn_text(part) for part in parts[:10]]}


def text_sections(text: str, *, quote: bool = False, label: str | None = None) -> list[Block]:
    """Plain text as escaped sections, split with the core's splitter so each fits Slack's limit."""
    prefix = f"*{escape(label)}*\n" if label else ""
    limit = SECTION_LIMIT - 100 - len(prefix)
    while True:
        parts = [_as_quote(escape(part)) if quote else escape(part) for part in split_text(text, limit)]
        if all(len(prefix + part) <= SECTION_LIMIT for part in parts) or limit <= 500:
            break
        limit -= 500  # escaping made a part longer than Slack allows: split finer
    return [section(prefix + part if i == 0 else part) for i, part in enumerate(parts) if part.strip()]


def _as_quote(mrkdwn: str) -> str:
    return "\n".join(f">{line}" if line.strip() else ">" for line in mrkdwn.split("\n"))


def render(reply: Reply, *, shared_by: str | None = None) -> SlackMessage:
    """The Slack message for a core reply: quotes and context public, everything else only for the asker."""
    match reply:
        case ErrorReply():
            return error_message(reply.text)
        case SearchReply():
            return search_message(reply)
        case QuoteReply():
            return quotation_message(reply.quotation, shared_by=shared_by)
        case DailyReply():
            return quotation_message(reply.quotation, heading=DAILY_HEADING, shared_by=shared_by)
        case ContextReply():
            return context_message(reply)
        case CiteReply():
            blocks = [section(escape(reply.text)), context(escape(reply.quotation.title))]
            return SlackMessage(text=_fallback(reply.text), blocks=blocks)
        case AboutReply():
            origin = {"k": "about", "d": reply.document}
            return SlackMessage(text=_fallback(reply.text), blocks=text_sections(reply.text), origin=origin)
        case TextsReply() | HelpReply():
            return SlackMessage(text=_fallback(reply.text), blocks=text_sections(reply.text))
        case _:
            assert_never(reply)


def quotation_message(
    q: Quotation, *, heading: str | None = None, shared_by: str | None = None, public: bool = True
) -> SlackMessage:
    """A quotation (public unless said otherwise): the passage as blockquotes, then ref, title and citation."""
    text = q.text
    notes = [f"*{escape(q.title)}*", escape(q.footer)]
    if shared_by:
        notes.append(f"shared by <@{shared_by}>")  # shared_by is a checked user id, never user text
    blocks = [*([section(f"*{escape(heading)}*")] if heading else []), *text_sections(text, quote=True)]
    blocks.append(context(*notes))
    origin = {"k": "quote", "d": q.document, "r": q.ref, "h": heading, "s": shared_by, "p": public}
    return SlackMessage(_fallback(f"{q.title}: {text}"), blocks, public=public, footer=1, origin=origin)


def context_message(reply: ContextReply) -> SlackMessage:
    """A paragraph with its neighbours; the target paragraph as a blockquote so it stands out."""
    blocks: list[Block] = []
    for label, text, is_target in reply.sections:
        blocks += text_sections(text, quote=is_target, label=label)
    title, footer = reply.quotation.title, reply.quotation.footer
    blocks.append(context(f"*{escape(title)}*", escape(footer)))
    origin = {"k": "context", "d": reply.document, "r": reply.quotation.ref}
    return SlackMessage(_fallback(f"Context of {title}"), blocks, public=True, footer=1, origin=origin)


def search_message(reply: SearchReply) -> SlackMessage:
    """Ranked hits, matched words bold, each with "Post to channel", and "More results" to page on."""
    first, last = reply.offset + 1, reply.offset + len(reply.hits)
    blocks: list[Block] = [section(f"Results {first}–{last} for “{escape(reply.query)}”:")]
    for hit in reply.hits:
        block = section(f"*{escape(hit_heading(hit))}*  {highlight(*_clip(hit), hit.marks)}{escape(also_in(hit))}")
        block["accessory"] = _button("Post to channel", POST_ACTION, {"d": hit.document, "r": hit.ref})
        blocks.append(block)
    if reply.has_more:
        value = {"q": reply.query[:500], "o": last, "d": reply.document or None}
        blocks.append({"type": "actions", "elements": [_button("More results", MORE_ACTION, value)]})
    text = f"Results for “{reply.query}”: " + ", ".join(f"§{hit.ref}" for hit in reply.hits)
    return SlackMessage(text=_fallback(text), blocks=blocks)


def error_message(message: str) -> SlackMessage:
    """A message that says how to fix the input, only for the asker."""
    return SlackMessage(text=_fallback(message), blocks=[section(f":warning: {escape(message)}")])


def button_value(raw: str | None) -> dict[str, Any]:
    """Decode a button value we wrote; anything else decodes to an empty dict."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _button(label: str, action_id: str, value: dict[str, Any]) -> Block:
    encoded = json.dumps(value, separators=(",", ":"))[:BUTTON_VALUE_LIMIT]
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": encoded,
    }


def _clip(hit: Hit, limit: int = 1500) -> tuple[str, tuple[int, int]]:
    """A hit's sentence cut so a result list stays readable; the matched span is always kept."""
    if len(hit.text) <= limit or hit.match[1] > limit:
        return hit.text[: max(limit, hit.match[1])], hit.match
    return hit.text[:limit].rstrip() + "…", hit.match


def _fallback(text: str) -> str:
    return escape(text)[:FALLBACK_LIMIT]
