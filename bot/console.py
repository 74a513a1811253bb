"""The offline console: the same commands the bots answer, printed as a user would see them."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.core.commands import Reply, answer
from bot.core.library import Library
from bot.core.render import also_in, hit_heading, hit_marks, marked_pieces

PROMPT = "speechbot> "
WELCOME = (
    "Type a command as you would in Discord or Slack, e.g. /search enemy of the people, /quote 3.2 or /help. "
    "Ctrl-D quits."
)


def render_plain(reply: Reply) -> str:
    """A reply as terminal text: matched words in **bold** markers, citations on their own line."""
    lines: list[str] = []
    if reply.is_error:
        return f"(only you can see this) {reply.text}"
    if reply.kind == "search":
        first = reply.offset + 1
        lines.append(f"Results {first}-{reply.offset + len(reply.hits)} for “{reply.query}”:")
        for hit in reply.hits:
            pieces = marked_pieces(hit.text, hit_marks(hit))
            bolded = "".join(f"**{piece}**" if bold else piece for piece, bold in pieces)
            lines.append(f"  {hit_heading(hit)} ({hit.score}) {bolded}{also_in(hit)}")
        if reply.has_more:
            lines.append("  [More results: type `more`]")
        return "\n".join(lines)
    if reply.kind == "context":
        for label, text, is_target in reply.sections:
            lines.append(f"{'▶ ' if is_target else ''}{label}  {text}")
            lines.append("")
        steps = []
        if reply.paragraph > 1:
            steps.append(f"Previous: /context {reply.paragraph - 1}")
        if reply.paragraph < reply.paragraph_count:
            steps.append(f"Next: /context {reply.paragraph + 1}")
        lines.append(f"[{' · '.join(steps)}]" if steps else "")
        return "\n".join(lines)
    if reply.kind == "cite":
        return reply.text
    if reply.quotation is not None:
        quote = reply.quotation
        lines.append(quote.title)
        lines.extend(quote.parts)
        lines.append(f"— {quote.footer}")
        return "\n".join(lines)
    return reply.text


def run_console(
    library: Library,
    *,
    today: Callable[[], dt.date],
    rng: random.Random,
    lines: Iterable[str] | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Read commands until end of input; `more` pages the last search."""
    interactive = lines is None and sys.stdin.isatty()
    print(WELCOME, file=out)
    source: Iterable[str] = lines if lines is not None else _stdin_lines(interactive)
    last_search: tuple[str, int] | None = None
    for raw in source:
        line = raw.strip()
        if not line:
            continue
        if line.lower() in {"quit", "exit", "/quit", "/exit"}:
            break
        if line.lower() in {"more", "/more"}:
            if last_search is None:
                print("No more results; search again with /search <words>.\n", file=out)
                continue
            command, offset = last_search
            reply = answer(library, command, today=today(), rng=rng, offset=offset)
        else:
            reply = answer(library, line, today=today(), rng=rng)
            command, offset = line, 0
        last_search = (command, offset + len(reply.hits)) if reply.kind == "search" and reply.has_more else None
        print(_fit(render_plain(reply), out), file=out)
        print(file=out)
    return 0


def _stdin_lines(interactive: bool) -> Iterable[str]:
    """Lines typed at a prompt, or piped in when stdin is not a terminal."""
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()
            return


def _fit(text: str, out: TextIO) -> str:
    """Wrap long lines at word boundaries for a terminal; piped output stays as it is."""
    if not out.isatty():
        return text
    width = min(shutil.get_terminal_size().columns, 110)
    return "\n".join(textwrap.fill(line, width, subsequent_indent="  ") if line else line for line in text.split("\n"))
