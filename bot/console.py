"""The offline console: the same commands the bots answer, printed as a user would see them."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import random
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, assert_never

from rapidfuzz import fuzz, process

from bot.clock import Clock, today_utc, utc_now
from bot.config import Settings
from bot.core import commands
from bot.core.commands import answer, is_ref
from bot.core.concordance import concordance
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.quiz import Question, parse_quiz_kind, quiz_round
from bot.core.render import DAILY_HEADING, STYLES, also_in, hit_heading, hit_marks, marked_pieces
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
from bot.core.trend import trend
from bot.pictures.made import card_picture, trend_picture, trend_summary
from bot.study_cli import concordance_text, question_text, verdict, write_png

PROMPT = "speechbot> "
WELCOME = (
    "Type a command as you would in Discord or Slack, e.g. /search enemy of the people, /quote 3.2 or /help. "
    "Tab completes, Up-arrow recalls, Ctrl-C clears the line, Ctrl-D quits."
)
QUIT = frozenset({"quit", "exit", "/quit", "/exit"})
# The console's own words, beside the bots' commands: paging a search and walking through the text.
MORE, NEXT, PREV = frozenset({"more", "/more"}), frozenset({"next", "/next"}), frozenset({"prev", "/prev", "previous"})
STUDY_NAMES = ("concordance", "quiz", "card", "trend")
COMMAND_NAMES = (
    *("quote", "search", "context", "daily", "cite", "about", "texts", "help"),
    *STUDY_NAMES,
    *("more", "next", "prev", "quit"),
)
REF_COMMANDS = frozenset({"quote", "context", "cite", "card"})
CONSOLE_HELP = (
    "In this console: `more` shows the next results of a search; `next` and `prev` move one paragraph from "
    "the last /context; add `in:<id>` to any command to pick a text (ids from /texts), e.g. `/search <words> in:{id}`.",
    "Here `/card` and `/trend` write their PNG into this folder; a /quiz round takes a-d until it ends.",
    "Tab completes commands, references and text ids; Up and Down recall earlier lines; "
    "Ctrl-C clears the line; Ctrl-D (or `quit`) quits.",
)
HISTORY_LINES = 1000
CONCORDANCE_LINES = 20
QUIZ_QUESTIONS = 5


@dataclass(frozen=True)
class Look:
    """How emphasis is written: ANSI bold and colour on a terminal, nothing when piped or NO_COLOR is set."""

    colour: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def match(self, text: str) -> str:
        """The words a search matched."""
        return self._wrap("1;33", text)

    def title(self, text: str) -> str:
        """A heading or a passage's title line."""
        return self._wrap("1", text)

    def quiet(self, text: str) -> str:
        """Citations and hints, which step back from the text itself."""
        return self._wrap("2", text)


PLAIN = Look()


