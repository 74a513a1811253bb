"""The study tools on the command line: `concordance`, `trend`, `card` and `quiz`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.core.concordance import Concordance, concordance, kwic_rows, paragraph_counts
from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.quiz import KIND_NAMES, KINDS, MAX_ROUND, Question, QuizKind, quiz_round
from bot.core.trend import trend
from bot.pictures.made import card_picture, trend_picture

COMMANDS = frozenset({"concordance", "trend", "card", "quiz"})
PAGE = 20


def add_parsers(sub: argparse._SubParsersAction[Any], reading: argparse.ArgumentParser) -> None:
    """Register the study subcommands beside the reading ones; `reading` carries --document/--json/--texts."""
    p = sub.add_parser("concordance", parents=[reading], help="every use of a word, in context")
    p.add_argument("word", help="the word to look up (typos are forgiven)")
    p.add_argument("--limit", type=int, default=PAGE, help=f"how many lines to show (default {PAGE})")
    p.add_argument("--offset", type=int, default=0, help="skip this many lines first (for paging)")
    p = sub.add_parser("trend", parents=[reading], help="a chart of words' use over the years, as a PNG")
    p.add_argument("words", nargs="+", help="one to five words to follow")
    p.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write")
    p.add_argument("--per", choices=("year", "decade"), help="count per year or per decade (default: by the span)")
    p = sub.add_parser("card", parents=[reading], help="a passage as a picture with its citation, as a PNG")
    p.add_argument("ref", help="a reference such as 3.1 or 3.1-2")
    p.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write")
    p.add_argument("--style", choices=("mla", "apa", "chicago"), default="mla", help="citation style on the card")
    p = sub.add_parser("quiz", parents=[reading], help="answer questions made from the text (a-d)")
    p.add_argument("--kind", choices=KINDS, help="which paragraph, fill the gap, or who said it (default: mixed)")
    p.add_argument("--count", type=int, default=5, help=f"questions in the round (1-{MAX_ROUND}, default 5)")
    p.add_argument("--seed", default=None, help="the same seed gives the same questions (default: a new round)")


def run(args: argparse.Namespace, library: Library, documents: list[Document], *, new_seed: Callable[[], str]) -> int:
    """Do one study command on the chosen texts; `new_seed` makes a quiz seed when none is given."""
    output = getattr(args, "output", None)
    if output is not None and output.suffix.lower() != ".png":
        raise UserError("The output file must end in .png.")
    if args.command == "concordance":
        if args.limit < 1 or args.offset < 0:
            raise UserError("--limit must be at least 1 and --offset at least 0.")
        found = concordance(library, args.word, documents=documents)
        if args.json:
            print(json.dumps(concordance_json(found), ensure_ascii=False))
        else:
            print("\n".join(concordance_text(found, library, offset=args.offset, limit=args.limit)))
        return 0
    if args.command == "trend":
        counted = trend(documents, args.words, bucket=args.per)
        write_png(args.output, trend_picture(counted))
        for series in counted.series:
            span = f"{len(counted.periods)} {counted.bucket}{'s' if len(counted.periods) > 1 else ''}"
            print(f"{series.word}: {sum(series.counts)} uses over {span}")
        if counted.undated:
            print(f"Left out (no date): {', '.join(counted.undated)}")
        print(f"Wrote {args.output}")
        return 0
    if args.command == "card":
        png, shown = card_picture(library, args.ref, document=args.document, style=args.style)
        write_png(args.output, png)
        print(f"Wrote {args.output} (§{shown}, {library.document(args.document).title})")
        return 0
    kind: QuizKind | None = args.kind
    return play_quiz(library, documents, kind, args.count, args.seed or new_seed(), sys.stdin, sys.stdout)


def concordance_json(found: Concordance) -> dict[str, object]:
    """The concordance as JSON: the word looked up, counts per text and paragraph, every line."""
    return {
        "query": found.query,
        "word": found.word,
        "corrected": found.corrected,
        "forms": list(found.forms),
        "total": len(found.occurrences),
        "per_document": found.per_document,
        "per_paragraph": [
            {"document": doc, "paragraph": number, "count": count}
            for (doc, number), count in found.per_paragraph.items()
        ],
        "occurrences": [
            {"document": o.document_id, "ref": o.ref, "left": o.left, "keyword": o.keyword, "right": o.right}
            for o in found.occurrences
        ],
    }


def concordance_text(found: Concordance, library: Library, *, offset: int, limit: int) -> list[str]:
    """Keyword-in-context lines with the word aligned in one column, then the counts."""
    total = len(found.occurrences)
    lines = []
    if found.corrected:
        lines.append(f"No “{found.query}” in the texts; showing results for “{found.word}”.")
    forms = ", ".join(found.forms)
    lines.append(f"{total} use{'s' if total != 1 else ''} of “{found.word}” ({forms}):")
    several = len(found.per_document) > 1
    lines.extend(f"  {row}" for row in kwic_rows(found, offset=offset, limit=limit))
    if offset + limit < total:
        lines.append(f"  … {total - offset - limit} more: add --offset {offset + limit}")
    if several:
        counts = found.per_document.items()
        lines.append("Per text: " + ", ".join(f"{library.documents[d].title} {n}" for d, n in counts))
    lines.append(f"Per paragraph: {paragraph_counts(found)}")
    return lines


def play_quiz(
    library: Library,
    documents: list[Document],
    kind: QuizKind | None,
    count: int,
    seed: str,
    read: TextIO,
    write: TextIO,
) -> int:
    """Ask each question, read an answer a-d per line, say whether it was right and cite the sentence."""
    questions = quiz_round(documents, count=count, seed=seed, kind=kind)
    right = 0
    print(f"Quiz of {len(questions)} (seed {seed}); answer a-d, an empty line skips.", file=write)
    for number, question in enumerate(questions, start=1):
        print(file=write)
        print(question_text(question, number, len(questions)), file=write)
        write.write("> ")
        write.flush()
        line = read.readline()
        if not line:
            print(file=write)
            break
        text, correct = verdict(library, question, line)
        right += correct
        print(text, file=write)
    print(f"\nScore: {right} of {len(questions)}.", file=write)
    return 0


def verdict(library: Library, question: Question, typed: str) -> tuple[str, bool]:
    """What to say to a typed answer (right, or the right answer) with where the sentence stands."""
    chosen = question.choice_index(typed) if typed.strip() else None
    lines = []
    if typed.strip() and chosen is None:
        lines.append(f"“{typed.strip()[:20]}” is not one of the letters; counted as skipped.")
    correct = chosen == question.answer
    said = "Right!" if correct else f"The answer was {question.letter(question.answer)}) {question.answer_text}."
    document = library.documents[question.document_id]
    lines.append(f"{said} {document.title}, §{question.ref}")
    return "\n".join(lines), correct


def question_text(question: Question, number: int, total: int) -> str:
    """A question as plain text: what is asked, the sentence, and the lettered choices."""
    choices = "\n".join(f"  {question.letter(i)}) {choice}" for i, choice in enumerate(question.choices))
    heading = f"Question {number} of {total} ({KIND_NAMES[question.kind]}): {question.asks}"
    return f"{heading}\n  “{question.prompt}”\n{choices}"


def write_png(path: Path, data: bytes) -> None:
    """Write a picture; a folder the system refuses is one clear line, not a traceback."""
    try:
        path.write_bytes(data)
    except OSError as problem:
        raise UserError(f"Cannot write {path}: {problem.strerror or problem}.") from None
