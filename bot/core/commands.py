"""What each user command answers, platform-neutral: the console, Slack and Discord all call these."""

from __future__ import annotations

import datetime as dt
import random
import re

from bot.core.corpus import Document
from bot.core.daily import passage_for
from bot.core.errors import UserError
from bot.core.library import Library, TextFilter
from bot.core.refs import clean_input, parse_ref
from bot.core.render import (
    about_text,
    citation,
    context_sections,
    counted,
    parse_style,
    quotation,
)
from bot.core.replies import (
    AboutReply,
    CiteReply,
    ContextReply,
    DailyReply,
    ErrorReply,
    HelpReply,
    QuoteReply,
    Reply,
    SearchReply,
    TextsReply,
)
from bot.core.search import MAX_QUERY_CHARS

PAGE_SIZE = 5

# (command, what it does, example) - one list for every platform's help.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("quote [ref]", "a random passage, or the one at a reference", "quote 3.2"),
    (
        "search <words>",
        "find sentences, even with typos or half-remembered words",
        "search enemy of the peopel",
    ),
    ("context <ref>", "the paragraph with the one before and after", "context 4"),
    ("daily", "today's passage, the same for everyone today", "daily"),
    ("cite <ref> [mla|apa|chicago]", "a citation with paragraph numbers", "cite 5 apa"),
    ("about", "where the text comes from, with the editor's introduction", "about"),
    ("texts", "the texts that are loaded", "texts"),
    ("quiz [paragraph|gap|speaker] [questions]", "quiz questions made from the text, answered a-d", "quiz gap 3"),
    ("concordance <word>", "every use of a word in context, with counts per paragraph", "concordance enemy"),
    ("trend <words>", "a chart of words' use over the years (dated texts)", "trend freedom slavery"),
    ("card <ref>", "the passage as a picture with its citation, for slides", "card 3.1"),
    ("help", "this list", "help"),
)
FILTER_HELP = (
    'Pick texts: `in:<text>` (id, start of its id, or title words), `by:<speaker>` (`by:"Abraham Lincoln"`), '
    "`from:1861` `to:1865`."
)
REF_HELP = "References: `3` is paragraph 3, `3.2` its second sentence, `3.2-4` sentences 2 to 4, `3-4` two paragraphs."


def error(message: str) -> ErrorReply:
    """A reply that explains how to fix the input."""
    return ErrorReply(message)


def quote(library: Library, ref: str | None, *, document: str | None = None, rng: random.Random) -> QuoteReply:
    """The passage at `ref`, or a random readable passage when no ref is given."""
    doc = library.document(document)
    passage = rng.choice(doc.daily_passages) if ref is None or not clean_input(ref) else doc.passage(ref)
    return QuoteReply(quotation(passage), document=doc.id)


def search(
    library: Library,
    query: str,
    *,
    document: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    within: TextFilter | None = None,
) -> SearchReply | ErrorReply:
    """A page of hits; a helpful error when the query is empty or nothing in the text matches it.

    `by:`, `from:` and `to:` in the query narrow it like `within`, and the reply's query keeps them, so a
    "More results" button that repeats the query keeps the same texts.
    """
    words, inline = parse_options(clean_input(query, limit=MAX_QUERY_CHARS))
    cleaned = clean_input(words, limit=MAX_QUERY_CHARS)
    if not cleaned:
        return error("Type some words to search for, for example `search enemy of the people`.")
    chosen = _merged(within or TextFilter(), inline)
    named = document or chosen.document
    doc = library.document(named) if named else None
    hits = library.search(cleaned, limit + 1, offset=max(offset, 0), document=doc.id if doc else None, within=chosen)
    if not hits:
        where = f"“{doc.title}”" if doc else ("the chosen texts" if not chosen.is_empty else "the loaded texts")
        return error(f"Nothing in {where} matches that. Try fewer or different words, or `quote` for a passage.")
    return SearchReply(
        hits=hits[:limit],
        query=cleaned + filter_words(chosen),
        offset=offset,
        has_more=len(hits) > limit,
        document=doc.id if doc else "",
    )


def context(library: Library, ref: str, *, document: str | None = None) -> ContextReply:
    """A paragraph with its neighbours, for reading a quotation in its setting."""
    doc = library.document(document)
    before, target, after = doc.context(ref)
    return ContextReply(
        sections=context_sections(before, target, after, doc.notes),
        quotation=quotation(doc.passage(str(target.number))),
        document=doc.id,
        paragraph=target.number,
        paragraph_count=len(doc.paragraphs),
    )


def daily(library: Library, *, today: dt.date, document: str | None = None) -> DailyReply:
    """Today's passage of the day."""
    doc = library.document(document)
    return DailyReply(quotation(passage_for(today, doc)), document=doc.id)


def cite(library: Library, ref: str, *, style: str | None = None, document: str | None = None) -> CiteReply:
    """A citation for a reference, ready to paste into an essay."""
    doc = library.document(document)
    passage = doc.passage(ref)
    chosen = parse_style(style)
    return CiteReply(citation(passage, chosen), quotation(passage, style=chosen), style=chosen)


def about(library: Library, *, document: str | None = None) -> AboutReply:
    """The source and its introduction."""
    doc = library.document(document)
    return AboutReply(about_text(doc), document=doc.id)


def texts(library: Library) -> TextsReply:
    """The loaded texts with their ids, for `in:<id>` and `--document`."""
    lines = [
        f"`{d.id}`: {d.label} · {d.title}"
        + (f" · {_when(d)}" if _when(d) else "")
        + f" ({counted(len(d.paragraphs), 'paragraph')})"
        for d in library.documents.values()
    ]
    return TextsReply("\n".join(lines))


