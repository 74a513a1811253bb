"""Answers across many texts: labels, picking a text by name, filters, and one hit for a shared sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import UserError
from bot.core.library import Library, TextFilter

SHARED = "We hold these truths about the freedom of the press to be self-evident."


def _reader(folder: Path) -> Library:
    texts = {
        "lincoln-1861.txt": f"To the People:\n\n{SHARED}\n\nThe union of the States is perpetual.",
        "lincoln-1862.txt": "Fellow-Citizens:\n\nIn giving freedom to the slave, we assure freedom to the free.",
        "lincoln-1863.md": "# Part One\n\nFour score and seven years ago our fathers spoke of freedom.\n\n"
        "# Part Two\n\nThe world will little note what we say here about freedom.",
        "douglass-1852.txt": f"Friends and Fellow Citizens:\n\n{SHARED.upper()}\n\nWhat to the slave is the Fourth?",
    }
    for name, text in texts.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "metadata.csv").write_text(
        "id,speaker,date,title\n"
        "lincoln-1861,Abraham Lincoln,1861-03-04,First Inaugural Address\n"
        "lincoln-1862,Abraham Lincoln,1862-12-01,Annual Message to Congress\n"
        "lincoln-1863,Abraham Lincoln,1863-11-19,The Gettysburg Address\n"
        "douglass-1852,Frederick Douglass,1852-07-05,What to the Slave Is the Fourth of July?\n",
        encoding="utf-8",
    )
    return Library.load([folder], include_seeds=False)


@pytest.fixture
def reader(tmp_path: Path) -> Library:
    return _reader(tmp_path)


def test_every_hit_names_its_text_by_speaker_and_year(reader: Library) -> None:
    hits = reader.search("freedom to the slave")
    assert hits[0].label == "Lincoln 1862"
    assert all(hit.label for hit in hits)


def test_a_sentence_in_several_texts_is_one_hit_that_names_the_others(reader: Library) -> None:
    hits = reader.search("truths about the freedom of the press")
    assert len([h for h in hits if "truths" in h.text.lower()]) == 1
    assert {hits[0].label, *hits[0].also_in} == {"Lincoln 1861", "Douglass 1852"}
    assert len(hits[0].also_in) == 1


def test_hits_in_a_markdown_text_carry_their_section(reader: Library) -> None:
    hit = reader.search("little note what we say")[0]
    assert (hit.label, hit.section, hit.ref) == ("Lincoln 1863", "Part Two", "2.1")


def test_a_text_is_named_by_id_prefix_or_title_words(reader: Library) -> None:
    assert reader.document("douglass").id == "douglass-1852"
    assert reader.document("gettysburg address").id == "lincoln-1863"
    assert reader.document("LINCOLN-1862").id == "lincoln-1862"


def test_an_ambiguous_name_lists_only_the_matching_texts(reader: Library) -> None:
    with pytest.raises(UserError) as raised:
        reader.document("lincoln")
    message = raised.value.message
    assert message.startswith("“lincoln” is ambiguous: it matches 3 texts:")
    assert "lincoln-1861" in message and "douglass" not in message


def test_an_ambiguous_name_lists_at_most_ten_texts(tmp_path: Path) -> None:
    for n in range(14):
        (tmp_path / f"address-{n:02}.txt").write_text(f"Address {n}\n\nBody {n}.\n", encoding="utf-8")
    library = Library.load([tmp_path], include_seeds=False)
    with pytest.raises(UserError) as raised:
        library.document("address")
    message = raised.value.message
    assert "matches 14 texts" in message and message.count("`address-") == 10 and "and 4 more" in message
    with pytest.raises(UserError, match="`texts` lists the 14 texts"):
        library.document("nothing like it")


def test_filters_by_speaker_and_years(reader: Library) -> None:
    by = reader.search("freedom", limit=10, within=TextFilter(speaker="douglass"))
    assert by and {h.document for h in by} == {"douglass-1852"}
    span = reader.search("freedom", limit=10, within=TextFilter(year_from=1862, year_to=1863))
    assert span and {h.document for h in span} <= {"lincoln-1862", "lincoln-1863"}
    one = reader.search("freedom", limit=10, within=TextFilter(document="gettysburg"))
    assert one and {h.document for h in one} == {"lincoln-1863"}


def test_a_filter_that_matches_nothing_says_so(reader: Library) -> None:
    with pytest.raises(UserError, match="No loaded text is by “Washington”"):
        reader.search("freedom", within=TextFilter(speaker="Washington"))
    with pytest.raises(UserError, match="dated within those years"):
        reader.search("freedom", within=TextFilter(year_from=1900))
    with pytest.raises(UserError, match="years run backwards"):
        reader.search("freedom", within=TextFilter(year_from=1863, year_to=1861))


def test_pages_of_grouped_hits_do_not_repeat_or_skip(reader: Library) -> None:
    everything = reader.search("freedom", limit=50)
    paged = [hit for offset in range(0, len(everything), 2) for hit in reader.search("freedom", 2, offset=offset)]
    assert paged == everything
