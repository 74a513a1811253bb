"""Where metadata comes from and which source wins: name.toml, YAML front matter, CSV manifests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.library import Library
from bot.core.metadata import parse_mapping, read_manifest, split_front_matter, split_name
from bot.core.reader import LoadOptions

BODY = "The first paragraph of the body is here. It has two sentences.\n\nA second paragraph follows.\n"


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _load(folder: Path, **options: object) -> Library:
    return Library.load([folder], include_seeds=False, options=LoadOptions(**options))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("id,title,speaker,date", "lincoln-1861,First Inaugural Address,Abraham Lincoln,1861-03-04"),
        ("file,title,author,year", "lincoln-1861.txt,First Inaugural Address,Abraham Lincoln,1861"),
        ("fileid,title,president_full,date", "lincoln-1861,First Inaugural Address,Abraham Lincoln,1861-03-04"),
        ("filename,title,president,date", "lincoln-1861.txt,First Inaugural Address,Abraham Lincoln,1861-03-04"),
    ],
)
def test_a_manifest_with_any_common_column_names_feeds_title_speaker_and_year(
    tmp_path: Path, header: str, row: str
) -> None:
    folder = _folder(tmp_path, {"speeches/lincoln-1861.txt": BODY, "catalog.csv": f"{header}\n{row}\n"})
    document = _load(folder).document("lincoln-1861")
    assert document.title == "First Inaugural Address"
    assert document.meta.speaker == "Abraham Lincoln"
    assert document.meta.speaker_family == "Lincoln"
    assert document.meta.year == 1861
    assert document.label == "Lincoln 1861"
    assert document.warnings == ()


def test_a_manifest_deep_in_the_tree_is_found_and_named_manifests_and_maps_work(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "a/b/one.txt": BODY,
            "a/texts.csv": "filename,orator,title\none.txt,Frederick Douglass,What to the Slave Is the Fourth of July?",
        },
    )
    document = _load(folder, mapping=parse_mapping(["orator=speaker"])).document("one")
    assert (document.meta.speaker, document.title) == ("Frederick Douglass", "What to the Slave Is the Fourth of July?")
    elsewhere = _folder(tmp_path / "meta", {"list.csv": "id,title,kind\none,A Letter,written\n"})
    named = _load(folder, manifest=elsewhere / "list.csv").document("one")
    assert (named.title, named.meta.kind) == ("A Letter", "message")


def test_toml_beats_front_matter_which_beats_the_manifest(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "t.md": "---\ntitle: From Front Matter\nspeaker: Front Speaker\nplace: Boston\n---\n\n" + BODY,
            "t.toml": 'title = "From TOML"\n',
            "metadata.csv": "id,title,speaker,date,place,url\nt,From CSV,CSV Speaker,1850-01-02,Nowhere,https://example.org/t\n",
        },
    )
    meta = _load(folder).document("t").meta
    assert meta.title == "From TOML"
    assert meta.speaker == "Front Speaker"
    assert meta.place == "Boston"
    assert meta.url == "https://example.org/t"
    assert meta.year == 1850


def test_front_matter_is_metadata_not_the_title_or_the_body(tmp_path: Path) -> None:
    text = "---\ntitle: 'Speech: On Liberty'\nspeaker: John Doe\ndate: 1901-05-06\n---\n# Speech: On Liberty\n\n" + BODY
    document = _load(_folder(tmp_path, {"liberty.md": text})).document("liberty")
    assert document.title == "Speech: On Liberty"
    assert document.meta.date is not None and document.meta.date.isoformat() == "1901-05-06"
    assert document.paragraphs[0].text.startswith("The first paragraph")
    assert all("---" not in p.text and "speaker" not in p.text for p in document.paragraphs)


def test_bad_front_matter_is_a_warning_and_stays_out_of_the_body() -> None:
    meta, rest, warning = split_front_matter("---\ntitle: [unclosed\n---\nBody.\n")
    assert meta == {} and rest == "Body.\n"
    assert warning is not None and "not valid YAML" in warning


def test_manifest_rows_without_a_text_are_a_warning(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"one.txt": BODY, "metadata.csv": "id,title\none,One\nmissing,Missing\n"})
    library = _load(folder)
    assert any("1 rows name no text file (missing)" in w for w in library.warnings)


def test_a_manifest_without_an_id_column_is_named_in_a_warning(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"one.txt": "One\n\n" + BODY, "metadata.csv": "name,title\none,One\n"})
    library = _load(folder)
    assert any("metadata.csv: no id column" in w for w in library.warnings)
    with pytest.raises(ValueError, match="no id column"):
        _load(folder, strict=True)


def test_map_refuses_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="'orator' is not a field"):
        parse_mapping(["speaker=orator"])


def test_manifest_columns_ending_in_type_give_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text("fileid,sotu_type,president_full\n1790-Washington-1,spoken,George Washington\n", encoding="utf-8")
    assert read_manifest(path).rows["1790-washington-1"] == {"kind": "spoken", "speaker": "George Washington"}


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Joseph R. Biden Jr.", ("Joseph R.", "Biden", "Jr.")),
        ("George H.W. Bush", ("George H.W.", "Bush", None)),
        ("Plato", (None, "Plato", None)),
    ],
)
def test_names_split_into_given_family_and_suffix(name: str, parts: tuple[str | None, str, str | None]) -> None:
    assert split_name(name) == parts


@pytest.mark.parametrize("written", ["February 25, 1956", "25 February 1956", "Feb 25, 1956", "1956-02-25T00:00:00"])
def test_dates_as_catalogues_write_them_are_read(written: str) -> None:
    from bot.core.metadata import parse_date

    assert parse_date(written) == (dt.date(1956, 2, 25), 1956)
