"""The on-disk index cache: same results as a fresh build, and a changed text or file misses it."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core import Library
from bot.core.library import seeds_dir
from tests.core.test_search_quality import OFF_TOPIC, ON_TOPIC

FIXTURE_TEXTS = Path(__file__).parents[1] / "fixtures" / "texts"
QUERIES = [q for q, _ in ON_TOPIC] + OFF_TOPIC + ["civil war", "four score", "Stalin"]


def _results(library: Library) -> list[object]:
    return [
        (library.search(q, limit=10), library.search(q, prefix=True), library.search(q, document="gettysburg"))
        for q in QUERIES
    ]


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def test_cached_library_gives_identical_results(tmp_path: Path) -> None:
    fresh = Library.load([FIXTURE_TEXTS])
    written = Library.load([FIXTURE_TEXTS], cache_dir=tmp_path)
    assert len(_cache_files(tmp_path)) == 1
    read = Library.load([FIXTURE_TEXTS], cache_dir=tmp_path)
    assert _results(read) == _results(written) == _results(fresh)
    assert list(read.documents) == list(fresh.documents)
    for doc_id, document in fresh.documents.items():
        cached = read.documents[doc_id]
        assert cached.meta == document.meta
        assert cached.front_matter == document.front_matter
        assert cached.sentences == document.sentences
        assert [p.ref for p in cached.daily_passages] == [p.ref for p in document.daily_passages]
        assert all(p.document is cached for p in cached.daily_passages)


def test_changed_text_misses_the_cache(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    shutil.copytree(FIXTURE_TEXTS, texts)
    cache = tmp_path / "cache"
    before = Library.load([texts], cache_dir=cache)
    assert before.search("four score", document="gettysburg")
    path = texts / "gettysburg.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Four score", "Eighty"), encoding="utf-8")
    after = Library.load([texts], cache_dir=cache)
    assert after.search("four score", document="gettysburg") == []
    assert after.search("eighty years ago", document="gettysburg")
    assert len(_cache_files(cache)) == 2


def test_broken_cache_file_is_rebuilt(tmp_path: Path) -> None:
    Library.load(cache_dir=tmp_path)
    (cache_file,) = _cache_files(tmp_path)
    cache_file.write_bytes(b"not a pickle")
    library = Library.load(cache_dir=tmp_path)
    assert library.search("enemy of the peopel")[0].ref == "3.1"
    assert _cache_files(tmp_path)[0].read_bytes() != b"not a pickle"


def test_unwritable_cache_folder_still_loads(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    library = Library.load(cache_dir=blocker / "cache")
    assert library.search("NKVD")[0].paragraph == 5
    assert seeds_dir().is_dir()


def test_damaged_cache_file_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    Library.load(cache_dir=tmp_path)
    (cache_file,) = _cache_files(tmp_path)
    intact = cache_file.read_bytes()
    for damaged in (intact[: len(intact) // 2], intact[:-200] + bytes(200), intact.replace(b"Stalin", b"Stolin")):
        cache_file.write_bytes(damaged)
        library = Library.load(cache_dir=tmp_path)
        assert library.search("enemy of the peopel")[0].ref == "3.1"
        assert library.search("Stalin")[0].text.count("Stalin")
        assert _cache_files(tmp_path)[0].read_bytes() == intact


def _long_text(folder: Path) -> Path:
    """A text large enough that its body, postings and word ids are stored as blobs after the pickle."""
    folder.mkdir()
    sentences = [f"Sentence {n} names the río number {n * 7919 % 1000} of the éloge." for n in range(3000)]
    paragraphs = ["\n".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    path = folder / "long.txt"
    path.write_text("A Long Text\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def test_a_damaged_blob_after_the_pickle_is_a_miss(tmp_path: Path) -> None:
    texts = _long_text(tmp_path / "texts")
    fresh = Library.load([texts], include_seeds=False)
    Library.load([texts], include_seeds=False, cache_dir=tmp_path / "cache")
    (cache_file,) = _cache_files(tmp_path / "cache")
    intact = cache_file.read_bytes()
    assert len(intact) > 150_000
    read = Library.load([texts], include_seeds=False, cache_dir=tmp_path / "cache")
    assert read.search("río number 17", limit=3) == fresh.search("río number 17", limit=3)
    assert read.document("long").sentences[2999].text == fresh.document("long").sentences[2999].text
    for damaged in (intact[:-1000], intact[:-5] + b"\xff" * 5, intact + b"more"):
        cache_file.write_bytes(damaged)
        again = Library.load([texts], include_seeds=False, cache_dir=tmp_path / "cache")
        query = "éloge sentence 2024"
        assert again.search(query, limit=1)[0].ref == fresh.search(query, limit=1)[0].ref
        assert _cache_files(tmp_path / "cache")[0].read_bytes() == intact
