"""All loaded texts behind one object: the entry point adapters and the CLI call."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.core.corpus import MAX_ID_CHARS, Document, read_document, text_files
from bot.core.errors import UserError
from bot.core.search import Hit, SearchIndex, paused_gc


def seeds_dir() -> Path:
    """The bundled texts: inside the package when installed from a wheel, else the checkout's `seeds/`."""
    packaged = Path(__file__).resolve().parent.parent / "seeds"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "seeds"


class Library:
    """The loaded documents and their search index."""

    def __init__(self, documents: Iterable[Document], *, index: SearchIndex | None = None) -> None:
        self.documents: dict[str, Document] = {}
        for document in documents:
            doc_id, n = document.id, 2
            while doc_id in self.documents:  # a second text of the same name: `-2`, still within MAX_ID_CHARS
                suffix = f"-{n}"
                doc_id, n = f"{document.id[: MAX_ID_CHARS - len(suffix)].rstrip('-')}{suffix}", n + 1
            if doc_id != document.id:
                object.__setattr__(document, "id", doc_id)
            self.documents[doc_id] = document
        if not self.documents:
            raise ValueError("no texts were loaded")
        self._index = index if index is not None else SearchIndex(self.documents.values())

    @classmethod
    def load(
        cls, extra_dirs: Iterable[Path] = (), *, include_seeds: bool = True, cache_dir: Path | None = None
    ) -> Library:
        """Read the seed texts and every `.txt`/`.md` file in the extra folders.

        With `cache_dir`, the parsed texts and index are kept there, keyed by the files' content hashes,
        so the next start with the same texts skips parsing and indexing.
        """
        folders = ([seeds_dir()] if include_seeds else []) + [Path(d) for d in extra_dirs]
        paths = []
        for folder in folders:
            if not folder.is_dir():
                raise ValueError(f"texts folder not found: {folder}")
            try:
                found = text_files(folder)
            except OSError as problem:
                raise ValueError(f"cannot read the texts folder {folder}: {problem.strerror or problem}") from None
            if not found:
                raise ValueError(f"no .txt or .md texts in {folder}")
            paths.extend(found)
        if cache_dir is None:
            return cls(_read_all(paths))
        from bot.core import index_cache  # only here: hashing and pickling cost start-up time otherwise

        try:
            key = index_cache.cache_key(paths)
        except OSError:  # a text that cannot be read: reading it below says which, in one line
            return cls(_read_all(paths))
        cached = index_cache.read(Path(cache_dir), key)
        if cached is not None:
            documents, index = cached
            return cls(documents, index=index)
        library = cls(_read_all(paths))
        index_cache.write(Path(cache_dir), key, list(library.documents.values()), library._index)
        return library

    @property
    def default(self) -> Document:
        """The first loaded text, used when a command names none."""
        return next(iter(self.documents.values()))

    def document(self, doc_id: str | None = None) -> Document:
        """The named document (the first loaded when none is named), or a UserError listing the choices."""
        if doc_id is None or not doc_id.strip():
            return self.default
        key = doc_id.strip().lower()
        if key in self.documents:
            return self.documents[key]
        matches = [d for d in self.documents.values() if key in d.id or key in d.title.lower()]
        if len(matches) == 1:
            return matches[0]
        choices = ", ".join(f"`{d}`" for d in self.documents)
        raise UserError(f"No text called that is loaded. Loaded texts: {choices}.")

    def search(
        self,
        query: str,
        limit: int = 5,
        *,
        offset: int = 0,
        document: str | None = None,
        prefix: bool = False,
    ) -> list[Hit]:
        """Ranked sentence hits across the library (or one document); empty for off-topic queries."""
        doc_id = self.document(document).id if document else None
        return self._index.search(query, limit=limit, offset=offset, document=doc_id, prefix=prefix)


def _read_all(paths: list[Path]) -> list[Document]:
    """Parse every text; a large library makes a million small objects, so the collector waits."""
    with paused_gc():
        return [read_document(path) for path in paths]
