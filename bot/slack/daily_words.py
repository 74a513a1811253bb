"""The words after `/speech daily`: a subcommand, today's passage, or a mistyped subcommand to point out."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.core import UserError
from bot.core.schedule import parse_local_time

SUBCOMMANDS = ("setup", "stop", "status", "preview", "now")
_SHOWN_WORDS = 8  # of the user's own words in a hint, so a pasted essay does not come back


@dataclass(frozen=True, slots=True)
class DailySubcommand:
    """`daily stop` or `daily setup 08:30 Europe/Berlin`: the subcommand and the words after it."""

    name: str
    args: list[str]


def read_daily_words(words: list[str], command: str) -> DailySubcommand | None:
    """The subcommand in the words after `daily`; None for today's passage (nothing, or only `in:<id>`).

    Anything else is a mistyped subcommand: UserError with a private hint, never a public passage.
    """
    if all(word.lower().startswith("in:") for word in words):
        return None
    name = words[0].lower()
    if name in SUBCOMMANDS:
        return DailySubcommand(name, words[1:])
    raise UserError(_hint(words, command))


def _hint(words: list[str], command: str) -> str:
    """`Did you mean …?` with the user's words under the subcommand they most likely meant."""
    first = words[0].lower()
    guess, rest = None, words[1:]
    if len(words) > 1 and first + words[1].lower() in SUBCOMMANDS:  # `set up 08:30`
        guess, rest = first + words[1].lower(), words[2:]
    else:
        glued = next((name for name in SUBCOMMANDS if first.startswith(name)), None)  # `setup08:30`
        if glued is not None:
            guess, rest = glued, [words[0][len(glued) :], *words[1:]]
        elif _is_time(first):  # `daily 08:30 Europe/Berlin`: setup was left out
            guess, rest = "setup", words
        else:
            found = process.extractOne(
                first, SUBCOMMANDS, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=60
            )
            guess = found[0] if found else None
    options = ", ".join(f"`{name}`" for name in SUBCOMMANDS)
    usage = f"`{command} daily` takes {options}; `{command} daily` alone shows today's passage."
    if guess is None:
        return f"Unknown daily subcommand. {usage}"
    suggestion = " ".join([command, "daily", guess, *rest[:_SHOWN_WORDS]])
    return f"Did you mean `{suggestion}`? {usage}"


def _is_time(word: str) -> bool:
    try:
        parse_local_time(word)
    except UserError:
        return False
    return True
