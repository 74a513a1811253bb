"""Citations, quotations and splitting long text for platforms with size limits."""

from __future__ import annotations

import pytest

from bot.core.corpus import parse_document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.render import citation, counted, quotation, split_text


def test_mla_citation_names_speaker_title_occasion_date_and_paragraph(library: Library) -> None:
    assert citation(library.document().passage("5"), "mla") == (
        "Khrushchev, Nikita. “Khrushchev's Secret Speech, 1956.” Translated from the Russian, closed session of "
        "the Twentieth Congress of the Communist Party of the Soviet Union, 25 Feb. 1956, Moscow. Speech, excerpt, "
        "par. 5."
    )


def test_apa_citation_has_reference_and_in_text_form(library: Library) -> None:
    text = citation(library.document().passage("3.2-4"), "apa")
    assert text.startswith(
        "Khrushchev, N. (1956, February 25). Khrushchev's secret speech, 1956 "
        "[Speech, excerpt, translated from the Russian]. Closed session of the Twentieth Congress"
    )
    assert text.endswith("In text: (Khrushchev, 1956, para. 3)")


def test_chicago_citation_spans_paragraphs_of_a_range(library: Library) -> None:
    text = citation(library.document().passage("2-3"), "chicago")
    assert text.startswith(
        "Nikita Khrushchev, “Khrushchev's Secret Speech, 1956,” excerpt, translated from the Russian "
        "(speech, closed session"
    )
    assert text.endswith("February 25, 1956), pars. 2-3.")


def test_unknown_citation_style_says_which_exist(library: Library) -> None:
    with pytest.raises(UserError, match="mla"):
        citation(library.document().passage("1"), "harvard")


def test_quotation_carries_ref_title_and_citation(library: Library) -> None:
    quote = quotation(library.document().passage("3.2"))
    assert quote.title == "§3.2 · Khrushchev's Secret Speech, 1956"
    assert quote.text.startswith("This term automatically")
    assert quote.footer.endswith("par. 3.")


def test_short_text_is_not_split_or_marked() -> None:
    assert split_text("One. Two.", 100) == ["One. Two."]


def test_long_text_splits_at_sentence_boundaries_with_part_markers(library: Library) -> None:
    text = library.document().passage("2-3").text
    parts = split_text(text, 500)
    assert len(parts) > 1
    assert all(len(part) <= 500 for part in parts)
    assert parts[0].endswith(f"(1/{len(parts)})")
    rebuilt = " ".join(part.rsplit(" (", 1)[0] for part in parts)
    assert rebuilt.split() == text.split()
    for part in parts:
        body = part.rsplit(" (", 1)[0]
        assert body.endswith((".", "?", "!"))


def test_a_sentence_longer_than_the_limit_is_cut_between_words() -> None:
    sentence = " ".join(["word"] * 100) + "."
    parts = split_text(sentence, 60)
    assert all(len(p) <= 60 for p in parts)
    assert all(body.split() and set(body.rsplit(" (", 1)[0].split()) <= {"word", "word."} for body in parts)


def test_parts_fit_the_limit_when_there_are_a_hundred_or_more() -> None:
    text = " ".join(["a"] * 3000) + "."  # one long sentence, cut between words into full parts
    parts = split_text(text, 60)
    assert len(parts) >= 100
    assert all(len(part) <= 60 for part in parts), max(parts, key=len)
    assert parts[-1].endswith(f"({len(parts)}/{len(parts)})")


def test_parts_fit_a_narrow_limit_and_one_part_gets_no_marker() -> None:
    text = " ".join(["word"] * 30) + "."
    assert all(len(part) <= 20 for part in split_text(text, 20))
    assert split_text("One.  Two.", 9) == ["One. Two."]  # longer only by a tidied space


def test_mla_title_ending_in_a_question_mark_gets_no_extra_period() -> None:
    from bot.core.corpus import parse_document

    document = parse_document("T\n\n* * *\n\nOne.\n", doc_id="q", meta={"title": "What Is to Be Done?"})
    assert citation(document.passage("1"), "mla") == "“What Is to Be Done?” Speech, par. 1."


def test_citations_of_a_text_without_speaker_or_date_name_the_title_once() -> None:
    from bot.core.corpus import parse_document

    document = parse_document("Untitled\n\n* * *\n\nOne. Two.\n\nThree.\n", doc_id="bare")
    apa = citation(document.passage("1-2"), "apa")
    assert apa == "Untitled [Speech]. (n.d.). In text: (Untitled, n.d., paras. 1-2)"
    for style in ("mla", "apa", "chicago"):
        assert "None" not in citation(document.passage("2"), style)


def test_apa_sentence_case_keeps_names_the_text_never_writes_in_lower_case() -> None:
    from bot.core.corpus import parse_document

    document = parse_document(
        "A Speech On Liberty At Peoria\n\n* * *\n\nI speak on liberty at this speech. It is a long speech.\n",
        doc_id="peoria",
        meta={"speaker": "Abraham Lincoln", "speaker_family": "Lincoln", "speaker_given": "Abraham"},
    )
    text = citation(document.passage("1"), "apa")
    assert "A speech on liberty at Peoria [Speech]." in text


def test_apa_uses_the_sentence_case_title_from_metadata(library: Library) -> None:
    assert "Khrushchev's secret speech, 1956 [Speech, excerpt," in citation(library.document().passage("1"), "apa")


def test_a_long_passage_is_handed_over_whole_for_each_platform_to_split() -> None:
    text = " ".join(f"Sentence number {n} of a long paragraph." for n in range(300))
    passage = parse_document(f"Long\n\n* * *\n\n{text}\n", doc_id="long").passage("1")
    quote = quotation(passage)
    assert len(quote.text) > 4096  # longer than a Discord embed, a Slack section and a Slack message
    assert quote.text == passage.text and "(1/" not in quote.text


@pytest.mark.parametrize(("n", "expected"), [(0, "0 paragraphs"), (1, "1 paragraph"), (2, "2 paragraphs")])
def test_a_count_takes_its_noun_in_the_right_number(n: int, expected: str) -> None:
    assert counted(n, "paragraph") == expected
