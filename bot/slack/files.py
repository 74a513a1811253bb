"""Fetching a file someone shared in Slack, with the bot token, only from Slack and never more than a limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import UserError
from bot.server_texts import size_words, too_large

TEXT_SUFFIXES = (".txt", ".md")
DOWNLOAD_SECONDS = 30
CHUNK = 64 * 1024
SLACK_FILE_HOSTS = ("slack.com", "slack-edge.com", "slack-files.com")  # and their subdomains


@dataclass(frozen=True, slots=True)
class SharedText:
    """A .txt/.md file from a message: its name and the bytes Slack handed over."""

    file_id: str
    name: str
    data: bytes


def pick_text_file(message: dict[str, Any]) -> dict[str, Any]:
    """The first .txt or .md file a message carries; a UserError says what is wrong with the message instead."""
    files = [f for f in message.get("files") or [] if isinstance(f, dict)]
    if not files:
        raise UserError("That message has no file; use the shortcut on a message with a .txt or .md file attached.")
    for shared in files:
        if str(shared.get("name") or "").lower().endswith(TEXT_SUFFIXES):
            return shared
    name = str(files[0].get("name") or files[0].get("title") or "that file")[:80]
    raise UserError(f"Only .txt and .md files can be added, and “{name}” is neither.")


async def fetch_text_file(client: AsyncWebClient, shared: dict[str, Any], *, token: str, max_bytes: int) -> SharedText:
    """Ask Slack about the file (files.info), check its size, then download at most `max_bytes` of it."""
    file_id = str(shared.get("id") or "")
    try:
        info = (await client.files_info(file=file_id, token=token)).get("file") or {}
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "missing_scope":
            raise UserError("I may not read files here yet: ask an admin to reinstall the app (files:read).") from error
        raise UserError("I cannot see that file any more; share it again and use the shortcut on it.") from error
    name = str(info.get("name") or shared.get("name") or "text.txt")
    if info.get("is_external") or info.get("mode") == "external":
        raise UserError(f"“{name[:80]}” is a link to another service; upload the file itself to Slack.")
    size = info.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise UserError(too_large(size, max_bytes))  # the service's own wording, before a byte is fetched
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not _from_slack(url, client.base_url):
        raise UserError(f"“{name[:80]}” is not stored in Slack, so I cannot fetch it.")
    data = await _download(url, token=token, max_bytes=max_bytes, name=name)
    return SharedText(file_id, name, data)


def _from_slack(url: str, api_base_url: str) -> bool:
    """Whether a URL is Slack's own (or the configured API host's), so the bot token is only ever sent there."""
    parts, api = urlsplit(url), urlsplit(api_base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == api.scheme and host == (api.hostname or "").lower() and parts.port == api.port:
        return True
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in SLACK_FILE_HOSTS)


async def _download(url: str, *, token: str, max_bytes: int, name: str) -> bytes:
    """The file's bytes, read in chunks and refused as soon as they pass `max_bytes`."""
    too_big = UserError(f"“{name[:80]}” is larger than {size_words(max_bytes)}, the most a text may be.")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)) as session,
            session.get(url, headers=headers, max_redirects=3) as response,
        ):
            if response.status != 200:
                raise UserError(f"Slack would not hand over “{name[:80]}” (HTTP {response.status}); try again later.")
            if response.content_type == "text/html":  # Slack's sign-in page: the token may not read files
                raise UserError("Slack sent a sign-in page instead of the file: the app needs the files:read scope.")
            if (response.content_length or 0) > max_bytes:
                raise too_big
            received = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                received += chunk
                if len(received) > max_bytes:
                    raise too_big
            return bytes(received)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise UserError(f"I could not download “{name[:80]}” from Slack just now; please try again.") from error
