"""What a search hit carries and how the search options behave, on the real seed text."""

from __future__ import annotations

import pytest

from bench.corpus_gen import generate
from bot.core import Hit, Library
from bot.core.corpus import parse_document
from bot.core.normalize import ascii_raw_words, normal_words, normalize_text, normalize_word, raw_words, stem
from bot.core.search import MIN_COVERAGE, SearchIndex, coverage, word_similarity
from bot.core.search.postings import PostingsBuilder
from tests.core.test_search_quality import OFF_TOPIC, ON_TOPIC


def test_hit_carries_document_ref_numbers_score_text_and_span(library: Library) -> None:
    hit = library.search("enemy of the peopel")[0]
    assert isinstance(hit, Hit)
    assert hit.document == "secret-speech"
    assert hit.ref == f"{hit.paragraph}.{hit.sentence}"
    assert hit.paragraph == 3
    assert hit.text == library.document().paragraph(hit.paragraph).sentences[hit.sentence - 1].text
    assert 0 <= hit.score <= 100
    start, end = hit.match
    assert 0 <= start < end <= len(hit.text)


def test_match_span_highlights_the_matched_words(library: Library) -> None:
    hit = library.search("enemy of the peopel")[0]
    assert hit.text[slice(*hit.match)].lower() == "enemy of the people"
    typo = library.search("barbaric tortues")[0]
    assert typo.text[slice(*typo.match)] == "barbaric tortures"


def test_scores_are_ranked_and_within_range(library: Library) -> None:
    hits = library.search("Stalin repression", limit=10)
    assert hits
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)


def test_front_matter_is_never_returned(library: Library) -> None:
    # These words occur only in the editor's introduction before the `* * * *` separator.
    for query in ("Nikita Khrushchev First Secretary", "held confidential leaked to outsiders", "Premier 1958-1964"):
        assert library.search(query) == [], query
    front = library.document().front_matter
    for query in ("Communist Party", "crimes committed by Stalin", "spirit of Lenin"):
        assert all(hit.text not in front for hit in library.search(query, limit=20))


def test_prefix_mode_completes_the_last_word_being_typed(library: Library) -> None:
    assert library.search("barbaric tor") == []
    completed = library.search("barbaric tor", prefix=True)
    assert completed
    assert completed[0].ref == "5.2"
    assert library.search("collegi", prefix=True)[0].ref == "1.1"


def test_prefix_mode_only_completes_the_last_word(library: Library) -> None:
    assert library.search("tor barbaric", prefix=True) == library.search("tor barbaric")


def test_document_filter_keeps_hits_to_one_text(two_texts: Library) -> None:
    everywhere = two_texts.search("civil war", limit=10)
    assert {hit.document for hit in everywhere} == {"secret-speech", "gettysburg"}
    only = two_texts.search("civil war", limit=10, document="gettysburg")
    assert only
    assert {hit.document for hit in only} == {"gettysburg"}
    assert two_texts.search("civil war", document="secret-speech")[0].ref == "6.1"


def test_offset_pages_through_the_ranking(library: Library) -> None:
    everything = library.search("Stalin", limit=10)
    assert len(everything) > 3
    pages = library.search("Stalin", limit=2) + library.search("Stalin", limit=2, offset=2)
    assert pages == everything[:4]
    assert library.search("Stalin", limit=2, offset=len(everything)) == []


def test_limit_zero_or_negative_offset_do_not_fail(library: Library) -> None:
    assert library.search("Stalin", limit=0) == []
    assert library.search("Stalin", limit=2, offset=-5) == library.search("Stalin", limit=2)


def test_number_spellings_meet() -> None:
    assert {normalize_word(w) for w in ("17th", "XVIIth", "seventeenth", "Seventeenth")} == {"17"}
    assert normalize_text("Stalin’s [1934] rank-and-file") == "stalin 1934 rank and file"


def test_inflections_share_a_stem() -> None:
    for pair in (("tortured", "tortures"), ("annihilated", "annihilation"), ("enemy", "enemies"),
                 ("mobilising", "mobilizing"), ("repressed", "repression")):  # fmt: skip
        assert stem(pair[0]) == stem(pair[1]), pair


def test_typo_tolerance_grows_with_word_length() -> None:
    assert word_similarity("tortues", "tortures") > 0
    assert word_similarity("colegialty", "collegiality") > 0  # two letters missing in a long word
    assert word_similarity("war", "was") == 0  # short words must be exact
    assert word_similarity("lien", "line") > 0  # a swap
    assert word_similarity("lien", "lies") == 0  # but not a substitution in four letters


def test_typo_candidates_equal_a_full_vocabulary_scan(library: Library) -> None:
    """The bigram filter in front of the typo matcher loses nothing a scan of every word would find."""
    index = SearchIndex(library.documents.values())
    vocabulary = index._vocabulary.words
    typed = ["tortues", "colegialty", "revolutionery", "anihilation", "lien", "powr", "stallin", "barbaic",
             "exploting", "zzzzzzzz", "despotizm", "ideolgical", "charachter", "peopel", "comunists"]  # fmt: skip
    for word in typed:
        scanned = {w for w in vocabulary if word_similarity(word, w) and not w.startswith(word)}
        filtered = {w for w in index._vocabulary.typo_candidates(word) if word_similarity(word, w)} - {
            w for w in vocabulary if w.startswith(word)
        }
        assert filtered == scanned, word


