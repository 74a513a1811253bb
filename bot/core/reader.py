"""Reading folders of texts: every text file in the tree, its manifest row, and a warning for each bad file."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import cast

from bot.core.corpus import TEXT_SUFFIXES, Document, parse_document, read_document, slugify, text_files
from bot.core.metadata import Manifest, find_manifests, read_manifest
from bot.core.search import paused_gc
from bot.core.search.bitsets import exhaust
from bot.core.search.index import Tokenised, tokenise


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to read teachers' folders: an extra manifest, `--map column=field`, and whether a bad file fails."""

    manifest: Path | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False


@dataclass(slots=True)
class Loaded:
    """The documents read, in order, and one line per file or manifest that was skipped or looked odd."""

    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # For a large library, the texts still being parsed and tokenised in worker processes, in file order:
    # reading it fills `documents` and `warnings` (so the index can be built while later texts are parsed).
    pending: Iterator[tuple[Document, Tokenised]] | None = None


def folder_texts(folder: Path) -> list[Path]:
    """The text files under a folder; a missing or empty folder is a ValueError naming it."""
    if not folder.is_dir():
        raise ValueError(f"texts folder not found: {folder}")
    try:
        found = text_files(folder)
    except OSError as problem:
        raise ValueError(f"cannot read the texts folder {folder}: {problem.strerror or problem}") from None
    if not found:
        raise ValueError(f"no .txt or .md texts in {folder}")
    return found


def manifest_files(folders: Iterable[Path], options: LoadOptions) -> list[Path]:
    """Every manifest that applies, the one named by `--manifest` last (so it wins)."""
    found = [path for folder in folders for path in find_manifests(folder)]
    if options.manifest is not None:
        if not options.manifest.is_file():
            raise ValueError(f"manifest not found: {options.manifest}")
        found.append(options.manifest)
    return found


def read_texts(paths: list[Path], manifests: list[Path], options: LoadOptions) -> Loaded:
    """Parse every text with its manifest row; a bad file is skipped with a warning (`strict`: a ValueError)."""
    loaded = Loaded()
    rows: dict[str, dict[str, object]] = {}
    read: list[Manifest] = []
    for path in manifests:
        try:
            manifest = read_manifest(path, options.mapping)
        except ValueError as problem:
            _skip(loaded, f"skipped manifest {problem}", options)
            continue
        read.append(manifest)
        rows.update(manifest.rows)
    stems = {path.stem.lower() for path in paths}
    for manifest in read:
        unmatched = sorted(key for key in manifest.rows if key not in stems)
        if unmatched:
            shown = ", ".join(unmatched[:5]) + (", …" if len(unmatched) > 5 else "")
            loaded.warnings.append(f"{manifest.path}: {len(unmatched)} rows name no text file ({shown})")
    defaults = [rows.get(path.stem.lower()) for path in paths]
    if _pooled_pays(paths):
        loaded.pending = _kept(loaded, _pooled(paths, defaults), options)
        return loaded
    with paused_gc():  # a large library makes a million small objects, so the collector waits
        exhaust(_kept(loaded, map(_parse_or_problem, paths, defaults), options))
    return loaded


def _kept(loaded: Loaded, parsed: Iterator[Parsed], options: LoadOptions) -> Iterator[tuple[Document, Tokenised]]:
    """The texts that parsed, each added to `loaded` as it comes; a warning for each that did not."""
    for read_or_problem in parsed:
        if isinstance(read_or_problem, str):
            _skip(loaded, f"skipped {read_or_problem}", options)
        else:
            loaded.documents.append(read_or_problem[0])
            yield cast(tuple[Document, Tokenised], read_or_problem)


POOLED_FROM_BYTES = 24_000_000  # below this, starting worker processes costs more than parsing in parallel saves


Parsed = tuple[Document, "Tokenised | None"] | str  # a text and its word ids (when tokenised), or why it failed


def _pooled_pays(paths: list[Path]) -> bool:
    """Whether to parse in worker processes: two cores or more, a large library, and a process safe to fork.

    Forked, so a worker never re-runs the caller's script; only from a single-threaded process, which is
    safe to fork (`speechbot run` reads its texts before it starts any thread; a caller that already runs
    threads parses in its own process).
    """
    return min(_cores(), len(paths)) >= 2 and threading.active_count() == 1 and _total_bytes(paths) >= POOLED_FROM_BYTES


def _pooled(paths: list[Path], defaults: list[dict[str, object] | None]) -> Iterator[Parsed]:
    """Each text parsed and tokenised in a worker process, in file order.

    Only a few texts are handed out ahead of the one being indexed: finished texts waiting to be indexed
    would otherwise pile up in this process and raise its peak memory.
    """
    workers = min(_cores(), len(paths))
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"))
    texts = zip(paths, defaults, strict=True)
    ahead: deque[Future[Parsed]] = deque(pool.submit(_parse_and_tokenise, *text) for text in islice(texts, workers))
    try:
        while ahead:
            parsed = ahead.popleft().result()
            ahead.extend(pool.submit(_parse_and_tokenise, *text) for text in islice(texts, 1))
            yield parsed
    finally:  # also when a strict load stops at a bad file: the texts not yet parsed are dropped
        pool.shutdown(cancel_futures=True)


def _parse_or_problem(path: Path, defaults: dict[str, object] | None) -> Parsed:
    """One text parsed, or why it cannot be (a worker's ValueError comes back as its message)."""
    try:
        return read_document(path, defaults=defaults), None
    except ValueError as problem:
        return str(problem)


def _parse_and_tokenise(path: Path, defaults: dict[str, object] | None) -> Parsed:
    """In a worker: one text parsed and its sentences tokenised, or why it cannot be parsed."""
    with paused_gc():
        parsed = _parse_or_problem(path, defaults)
        return parsed if isinstance(parsed, str) else (parsed[0], tokenise(parsed[0].body))


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _total_bytes(paths: list[Path]) -> int:
    """The texts' size on disk (a file that cannot be read counts nothing; parsing it says why)."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return total


def read_text_bytes(data: bytes, *, name: str, meta: Mapping[str, object] | None = None) -> Document:
    """One uploaded text from its bytes, by the folder rules (front matter read, `meta` winning over it).

    UTF-8 only, never a binary file, at least one body paragraph: anything else is a ValueError whose
    message is one sentence for the person who uploaded it.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise ValueError("Only .txt and .md files can be added as texts.")
    if not data.strip():
        raise ValueError("The file is empty.")
    if b"\0" in data:
        raise ValueError("The file looks like a binary file, not text; upload a .txt or .md file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise ValueError(
            f"The file is not UTF-8 text (byte 0x{data[problem.start]:02x} at position {problem.start}); "
            "save it as UTF-8 and add it again."
        ) from None
    given = dict(meta or {})
    doc_id = slugify(str(given.get("id") or Path(name).stem))
    try:
        return parse_document(text, doc_id=doc_id, meta=given, markdown=suffix == ".md")
    except ValueError as problem:
        reason = str(problem).removeprefix(f"{doc_id}: ")
        raise ValueError(f"{reason[:1].upper()}{reason[1:]}.") from None


def _skip(loaded: Loaded, message: str, options: LoadOptions) -> None:
    if options.strict:
        raise ValueError(message.removeprefix("skipped "))
    loaded.warnings.append(message)
