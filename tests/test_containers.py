"""The Dockerfile and compose.yaml, tested as far as this machine allows: no image registry is reachable, so
the image is never built here; the files are parsed, and their entry and health-check commands are run in
this virtualenv against the local stand-ins."""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.run_against_fakes import start_speechbot_run
from tests.fakes.slack_api import FakeSlack

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continued lines joined and comments dropped."""
    joined = ROOT.joinpath("Dockerfile").read_text().replace("\\\n", " ")
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            pairs.append((name.upper(), rest.strip()))
    return pairs


def _one(name: str) -> str:
    [found] = [rest for instruction, rest in dockerfile() if instruction == name]
    return found


def _env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, rest in dockerfile():
        if instruction == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(rest))  # type: ignore[arg-type]
    return env


def _healthcheck_command() -> list[str]:
    rest = _one("HEALTHCHECK")
    return list(json.loads(rest[rest.index("CMD") + len("CMD") :]))


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(ROOT.joinpath("compose.yaml").read_text())


def test_image_runs_as_a_non_root_user_after_installing() -> None:
    names = [instruction for instruction, _ in dockerfile()]
    user = _one("USER")
    assert user not in {"root", "0"} and not user.startswith("0:")
    assert names.index("USER") > max(i for i, name in enumerate(names) if name == "RUN")
    assert "useradd" in _one("RUN") and f"--uid {10001}" in _one("RUN")


def test_image_bundles_the_texts_and_keeps_data_on_a_volume() -> None:
    copies = [rest for instruction, rest in dockerfile() if instruction == "COPY"]
    assert "seeds ./seeds" in copies and "bot ./bot" in copies
    assert "pip install ." in _one("RUN")  # the wheel force-includes seeds/ as bot/seeds
    assert _env()["SPEECHBOT_DATA_DIR"] == "/data" and json.loads(_one("VOLUME")) == ["/data"]


def test_image_has_a_health_check_and_starts_speechbot_run() -> None:
    assert _healthcheck_command() == ["python", "-m", "bot.health"]
    assert "--start-period=" in _one("HEALTHCHECK")
    assert json.loads(_one("ENTRYPOINT")) == ["speechbot"] and json.loads(_one("CMD")) == ["run"]


def test_compose_runs_the_bot_beside_postgresql_with_health_checks() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "db"}
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["build"] == "."
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    url = urlsplit(bot["environment"]["DATABASE_URL"].replace("${POSTGRES_PASSWORD}", "pw"))  # as compose fills it
    assert (url.scheme, url.hostname, url.port, url.path) == ("postgresql", "db", 5432, "/speechbot")
    assert bot["healthcheck"]["test"] == ["CMD", *_healthcheck_command()]
    assert bot["environment"]["SPEECHBOT_HEALTH_PORT"] == _env()["SPEECHBOT_HEALTH_PORT"]
    assert set(compose()["volumes"]) == {"db-data", "bot-data"}


def test_compose_needs_a_database_password_instead_of_a_default_one() -> None:
    text = ROOT.joinpath("compose.yaml").read_text()
    assert "${POSTGRES_PASSWORD:?" in compose()["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    assert "POSTGRES_PASSWORD: speechbot" not in text


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeSlack]]:
    discord = FakeDiscord()
    await discord.start()
    slack = await FakeSlack().start()
    yield discord, slack
    await slack.stop()
    await discord.close()


async def test_the_images_entry_and_health_check_commands_work_in_a_plain_virtualenv(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeSlack]
) -> None:
    discord, slack = fakes
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    env = {**_env(), "SPEECHBOT_HEALTH_PORT": port, "SPEECHBOT_HOST": "127.0.0.1"}
    health = [sys.executable, *_healthcheck_command()[1:]]  # `python` is this virtualenv's
    log = (tmp_path / "run.log").open("w")
    process = await start_speechbot_run(
        discord, slack, tmp_path / "data", log, args=json.loads(_one("CMD")), extra_env=env
    )
    try:
        await discord.wait_connected(timeout=30)
        status = None
        for _ in range(60):  # bounded: the health server starts beside the bots
            checker = await asyncio.create_subprocess_exec(
                *health, env={**env, "PATH": ""}, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
            )
            status = await asyncio.wait_for(checker.wait(), 30)
            if status == 0:
                break
            await asyncio.sleep(0.5)
        assert status == 0, (tmp_path / "run.log").read_text()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()