def _when(document: Document) -> str:
    meta = document.meta
    return meta.date.isoformat() if meta.date else (str(meta.year) if meta.year else "")


def help_text(prefix: str = "/") -> HelpReply:
    """Every command with an example, spelled `/` (the console) or `/speech ` (Slack); Discord lists its tree."""
    lines = [f"`{prefix}{usage}`: {what}. Example: `{prefix}{example}`" for usage, what, example in COMMANDS]
    if prefix.strip() == "/":  # the console: daily posts are set up in a Discord server or a Slack channel
        daily_posts = (
            "set one up in a Discord server with `/daily-setup` or in a Slack channel with "
            "`/speech daily setup`; `/daily` here shows today's"
        )
    else:
        daily_posts = f"`{prefix}daily setup 08:30 Europe/Berlin [sequential] [weekdays]` in the channel, then " + (
            f"`{prefix}daily status|preview|now|stop`"
        )
    text = "\n".join([*lines, REF_HELP, FILTER_HELP, f"A passage every morning: {daily_posts}."])
    return HelpReply(text)


_OPTION = re.compile(r"(?:^|\s)(in|by|from|to):(?:\"([^\"]*)\"|(\S+))", re.IGNORECASE)


def filter_words(chosen: TextFilter) -> str:
    """` by:"Abraham Lincoln" from:1861 to:1865`: a filter (but its text, which travels apart) as query words."""
    words = []
    if chosen.speaker:
        words.append(f'by:"{chosen.speaker}"' if " " in chosen.speaker else f"by:{chosen.speaker}")
    if chosen.year_from is not None:
        words.append(f"from:{chosen.year_from}")
    if chosen.year_to is not None:
        words.append(f"to:{chosen.year_to}")
    return "".join(f" {word}" for word in words)


def _merged(given: TextFilter, inline: TextFilter) -> TextFilter:
    """The filter a command was given, with what the query itself says filling the gaps."""
    return TextFilter(
        document=given.document or inline.document,
        speaker=given.speaker or inline.speaker,
        year_from=given.year_from if given.year_from is not None else inline.year_from,
        year_to=given.year_to if given.year_to is not None else inline.year_to,
    )


def parse_options(text: str) -> tuple[str, TextFilter]:
    """The line without its `in:` `by:` `from:` `to:` options, and the filter they give.

    `by:"Abraham Lincoln"` takes a quoted name; years must be numbers, else a UserError says so.
    """
    values: dict[str, str] = {}
    for found in _OPTION.finditer(text):
        values[found.group(1).lower()] = (found.group(2) if found.group(2) is not None else found.group(3)).strip()
    rest = _OPTION.sub(" ", text).strip()
    years: dict[str, int | None] = {}
    for key in ("from", "to"):
        value = values.get(key)
        if value is not None and not re.fullmatch(r"\d{1,4}", value):
            raise UserError(f"`{key}:` takes a year, for example `{key}:1861`.")
        years[key] = int(value) if value is not None else None
    chosen = TextFilter(
        document=values.get("in") or None,
        speaker=values.get("by") or None,
        year_from=years["from"],
        year_to=years["to"],
    )
    return rest, chosen


def _one_text(library: Library, chosen: TextFilter) -> str | None:
    """The text a filter picks for a command that reads one text (quote, cite, …)."""
    if chosen.speaker is None and chosen.year_from is None and chosen.year_to is None:
        return chosen.document
    found = library.select(chosen)
    if len(found) > 1:
        raise UserError(f"That matches {len(found)} texts; name one with `in:<id>` (`texts` lists them).")
    return found[0].id


_NAMES = ("quote", "search", "context", "daily", "cite", "about", "texts", "help")


def is_ref(text: str) -> bool:
    """Whether a line is a reference on its own (`3.2`, `§§3`, `3—4`, `para 5`): the same forms `quote` takes."""
    try:
        parse_ref(text)
    except UserError:
        return False
    return True


def answer(
    library: Library,
    line: str,
    *,
    today: dt.date,
    rng: random.Random,
    prefix: str = "/",
    offset: int = 0,
    default: str | None = None,
) -> Reply:
    """Answer a typed command such as `quote 3.2`, `/search enemy`, `3.2` (a quote) or plain words (a search).

    `default` is the text a command that reads one text uses when it names none (a server's chosen text).
    """
    text = clean_input(line, limit=MAX_QUERY_CHARS + 50)
    try:
        text, chosen = parse_options(text)
        text = text.removeprefix("/").strip()
        if text.lower().startswith("speech ") or text.lower() == "speech":
            text = text[len("speech") :].strip()
        name, _, rest = text.partition(" ")
        name, rest = name.lower(), rest.strip()
        if not text or name == "help":
            return help_text(prefix)
        if name not in _NAMES and not is_ref(text):
            return search(library, text, offset=offset, within=chosen)
        if name == "search":
            return search(library, rest, offset=offset, within=chosen)
        document = _one_text(library, chosen) or default
        if is_ref(text):
            return quote(library, text, document=document, rng=rng)
        if name == "quote":
            return quote(library, rest or None, document=document, rng=rng)
        if name == "context":
            return context(library, rest, document=document)
        if name == "daily":
            return daily(library, today=today, document=document)
        if name == "cite":
            ref, _, style = rest.partition(" ")
            return cite(library, ref, style=style or None, document=document)
        if name == "about":
            return about(library, document=document)
        return texts(library)
    except UserError as problem:
        return error(problem.message)
