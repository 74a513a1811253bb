"""Reading folders of texts: every text file in the tree, its manifest row, and a warning for each bad file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.corpus import TEXT_SUFFIXES, Document, parse_document, read_document, slugify, text_files
from bot.core.metadata import Manifest, find_manifests, read_manifest
from bot.core.search import paused_gc


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
    with paused_gc():  # a large library makes a million small objects, so the collector waits
        for path in paths:
            try:
                loaded.documents.append(read_document(path, defaults=rows.get(path.stem.lower())))
            except ValueError as problem:
                _skip(loaded, f"skipped {problem}", options)
    return loaded


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
