"""Time zones as people type them: names, cities, typos and abbreviations, and the autocomplete's suggestions."""

from __future__ import annotations

import pytest

from bot.core.errors import UserError
from bot.core.zones import match_timezone, timezone_suggestions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("America/New_York", "America/New_York"),
        ("sydney", "Australia/Sydney"),
        ("kolkata", "Asia/Kolkata"),
        ("mumbai", "Asia/Kolkata"),
        ("los angeles", "America/Los_Angeles"),
        ("utc", "UTC"),
        ("kiev", "Europe/Kyiv"),
        ("US/Eastern", "US/Eastern"),
    ],
)
def test_timezone_names_and_cities_resolve_to_iana_zones(text: str, expected: str) -> None:
    assert match_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("berlni", "Europe/Berlin"),
        ("londn", "Europe/London"),
        ("new yrok", "America/New_York"),
        ("chicgo", "America/Chicago"),
    ],
)
def test_misspelled_city_still_finds_its_zone(text: str, expected: str) -> None:
    assert match_timezone(text) == expected


@pytest.mark.parametrize(
    ("abbreviation", "suggested"),
    [("EST", "America/New_York"), ("cet", "Europe/Berlin"), ("PST", "America/Los_Angeles"), ("IST", "Asia/Kolkata")],
)
def test_abbreviations_are_explained_with_place_suggestions(abbreviation: str, suggested: str) -> None:
    with pytest.raises(UserError) as caught:
        match_timezone(abbreviation)
    assert "daylight saving" in caught.value.message
    assert suggested in caught.value.message


@pytest.mark.parametrize("text", ["xyzzy", "", "Etc/GMT+5", "Mars/Olympus_Mons"])
def test_unknown_zone_gets_a_message_with_examples(text: str) -> None:
    with pytest.raises(UserError) as caught:
        match_timezone(text)
    assert "/" in caught.value.message


def test_unknown_zone_message_suggests_the_nearest_city() -> None:
    with pytest.raises(UserError) as caught:
        match_timezone("pari")
    assert "Europe/Paris" in caught.value.message


def test_suggestions_for_prefix_fit_discord_autocomplete() -> None:
    europe = timezone_suggestions("eur")
    assert 0 < len(europe) <= 25
    assert all(name.startswith("Europe/") for name in europe)
    assert timezone_suggestions("new")[0] == "America/New_York"
    assert timezone_suggestions("berl") == ["Europe/Berlin"]
    assert "Europe/London" in timezone_suggestions("lodnon")


def test_empty_autocomplete_offers_popular_zones() -> None:
    popular = timezone_suggestions("")
    assert len(popular) == 25
    assert "UTC" in popular
    assert "Europe/Berlin" in popular
    assert len(timezone_suggestions("", limit=5)) == 5


def test_every_suggestion_is_accepted_by_match_timezone() -> None:
    for prefix in ["a", "eu", "america/n", "syd", "kol"]:
        for name in timezone_suggestions(prefix):
            assert match_timezone(name) == name
