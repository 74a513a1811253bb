"""Reading folders of texts: every text file in the tree, its manifest row, and a warning for each bad file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.corpus import Document, read_document, text_files
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


def _skip(loaded: Loaded, message: str, options: LoadOptions) -> None:
    if options.strict:
        raise ValueError(message.removeprefix("skipped "))
    loaded.warnings.append(message)
