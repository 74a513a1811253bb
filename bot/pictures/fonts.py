"""The bundled fonts pictures are typeset in: DejaVu, shipped with matplotlib, covering Latin and Cyrillic."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
from matplotlib.ft2font import FT2Font


def font_path(name: str) -> Path:
    """A DejaVu font file by name (`DejaVuSerif`, `DejaVuSans-Bold`, …) from matplotlib's own copy."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{name}.ttf"
    if not path.is_file():
        raise FileNotFoundError(f"the bundled font {name} is missing from matplotlib's data")
    return path


@cache
def covered(name: str) -> frozenset[int]:
    """The code points a font has glyphs for, so text it cannot show is refused rather than drawn as boxes."""
    return frozenset(FT2Font(str(font_path(name))).get_charmap())


def missing_glyphs(text: str, *names: str) -> list[str]:
    """Characters of `text` (other than spacing) that none of the fonts can draw, in order of appearance."""
    have = frozenset().union(*(covered(name) for name in names))
    missing: list[str] = []
    for char in text:
        if not char.isspace() and ord(char) not in have and char not in missing:
            missing.append(char)
    return missing
