"""The study commands from the shell: concordance, trend, card and quiz."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main
from bot.core.library import Library
from bot.study_cli import play_quiz
from tests.core.study_texts import write_speeches


@pytest.fixture
def speeches_dir(tmp_path: Path) -> Path:
    return write_speeches(tmp_path / "speeches")


def test_concordance_json_counts_and_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["concordance", "enemies", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 5 and data["per_document"] == {"secret-speech": 5}
    assert data["occurrences"][0] == {
        "document": "secret-speech",
        "ref": "3.1",
        "left": "Stalin originated the concept",
        "keyword": "enemy",
        "right": "of the people.",
    }


def test_concordance_text_aligns_the_word_and_pages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["concordance", "stalni", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "No “stalni” in the texts; showing results for “stalin”."
    lines = [line for line in out if line.startswith("  §")]
    assert len(lines) == 3
    assert len({line.index("Stalin") for line in lines}) == 1  # the keyword column lines up
    assert "add --offset 3" in out[-2]


def test_trend_writes_a_png_chart(speeches_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "trend.png"
    status = main(["trend", "freedom", "slavery", "-o", str(out), "--texts", str(speeches_dir)])
    assert status == 0, capsys.readouterr().err
    assert Image.open(out).format == "PNG"
    printed = capsys.readouterr().out
    assert "freedom: 3 uses" in printed and "slavery: 2 uses" in printed


def test_card_writes_a_png_and_refuses_other_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card.png"
    assert main(["card", "3.1", "-o", str(out)]) == 0
    assert Image.open(out).size == (1600, 900)
    assert main(["card", "3.1", "-o", str(tmp_path / "card.jpg")]) == 2
    assert "must end in .png" in capsys.readouterr().err


def test_quiz_reads_answers_and_scores(library: Library) -> None:
    documents = list(library.documents.values())
    from bot.core.quiz import quiz_round

    questions = quiz_round(documents, count=3, seed="s1")
    answers = [questions[0].letter(questions[0].answer), "z", ""]
    out = io.StringIO()
    assert play_quiz(library, documents, None, 3, "s1", io.StringIO("\n".join(answers) + "\n"), out) == 0
    text = out.getvalue()
    assert text.count("Right!") == 1
    assert "“z” is not one of the letters" in text
    assert "Score: 1 of 3." in text


def test_quiz_stops_at_end_of_input(library: Library) -> None:
    documents = list(library.documents.values())
    out = io.StringIO()
    assert play_quiz(library, documents, None, 5, "s2", io.StringIO(""), out) == 0
    assert "Score: 0 of 5." in out.getvalue()
