"""A server's view of the library: its own texts joined to the shared ones, searched as one by score."""

from __future__ import annotations

from bot.core.corpus import parse_document
from bot.core.library import Library

OWN_TEXT = """# Class notes

Stalin originated the concept enemy of the people.

The class read the speech aloud and argued about its paragraphs until the bell rang.
"""


def own_library() -> Library:
    return Library([parse_document(OWN_TEXT, doc_id="class-notes", markdown=True)])


def test_own_texts_come_first_and_win_ties_while_shared_objects_are_reused(library: Library) -> None:
    joined = Library.joined(own_library(), library)
    assert list(joined.documents) == ["class-notes", *library.documents]
    assert all(joined.documents[d] is library.documents[d] for d in library.documents)
    first, second = joined.search("Stalin originated the concept enemy of the people", limit=2)
    assert (first.document, first.score) == ("class-notes", second.score)
    assert second.document == "secret-speech"


def test_hits_merge_by_score_across_both_indexes(library: Library) -> None:
    joined = Library.joined(own_library(), library)
    assert joined.search("argued about its paragraphs")[0].document == "class-notes"
    shared_hits = library.search("patient cooperation with people", limit=3)
    assert shared_hits and joined.search("patient cooperation with people", limit=3) == shared_hits
    assert {d for d, _ in joined.sentences_using(lambda w: w == "stalin")} == {"class-notes", "secret-speech"}


def test_hidden_shared_texts_are_left_out_of_lists_and_hits(library: Library) -> None:
    joined = Library.joined(own_library(), library, hidden=set(library.documents))
    assert list(joined.documents) == ["class-notes"]
    assert {h.document for h in joined.search("Stalin originated the concept", limit=10)} == {"class-notes"}
    assert Library.joined(None, library, hidden=set(library.documents)) is library  # nothing would be left


def test_a_server_text_of_a_shared_texts_id_shadows_it_in_lists_and_hits(library: Library) -> None:
    shared_id = next(iter(library.documents))
    own = Library([parse_document(OWN_TEXT, doc_id=shared_id, markdown=True)])
    joined = Library.joined(own, library)
    assert joined.documents[shared_id] is own.documents[shared_id]
    hits = joined.search("Stalin originated the concept enemy of the people", limit=5)
    assert [(h.document, h.ref) for h in hits] == [(shared_id, "1.1")]
    assert joined.document(shared_id).passage(hits[0].ref).text == hits[0].text
