"""Who may manage a workspace's settings: Slack's admins and owners, asked through users.info."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import UserError

UNCHECKED = "I could not check whether you are a workspace admin just now; please try again in a moment."


async def is_workspace_admin(client: AsyncWebClient, user: str, *, quiet: bool = False) -> bool:
    """Whether Slack says the person is a workspace admin or owner; `quiet` takes an unanswered look-up as no."""
    try:
        info = await client.users_info(user=user)
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as error:
        if quiet:
            return False
        raise UserError(UNCHECKED) from error
    person = info.get("user") or {}
    return bool(person.get("is_admin") or person.get("is_owner"))
