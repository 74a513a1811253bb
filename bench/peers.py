"""Peers benchmark: the same sentences and queries through speechbot and four other ways to search text.

    pip install -e ".[bench]"   # bm25s and tantivy; a peer that is not installed is skipped
    python bench/peers.py [--megabytes 3] [--repeat 1]

Every system indexes the same sentences. Accuracy is measured on the seed and the multi-text library of
tests/fixtures/library, with the query sets of tests/core/test_search_quality.py and
tests/core/test_search_ranking.py: on-topic ones name the paragraph their first hit must come from;
off-topic ones must return nothing. Latency is measured with the same queries after `--megabytes` of the
synthetic prose of bench/corpus_gen.py are added (not accuracy: that prose copies the seed's phrases and
invents words, so it holds equally good answers and "off-topic" words). Printed per system: right
paragraph first, off-topic rejected, build time, p50/p99 latency (wall clock, `--repeat` passes) and the
ratio of its p50 to speechbot's. The machine may be shared: the load average is printed beside them.

The peers, each as it is commonly used for this job: rapidfuzz `token_set_ratio` over every sentence
(the best score, never empty); SQLite FTS5 (unicode61 tokenizer, the query's words OR'ed, ranked by
bm25); bm25s (English stopwords, the best BM25 score, empty when it is 0); tantivy (BM25 over exact
terms plus fuzzy terms of one edit from five letters and two from nine).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus_gen import generate  # noqa: E402
from bench.search_bench import percentile  # noqa: E402
from bot.core import Library  # noqa: E402
from bot.core.normalize import STOPWORDS  # noqa: E402
from bot.core.search import SearchIndex  # noqa: E402
from tests.core import test_search_quality as seed_set  # noqa: E402
from tests.core import test_search_ranking as multi_set  # noqa: E402

Place = tuple[str, int]  # (document, paragraph)
Search = Callable[[str], int | None]  # a query -> the row of its first hit, or None
_WORD = re.compile(r"\w+")


def query_set() -> list[tuple[str, Place | None]]:
    """Every on-topic query with the paragraph it must find first, and every off-topic one (None)."""
    queries: list[tuple[str, Place | None]] = [(q, ("secret-speech", p)) for q, p in seed_set.ON_TOPIC]
    queries += [(q, (document, p)) for q, document, p in multi_set.ON_TOPIC]
    queries += [(q, None) for q in [*seed_set.OFF_TOPIC, *multi_set.OFF_TOPIC]]
    return queries


def speechbot(library: Library, rows: Sequence[tuple[str, int, str]]) -> Search:
    """Our index over the library's documents."""
    index = SearchIndex(library.documents.values())
    row_of = {}
    for row, (document, paragraph, text) in enumerate(rows):
        row_of.setdefault((document, paragraph, text), row)

    def search(query: str) -> int | None:
        hits = index.search(query, limit=1)
        return row_of[(hits[0].document, hits[0].paragraph, hits[0].text)] if hits else None

    return search


def rapidfuzz_scan(rows: Sequence[tuple[str, int, str]]) -> Search:
    """rapidfuzz token_set_ratio against every sentence: the best one, whatever its score."""
    choices = {row: utils.default_process(text) for row, (_, _, text) in enumerate(rows)}

    def search(query: str) -> int | None:
        found = process.extractOne(
            utils.default_process(query), choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=1
        )
        return found[2] if found else None

    return search


def sqlite_fts5(rows: Sequence[tuple[str, int, str]]) -> Search:
    """SQLite FTS5 with the unicode61 tokenizer; the query's words OR'ed, best bm25 first."""
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.execute("CREATE VIRTUAL TABLE sentences USING fts5(body, tokenize='unicode61')")
    connection.executemany(
        "INSERT INTO sentences(rowid, body) VALUES (?, ?)", [(r, t) for r, (_, _, t) in enumerate(rows)]
    )

    def search(query: str) -> int | None:
        words = _WORD.findall(query.lower())
        if not words:
            return None
        match = " OR ".join(f'"{word}"' for word in words)
        found = connection.execute(
            "SELECT rowid FROM sentences WHERE sentences MATCH ? ORDER BY bm25(sentences) LIMIT 1", (match,)
        ).fetchone()
        return found[0] if found else None

    return search


