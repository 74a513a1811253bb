"""Where a text's bibliographic facts come from: `name.toml`, YAML front matter and CSV manifests, merged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# The fields a text's metadata may give; every other key is ignored (a manifest has many columns).
FIELDS = (
    "id",
    "title",
    "short_title",
    "sentence_case_title",
    "speaker",
    "speaker_family",
    "speaker_given",
    "date",
    "year",
    "occasion",
    "place",
    "kind",
    "source",
    "url",
    "translator",
    "translated_from",
    "edition",
    "excerpt",
)

MANIFEST_NAMES = ("metadata.csv", "catalog.csv", "texts.csv")
ID_COLUMNS = ("id", "file", "fileid", "filename")

# Common column names of published corpora, in order of preference when a manifest has several.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "speaker": ("speaker", "author", "president_full", "president"),
    "date": ("date",),
    "year": ("year",),
    "kind": ("kind", "type", "genre"),
    "url": ("url", "source_url"),
    "source": ("source",),
    "translator": ("translator",),
    "edition": ("edition",),
}

# A manifest's words for how a text was delivered, in the kinds citations know.
KIND_WORDS = {"spoken": "speech", "oral": "speech", "written": "message", "letter": "letter"}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Manifest:
    """Rows of one CSV manifest keyed by file stem, with the column -> field mapping it was read with."""

    path: Path
    rows: dict[str, dict[str, object]]


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`--map column=field` options as a dict; an unknown field is a ValueError that lists the known ones."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.partition("=")
        column, name = column.strip().lower(), name.strip().lower()
        if not sep or not column or not name:
            raise ValueError(f"--map takes column=field, for example --map orator=speaker (got {pair!r})")
        if name not in FIELDS:
            raise ValueError(f"--map {pair}: {name!r} is not a field; fields are {', '.join(FIELDS)}")
        mapping[column] = name
    return mapping


def read_toml(path: Path) -> dict[str, object]:
    """A `name.toml` beside a text; invalid TOML is a ValueError naming the file."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ValueError(f"{path}: not valid TOML metadata ({problem})") from None


def split_front_matter(text: str) -> tuple[dict[str, object], str, str | None]:
    """YAML front matter (`---` … `---` at the very start) as metadata, the rest of the text, and any warning."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text, None
    rest = text[found.end() :]
    import yaml  # only for texts that have front matter: it costs a fifth of the CLI's start-up otherwise

    try:
        data = yaml.safe_load(found.group(1))
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        return {}, rest, f"front matter is not valid YAML{where}; it was left out"
    if data is None:
        return {}, rest, None
    if not isinstance(data, dict):
        return {}, rest, "front matter is not a list of `field: value` lines; it was left out"
    return {str(k).strip().lower(): v for k, v in data.items()}, rest, None


def find_manifests(folder: Path) -> list[Path]:
    """Manifests anywhere under a folder, shallowest first, so a deeper one overrides for its own texts."""
    found = [p for name in MANIFEST_NAMES for p in folder.rglob(name) if p.is_file()]
    return sorted(found, key=lambda p: (len(p.relative_to(folder).parts), str(p)))


def read_manifest(path: Path, mapping: Mapping[str, str] | None = None) -> Manifest:
    """A CSV manifest's rows keyed by the stem in its id column, columns mapped to fields by common names."""
    try:
        data = path.read_bytes().decode("utf-8-sig")
    except OSError as problem:
        raise ValueError(f"cannot read {path}: {problem.strerror or problem}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; save the manifest as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(data))
    columns = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    id_column = next((columns[c] for c in ID_COLUMNS if c in columns), None)
    if id_column is None:
        raise ValueError(f"{path}: no id column; name one of {', '.join(ID_COLUMNS)}")
    chosen = _column_fields(columns, dict(mapping or {}))
    rows: dict[str, dict[str, object]] = {}
    for row in reader:
        key = Path((row.get(id_column) or "").strip()).stem
        if not key:
            continue
        values = {name: (row.get(column) or "").strip() for column, name in chosen.items()}
        rows[key.lower()] = {name: value for name, value in values.items() if value}
    return Manifest(path, rows)


def _column_fields(columns: Mapping[str, str], mapping: dict[str, str]) -> dict[str, str]:
    """Which CSV column feeds which field: `--map` first, then the first common name present."""
    chosen: dict[str, str] = {}
    taken = set()
    for column, name in mapping.items():
        if column in columns:
            chosen[columns[column]] = name
            taken.add(name)
    for name, candidates in COLUMN_NAMES.items():
        if name in taken:
            continue
        picked = next((c for c in candidates if c in columns), None)
        if picked is None and name == "kind":
            picked = next((c for c in columns if c.endswith("_type")), None)  # e.g. `sotu_type`
        if picked is not None and columns[picked] not in chosen:
            chosen[columns[picked]] = name
    return chosen


def merged(*layers: Mapping[str, object]) -> dict[str, object]:
    """Metadata layers merged, later layers winning field by field (manifest, then front matter, then TOML)."""
    result: dict[str, object] = {}
    for layer in layers:
        result.update({k: v for k, v in layer.items() if v is not None and v != ""})
    return result


def parse_date(value: object) -> tuple[dt.date | None, int | None]:
    """A full date and/or a year from metadata (`1956-02-25`, a TOML date, `1956`); ValueError when neither."""
    if isinstance(value, dt.datetime):
        return value.date(), value.year
    if isinstance(value, dt.date):
        return value, value.year
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10000:
        return None, value
    text = str(value).strip()
    if re.fullmatch(r"\d{3,4}", text):
        return None, int(text)
    day: dt.date | None
    try:
        day = dt.date.fromisoformat(text[:10] if re.match(r"\d{4}-\d\d-\d\dT", text) else text)
    except ValueError:
        day = _written_date(text)
    if day is None:
        raise ValueError(f"metadata date {text!r} is not a date like 1956-02-25")
    return day, day.year


_WRITTEN_DATES = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y")


def _written_date(text: str) -> dt.date | None:
    """`February 25, 1956`, `25 Feb 1956` and the like, as catalogues write dates."""
    for layout in _WRITTEN_DATES:
        try:
            return dt.datetime.strptime(text, layout).date()  # noqa: DTZ007 - a calendar date, no time or zone
        except ValueError:
            continue
    return None


def parse_kind(value: object) -> str:
    """A kind of text in the words citations use: `speech`, `message`, `letter`, …"""
    word = str(value).strip().lower()
    return KIND_WORDS.get(word, word) or "speech"


def parse_flag(value: object) -> bool:
    """A yes/no field from TOML, YAML or CSV (`true`, `yes`, `1`)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "yes", "1", "y"}


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_name(full: str) -> tuple[str | None, str, str | None]:
    """(given, family, suffix) of a name for citations: `Joseph R. Biden Jr.` -> `Joseph R.`, `Biden`, `Jr.`"""
    tokens = full.replace(",", " ").split()
    suffix = tokens.pop() if len(tokens) > 2 and tokens[-1].lower() in _SUFFIXES else None
    if not tokens:
        return None, full.strip(), suffix
    given = " ".join(tokens[:-1]) or None
    return given, tokens[-1], suffix
