"""Small dated texts by different speakers, built for the study-tool tests (quiz, concordance, trends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.core.corpus import Document, parse_document

SPEECHES = {
    ("Abigail Stone", 1901): (
        "Freedom of the press is the first guarantee of a free people. We shall defend the press against every "
        "censor who would silence it.\n\nOur harbours must be deepened so that commerce may reach the inland towns. "
        "The railways carry the grain of the prairie to the markets of the coast."
    ),
    ("Bernard Kell", 1902): (
        "The tariff question divides the farmers of the west from the mills of the east. No tariff can please "
        "every province at once.\n\nFreedom is not secured by statute alone but by the vigilance of citizens. "
        "The schools of the republic teach that vigilance to every child."
    ),
    ("Clara Moss", 1905): (
        "Slavery in every form is a stain upon the honour of nations. The last traders in human beings must be "
        "brought before the courts.\n\nFreedom and slavery cannot live together under one flag. The navy shall "
        "patrol the southern coasts until the traffic ends."
    ),
}


def speeches() -> list[Document]:
    """Three short texts by three speakers, dated 1901, 1902 and 1905."""
    documents = []
    for (speaker, year), body in SPEECHES.items():
        slug = speaker.split()[-1].lower()
        title = f"Address of {year}"
        meta = {"title": title, "speaker": speaker, "date": dt.date(year, 3, 4)}
        documents.append(parse_document(f"{title}\n\n{body}\n", doc_id=f"{slug}-{year}", meta=meta))
    return documents


def write_speeches(folder: Path) -> Path:
    """The same texts as files with a toml of metadata each, as a teacher's folder would hold them."""
    folder.mkdir(parents=True, exist_ok=True)
    for (speaker, year), body in SPEECHES.items():
        slug = f"{speaker.split()[-1].lower()}-{year}"
        (folder / f"{slug}.txt").write_text(f"Address of {year}\n\n{body}\n", encoding="utf-8")
        meta = f'title = "Address of {year}"\nspeaker = "{speaker}"\ndate = {year}-03-04\n'
        (folder / f"{slug}.toml").write_text(meta, encoding="utf-8")
    return folder
