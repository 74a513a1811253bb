"""Settings from the environment and `.env`, read once at start-up and passed in; secrets never printed."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

SECRET_FIELDS = frozenset(
    {
        "discord_token",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "slack_client_secret",
        "database_url",
    }
)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


DEFAULT_SLACK_COMMAND = "/speech"  # the one slash command the Slack app owns (Slack itself has /search)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line a teacher can act on."""


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads; see `.env.example` for what each one does."""

    texts: tuple[Path, ...] = ()
    data_dir: Path = Path("data")  # load_settings gives the platform's user data folder instead
    cache_dir: Path = Path("data/cache")  # and its user cache folder
    database_url: str | None = None
    discord_token: str | None = None
    discord_shard_ids: tuple[int, ...] | None = None
    discord_shard_count: int | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_command: str = DEFAULT_SLACK_COMMAND
    slack_api_url: str | None = None
    host: str = "0.0.0.0"  # noqa: S104 - HTTP mode must accept Slack's requests from outside
    port: int = 3000
    log_level: str = "INFO"
    ephemeral_disk: bool = False  # the host throws the disk away on restart (Heroku sets DYNO)
    health_port: int | None = None  # /healthz and /metrics for processes without the Slack HTTP server
    server_text_max_bytes: int = 2 * 1024 * 1024  # the largest text a server may add
    server_texts_max: int = 50  # texts one server or workspace may hold
    server_text_memory_mb: int = 256  # memory for server texts' indexes in one process (least recently used go)

    @property
    def discord_enabled(self) -> bool:
        """Discord starts when a bot token is configured."""
        return bool(self.discord_token)

    @property
    def slack_socket_enabled(self) -> bool:
        """Socket Mode needs both the app-level and the bot token."""
        return bool(self.slack_app_token and self.slack_bot_token)

    @property
    def slack_http_enabled(self) -> bool:
        """HTTP mode needs the signing secret that proves requests come from Slack."""
        return bool(self.slack_signing_secret)

    def __repr__(self) -> str:
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in SECRET_FIELDS and value:
                value = "***"
            shown.append(f"{item.name}={value!r}")
        return f"Settings({', '.join(shown)})"


def _paths(value: str | None) -> tuple[Path, ...]:
    return tuple(Path(part).expanduser() for part in (value or "").split(os.pathsep) if part.strip())


def _int(name: str, value: str | None, default: int | None) -> int | None:
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def _shard_ids(value: str | None) -> tuple[int, ...] | None:
    if value is None or not value.strip():
        return None
    try:
        return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError("DISCORD_SHARD_IDS must be a comma-separated list of numbers, like 0,1.") from None


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def load_settings(environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")) -> Settings:
    """Settings from `environ` (default: the process environment) over an optional `.env` file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update(_env_file_values(env_file))
    values.update(os.environ if environ is None else environ)
    data_dir, cache_dir = _folders(values.get("SPEECHBOT_DATA_DIR"))
    command = (values.get("SLACK_COMMAND") or DEFAULT_SLACK_COMMAND).strip()
    if not command.startswith("/"):
        command = f"/{command}"
    return Settings(
        texts=_paths(values.get("SPEECHBOT_TEXTS")),
        data_dir=data_dir,
        cache_dir=cache_dir,
        database_url=_optional(values.get("DATABASE_URL")),
        discord_token=_optional(values.get("DISCORD_TOKEN")),
        discord_shard_ids=_shard_ids(values.get("DISCORD_SHARD_IDS")),
        discord_shard_count=_int("DISCORD_SHARD_COUNT", values.get("DISCORD_SHARD_COUNT"), None),
        slack_bot_token=_optional(values.get("SLACK_BOT_TOKEN")),
        slack_app_token=_optional(values.get("SLACK_APP_TOKEN")),
        slack_signing_secret=_optional(values.get("SLACK_SIGNING_SECRET")),
        slack_client_id=_optional(values.get("SLACK_CLIENT_ID")),
        slack_client_secret=_optional(values.get("SLACK_CLIENT_SECRET")),
        slack_command=command,
        slack_api_url=_api_url("SLACK_API_URL", values.get("SLACK_API_URL")),
        host=(values.get("SPEECHBOT_HOST") or "0.0.0.0").strip(),  # noqa: S104 - see Settings.host
        port=_port(values.get("PORT")),
        log_level=_log_level(values.get("LOG_LEVEL")),
        ephemeral_disk=bool(_optional(values.get("DYNO"))),
        health_port=_optional_port("SPEECHBOT_HEALTH_PORT", values.get("SPEECHBOT_HEALTH_PORT")),
        server_text_max_bytes=1024 * _positive("SPEECHBOT_SERVER_TEXT_MAX_KB", values, 2048),
        server_texts_max=_positive("SPEECHBOT_SERVER_TEXTS_MAX", values, 50),
        server_text_memory_mb=_positive("SPEECHBOT_SERVER_TEXT_MEMORY_MB", values, 256),
    )


def _positive(name: str, values: Mapping[str, str], default: int) -> int:
    """A whole number of at least 1, or the default when unset."""
    number = _int(name, values.get(name), default)
    if number is None or number < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1.")
    return number


def _folders(value: str | None) -> tuple[Path, Path]:
    """The data and cache folders: under SPEECHBOT_DATA_DIR when set, else the user's own, from any folder."""
    if value and value.strip():
        data_dir = Path(value.strip()).expanduser()
        return data_dir, data_dir / "cache"
    import platformdirs

    return (
        platformdirs.user_data_path("speechbot", appauthor=False),
        platformdirs.user_cache_path("speechbot", appauthor=False),
    )


def _env_file_values(env_file: Path) -> dict[str, str]:
    """The settings in a `.env` file; a line that is not `NAME=value` is an error, not a silent skip."""
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    try:
        text = env_file.read_text(encoding="utf-8-sig")  # Windows editors may start the file with a BOM
    except OSError as problem:
        raise ConfigError(f"Cannot read {env_file}: {problem.strerror or problem}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{env_file} is not UTF-8 text; save it as UTF-8.") from None
    bad = [binding.original.line for binding in parse_stream(io.StringIO(text)) if binding.error]
    if bad:
        raise ConfigError(f"{env_file}, line {bad[0]}: write settings as NAME=value (a # starts a comment).")
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def _port(value: str | None) -> int:
    port = _optional_port("PORT", value)
    return 3000 if port is None else port


def _optional_port(name: str, value: str | None) -> int | None:
    port = _int(name, value, None)
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"{name} must be between 1 and 65535, not {port}.")
    return port


def _log_level(value: str | None) -> str:
    level = (value or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return level


def _api_url(name: str, value: str | None) -> str | None:
    """An API base URL such as `https://slack-gov.com/api/`, ending in `/` as the clients join paths onto it."""
    url = _optional(value)
    if url is None:
        return None
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise ConfigError(f"{name} must be an http(s) URL such as https://slack.com/api/.")
    return url if url.endswith("/") else f"{url}/"
