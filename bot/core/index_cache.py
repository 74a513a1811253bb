"""An on-disk cache of parsed texts and their search index, so a large library starts in a fraction of a second.

The cache file is named by a hash of every text's path and bytes (and its metadata file) plus the source of
the modules that parse and index them, so an edited text or a new version of the code simply misses and
rebuilds. The file is written by this process into a folder the operator chose; it is never shared input.
A checksum of the pickled bytes, stored in the file's header, turns a truncated or damaged file into a miss
rather than a crash (or wrong results) at the first search.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from bot.core.corpus import Document, Paragraph, Passage, Sentence
from bot.core.search import SearchIndex, paused_gc

CACHE_FORMAT = 3
_MAGIC = b"speechbot-index\0"
_HEADER = len(_MAGIC) + 12  # magic, then the CRC-32 (4 bytes) and length (8 bytes) of the pickled bytes
_CHUNK = 1 << 20
_CODE = ("corpus.py", "metadata.py", "reader.py", "segment.py", "refs.py", "normalize.py", "index_cache.py")
_PREFIX = "speechbot-index-"
_KEEP = 3  # cache files kept per folder (a bot and its CLI may load different sets of texts)


def cache_key(paths: Sequence[Path]) -> str:
    """A hash of the texts (paths, bytes, metadata files) and of the code that reads and indexes them."""
    digest = hashlib.sha256(f"speechbot index cache {CACHE_FORMAT}\n".encode())
    here = Path(__file__).resolve().parent
    for path in [*(here / name for name in _CODE), *sorted((here / "search").glob("*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in paths:
        for part in (path, path.with_suffix(".toml")):
            digest.update(str(part.resolve()).encode() + b"\0")
            if part.is_file():
                data = part.read_bytes()
                digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Stores sentences, paragraphs and passages as constructor calls, which load several times faster
    than the generic state restore of slotted dataclasses."""

    def reducer_override(self, obj: object) -> Any:
        if type(obj) is Sentence:
            return Sentence, (obj.paragraph, obj.number, obj.text)
        if type(obj) is Paragraph:
            return Paragraph, (obj.number, obj.sentences, obj.section)
        if type(obj) is Passage:
            return Passage, (obj.document, obj.ref, obj.sentences)
        return NotImplemented


def read(cache_dir: Path, key: str) -> tuple[list[Document], SearchIndex] | None:
    """The cached documents and index for `key`, or None when there is no usable cache file."""
    path = cache_dir / f"{_PREFIX}{key}.pickle"
    try:
        with path.open("rb") as handle:
            if not _intact(handle):
                return None
            handle.seek(_HEADER)
            with paused_gc():  # a million objects, none of them garbage
                documents, index = pickle.load(handle)  # noqa: S301 - our own file, named by the content hash
    except Exception:  # a file of another version or damaged in a way the checksum missed: rebuild
        return None
    if not isinstance(index, SearchIndex) or not all(isinstance(d, Document) for d in documents):
        return None
    return documents, index


def _intact(handle: BinaryIO) -> bool:
    """Whether the file has our header and its pickled bytes match the checksum and length stored there."""
    header = handle.read(_HEADER)
    if len(header) != _HEADER or not header.startswith(_MAGIC):
        return False
    expected_crc = int.from_bytes(header[len(_MAGIC) : len(_MAGIC) + 4], "little")
    expected_size = int.from_bytes(header[len(_MAGIC) + 4 :], "little")
    crc, size = 0, 0
    while chunk := handle.read(_CHUNK):
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    return (crc, size) == (expected_crc, expected_size)


class _Summing:
    """A file wrapper that keeps the CRC-32 and length of everything written through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.crc, self.size = handle, 0, 0

    def write(self, data: bytes) -> int:
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)
        return self.handle.write(data)


def write(cache_dir: Path, key: str, documents: Sequence[Document], index: SearchIndex) -> None:
    """Store the documents and index for `key` atomically and drop the oldest files; errors only skip caching."""
    temporary: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=cache_dir, prefix=_PREFIX, suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(bytes(_HEADER))  # filled in once the checksum is known
            summing = _Summing(handle)
            _Pickler(summing, protocol=pickle.HIGHEST_PROTOCOL).dump((list(documents), index))
            handle.seek(0)
            handle.write(_MAGIC + summing.crc.to_bytes(4, "little") + summing.size.to_bytes(8, "little"))
        os.replace(temporary, cache_dir / f"{_PREFIX}{key}.pickle")
        temporary = None
        cached = sorted(cache_dir.glob(f"{_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in cached[_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
