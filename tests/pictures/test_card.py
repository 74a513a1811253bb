"""Quote cards: readable PNGs with the citation, Cyrillic drawn, nothing drawn as boxes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.core.errors import UserError
from bot.pictures.card import HEIGHT, WIDTH, CardText, quote_card
from bot.pictures.fonts import missing_glyphs

CITATION = "Khrushchev, Nikita. “Khrushchev's Secret Speech, 1956.” 25 Feb. 1956, Moscow, par. 3."


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_card_is_a_slide_sized_png() -> None:
    image = picture(quote_card(CardText("Stalin originated the concept enemy of the people.", "§3.1", CITATION)))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)


def test_cyrillic_names_are_drawn_with_real_glyphs() -> None:
    quote = "Никита Сергеевич Хрущёв spoke of Сталин and the «культ личности»."
    assert missing_glyphs(quote, "DejaVuSerif", "DejaVuSans") == []
    latin = picture(quote_card(CardText("Nikita Khrushchev spoke of Stalin.", "x", CITATION)))
    cyrillic = picture(quote_card(CardText(quote, "Хрущёв · 1956", CITATION)))
    assert cyrillic.size == latin.size
    assert cyrillic.tobytes() != latin.tobytes()


def test_text_the_font_cannot_draw_is_refused_rather_than_boxed() -> None:
    with pytest.raises(UserError, match="no letters for 漢"):
        quote_card(CardText("The characters 漢字 are not in the card's font.", "x", CITATION))


def test_a_long_passage_gets_a_smaller_size_and_a_too_long_one_is_refused() -> None:
    medium = " ".join(["The Party leaders were arrested and shot without trial."] * 8)
    assert picture(quote_card(CardText(medium, "x", CITATION))).size == (WIDTH, HEIGHT)
    huge = " ".join(["The Party leaders were arrested and shot without trial."] * 60)
    with pytest.raises(UserError, match="too long to read on one card"):
        quote_card(CardText(huge, "x", CITATION))


def test_the_card_is_not_blank_where_the_text_goes() -> None:
    image = picture(quote_card(CardText("Stalin originated the concept enemy of the people.", "§3.1", CITATION)))
    grey = image.convert("L")
    quote_area = grey.crop((100, 100, WIDTH - 100, HEIGHT - 250))
    assert quote_area.getextrema()[0] < 80  # dark ink on the pale background
