"""The console in a real pseudo-terminal, as a person at a keyboard meets it: editing, history, Tab, Ctrl-C/D."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

PROMPT = "speechbot> "
UP, LEFT, CTRL_C, CTRL_D = "\x1b[A", "\x1b[D", "\x03", "\x04"
BOLD_MATCH = "\x1b[1;33m"
WAIT = 60  # seconds; a bound for a loaded machine, not a speed target


def _spawn(tmp_path: Path, **extra: str) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "SPEECHBOT_", "NO_COLOR"))}
    inputrc = tmp_path / "inputrc"
    inputrc.write_text("set enable-bracketed-paste off\n")  # keep the terminal output to what the console writes
    env.update(TERM="xterm", INPUTRC=str(inputrc), SPEECHBOT_DATA_DIR=str(tmp_path / "data"), **extra)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "console"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=WAIT,
        dimensions=(40, 200),
    )
    child.expect_exact(PROMPT)
    return child


@pytest.fixture
def console(tmp_path: Path) -> Iterator[pexpect.spawn]:
    child = _spawn(tmp_path)
    yield child
    child.close(force=True)


def test_misspelt_command_gets_a_suggestion_at_the_terminal(console: pexpect.spawn) -> None:
    console.sendline("/qoute 3.2")
    console.expect_exact("There is no /qoute command. Did you mean /quote?")
    console.expect_exact(PROMPT)


def test_tab_completes_a_command_and_matches_are_bold(console: pexpect.spawn) -> None:
    console.send("/sea\t")
    console.send("stalin\r")
    console.expect_exact("Results 1-5 for “stalin”:")
    console.expect_exact(f"{BOLD_MATCH}Stalin")
    console.expect_exact(PROMPT)


def test_arrow_keys_edit_the_line_and_recall_the_last_one(console: pexpect.spawn) -> None:
    console.send(f"/quote 2{LEFT}3.\r")  # Left moves the cursor: the line becomes /quote 3.2
    console.expect_exact("§3.2 ·")
    console.expect_exact(PROMPT)
    console.send(f"{UP}\r")
    console.expect_exact("§3.2 ·")
    console.expect_exact(PROMPT)


def test_ctrl_c_clears_the_line_and_ctrl_d_quits_keeping_history(console: pexpect.spawn, tmp_path: Path) -> None:
    console.send("enemy of")
    console.send(CTRL_C)
    console.expect_exact(PROMPT)
    console.sendline("/quote 5")
    console.expect_exact("§5 ·")
    assert "Results" not in console.before  # the cleared words were not searched
    console.expect_exact(PROMPT)
    console.send(CTRL_D)
    console.expect(pexpect.EOF)
    console.close()
    assert console.exitstatus == 0
    history = (tmp_path / "data" / "console_history").read_text()
    assert "/quote 5" in history and "enemy of" not in history


def test_history_comes_back_in_the_next_session(tmp_path: Path) -> None:
    first = _spawn(tmp_path)
    first.sendline("/cite 5 apa")
    first.expect_exact("para. 5")
    first.expect_exact(PROMPT)
    first.send(CTRL_D)
    first.expect(pexpect.EOF)
    first.close()
    second = _spawn(tmp_path)
    second.send(f"{UP}\r")
    second.expect_exact("para. 5")
    second.close(force=True)


def test_no_color_keeps_the_terminal_plain(tmp_path: Path) -> None:
    child = _spawn(tmp_path, NO_COLOR="1")
    child.sendline("/search stalin")
    child.expect_exact("Results 1-5 for “stalin”:")
    child.expect_exact(PROMPT)
    assert BOLD_MATCH not in child.before and "**" not in child.before
    child.close(force=True)
