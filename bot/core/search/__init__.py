"""Fuzzy sentence search: the one place that knows how queries are matched, scored and rejected.

Each query word is matched against the vocabulary (exact, spelling variant, typo, stem or prefix), the
postings of the matched words give the candidate sentences, and a sentence scores by how much of the
query's weight it covers, how closely it holds the query's phrase and its word order. A query whose words
mostly do not occur in the text is off-topic and returns no hits, rather than the least-bad sentence.

The modules, one job each: bitsets (sets of sentences as ints), typos (which slips are typos, and the
bigram filter that finds them), vocabulary (a query word's matches and weight), postings (which sentences
hold a word), coverage (candidates by the share of the query they hold), ranking (the final order),
highlight (the words to mark) and index (building the index and answering a query).
"""

from bot.core.search.coverage import MIN_COVERAGE
from bot.core.search.hits import Hit
from bot.core.search.index import MAX_QUERY_CHARS, SearchIndex, paused_gc
from bot.core.search.typos import word_similarity

__all__ = ["MAX_QUERY_CHARS", "MIN_COVERAGE", "Hit", "SearchIndex", "paused_gc", "word_similarity"]
