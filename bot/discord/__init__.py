"""The Discord adapter; the CLI imports this only when a Discord token is configured."""

from bot.discord.client import (
    DiscordStartError,
    SyncReport,
    build_bot,
    invite_url,
    run_discord,
    sync_commands,
)

__all__ = ["DiscordStartError", "SyncReport", "build_bot", "invite_url", "run_discord", "sync_commands"]
