"""Core replies as Discord embeds: the only place that knows Discord's size limits and markup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import assert_never

import discord
from discord.utils import escape_markdown

from bot.core.render import (
    Quotation,
    also_in,
    highlight_parts,
    hit_heading,
    hit_marks,
    marked_pieces,
    one_line,
    split_text,
)
from bot.core.replies import (
    AboutReply,
    Answer,
    CiteReply,
    ContextReply,
    DailyReply,
    HelpReply,
    QuoteReply,
    SearchReply,
    TextsReply,
)

COLOUR = discord.Colour(0x9B2C2C)
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FOOTER_LIMIT = 2048
PART_LIMIT = 4000  # leaves room in a description for markup around a part
MESSAGE_CHARS = 6000  # Discord's total for all embeds of one message
MESSAGE_EMBEDS = 10
HIT_CHARS = 600


def clip(text: str, limit: int) -> str:
    """Text shortened at a word boundary to fit a Discord field."""
    return one_line(text, limit) if len(text) > limit or "\n" in text else text


def _embed(title: str | None, description: str) -> discord.Embed:
    return discord.Embed(
        title=clip(title, TITLE_LIMIT) if title else None,
        description=description[:DESCRIPTION_LIMIT],
        colour=COLOUR,
    )


def quotation_embeds(quotation: Quotation) -> list[discord.Embed]:
    """A passage as embeds: the heading on the first, the parts marked (1/3), the citation under the last."""
    parts = split_text(quotation.text, PART_LIMIT)
    embeds = [_embed(quotation.title if i == 0 else None, part) for i, part in enumerate(parts)]
    embeds[-1].set_footer(text=clip(quotation.footer, FOOTER_LIMIT))
    return embeds


def hit_line(reply: SearchReply, index: int, show_document: bool) -> str:
    """One search hit: its ref in bold, the sentence with the matched words in bold."""
    hit = reply.hits[index]
    before, matched, after = highlight_parts(hit)
    if len(hit.text) > HIT_CHARS:
        room = max(HIT_CHARS - len(matched), 40) // 2
        before = ("…" + before[-room:]) if len(before) > room else before
        after = (after[:room] + "…") if len(after) > room else after
    start = hit.match[0]
    marks = [(s - start, e - start) for s, e in hit_marks(hit)]
    bolded = "".join(
        f"**{escape_markdown(piece)}**" if bold and piece.strip() else escape_markdown(piece)
        for piece, bold in marked_pieces(matched, marks)
    )
    body = escape_markdown(before) + bolded + escape_markdown(after)
    heading = hit_heading(hit) if show_document else f"§{hit.ref}"
    return f"**{escape_markdown(heading)}** {body}{escape_markdown(also_in(hit))}"


def search_embed(reply: SearchReply, title_of: dict[str, str]) -> discord.Embed:
    """A page of search hits; the query is echoed escaped in the title, never in message content."""
    documents = {hit.document for hit in reply.hits}
    show_document = len(title_of) > 1 and not reply.document  # searching several texts: each hit names its own
    lines = [hit_line(reply, i, show_document) for i in range(len(reply.hits))]
    embed = _embed(f"Search: {escape_markdown(reply.query)}", "\n\n".join(lines))
    first, last = reply.offset + 1, reply.offset + len(reply.hits)
    source = title_of.get(reply.document) or (title_of[next(iter(documents))] if len(documents) == 1 else "")
    footer = f"Results {first}-{last}" + (f" · {source}" if source else "") + " · /quote <ref> shows one in full"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return embed


def context_embeds(reply: ContextReply) -> list[discord.Embed]:
    """A paragraph between its neighbours; the asked-for paragraph's label is marked."""
    blocks = []
    for label, text, is_target in reply.sections:
        heading = f"**{label}** ◀" if is_target else f"**{label}**"
        blocks.append(f"{heading}\n{text}")
    text = "\n\n".join(blocks)
    quotation = reply.quotation
    parts = [text] if len(text) <= DESCRIPTION_LIMIT else split_text(text, PART_LIMIT)
    title = f"Context of {quotation.title}"
    embeds = [_embed(title if i == 0 else None, part) for i, part in enumerate(parts)]
    footer = f"{quotation.footer} · paragraph {reply.paragraph} of {reply.paragraph_count}"
    embeds[-1].set_footer(text=clip(footer, FOOTER_LIMIT))
    return embeds


def citation_embed(reply: CiteReply) -> discord.Embed:
    """A citation on its own, easy to copy."""
    return _embed(f"{reply.style.upper()} citation · {reply.quotation.title}", reply.text)


def text_embeds(title: str, text: str) -> list[discord.Embed]:
    """Longer prose (about, help) split at sentence boundaries."""
    parts = split_text(text, PART_LIMIT)
    return [_embed(title if i == 0 else None, part) for i, part in enumerate(parts)]


def reply_embeds(reply: Answer, title_of: dict[str, str]) -> list[discord.Embed]:
    """Any successful core reply as embeds."""
    match reply:
        case SearchReply():
            return [search_embed(reply, title_of)]
        case ContextReply():
            return context_embeds(reply)
        case CiteReply():
            return [citation_embed(reply)]
        case QuoteReply() | DailyReply():
            return quotation_embeds(reply.quotation)
        case AboutReply():
            return text_embeds(title_of.get(reply.document, "speechbot"), reply.text)
        case TextsReply() | HelpReply():
            return text_embeds("speechbot", reply.text)
        case _:
            assert_never(reply)


def batches(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages within Discord's 10-embed and 6,000-character limits."""
    out: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        if current and (size + length > MESSAGE_CHARS or len(current) == MESSAGE_EMBEDS):
            out.append(current)
            current, size = [], 0
        current.append(embed)
        size += length
    if current:
        out.append(current)
    return out


def help_embed(commands: Iterable[tuple[str, str, str]], ref_help: str) -> discord.Embed:
    """Every command with what it does and an example."""
    lines = [
        f"**{usage}**: {what}" + (f"\nExample: `{example}`" if example else "") for usage, what, example in commands
    ]
    return _embed("speechbot help", "\n".join([*lines, "", ref_help]))
