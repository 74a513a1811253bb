"""Block Kit rendering: escaping, bold matches and Slack's size limits, on real core replies."""

from __future__ import annotations

import random

from bot.core import Library, commands
from bot.core.render import quotation
from bot.slack import blocks
from tests.slack.conftest import LONG_PARAGRAPHS, LONG_TEXT_ID


def test_escape_neutralises_mentions_and_links() -> None:
    assert blocks.escape("<!channel> & <@U123> <https://x.invalid|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x.invalid|y&gt;"
    )


def test_highlight_bolds_the_span_and_escapes_around_it() -> None:
    assert blocks.highlight("a <b> enemy of the people", (6, 11)) == "a &lt;b&gt; *enemy* of the people"


def test_highlight_bolds_each_marked_word_and_not_the_words_between() -> None:
    text = "the XVIIth Party Congress [1934]"
    assert blocks.highlight(text, (4, 25), [(4, 10), (17, 25)]) == "the *XVIIth* Party *Congress* [1934]"


def test_search_message_bolds_only_the_matched_words(library: Library) -> None:
    reply = commands.search(library, "XVII congress")
    section = blocks.search_message(reply).blocks[1]["text"]["text"]
    assert "*XVIIth* Party *Congress*" in section


def test_highlight_inside_a_word_uses_zero_width_spaces() -> None:
    assert blocks.highlight("collegiality", (0, 9)) == "*collegial*\u200bity"


def test_highlight_trims_spaces_and_survives_bad_spans() -> None:
    assert blocks.highlight("the people", (3, 10)) == "the *people*"
    assert blocks.highlight("abc", (2, 2)) == "abc"
    assert blocks.highlight("a*b", (0, 3)) == "*a\u2217b*"


def test_long_text_is_split_into_sections_within_slacks_limit() -> None:
    text = "Tom & Jerry said <hello> to the Presidium. " * 300
    sections = blocks.text_sections(text, quote=True)
    assert len(sections) > 1
    assert all(len(s["text"]["text"]) <= blocks.SECTION_LIMIT for s in sections)
    assert all(s["text"]["text"].startswith(">") for s in sections)
    assert "<" not in "".join(s["text"]["text"] for s in sections)
    assert sections[-1]["text"]["text"].endswith(f"({len(sections)}/{len(sections)})")


def test_every_paragraph_quote_fits_and_is_public(library: Library) -> None:
    for number in range(1, len(library.default.paragraphs) + 1):
        reply = commands.quote(library, str(number), rng=random.Random(1))
        message = blocks.render(reply)
        assert message.public
        assert message.blocks[-1]["type"] == "context"
        assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in message.blocks if b["type"] == "section")


def test_error_reply_is_private() -> None:
    message = blocks.render(commands.error("Use <3.2>"))
    assert not message.public
    assert message.as_kwargs()["response_type"] == "ephemeral"
    assert message.blocks[0]["text"]["text"] == ":warning: Use &lt;3.2&gt;"


def test_button_values_round_trip_and_junk_decodes_to_nothing(library: Library) -> None:
    reply = commands.search(library, "Stalin")
    message = blocks.render(reply)
    post = next(b["accessory"] for b in message.blocks if "accessory" in b)
    assert blocks.button_value(post["value"]) == {"d": reply.hits[0].document, "r": reply.hits[0].ref}
    assert blocks.button_value("[1, 2]") == {}
    assert blocks.button_value("{not json") == {}
    assert blocks.button_value(None) == {}


def test_a_private_long_quotation_stays_private_in_every_part(long_library: Library) -> None:
    passage = long_library.document(LONG_TEXT_ID).passage(f"1-{LONG_PARAGRAPHS}")
    message = blocks.quotation_message(quotation(passage), heading="Next daily passage", public=False)
    parts = message.parts()
    assert len(parts) > 1
    assert all(part.as_kwargs()["response_type"] == "ephemeral" for part in parts)
    assert message.origin is not None
    assert message.origin["p"] is False  # so a Continue button renders the rest privately as well


def test_a_message_that_fits_is_one_part_unchanged(library: Library) -> None:
    message = blocks.render(commands.quote(library, "3.2", rng=random.Random(0)))
    assert message.parts() == [message]
