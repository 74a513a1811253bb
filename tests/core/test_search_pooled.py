"""A large library parsed and tokenised in worker processes gives the very index a serial load gives."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from bot.core import Library, reader
from bot.core.library import seeds_dir
from bot.core.reader import LoadOptions, folder_texts, read_texts
from bot.core.search import SearchIndex
from tests.core.test_search_quality import OFF_TOPIC, ON_TOPIC

FIXTURE_TEXTS = Path(__file__).parents[1] / "fixtures" / "texts"
QUERIES = [q for q, _ in ON_TOPIC] + OFF_TOPIC + ["civil war", "four score", "Stalin", "honour"]

pytestmark = pytest.mark.skipif(
    threading.active_count() > 1, reason="worker processes are forked only from a single-threaded process"
)


def _state(index: object) -> dict[str, object]:
    assert isinstance(index, SearchIndex)
    state = index.__getstate__()
    postings, vocabulary = state.pop("_postings"), state.pop("_vocabulary")
    state["postings"] = (postings._flat, postings._starts, postings._bits)
    state["words"] = (vocabulary.words, vocabulary.keyed, vocabulary.context_words)
    state["_bodies"] = [body.__reduce__()[1] for body in state["_bodies"]]  # type: ignore[attr-defined]
    return state


def _load(folder: Path, *, pooled: bool, monkeypatch: pytest.MonkeyPatch, strict: bool = False) -> Library:
    monkeypatch.setattr(reader, "POOLED_FROM_BYTES", 0 if pooled else 1 << 62)
    library = Library.load([folder], options=LoadOptions(strict=strict))
    monkeypatch.undo()
    return library


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    """The fixture texts and the seeds in one folder, with one file that cannot be parsed."""
    folder = tmp_path / "texts"
    shutil.copytree(FIXTURE_TEXTS, folder)
    shutil.copytree(seeds_dir(), folder / "seeds")
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00not text")
    (folder / "accents.txt").write_text(  # not ASCII: tokenised sentence by sentence
        "The nation’s honour endures; l’état, c’est moi.\n\nA naïve café owner’s colour. Four score and more.\n",
        encoding="utf-8",
    )
    return folder


def test_a_large_library_is_read_in_worker_processes(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "POOLED_FROM_BYTES", 0)
    loaded = read_texts(folder_texts(texts), [], LoadOptions())
    assert loaded.pending is not None and loaded.documents == []
    index = SearchIndex.merged(loaded.pending)
    assert len(loaded.documents) == len(folder_texts(texts)) - 1
    assert len(index) == sum(document.body.sentence_count for document in loaded.documents)


def test_a_pooled_build_equals_a_serial_one(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _load(texts, pooled=False, monkeypatch=monkeypatch)
    pooled = _load(texts, pooled=True, monkeypatch=monkeypatch)
    assert list(pooled.documents) == list(serial.documents)
    assert pooled.warnings == serial.warnings and len(serial.warnings) == 1
    assert _state(pooled._index) == _state(serial._index)
    for query in QUERIES:
        assert pooled.search(query, limit=10) == serial.search(query, limit=10)
        assert pooled.search(query, prefix=True) == serial.search(query, prefix=True)


def test_two_texts_of_one_name_are_indexed_under_their_new_ids(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(texts / "gettysburg.md", texts / "seeds" / "gettysburg.md")
    serial = _load(texts, pooled=False, monkeypatch=monkeypatch)
    pooled = _load(texts, pooled=True, monkeypatch=monkeypatch)
    assert "gettysburg-2" in pooled.documents
    assert _state(pooled._index) == _state(serial._index)
    assert pooled.search("four score", limit=5) == serial.search("four score", limit=5)


def test_a_strict_pooled_load_stops_at_the_bad_file(texts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"broken\.txt"):
        _load(texts, pooled=True, monkeypatch=monkeypatch, strict=True)
