"""An on-disk cache of parsed texts and their search index, so a large library starts in a fraction of a second.

The cache file is named by a hash of every text's path and bytes (and its metadata file) plus the source of
the modules that parse and index them, so an edited text or a new version of the code simply misses and
rebuilds. The file is written by this process into a folder the operator chose; it is never shared input.
The file holds a small pickle of the objects and, after it, the large arrays and byte strings they refer to
(the texts, postings and word ids) as flat blobs, read straight into their arrays: loading does not unpickle
the world, nor hold a second copy of it while it does. Checksums of the pickle and of the blobs, stored in the
file's header, turn a truncated or damaged file into a miss rather than a crash (or wrong results).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from bot.core.corpus import Document
from bot.core.search import SearchIndex, paused_gc

CACHE_FORMAT = 4
_MAGIC = b"speechbot-index\0"
_HEADER = len(_MAGIC) + 24  # magic, then CRC-32 (4 bytes) and length (8 bytes) of the pickle, and of the blobs
_BLOB_FROM = 1 << 16  # arrays and byte strings of this many bytes or more are stored as blobs
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
    """Pickles the objects, keeping large arrays and byte strings aside as blobs written after the pickle."""

    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.blobs: list[memoryview] = []
        self._ids: dict[int, tuple[str, str, int, int]] = {}  # id of the object -> its blob's reference
        self._offset = 0

    def persistent_id(self, obj: object) -> tuple[str, str, int, int] | None:
        typecode: str
        if type(obj) is array:
            typecode, data = obj.typecode, memoryview(obj).cast("B")
        elif type(obj) is bytes:
            typecode, data = "", memoryview(obj)
        else:
            return None
        if data.nbytes < _BLOB_FROM:
            return None
        known = self._ids.get(id(obj))
        if known is None:
            known = self._ids[id(obj)] = ("blob", typecode, self._offset, data.nbytes)
            self.blobs.append(data)
            self._offset += data.nbytes
        return known


class _Unpickler(pickle.Unpickler):
    """Reads the blobs a pickle refers to from the file, in the order they were written, into their arrays."""

    def __init__(self, pickled: bytes, handle: io.BufferedReader) -> None:
        super().__init__(io.BytesIO(pickled))
        self.handle = handle
        self.crc, self.size = 0, 0
        self._read: dict[int, object] = {}  # offset -> the array or bytes already read from there

    def persistent_load(self, pid: tuple[str, str, int, int]) -> object:
        kind, typecode, offset, size = pid
        if offset in self._read:
            return self._read[offset]
        if kind != "blob" or offset != self.size:
            raise pickle.UnpicklingError("blobs out of order")
        found: array[int] | bytes
        if typecode:
            found = array(typecode, [0]) * (size // array(typecode).itemsize)
            data = memoryview(found).cast("B")
            filled = 0
            while filled < size:
                got = self.handle.readinto(data[filled:])
                if not got:
                    raise pickle.UnpicklingError("truncated")
                filled += got
        else:
            found = self.handle.read(size)
            if len(found) != size:
                raise pickle.UnpicklingError("truncated")
        self.crc, self.size = zlib.crc32(found, self.crc), self.size + size
        self._read[offset] = found
        return found


def read(cache_dir: Path, key: str) -> tuple[list[Document], SearchIndex] | None:
    """The cached documents and index for `key`, or None when there is no usable cache file."""
    path = cache_dir / f"{_PREFIX}{key}.pickle"
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER)
            if len(header) != _HEADER or not header.startswith(_MAGIC):
                return None
            pickle_crc, pickle_size, blobs_crc, blobs_size = _fields(header)
            pickled = handle.read(pickle_size)
            if len(pickled) != pickle_size or zlib.crc32(pickled) != pickle_crc:
                return None
            unpickler = _Unpickler(pickled, handle)
            with paused_gc():  # many objects, none of them garbage
                documents, index = unpickler.load()  # our own file, named by the content hash
            if (unpickler.crc, unpickler.size) != (blobs_crc, blobs_size) or handle.read(1):
                return None
    except Exception:  # a file of another version or damaged in a way the checksums missed: rebuild
        return None
    if not isinstance(index, SearchIndex) or not all(isinstance(d, Document) for d in documents):
        return None
    return documents, index


def _fields(header: bytes) -> tuple[int, int, int, int]:
    """The pickle's CRC-32 and length, and the blobs' CRC-32 and length, from a file's header."""
    at = len(_MAGIC)
    return (
        int.from_bytes(header[at : at + 4], "little"),
        int.from_bytes(header[at + 4 : at + 12], "little"),
        int.from_bytes(header[at + 12 : at + 16], "little"),
        int.from_bytes(header[at + 16 : at + 24], "little"),
    )


def write(cache_dir: Path, key: str, documents: Sequence[Document], index: SearchIndex) -> None:
    """Store the documents and index for `key` atomically and drop the oldest files; errors only skip caching."""
    temporary: Path | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        pickler = _Pickler(buffer)
        pickler.dump((list(documents), index))
        pickled = buffer.getvalue()
        descriptor, name = tempfile.mkstemp(dir=cache_dir, prefix=_PREFIX, suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(bytes(_HEADER))  # filled in once the checksums are known
            handle.write(pickled)
            crc, size = 0, 0
            for blob in pickler.blobs:
                handle.write(blob)
                crc, size = zlib.crc32(blob, crc), size + blob.nbytes
            handle.seek(0)
            handle.write(
                _MAGIC
                + zlib.crc32(pickled).to_bytes(4, "little")
                + len(pickled).to_bytes(8, "little")
                + crc.to_bytes(4, "little")
                + size.to_bytes(8, "little")
            )
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