def bm25s_index(rows: Sequence[tuple[str, int, str]]) -> Search | None:
    """bm25s with English stopwords: the best BM25 score, nothing when it is 0."""
    try:
        import bm25s
    except ImportError:
        return None
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([text for _, _, text in rows], stopwords="en", show_progress=False), show_progress=False
    )

    def search(query: str) -> int | None:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)
        known = [[t for t in tokens[0] if t in retriever.vocab_dict]]
        if not known[0]:
            return None
        found, scores = retriever.retrieve(known, k=1, show_progress=False)
        return int(found[0][0]) if scores[0][0] > 0 else None

    return search


def tantivy_index(rows: Sequence[tuple[str, int, str]]) -> Search | None:
    """tantivy: BM25 over the query's exact terms plus fuzzy terms (one edit from 5 letters, two from 9)."""
    try:
        import tantivy
    except ImportError:
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="default")
    builder.add_integer_field("row", stored=True, indexed=False)
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for row, (_, _, text) in enumerate(rows):
        writer.add_document(tantivy.Document(body=text, row=row))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(query: str) -> int | None:
        words = [w for w in _WORD.findall(query.lower()) if w not in STOPWORDS]
        parts = []
        for word in dict.fromkeys(words):
            parts.append((tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", word)))
            if len(word) >= 5:
                distance = 2 if len(word) >= 9 else 1
                fuzzy = tantivy.Query.fuzzy_term_query(schema, "body", word, distance=distance)
                parts.append((tantivy.Occur.Should, fuzzy))
        if not parts:
            return None
        found = searcher.search(tantivy.Query.boolean_query(parts), 1).hits
        return searcher.doc(found[0][1])["row"][0] if found else None

    return search


def load(megabytes: float, folder: Path) -> tuple[Library, list[tuple[str, int, str]]]:
    """The seed and the multi-text library, with `megabytes` of synthetic prose written into `folder`."""
    folders = [ROOT / "tests" / "fixtures" / "library"]
    if megabytes > 0:
        generate(folder, megabytes=megabytes, files=8)
        folders.append(folder)
    library = Library.load(folders)
    return library, [(d.id, s.paragraph, s.text) for d in library.documents.values() for s in d.sentences]


def systems(library: Library, rows: list[tuple[str, int, str]]) -> list[tuple[str, Callable[[], Search | None]]]:
    """Each system's name and a function that builds its index over the rows."""
    return [
        ("speechbot", lambda: speechbot(library, rows)),
        ("rapidfuzz token_set_ratio scan", lambda: rapidfuzz_scan(rows)),
        ("SQLite FTS5 (unicode61, bm25)", lambda: sqlite_fts5(rows)),
        ("bm25s", lambda: bm25s_index(rows)),
        ("tantivy (BM25 + fuzzy terms)", lambda: tantivy_index(rows)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=3.0, help="synthetic prose around the texts for timing")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes over the queries")
    args = parser.parse_args()
    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    queries = query_set()
    on_topic = sum(place is not None for _, place in queries)
    off_topic = len(queries) - on_topic
    with tempfile.TemporaryDirectory() as temporary:
        plain, plain_rows = load(0, Path(temporary))
        padded, padded_rows = load(args.megabytes, Path(temporary))
    print(f"accuracy: {len(plain_rows)} sentences in {len(plain.documents)} texts; {on_topic} on-topic and")
    print(f"{off_topic} off-topic queries. Latency: the same queries among {len(padded_rows)} sentences")
    print(f"({args.megabytes:g} MB of synthetic prose added), {args.repeat} timed pass(es).")
    print(f"\n{'system':<32} {'right first':>12} {'off-topic':>10} {'build':>7} {'p50':>9} {'p99':>9} {'p50 ratio':>9}")
    ours_p50 = None
    for (name, build), (_, build_padded) in zip(systems(plain, plain_rows), systems(padded, padded_rows), strict=True):
        search = build()
        if search is None:
            print(f"{name:<32} not installed (pip install -e '.[bench]')")
            continue
        right = rejected = 0
        for query, place in queries:
            row = search(query)
            if place is None:
                rejected += row is None
            elif row is not None and plain_rows[row][:2] == place:
                right += 1
        started = time.perf_counter()
        timed = build_padded()
        built = time.perf_counter() - started
        assert timed is not None
        times = []
        for _ in range(args.repeat):
            for query, _ in queries:
                started = time.perf_counter()
                timed(query)
                times.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(times)
        ours_p50 = ours_p50 or p50
        print(
            f"{name:<32} {right:5}/{on_topic} {right / on_topic:4.0%} {rejected:4}/{off_topic} {built:6.1f}s"
            f" {p50:7.2f}ms {percentile(times, 0.99):7.2f}ms {p50 / ours_p50:8.1f}x"
        )
    print(f"\nfinished in {time.perf_counter() - began:.0f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