def wants_colour(out: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def render_plain(reply: Reply, look: Look = PLAIN) -> str:
    """A reply as terminal text: matched words emphasised by `look`, citations on their own line."""
    match reply:
        case SearchReply():
            return _search_text(reply, look)
        case ContextReply():
            return _context_text(reply, look)
        case QuoteReply() | DailyReply():
            quote = reply.quotation
            return "\n".join([look.title(quote.title), quote.text, look.quiet(f"— {quote.footer}")])
        case CiteReply() | AboutReply() | TextsReply() | HelpReply() | ErrorReply():
            return reply.text
        case _:
            assert_never(reply)


def _search_text(reply: SearchReply, look: Look) -> str:
    first = reply.offset + 1
    lines = [look.title(f"Results {first}-{reply.offset + len(reply.hits)} for “{reply.query}”:")]
    for hit in reply.hits:
        pieces = marked_pieces(hit.text, hit_marks(hit))
        shown = "".join(look.match(piece) if bold else piece for piece, bold in pieces)
        lines.append(f"  {hit_heading(hit)} ({hit.score}) {shown}{also_in(hit)}")
    if reply.has_more:
        lines.append(look.quiet("  [More results: type `more`]"))
    return "\n".join(lines)


def _context_text(reply: ContextReply, look: Look) -> str:
    lines: list[str] = []
    for label, text, is_target in reply.sections:
        lines.append(f"{'▶ ' if is_target else ''}{look.title(label) if is_target else label}  {text}")
        lines.append("")
    steps = []
    if reply.paragraph > 1:
        steps.append(f"Previous: /context {reply.paragraph - 1}")
    if reply.paragraph < reply.paragraph_count:
        steps.append(f"Next: /context {reply.paragraph + 1}")
    lines.append(look.quiet(f"[{' · '.join(steps)}]") if steps else "")
    return "\n".join(lines)


def daily_heading(day: dt.date) -> str:
    """The line above the passage of the day, the same in the CLI and the console."""
    return f"{DAILY_HEADING}, {day:%A %d %B %Y}"


def unknown_command(line: str) -> str | None:
    """For `/qoute 3.2`: a reply naming the command it most likely meant; None for known commands and refs."""
    if not line.startswith("/"):
        return None  # plain words are a search
    typed = line.split(" ", 1)[0]
    name = typed[1:].lower()
    if not name or name in COMMAND_NAMES or name in {"speech", "exit", "previous"} or is_ref(line[1:]):
        return None
    found = process.extractOne(name, COMMAND_NAMES, scorer=fuzz.ratio, processor=None, score_cutoff=50)
    meant = f" Did you mean /{found[0]}?" if found else ""
    return f"There is no {typed} command.{meant} Type /help for the list."


class Session:
    """One console conversation: what `more`, `next` and `prev` continue from."""

    def __init__(self, library: Library, *, today: Callable[[], dt.date], rng: random.Random, look: Look) -> None:
        self.library = library
        self.today = today
        self.rng = rng
        self.look = look
        self._search: tuple[str, int] | None = None  # the search line and the offset of its next page
        self._context: tuple[str, int] | None = None  # document id and paragraph last shown by /context
        self._quiz: list[Question] = []  # the questions of a round still to answer, the current one first
        self._quiz_score = (0, 0)  # right answers and questions asked in the round
        self.folder = Path.cwd()  # where /card and /trend write their pictures

    def respond(self, line: str) -> str:
        """The console's answer to one typed line."""
        if self._quiz and not line.startswith("/"):
            return self._answer_quiz(line)
        self._quiz = []  # a command ends a round that was not finished
        lowered = line.lower()
        name = lowered.split(" ", 1)[0]
        if name.lstrip("/") in STUDY_NAMES and name.startswith("/"):
            try:
                return self._study(name.lstrip("/"), line.split()[1:])
            except UserError as problem:
                return problem.message
        if lowered in MORE:
            if self._search is None:
                return "No more results; search again with /search <words>."
            command, offset = self._search
            return self._show(answer(self.library, command, today=self.today(), rng=self.rng, offset=offset), command)
        if lowered in NEXT or lowered in PREV:
            return self._step(1 if lowered in NEXT else -1)
        unknown = unknown_command(line)
        if unknown is not None:
            return unknown
        day = self.today()  # once, so the heading and the passage agree at midnight
        reply = answer(self.library, line, today=day, rng=self.rng)
        text = self._show(reply, line)
        return f"{self.look.title(daily_heading(day))}\n{text}" if isinstance(reply, DailyReply) else text

    def _study(self, name: str, words: list[str]) -> str:
        """/concordance, /quiz, /card and /trend, with `in:<id>` picking the text."""
        chosen = [w[3:] for w in words if w.lower().startswith("in:")]
        words = [w for w in words if not w.lower().startswith("in:")]
        document = chosen[0] if chosen else None
        texts = [self.library.document(document)] if document else list(self.library.documents.values())
        if name == "concordance":
            found = concordance(self.library, " ".join(words), documents=texts)
            return "\n".join(concordance_text(found, self.library, offset=0, limit=CONCORDANCE_LINES))
        if name == "quiz":
            kind = next((parse_quiz_kind(w) for w in words if not w.isdigit()), None)
            count = next((int(w) for w in words if w.isdigit()), QUIZ_QUESTIONS)
            self._quiz = list(quiz_round(texts, count=count, seed=str(self.rng.random()), kind=kind))
            self._quiz_score = (0, 0)
            return f"{self._quiz_heading()}\n{question_text(self._quiz[0], 1, len(self._quiz))}"
        if name == "card":
            if len(words) != 1:
                return "Which passage? Try `/card 3.1`."
            png, shown = card_picture(self.library, words[0], document=document)
            return self._saved(f"card-{shown}.png", png)
        counted = trend(texts, words)
        return f"{trend_summary(counted)}\n{self._saved('trend.png', trend_picture(counted))}"

    def _quiz_heading(self) -> str:
        return self.look.quiet(f"Quiz of {len(self._quiz)}: type a-d to answer; any /command stops the round.")

    def _answer_quiz(self, line: str) -> str:
        question = self._quiz.pop(0)
        said, correct = verdict(self.library, question, line)
        right, asked = self._quiz_score
        self._quiz_score = right + correct, asked + 1
        if self._quiz:
            upcoming = question_text(self._quiz[0], asked + 2, asked + 1 + len(self._quiz))
            return f"{said}\n\n{upcoming}"
        return f"{said}\n\nScore: {right + correct} of {asked + 1}."

    def _saved(self, name: str, png: bytes) -> str:
        path = self.folder / name
        write_png(path, png)  # a UserError here is shown as the answer, like any other
        return f"Wrote {path}"

    def _step(self, by: int) -> str:
        if self._context is None:
            return "Type /context <ref> first; then `next` and `prev` move one paragraph at a time."
        document, paragraph = self._context
        count = len(self.library.document(document).paragraphs)
        target = paragraph + by
        if not 1 <= target <= count:
            return "That was the first paragraph." if by < 0 else "That was the last paragraph."
        return self._show(commands.context(self.library, str(target), document=document), "")

    def _show(self, reply: Reply, line: str) -> str:
        if isinstance(reply, SearchReply):
            self._search = (line, reply.offset + len(reply.hits)) if reply.has_more else None
        elif not isinstance(reply, ErrorReply):
            self._search = None
        if isinstance(reply, ContextReply):
            self._context = (reply.document, reply.paragraph)
        text = render_plain(reply, self.look)
        if isinstance(reply, HelpReply):
            extra = (line.format(id=self.library.default.id) for line in CONSOLE_HELP)
            text = "\n".join([text, *extra])
        return text


def completions(library: Library, before: str, word: str) -> list[str]:
    """What Tab offers for `word`, given the line up to it: commands, then refs, styles and text ids.

    Whole words end in a space, as readline leaves that to us; refs do not, so `3` can still become `3.2`.
    """
    if word.startswith("in:"):
        return [f"in:{doc} " for doc in library.documents if f"in:{doc}".startswith(word)]
    words = before.split()
    if not words:
        names = [f"/{name}" for name in COMMAND_NAMES] if word.startswith("/") or not word else list(COMMAND_NAMES)
        return [f"{name} " for name in names if name.startswith(word)]
    command = words[0].lstrip("/").lower()
    refs = [w for w in words[1:] if not w.startswith("in:")]
    if command == "cite" and refs:
        return [f"{style} " for style in STYLES if style.startswith(word.lower())]
    if command not in REF_COMMANDS or refs:
        return []
    chosen = next((w[3:] for w in words if w.startswith("in:")), None)
    document = library.documents.get(chosen or "") or library.default
    paragraph, dot, _ = word.partition(".")
    if dot and paragraph.isdigit() and 1 <= int(paragraph) <= len(document.paragraphs):
        count = len(document.paragraphs[int(paragraph) - 1].sentences)
        return [ref for ref in (f"{paragraph}.{n}" for n in range(1, count + 1)) if ref.startswith(word)]
    return [ref for ref in (str(n) for n in range(1, len(document.paragraphs) + 1)) if ref.startswith(word)]


def start_console(library: Library, settings: Settings, *, clock: Clock = utc_now) -> int:
    """The offline console as a person gets it: colour on a terminal, history kept in the data folder."""
    return run_console(
        library,
        today=functools.partial(today_utc, clock),
        rng=random.Random(),  # noqa: S311 - picking a passage to read, not a secret
        history=settings.data_dir / "console_history",
        colour=wants_colour(sys.stdout, os.environ),
    )


def run_console(
    library: Library,
    *,
    today: Callable[[], dt.date],
    rng: random.Random,
    lines: Iterable[str] | None = None,
    out: TextIO = sys.stdout,
    history: Path | None = None,
    colour: bool = False,
) -> int:
    """Read commands until end of input; on a terminal with line editing, history in `history` and Tab."""
    interactive = lines is None and sys.stdin.isatty()
    session = Session(library, today=today, rng=rng, look=Look(colour))
    print(WELCOME, file=out)
    if lines is not None:
        source: Iterable[str] = lines
    elif interactive:
        source = _prompted(library, history)
    else:
        source = sys.stdin
    for raw in source:
        line = raw.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            break
        try:
            text = session.respond(line)
        except KeyboardInterrupt:  # Ctrl-C during a long answer: back to the prompt
            print(file=out)
            continue
        print(_fit(text, out), file=out)
        print(file=out)
    return 0


def _prompted(library: Library, history: Path | None) -> Iterator[str]:
    """Lines typed at the prompt with readline editing; Ctrl-C clears the line, Ctrl-D ends."""
    saved = _start_readline(library, history)
    try:
        while True:
            try:
                yield input(PROMPT)
            except KeyboardInterrupt:
                print()  # readline starts the next prompt with an empty line
            except EOFError:
                print()
                return
    finally:
        saved()


def _start_readline(library: Library, history: Path | None) -> Callable[[], None]:
    """Turn on line editing, Tab completion and the history file; returns what saves the history at the end."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return lambda: None

    def complete(word: str, state: int) -> str | None:
        before = readline.get_line_buffer()[: readline.get_begidx()]
        found = completions(library, before, word)
        return found[state] if state < len(found) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t")
    bind = "bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete"
    readline.parse_and_bind(bind)
    readline.set_history_length(HISTORY_LINES)
    if history is not None and history.is_file():
        with contextlib.suppress(OSError):  # an unreadable history file costs the history, never the console
            readline.read_history_file(history)

    def save() -> None:
        if history is None:
            return
        with contextlib.suppress(OSError):
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)

    return save


def _fit(text: str, out: TextIO) -> str:
    """Wrap long lines at word boundaries for a terminal; piped output stays as it is."""
    if not out.isatty():
        return text
    width = min(shutil.get_terminal_size().columns, 110)
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent="  ", break_long_words=False) if line else line
        for line in text.split("\n")
    )
