"""All loaded texts behind one object: the entry point adapters and the CLI call."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.corpus import Document, Sentence, numbered_id
from bot.core.errors import UserError
from bot.core.normalize import normal_words, spelling_key
from bot.core.reader import LoadOptions, folder_texts, manifest_files, read_texts
from bot.core.search import Hit, SearchIndex

MAX_CHOICES = 10  # texts listed when a name is ambiguous
_MAX_FETCH = 20_000  # hits read at most to fill a page after filtering and grouping


def seeds_dir() -> Path:
    """The bundled texts: inside the package when installed from a wheel, else the checkout's `seeds/`."""
    packaged = Path(__file__).resolve().parent.parent / "seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True, slots=True)
class TextFilter:
    """Which texts a search or command looks in: a text by name, a speaker, a span of years (all optional)."""

    document: str | None = None
    speaker: str | None = None
    year_from: int | None = None
    year_to: int | None = None

    @property
    def is_empty(self) -> bool:
        """True when the filter lets every text through."""
        return not (self.document or self.speaker) and self.year_from is None and self.year_to is None


class Library:
    """The loaded documents and their search index."""

    def __init__(
        self, documents: Iterable[Document], *, index: SearchIndex | None = None, warnings: Iterable[str] = ()
    ) -> None:
        self.documents: dict[str, Document] = {}
        self.warnings: list[str] = list(warnings)  # files and manifests skipped while loading, one line each
        for document in documents:
            doc_id, n = document.id, 2
            while doc_id in self.documents:  # a second text of the same name: `-2`, `-3` …
                doc_id, n = numbered_id(document.id, n), n + 1
            if doc_id != document.id:
                object.__setattr__(document, "id", doc_id)
            self.documents[doc_id] = document
        if not self.documents:
            raise ValueError("no texts were loaded")
        _distinct_labels(list(self.documents.values()))
        self._index: SearchIndex | JoinedIndex = index if index is not None else SearchIndex(self.documents.values())

    @classmethod
    def joined(cls, own: Library | None, shared: Library, *, hidden: Collection[str] = ()) -> Library:
        """A server's view: its own texts first, then the shared library's (less `hidden` ids and those its own
        shadow); the shared documents and index are reused as they are, never copied, renamed or rebuilt.

        When nothing would be left (every shared text hidden, none of its own), the shared library itself.
        """
        library = cls.__new__(cls)
        library.documents = dict(own.documents) if own is not None else {}
        shared_labels = set()
        for doc_id, document in shared.documents.items():
            if doc_id not in hidden and doc_id not in library.documents:
                library.documents[doc_id] = document
                shared_labels.add(document.label)
        if not library.documents:
            return shared
        shown = frozenset(d for d in shared.documents if library.documents.get(d) is shared.documents[d])
        parts = [(shared._index, shown)]
        if own is not None:
            parts.insert(0, (own._index, frozenset(own.documents)))
        for document in own.documents.values() if own is not None else ():
            if document.label in shared_labels:  # only the server's own copy is relabelled, never a shared one
                object.__setattr__(document, "label", f"{document.label} ({document.id})")
        library.warnings = list(own.warnings) if own is not None else []
        library._index = JoinedIndex(parts)
        return library

    @classmethod
    def load(
        cls,
        extra_dirs: Iterable[Path] = (),
        *,
        include_seeds: bool = True,
        cache_dir: Path | None = None,
        options: LoadOptions | None = None,
    ) -> Library:
        """Read the seed texts and every `.txt`/`.md` file in the extra folders and their subfolders.

        A file that cannot be read is skipped with a line in `warnings` (with `options.strict`, a ValueError).
        With `cache_dir`, the parsed texts and index are kept there, keyed by the files' content hashes,
        so the next start with the same texts skips parsing and indexing.
        """
        options = options or LoadOptions()
        folders = ([seeds_dir()] if include_seeds else []) + [Path(d) for d in extra_dirs]
        paths = [path for folder in folders for path in folder_texts(folder)]
        manifests = manifest_files(folders, options)
        if cache_dir is None or options.mapping:
            return cls._read(paths, manifests, options)
        from bot.core import index_cache  # only here: hashing and pickling cost start-up time otherwise

        try:
            key = index_cache.cache_key([*paths, *manifests])
        except OSError:  # a text that cannot be read: reading it below says which, in one line
            return cls._read(paths, manifests, options)
        cached = index_cache.read(Path(cache_dir), key)
        if cached is not None:
            documents, index = cached
            return cls(documents, index=index)
        library = cls._read(paths, manifests, options)
        if not library.warnings and isinstance(
            library._index, SearchIndex
        ):  # a skipped file is warned about again at the next start, not hidden by the cache
            index_cache.write(Path(cache_dir), key, list(library.documents.values()), library._index)
        return library

    @classmethod
    def _read(cls, paths: list[Path], manifests: list[Path], options: LoadOptions) -> Library:
        loaded = read_texts(paths, manifests, options)
        index = None
        if loaded.pending is not None:  # parsed in worker processes while this one indexes
            index = SearchIndex.merged(loaded.pending)
            if len({d.id for d in loaded.documents}) < len(loaded.documents):
                index = None  # two texts of one name: the second is renamed below, so its index is built anew
        return cls(loaded.documents, index=index, warnings=loaded.warnings)

    @property
    def default(self) -> Document:
        """The first loaded text, used when a command names none."""
        return next(iter(self.documents.values()))

    def document(self, name: str | None = None) -> Document:
        """A text by id, unique id prefix or title words (the first loaded when none is named).

        An ambiguous name is a UserError listing at most ten of the texts it matches.
        """
        if name is None or not name.strip():
            return self.default
        matches = self.matching(name)
        if len(matches) == 1:
            return matches[0]
        shown = "; ".join(f"`{d.id}` ({d.label})" for d in matches[:MAX_CHOICES])
        if matches:
            more = f" and {len(matches) - MAX_CHOICES} more" if len(matches) > MAX_CHOICES else ""
            raise UserError(f"“{name.strip()}” is ambiguous: it matches {len(matches)} texts: {shown}{more}.")
        if len(self.documents) <= MAX_CHOICES:
            listed = ", ".join(f"`{d}`" for d in self.documents)
            raise UserError(f"No text called “{name.strip()}” is loaded. Loaded texts: {listed}.")
        raise UserError(f"No text called “{name.strip()}” is loaded; `texts` lists the {len(self.documents)} texts.")

    def matching(self, name: str) -> list[Document]:
        """Texts a name may mean: the exact id, else ids it starts, else texts whose title or label has its words."""
        key = name.strip().lower()
        if key in self.documents:
            return [self.documents[key]]
        prefixed = [d for d in self.documents.values() if d.id.startswith(key)]
        if prefixed:
            return prefixed
        words = _words(key)
        if not words:
            return []
        return [d for d in self.documents.values() if words <= _words(f"{d.title} {d.label} {d.meta.speaker or ''}")]

    def select(self, chosen: TextFilter) -> list[Document]:
        """The texts a filter lets through, in loading order; a UserError when it names none."""
        documents = [self.document(chosen.document)] if chosen.document else list(self.documents.values())
        if chosen.speaker:
            wanted = _words(chosen.speaker)
            documents = [d for d in documents if wanted and wanted <= _words(d.meta.speaker or "")]
            if not documents:
                raise UserError(f"No loaded text is by “{chosen.speaker.strip()}”; `texts` lists who spoke.")
        if chosen.year_from is not None or chosen.year_to is not None:
            low, high = chosen.year_from or -9999, chosen.year_to or 9999
            if low > high:
                raise UserError(f"The years run backwards: from {low} to {high}.")
            documents = [d for d in documents if d.meta.year is not None and low <= d.meta.year <= high]
            if not documents:
                raise UserError("No loaded text is dated within those years.")
        return documents

    def search(
        self,
        query: str,
        limit: int = 5,
        *,
        offset: int = 0,
        document: str | None = None,
        prefix: bool = False,
        within: TextFilter | None = None,
    ) -> list[Hit]:
        """Ranked sentence hits across the library (or the texts a filter picks); empty for off-topic queries.

        Each hit carries its text's label; a sentence that several texts hold is one hit naming the others.
        """
        chosen = within or TextFilter()
        if document:
            chosen = dataclasses.replace(chosen, document=document)
        ids = None if chosen.is_empty else {d.id for d in self.select(chosen)}
        offset = max(0, offset)
        want = offset + limit
        fetch = 2 * want + 10
        while True:
            if ids is not None and len(ids) == 1:
                raw = self._index.search(query, limit=fetch, document=next(iter(ids)), prefix=prefix)
            else:
                raw = self._index.search(query, limit=fetch, prefix=prefix)
            exhausted = len(raw) < fetch or fetch >= _MAX_FETCH
            grouped = [labelled for h in raw if (labelled := self._labelled(h, ids)) is not None]
            if len(grouped) >= want or exhausted:
                return grouped[offset:want]
            fetch = min(fetch * 4, _MAX_FETCH)

    def sentences_using(
        self, accept: Callable[[str], bool], documents: Collection[str] | None = None
    ) -> list[tuple[str, Sentence]]:
        """(text id, sentence) for every sentence holding a word `accept` takes, in reading order, from the index."""
        return self._index.sentences_using(accept, documents)

    def words(self) -> list[str]:
        """Every word of the texts in normal form, e.g. to read a mistyped word as the nearest real one."""
        return self._index.words()

    def _labelled(self, hit: Hit, ids: set[str] | None) -> Hit | None:
        """A hit with its text's label and section, and the other texts holding it named by their labels.

        The index folds a sentence shared by several texts into one hit; when a filter left out the text that
        hit names, the copy in a chosen text stands for it instead (or the hit goes, when none is chosen).
        """
        if ids is not None and hit.document not in ids:
            moved = self._copy_in(hit, ids)
            if moved is None:
                return None
            hit = moved
        document = self.documents[hit.document]
        section = document.paragraphs[hit.paragraph - 1].section or ""
        others = tuple(
            dict.fromkeys(self.documents[d].label for d in hit.also_in if d in self.documents and d != hit.document)
        )
        return dataclasses.replace(hit, label=document.label, section=section, also_in=others)

    def _copy_in(self, hit: Hit, ids: set[str]) -> Hit | None:
        """The same sentence in the first chosen text that also holds it, as a hit there."""
        key = _sentence_key(hit.text)
        for doc_id in hit.also_in:
            if doc_id not in ids or doc_id not in self.documents:
                continue
            for sentence in self.documents[doc_id].sentences:
                if _sentence_key(sentence.text) == key:
                    same = sentence.text == hit.text
                    others = (hit.document, *(d for d in hit.also_in if d != doc_id))
                    return dataclasses.replace(
                        hit,
                        document=doc_id,
                        ref=sentence.ref,
                        paragraph=sentence.paragraph,
                        sentence=sentence.number,
                        text=sentence.text,
                        match=hit.match if same else (0, 0),
                        marks=hit.marks if same else (),
                        also_in=others,
                    )
        return None