def test_candidates_equal_a_full_scan_of_every_sentence(library: Library, two_texts: Library) -> None:
    """Candidate generation (rarest words first, set and map sums) ranks as scoring every sentence would."""
    for loaded in (library, two_texts):
        index = SearchIndex(loaded.documents.values())
        for query in [q for q, _ in ON_TOPIC] + OFF_TOPIC + ["civil war", "Stalin", "the people"]:
            terms = index._terms(normal_words(query), prefix=False)
            if not terms:
                continue
            fast = [(round(c, 9), i) for c, i in coverage.best_covered(index._postings, terms, 60, None)]
            assert fast == _every_sentence(index, terms, 60), query


def _every_sentence(index: SearchIndex, terms: list, count: int) -> list[tuple[float, int]]:
    """The reference: every sentence scored against every term, best first, ties to the earlier one."""
    total = sum(term.weight for term in terms)
    scored = []
    for sentence_id in range(len(index)):
        held = set(index._tokens[index._starts[sentence_id] : index._starts[sentence_id + 1]])
        covered = sum(
            term.weight * max((s for word_id, s in term.matches.items() if word_id in held), default=0.0)
            for term in terms
        )
        if covered >= MIN_COVERAGE * total - 1e-9:
            scored.append((round(covered, 9), sentence_id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored[:count]


@pytest.mark.parametrize("query", ["Stalin", "enemy of the peopel", "barbaric tor"])
def test_same_query_twice_gives_the_same_hits(library: Library, query: str) -> None:
    assert library.search(query, prefix=True) == library.search(query, prefix=True)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The seed plus half a megabyte of the benchmark's synthetic prose: long postings, a big vocabulary."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, megabytes=0.5, files=4)
    return Library.load([folder])


def test_candidates_and_typo_filter_equal_full_scans_on_a_larger_library(synthetic: Library) -> None:
    index = SearchIndex(synthetic.documents.values())
    texts = [index._text(sentence_id) for sentence_id in range(15, min(415, len(index)), 20)]
    queries = [q for q, _ in ON_TOPIC[::4]] + [" ".join(text.split()[2:7]) for text in texts]
    for query in queries:
        terms = index._terms(normal_words(query), prefix=False)
        if terms:
            fast = [(round(c, 9), i) for c, i in coverage.best_covered(index._postings, terms, 60, None)]
            assert fast == _every_sentence(index, terms, 60), query
    vocabulary = index._vocabulary.words
    for word in ["tortues", "colegialty", "revolutionery", "stallin", "partie", "zzzzzzzz", "peopel"]:
        scanned = {w for w in vocabulary if word_similarity(word, w) and not w.startswith(word)}
        filtered = {w for w in index._vocabulary.typo_candidates(word) if not w.startswith(word)}
        assert filtered == scanned, word


def test_unknown_document_finds_nothing_rather_than_everything(library: Library) -> None:
    index = SearchIndex(library.documents.values())
    assert index.search("Stalin", document="no-such-text") == []
    assert index.search("Stalin", document="secret-speech")


def test_highlighting_a_sentence_of_a_hundred_thousand_words_is_quick() -> None:
    import time

    from bot.core.corpus import parse_document

    words = ("stalin party power people congress " * 20_000).split()  # one paragraph without a full stop
    library = Library([parse_document("Long\n\n* * *\n\n" + " ".join(words) + "\n", doc_id="long")])
    started = time.perf_counter()
    hit = library.search("stalin power", limit=1)[0]
    assert time.perf_counter() - started < 5  # the span search was quadratic: minutes for this sentence
    assert hit.text[slice(*hit.match)] == "stalin party power"
    assert [hit.text[start:end] for start, end in hit.marks] == ["stalin", "power"]


def test_postings_packed_in_chunks_equal_those_gathered_at_once(synthetic: Library) -> None:
    index = SearchIndex(synthetic.documents.values())
    sentences = [index._tokens[index._starts[s] : index._starts[s + 1]] for s in range(len(index))]
    words = len(index.words())
    for chunk in (1, 7, 1000, len(sentences) + 1):
        builder = PostingsBuilder(chunk)
        for sentence_id, ids in enumerate(sentences):
            builder.add(sentence_id, ids, words)
        flat, starts = builder.finish(words)
        for word_id in range(0, words, 97):
            expected = [s for s, ids in enumerate(sentences) if word_id in ids]
            assert list(flat[starts[word_id] : starts[word_id + 1]]) == expected, (chunk, word_id)
        assert len(flat) == sum(len(set(ids)) for ids in sentences)


def test_ascii_fast_split_finds_the_words_the_regex_finds() -> None:
    text = "Don't stop_now: it's 1984's end -- 'quoted' words, boys' toys... x2y, A.B.C.; tab\there! [ok] (end)."
    body = parse_document(f"{text}\n\nSecond paragraph, with_under scores & 3.14 pi.", doc_id="ascii").body
    sentences = [body.sentence_text(i) for i in range(body.sentence_count)]
    assert list(ascii_raw_words(body.text, body.starts)) == list(raw_words(sentences))
    words = [normalize_word(w) for sentence in ascii_raw_words(body.text, body.starts) for w in sentence]
    assert words[:3] == ["dont", "stopnow", "it"] and "boys" in words and "withunder" in words
