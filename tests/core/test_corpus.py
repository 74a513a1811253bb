"""Loading, front matter, paragraph and sentence numbering of the real seed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.corpus import parse_document, read_document
from bot.core.library import Library
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


@pytest.mark.parametrize(
    ("toml", "message"),
    [("title = \n", r"meta\.toml: not valid TOML metadata"), ('date = "soon"\n', r"meta\.txt: metadata date 'soon'")],
)
def test_bad_metadata_is_refused_naming_the_file(tmp_path: Path, toml: str, message: str) -> None:
    path = _write(tmp_path, "meta.txt", b"Title\n\n* * *\n\nBody.\n")
    (tmp_path / "meta.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_document(path)


def test_an_unreadable_file_is_a_value_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "locked.txt", b"Title\n\n* * *\n\nBody.\n")

    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # the OS refusing, as for a file without read permission
    with pytest.raises(ValueError, match=r"cannot read .*locked\.txt: Permission denied"):
        Library.load([tmp_path], cache_dir=tmp_path / "cache")


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