class JoinedIndex:
    """Libraries' indexes asked as one: hits merged by score (an earlier index's first on a tie), each index
    giving only hits of the texts it shows there (not hidden, not shadowed by a text of the same id), so a
    server's index joins the shared one without rebuilding it."""

    def __init__(self, parts: Iterable[tuple[SearchIndex | JoinedIndex, frozenset[str]]]) -> None:
        self._parts = tuple(parts)

    def search(
        self, query: str, *, limit: int = 5, offset: int = 0, document: str | None = None, prefix: bool = False
    ) -> list[Hit]:
        """The best `limit` hits after `offset` of both indexes together, by score."""
        want = max(0, offset) + limit
        found: list[tuple[int, int, int, Hit]] = []
        for part_number, (part, shown) in enumerate(self._parts):
            if document is not None and document not in shown:
                continue
            for rank, hit in enumerate(part.search(query, limit=want, document=document, prefix=prefix)):
                if hit.document in shown:
                    also_in = tuple(d for d in hit.also_in if d in shown)
                    found.append((-hit.score, part_number, rank, dataclasses.replace(hit, also_in=also_in)))
        found.sort(key=lambda entry: entry[:3])
        return [entry[3] for entry in found[max(0, offset) : want]]

    def sentences_using(
        self, accept: Callable[[str], bool], documents: Collection[str] | None = None
    ) -> list[tuple[str, Sentence]]:
        """Every visible sentence holding a word `accept` takes, index by index in their order."""
        return [
            pair
            for part, shown in self._parts
            for pair in part.sentences_using(accept, shown if documents is None else shown & set(documents))
        ]

    def words(self) -> list[str]:
        """Every word of the indexes, once each."""
        return list(dict.fromkeys(word for part, _ in self._parts for word in part.words()))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _sentence_key(text: str) -> str:
    """A sentence's words as the index compares them, so the copies it folds together are found again."""
    return " ".join(map(spelling_key, normal_words(text)))


def _distinct_labels(documents: list[Document]) -> None:
    """Give texts that share a label (two messages of one president in one year) the day or id beside it."""
    counts = Counter(d.label for d in documents)
    for document in documents:
        if counts[document.label] > 1:
            date = document.meta.date
            label = f"{document.label} ({date:%b} {date.day})" if date else f"{document.label} ({document.id})"
            object.__setattr__(document, "label", label)
    counts = Counter(d.label for d in documents)
    for document in documents:
        if counts[document.label] > 1:
            object.__setattr__(document, "label", f"{document.label} ({document.id})")
