"""Loading, front matter, paragraph and sentence numbering of the real seed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.corpus import Document, parse_document, read_document
from bot.core.library import Library
from bot.core.reader import LoadOptions
from bot.core.segment import split_paragraphs, split_sentences

# The first words of every sentence of the seed, paragraph by paragraph: pins the splitter's behaviour.
SEED_SENTENCE_STARTS = [
    ["We have to consider seriously"],
    ["Stalin acted not through", "Whoever opposed this concept", "This was especially true"],
    [
        "Stalin originated the concept",
        "This term automatically rendered",
        "This concept, enemy of",
        "In the main, and",
    ],
    ["This led to the"],
    ["The Commission [of Inquiry]", "It became apparent that"],
    ["Lenin used severe methods"],
    ["Stalin, on the other", "It is clear that", "Instead of proving his"],
]


def test_seed_has_seven_paragraphs_and_fifteen_sentences(library: Library) -> None:
    document = library.document()
    assert len(document.paragraphs) == 7
    assert len(document.sentences) == 15


def test_every_seed_sentence_starts_where_expected(library: Library) -> None:
    document = library.document()
    starts = [
        [s.text[: len(expected)] for s, expected in zip(p.sentences, row, strict=True)]
        for p, row in zip(document.paragraphs, SEED_SENTENCE_STARTS, strict=True)
    ]
    assert starts == SEED_SENTENCE_STARTS


def test_sentences_are_numbered_inside_their_paragraph(library: Library) -> None:
    refs = [s.ref for s in library.document().sentences]
    assert refs[:5] == ["1.1", "2.1", "2.2", "2.3", "3.1"]
    assert refs[-1] == "7.3"


def test_ellipsis_brackets_and_etc_do_not_end_sentences(library: Library) -> None:
    document = library.document()
    assert document.passage("2.3").text.endswith("fell victim to Stalin's despotism. . . .")
    assert "XVIIth Party Congress [1934], when many" in document.passage("2.3").text
    assert "spies, wreckers, etc., but were always honest Communists" in document.passage("5.2").text


def test_front_matter_is_the_editors_introduction_not_the_body(library: Library) -> None:
    document = library.document()
    assert document.title == "Khrushchev's Secret Speech, 1956"
    assert document.front_matter.startswith("Nikita Khrushchev (1894-1971), First Secretary")
    assert all("First Secretary" not in s.text for s in document.sentences)
    assert document.paragraphs[0].text.startswith("We have to consider seriously")


def test_metadata_beside_the_text_feeds_citations(library: Library) -> None:
    meta = library.document().meta
    assert (meta.speaker, meta.date.isoformat() if meta.date else None) == ("Nikita Khrushchev", "1956-02-25")


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("He met J. V. Stalin. Then he left.", ["He met J. V. Stalin.", "Then he left."]),
        ("Dr. Smith came. He spoke.", ["Dr. Smith came.", "He spoke."]),
        ("They cut . . . the rest. Next.", ["They cut . . . the rest.", "Next."]),
        (
            'He called it a "confession." The accused denied it.',
            ['He called it a "confession."', "The accused denied it."],
        ),
        ('The so-called "enemies" were honest. Truly.', ['The so-called "enemies" were honest.', "Truly."]),
        (
            "Spies, wreckers, etc., were named. Then more.",
            ["Spies, wreckers, etc., were named.", "Then more."],
        ),
        ("After the U.S. Army left, quiet. Then war?", ["After the U.S. Army left, quiet.", "Then war?"]),
        ("Why? Because! Done.", ["Why?", "Because!", "Done."]),
        ("The 1937 purge [see 1938]. It grew.", ["The 1937 purge [see 1938].", "It grew."]),
    ],
)
def test_sentence_splitter_edge_cases(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_hard_wrapped_lines_are_joined_and_blank_lines_separate_paragraphs() -> None:
    assert split_paragraphs("one line\nwrapped here\n\n  second\n") == ["one line wrapped here", "second"]


def test_markdown_text_without_separator_takes_its_heading_as_title(two_texts: Library) -> None:
    document = two_texts.document("gettysburg")
    assert document.title == "The Gettysburg Address"
    assert document.front_matter == ""
    assert document.paragraphs[0].text.startswith("Four score and seven years ago our fathers brought forth")
    assert len(document.paragraphs[1].sentences) == 4


def test_a_text_with_no_body_is_refused() -> None:
    with pytest.raises(ValueError, match="no body"):
        parse_document("Title\n\n* * *\n", doc_id="empty")


def test_daily_passages_are_whole_sentences_within_one_paragraph(library: Library) -> None:
    passages = library.document().daily_passages
    assert len(passages) > 7
    for passage in passages:
        assert passage.first_paragraph == passage.last_paragraph
        assert 150 <= len(passage.text) <= 700
    covered = [s.ref for p in passages for s in p.sentences]
    assert covered == [s.ref for s in library.document().sentences]


def test_document_ids_are_short_slugs_whatever_the_file_is_called(tmp_path: Path) -> None:
    text = tmp_path / ("A Very Long Title, Of A Reader Of Sources About The Soviet Union (1917-1991) " * 2 + ".txt")
    text.write_text("Title\n\n* * *\n\nBody sentence one. Body sentence two.\n", encoding="utf-8")
    document = read_document(text)
    assert len(document.id) <= 40
    assert document.id.startswith("a-very-long-title-of-a-reader")
    assert not document.id.endswith("-")


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_byte_order_mark_is_not_part_of_the_title(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.txt", "\ufeffMy Title\r\n\r\nIntro.\r\n\r\n* * *\r\n\r\nBody one. Two.\r\n".encode())
    document = read_document(path)
    assert document.title == "My Title"
    assert document.front_matter == "Intro."
    assert [s.text for s in document.sentences] == ["Body one.", "Two."]


def test_utf16_text_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "notepad.txt", "Title\n\n* * *\n\nHello there. Two.\n".encode("utf-16"))
    assert read_document(path).paragraphs[0].text == "Hello there. Two."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Title\n\n* * *\n\nCafé society.\n".encode("latin-1"), r"latin\.txt: not UTF-8 text \(byte 0xe9"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"latin\.txt: looks like a binary file"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_refused_by_name(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_document(_write(tmp_path, "latin.txt", data))


def test_bad_metadata_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "meta.txt", b"Title\n\n* * *\n\nBody.\n")
    (tmp_path / "meta.toml").write_text("title = \n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"meta\.toml: not valid TOML metadata"):
        read_document(path)


def test_a_bad_date_in_metadata_is_left_out_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "meta.txt", b"Title\n\n* * *\n\nBody.\n")
    (tmp_path / "meta.toml").write_text('date = "soon"\n', encoding="utf-8")
    document = read_document(path)
    assert document.meta.date is None
    assert any("metadata date 'soon'" in warning for warning in document.warnings)


def test_an_unreadable_file_is_a_value_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "locked.txt", b"Title\n\n* * *\n\nBody.\n")

    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # the OS refusing, as for a file without read permission
    with pytest.raises(ValueError, match=r"cannot read .*locked\.txt: Permission denied"):
        Library.load([tmp_path], cache_dir=tmp_path / "cache", options=LoadOptions(strict=True))
    library = Library.load([tmp_path], cache_dir=tmp_path / "cache")
    assert [w for w in library.warnings if "locked.txt: Permission denied" in w]


def test_a_text_of_only_front_matter_is_refused_by_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "intro.txt", b"Title\n\nOnly an introduction.\n\n* * *\n")
    with pytest.raises(ValueError, match=r"intro\.txt: the text has no body paragraphs"):
        read_document(path)


def test_hidden_companion_files_are_not_loaded(tmp_path: Path) -> None:
    _write(tmp_path, "speech.txt", b"Title\n\n* * *\n\nBody.\n")
    _write(tmp_path, "._speech.txt", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    assert [d.id for d in Library.load([tmp_path], include_seeds=False).documents.values()] == ["speech"]


def test_an_empty_texts_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match=r"no \.txt or \.md texts in"):
        Library.load([tmp_path])


def test_a_section_break_inside_the_body_is_not_a_paragraph() -> None:
    document = parse_document("Title\n\nIntro.\n\n* * *\n\nFirst. Here.\n\n* * *\n\nAfter the break.\n", doc_id="t")
    assert [p.text for p in document.paragraphs] == ["First. Here.", "After the break."]
    assert all("*" not in p.text for p in document.daily_passages)


def test_classic_mac_line_endings_without_a_separator_keep_the_body() -> None:
    document = parse_document("A Title\r\rBody one. Body two.\r\rBody three.\r", doc_id="mac")
    assert document.title == "A Title"
    assert [p.text for p in document.paragraphs] == ["Body one. Body two.", "Body three."]


def test_ids_of_two_texts_with_the_same_long_name_both_stay_short(tmp_path: Path) -> None:
    name = "a reader of sources about the soviet union and its leaders"
    for folder in ("one", "two"):
        _write(tmp_path / folder, f"{name}.txt", b"Title\n\n* * *\n\nBody.\n")
    library = Library.load([tmp_path / "one", tmp_path / "two"], include_seeds=False)
    ids = list(library.documents)
    assert len(set(ids)) == 2 and all(len(doc_id) <= 40 for doc_id in ids), ids
    assert ids[1].endswith("-2")


LONG = "This paragraph of the body is long enough to be a real one, with words about the state of the nation. " * 3


@pytest.mark.parametrize(
    "salutation",
    [
        "Fellow-Citizens of the Senate and House of Representatives:",
        "Mr. President, Mr. Speaker, Members of the Congress:",
        "My fellow Americans,",
    ],
)
def test_a_salutation_is_never_the_title_but_the_first_paragraph(salutation: str) -> None:
    document = parse_document(f"{salutation}\n\n{LONG}\n\n{LONG}\n", doc_id="1819-monroe-1")
    assert document.title == "1819 monroe 1"
    assert document.paragraphs[0].text == salutation
    assert len(document.paragraphs) == 3
    assert any("titled “1819 monroe 1” after the file name" in w for w in document.warnings)


def test_a_first_line_longer_than_a_title_is_body_text() -> None:
    first = "An opening line without a full stop that runs on and on " * 3
    document = parse_document(f"{first}\n\n{LONG}\n", doc_id="x")
    assert document.paragraphs[0].text == first.strip()


def test_with_speaker_and_date_but_no_title_the_title_describes_the_text() -> None:
    document = parse_document(
        f"To the Congress of the United States:\n\n{LONG}\n",
        doc_id="1946-truman-1",
        defaults={"speaker": "Harry S. Truman", "date": "1946-01-21", "kind": "written"},
    )
    assert document.title == "Harry S. Truman, message of January 21, 1946"
    assert not document.meta.titled
    assert document.label == "Truman 1946"
    assert document.warnings == ()
    assert document.paragraphs[0].text == "To the Congress of the United States:"


def test_a_rule_far_down_the_text_is_a_break_not_the_end_of_an_introduction() -> None:
    body = "\n\n".join(f"Paragraph {n} of the message says something. It goes on." for n in range(1, 41))
    table = "\n\n".join(f"Row {n} of a table in the message." for n in range(1, 6))
    document = parse_document(f"{body}\n\n______________________ _______\n\n{table}\n", doc_id="t")
    assert document.front_matter == ""
    assert len(document.paragraphs) == 45
    assert document.paragraphs[39].text.startswith("Paragraph 40 ")
    assert document.warnings == (  # no title in text or metadata, and nothing else odd
        "no title in the text or its metadata, so it is titled “T” after the file name",
    )


def test_a_separator_near_the_start_that_would_swallow_most_of_the_text_is_a_warning() -> None:
    intro = "\n\n".join(["A long note by the editor about the text and the day it was given. " * 8] * 3)
    document = parse_document(f"A Title\n\n{intro}\n\n* * *\n\nA short body.\n", doc_id="t")
    assert document.front_matter == ""
    assert len(document.paragraphs) == 4
    assert any("would make most of the text an introduction" in w for w in document.warnings)


def test_markdown_headings_are_section_labels_not_paragraphs(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "reader.md",
        b"# A Reader\n\n## Part One\n\nFirst paragraph. Two.\n\nSecond paragraph.\n\n## Part Two\n\nThird paragraph.\n",
    )
    document = read_document(path)
    assert document.title == "A Reader"
    assert [p.text for p in document.paragraphs] == ["First paragraph. Two.", "Second paragraph.", "Third paragraph."]
    assert [p.section for p in document.paragraphs] == ["Part One", "Part One", "Part Two"]


def test_whole_paragraph_stage_directions_are_editorial_notes_not_the_speakers_words() -> None:
    text = (
        "Title\n\n* * *\n\nThank you all very much. We meet tonight.\n\n[Applause.]\n\n"
        "[At this point, the President turned to face audience members.]\n\n"
        "In 1934 [the XVIIth Congress] we met again.\n"
    )
    document = parse_document(text, doc_id="t")
    assert [p.text for p in document.paragraphs] == [
        "Thank you all very much. We meet tonight.",
        "In 1934 [the XVIIth Congress] we met again.",
    ]
    assert document.notes == (
        (1, "[Applause.]"),
        (1, "[At this point, the President turned to face audience members.]"),
    )
    library = Library([document])
    assert library.search("president turned to face audience") == []
    assert library.search("XVIIth Congress")[0].ref == "2.1"


def test_folders_are_read_recursively_and_hidden_folders_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "unit1" / "week2", "deep.txt", b"Deep Text\n\nA body sentence here.\n")
    _write(tmp_path / ".git", "ignored.txt", b"Ignored\n\nNot a text.\n")
    _write(tmp_path, "top.md", b"# Top\n\nAnother body sentence.\n")
    ids = list(Library.load([tmp_path], include_seeds=False).documents)
    assert ids == ["top", "deep"]


def test_a_folder_with_bad_files_loads_the_rest_and_names_each_bad_file(tmp_path: Path) -> None:
    _write(tmp_path, "good.txt", b"Good\n\nA body sentence.\n")
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path / "sub", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    _write(tmp_path, "latin.md", "Café\n\nCafé society.\n".encode("latin-1"))
    library = Library.load([tmp_path], include_seeds=False)
    assert list(library.documents) == ["good"]
    assert len(library.warnings) == 3
    for name in ("empty.txt", "image.txt", "latin.md"):
        assert sum(name in w for w in library.warnings) == 1, library.warnings
    with pytest.raises(ValueError, match=r"empty\.txt: the file is empty"):
        Library.load([tmp_path], include_seeds=False, options=LoadOptions(strict=True))


def test_the_seed_loads_without_warnings(library: Library) -> None:
    assert library.warnings == []
    assert library.document().warnings == ()


def test_body_keeps_sentences_of_any_script_at_their_offsets() -> None:
    body = "Été à Paris. Señor Ñuñez said “no.” Done.\n\nПривет, мир. Москва, 東京。\n\nLast one."
    text = f"Title line\n\n* * *\n\n{body}"
    document = parse_document(text, doc_id="mixed")
    assert [p.text for p in document.paragraphs] == [
        "Été à Paris. Señor Ñuñez said “no.” Done.",
        "Привет, мир. Москва, 東京。",
        "Last one.",
    ]
    assert [s.ref for s in document.sentences] == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]
    assert document.sentences[-1].text == "Last one." and document.sentences[1].text == "Señor Ñuñez said “no.”"
    assert document.sentences[1:3] == tuple(document.paragraphs[0].sentences[1:3])
    assert document.passage("1.2-2.1").text == "Señor Ñuñez said “no.” Done.\n\nПривет, мир."


def test_document_made_from_paragraph_objects_reads_like_a_parsed_one() -> None:
    parsed = parse_document("First. Second one.\n\nThird.", doc_id="made")
    made = Document(parsed.id, parsed.meta, "", tuple(parsed.paragraphs))
    assert made.sentences == parsed.sentences == tuple(parsed.sentences)
    assert made.paragraphs + made.paragraphs == tuple(parsed.paragraphs) * 2
    doubled = Document(parsed.id, parsed.meta, "", parsed.paragraphs * 2)
    assert [s.ref for s in doubled.sentences] == ["1.1", "1.2", "2.1", "3.1", "3.2", "4.1"]
    with pytest.raises(IndexError):
        made.sentences[3]
