"""Quote cards: a passage typeset as a 16:9 picture for slides and handouts, with its citation on it."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.core.errors import UserError
from bot.pictures.fonts import font_path, missing_glyphs

WIDTH, HEIGHT = 1600, 900
MARGIN = 110
BACKGROUND = (250, 246, 236)
INK = (33, 33, 38)
QUIET_INK = (96, 90, 82)
RULE = (176, 141, 87)
QUOTE_FONT = "DejaVuSerif"
CITATION_FONT = "DejaVuSans"
LARGEST, SMALLEST = 56, 30  # quote sizes tried, largest first; below the smallest a slide is unreadable
CITATION_SIZE = 24
LINE_SPACING = 1.35


@dataclass(frozen=True, slots=True)
class CardText:
    """What a card shows: the passage, who said it and where, and the full citation."""

    quote: str
    attribution: str  # e.g. "Nikita Khrushchev · Khrushchev's Secret Speech, 1956 · §3.1"
    citation: str  # plain text, without Markdown


def quote_card(text: CardText) -> bytes:
    """The card as PNG bytes; a passage too long to read at slide size is refused with a hint."""
    missing = missing_glyphs(text.quote + text.attribution + text.citation, QUOTE_FONT, CITATION_FONT)
    if missing:
        shown = " ".join(missing[:5])
        raise UserError(f"The card's font has no letters for {shown}, so this passage cannot be made into a card.")
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(str(font_path(CITATION_FONT)), CITATION_SIZE)
    footer = _wrap(draw, text.citation, small, WIDTH - 2 * MARGIN)
    footer_height = int(len(footer) * CITATION_SIZE * LINE_SPACING)
    attribution_font = ImageFont.truetype(str(font_path(f"{CITATION_FONT}-Bold")), CITATION_SIZE + 4)
    room = HEIGHT - 2 * MARGIN - footer_height - 3 * (CITATION_SIZE + 4)
    size, lines = _fit(draw, text.quote, WIDTH - 2 * MARGIN, room)
    quote_font = ImageFont.truetype(str(font_path(QUOTE_FONT)), size)
    line_height = int(size * LINE_SPACING)
    block = len(lines) * line_height
    y = MARGIN + max(0, (room - block) // 2)
    draw.rectangle((MARGIN - 40, y, MARGIN - 34, y + block - (line_height - size)), fill=RULE)
    for line in lines:
        draw.text((MARGIN, y), line, font=quote_font, fill=INK)
        y += line_height
    y = HEIGHT - MARGIN - footer_height - int((CITATION_SIZE + 4) * LINE_SPACING) - 10
    draw.text((MARGIN, y), text.attribution, font=attribution_font, fill=INK)
    y = HEIGHT - MARGIN - footer_height
    for line in footer:
        draw.text((MARGIN, y), line, font=small, fill=QUIET_INK)
        y += int(CITATION_SIZE * LINE_SPACING)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, quote: str, width: int, height: int) -> tuple[int, list[str]]:
    """The largest size at which the quote fits the space, with its lines; refuse when even the smallest fails."""
    for size in range(LARGEST, SMALLEST - 1, -2):
        font = ImageFont.truetype(str(font_path(QUOTE_FONT)), size)
        lines = _wrap(draw, f"“{quote}”", font, width)
        if len(lines) * size * LINE_SPACING <= height:
            return size, lines
    words = len(quote.split())
    raise UserError(
        f"That passage ({words} words) is too long to read on one card; pick a shorter reference, "
        "such as one or two sentences (`3.1` or `3.1-2`)."
    )


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width` pixels, broken between words; a blank line where a paragraph ends."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        if line:
            lines.append(line)
    return lines
