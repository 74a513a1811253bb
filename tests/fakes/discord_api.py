"""A local stand-in for Discord's REST API and gateway, so the real discord.py client can be driven in tests.

Point discord.py at it with ``FakeDiscord.patch(monkeypatch)`` (or set ``discord.http.Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` yourself). Every REST request is recorded in ``requests``; interaction
callbacks can be awaited per interaction id. Gateway frames are plain JSON text, uncompressed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "test-token"
APP_ID = 100000000000000001
BOT_ID = APP_ID
GUILD_ID = 200000000000000002
CHANNEL_ID = 300000000000000003
USER_ID = 400000000000000004
OTHER_USER_ID = 400000000000000005
DM_CHANNEL_ID = 300000000000000009
ROLE_ID = 500000000000000006

JSON = "application/json"
DISCORD_EPOCH_MS = 1420070400000


@dataclass
class Recorded:
    """One REST request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)  # attachments of a multipart request, by file name


def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def _shard_of(guild_id: int, shard_count: int) -> int:
    """Which shard Discord sends a guild's events to."""
    return (guild_id >> 22) % shard_count


def role_object(role_id: int, name: str, *, position: int = 0) -> dict[str, Any]:
    """A guild role as Discord sends it."""
    return {
        "id": str(role_id),
        "name": name,
        "permissions": "0",
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": role_id != GUILD_ID,
        "flags": 0,
    }


def channel_option(channel_id: int = CHANNEL_ID) -> tuple[dict[str, int], dict[str, Any]]:
    """What a channel option needs besides its value: its type (7) and the resolved channel."""
    channel = {**_channel(channel_id, GUILD_ID), "permissions": str((1 << 53) - 1)}
    return {"channel": 7}, {"channels": {str(channel_id): channel}}


def private_thread_option(thread_id: int = CHANNEL_ID + 20) -> tuple[dict[str, int], dict[str, Any]]:
    """A channel option naming a private thread the bot has not joined (so it is in no cache of the bot)."""
    thread = {
        "id": str(thread_id),
        "type": 12,
        "name": "study-group",
        "guild_id": str(GUILD_ID),
        "parent_id": str(CHANNEL_ID),
        "owner_id": str(USER_ID),
        "member_count": 2,
        "message_count": 0,
        "permissions": str((1 << 53) - 1),
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-01-01T00:00:00+00:00",
            "locked": False,
            "invitable": False,
        },
    }
    return {"channel": 7}, {"channels": {str(thread_id): thread}}


def _channel(channel_id: int, guild_id: int) -> dict[str, Any]:
    """A guild text channel as GUILD_CREATE and interactions carry it."""
    return {
        "id": str(channel_id),
        "type": 0,
        "name": "history-class",
        "position": 0,
        "guild_id": str(guild_id),
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def _reply(data: Any, status: int = 200) -> web.Response:
    """A JSON answer with exactly ``application/json`` as discord.py insists (no charset)."""
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": JSON})


@dataclass
class FakeDiscord:
    """An aiohttp app on 127.0.0.1 that answers like Discord for one bot, one guild and one channel."""

    token: str = TOKEN
    shards: int = 1
    max_concurrency: int = 16
    requests: list[Recorded] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _sockets: dict[int, web.WebSocketResponse] = field(default_factory=dict)
    _shard_ready: dict[int, asyncio.Event] = field(default_factory=dict)
    _callbacks: dict[str, asyncio.Future[Recorded]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted_channels: set[int] = field(default_factory=set)
    reject_sync: bool = False
    close_on_identify: int | None = None  # a gateway close code (4004 bad token, 4011 sharding required)
    forbidden_channels: set[int] = field(default_factory=set)
    forbidden_guilds: set[int] = field(default_factory=set)  # servers the bot has left (403 Missing Access)
    # The application's commands as Discord keeps them: None for the global ones, else per guild id.
    app_commands: dict[str | None, list[dict[str, Any]]] = field(default_factory=dict)
    post_faults: list[int | None] = field(default_factory=list)  # statuses for the next channel posts (None: ok)
    post_delay: float = 0.0  # seconds a channel post waits before it is answered (a hanging request)
    # Servers that installed the bot (an interaction from any other server comes from a user install).
    installed_guilds: set[int] = field(default_factory=lambda: {GUILD_ID})
    attachments: dict[str, bytes] = field(default_factory=dict)  # uploaded files by attachment id, as the CDN has them
    downloads: list[str] = field(default_factory=list)  # attachment ids the bot fetched, in order
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _identified: asyncio.Event = field(default_factory=asyncio.Event)
    _pressed_on: dict[str, str] = field(default_factory=dict)  # interaction id -> message id
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        """Close every socket and stop listening."""
        for ws in list(self._sockets.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` should be."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` should be."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def patch(self, monkeypatch: Any) -> None:
        """Point discord.py at this fake for the rest of a test."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    def new_id(self) -> str:
        """A fresh snowflake made from the current time, so discord.py's ``created_at`` is today."""
        millis = int(datetime.now(UTC).timestamp() * 1000) - DISCORD_EPOCH_MS
        return str((millis << 22) | (next(self._ids) % (1 << 22)))

    # -- attachments (the CDN) ---------------------------------------------------------------------------

    def attachment_option(
        self, filename: str, data: bytes, *, content_type: str = "text/plain; charset=utf-8", size: int | None = None
    ) -> tuple[str, dict[str, Any]]:
        """An uploaded file for an attachment option (type 11): its id (the option's value) and `resolved`.

        The bytes are served over loopback at the attachment's URL; `size` may claim another size than the data's.
        """
        attachment_id = self.new_id()
        self.attachments[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"
        attachment = {
            "id": attachment_id,
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }
        return attachment_id, {"attachments": {attachment_id: attachment}}

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment_id = request.match_info["attachment_id"]
        data = self.attachments.get(attachment_id)
        if data is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(attachment_id)
        return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})

    # -- REST --------------------------------------------------------------------------------------------

    def of(self, method: str, prefix: str) -> list[Recorded]:
        """The recorded requests with this method whose path starts with ``prefix``."""
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    async def wait_for(self, method: str, prefix: str, count: int = 1, timeout: float = 5.0) -> list[Recorded]:
        """Wait until at least ``count`` matching requests arrived (followups come after the callback)."""
        async with asyncio.timeout(timeout):
            while len(found := self.of(method, prefix)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return found

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: dict[str, bytes] = {}
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == JSON:
                body = json.loads(raw)
            elif request.content_type.startswith("multipart/"):
                body, files = _multipart(request.headers["Content-Type"], raw)
            else:
                body = raw.decode(errors="replace")
        rec = Recorded(request.method, path, dict(request.query), body, dict(request.headers), files)
        if self.post_delay and request.method == "POST" and path.startswith("/channels/"):
            await asyncio.sleep(self.post_delay)
        self.requests.append(rec)
        self._arrived.set()
        if request.headers.get("Authorization") not in (f"Bot {self.token}", None):
            return _reply({"message": "401: Unauthorized", "code": 0}, 401)
        return self._answer(rec)

    def _answer(self, rec: Recorded) -> web.Response:
        parts = rec.path.strip("/").split("/")
        method = rec.method
        if method == "GET" and rec.path == "/users/@me":
            return _reply(_user(BOT_ID, "speechbot", bot=True))
        if method == "GET" and rec.path == "/oauth2/applications/@me":
            return _reply(self._application())
        if method == "GET" and rec.path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": self.max_concurrency}
            return _reply({"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit})
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands" and self.reject_sync:
            return _reply({"message": "Invalid Form Body", "code": 50035, "errors": {}}, 400)
        if parts[0] == "applications" and len(parts) == 5 and int(parts[3]) in self.forbidden_guilds:
            return _reply({"message": "Missing Access", "code": 50001}, 403)
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            guild = parts[3] if len(parts) == 5 else None
            self.app_commands[guild] = [self._app_command(c, guild) for c in rec.body]
            return _reply(self.app_commands[guild])
        if method == "GET" and parts[0] == "applications" and parts[-1] == "commands":
            return _reply(self.app_commands.get(parts[3] if len(parts) == 5 else None, []))
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return self._interaction_callback(rec, parts[1], parts[2])
        if parts[0] == "webhooks" and method in ("POST", "PATCH"):
            return _reply(self._store(self._message(CHANNEL_ID, rec.body)))
        if parts[0] == "webhooks" and method == "DELETE":
            return web.Response(status=204)
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "messages" and method == "PATCH":
            return self._edit_channel_message(rec, parts[3])
        if parts[0] == "channels" and parts[-1] == "messages":
            return self._channel_messages(rec, int(parts[1]))
        if method == "POST" and rec.path == "/users/@me/channels":
            return _reply({"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [_user(USER_ID, "student")]})
        return _reply({"message": f"404: Not Found ({method} {rec.path})", "code": 0}, 404)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "speechbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": _user(USER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
        }

    def listed_in_guild(self, guild_id: int = GUILD_ID) -> list[str]:
        """Command names a member of the guild sees in the command list: global ones and the guild's copies."""
        both = self.app_commands.get(None, []) + self.app_commands.get(str(guild_id), [])
        return sorted(command["name"] for command in both)

    def _app_command(self, payload: dict[str, Any], guild: str | None) -> dict[str, Any]:
        out = {**payload, "id": self.new_id(), "application_id": str(APP_ID), "version": self.new_id()}
        if guild is not None:
            out["guild_id"] = guild
        return out

    def _message(self, channel_id: int, body: Any) -> dict[str, Any]:
        body = body if isinstance(body, dict) else {}
        return {
            "id": self.new_id(),
            "channel_id": str(channel_id),
            "author": _user(BOT_ID, "speechbot", bot=True),
            "content": body.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "nonce": body.get("nonce"),
        }

    def _channel_messages(self, rec: Recorded, channel_id: int) -> web.Response:
        """Post to or read a channel, as the bot; some channels are set up to fail like Discord does."""
        if channel_id in self.deleted_channels:
            return _reply({"message": "Unknown Channel", "code": 10003}, 404)
        if channel_id in self.forbidden_channels:
            return _reply({"message": "Missing Permissions", "code": 50013}, 403)
        here = [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]
        if rec.method == "GET":
            return _reply(_page(here, rec.query))
        if self.post_faults and (status := self.post_faults.pop(0)) is not None:
            return _reply({"message": "injected failure", "code": 0}, status)  # nothing stored
        body = rec.body if isinstance(rec.body, dict) else {}
        if body.get("enforce_nonce") and body.get("nonce"):
            for message in here:  # Discord answers a repeated nonce with the message it already made
                if message.get("nonce") == body["nonce"]:
                    return _reply(message)
        return _reply(self._store(self._message(channel_id, body)))

    def chatter(self, count: int, channel_id: int = CHANNEL_ID) -> None:
        """Other people's messages in a channel, newer than everything before (a busy class channel)."""
        for n in range(count):
            message = self._message(channel_id, {"content": f"chatter {n}"})
            message["author"] = _user(OTHER_USER_ID, "classmate")
            self._store(message)

    def _edit_channel_message(self, rec: Recorded, message_id: str) -> web.Response:
        """Edit a message the bot posted, as the bot (not through an interaction token)."""
        old = self.messages.get(message_id)
        if old is None:
            return _reply({"message": "Unknown Message", "code": 10008}, 404)
        body = rec.body if isinstance(rec.body, dict) else {}
        edited = {**old, **{k: v for k, v in body.items() if k in ("content", "embeds", "components")}}
        edited["edited_timestamp"] = datetime.now(UTC).isoformat()
        return _reply(self._store(edited))

    def channel_posts(self, channel_id: int = CHANNEL_ID) -> list[dict[str, Any]]:
        """Messages the bot created in a channel (not interaction answers), oldest first."""
        return [r.body for r in self.requests if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"]

    def _store(self, message: dict[str, Any]) -> dict[str, Any]:
        self.messages[message["id"]] = message
        return message

    def _interaction_callback(self, rec: Recorded, interaction_id: str, token: str) -> web.Response:
        fut = self._callbacks.get(interaction_id)
        if fut is not None and not fut.done():
            fut.set_result(rec)
        kind = rec.body.get("type") if isinstance(rec.body, dict) else None
        data = rec.body.get("data") if isinstance(rec.body, dict) else None
        interaction: dict[str, Any] = {"id": interaction_id, "type": 2}
        answer: dict[str, Any] = {"interaction": interaction}
        if kind in (4, 7) and isinstance(data, dict):
            message = self._message(CHANNEL_ID, data)
            pressed = self._pressed_on.pop(interaction_id, None)
            if kind == 7 and pressed is not None:
                old = self.messages[pressed]
                message = {**old, **{k: v for k, v in message.items() if k in data}, "id": pressed}
            self._store(message)
            interaction["response_message_id"] = message["id"]
            interaction["response_message_ephemeral"] = bool(data.get("flags", 0) & 64)
            answer["resource"] = {"type": kind, "message": message}
        return _reply(answer)

    # -- gateway -----------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        shard = 0
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                self.identifies.append(frame["d"])
                self._identified.set()
                if self.close_on_identify is not None:
                    await ws.close(code=self.close_on_identify, message=b"closed by the fake")
                    break
                shard = (frame["d"].get("shard") or [0, 1])[0]
                self._sockets[shard] = ws
                await self._send(ws, "READY", self._ready(frame["d"]))
                if _shard_of(GUILD_ID, (frame["d"].get("shard") or [0, 1])[1]) == shard:
                    await self._send(ws, "GUILD_CREATE", self._guild())
                self._shard_ready.setdefault(shard, asyncio.Event()).set()
        self._sockets.pop(shard, None)
        return ws

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        await ws.send_str(json.dumps(frame))

    def _ready(self, identify: dict[str, Any]) -> dict[str, Any]:
        shard = identify.get("shard") or [0, 1]
        return {
            "v": 10,
            "user": _user(BOT_ID, "speechbot", bot=True),
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if _shard_of(GUILD_ID, shard[1]) == shard[0] else [],
            "session_id": f"session-{shard[0]}",
            "resume_gateway_url": self.gateway_url,
            "shard": shard,
            "application": {"id": str(APP_ID), "flags": 0},
        }

    def _guild(self) -> dict[str, Any]:
        everyone = role_object(GUILD_ID, "@everyone")
        students = role_object(ROLE_ID, "students", position=1)
        channel = _channel(CHANNEL_ID, GUILD_ID)
        return {
            "id": str(GUILD_ID),
            "name": "History 101",
            "icon": None,
            "owner_id": str(USER_ID),
            "roles": [everyone, students],
            "channels": [channel],
            "threads": [],
            "members": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
        }

    async def wait_connected(self, shard: int = 0, timeout: float = 5.0) -> None:
        """Wait until the client on ``shard`` has identified and got READY."""
        event = self._shard_ready.setdefault(shard, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)

    async def wait_identifies(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` IDENTIFYs arrived in all (a restarted client identifies again)."""
        async with asyncio.timeout(timeout):
            while len(self.identifies) < count:
                self._identified.clear()
                await self._identified.wait()

    async def dispatch(self, event: str, data: dict[str, Any], shard: int = 0) -> None:
        """Send one gateway event to the client connected on ``shard``."""
        await self._send(self._sockets[shard], event, data)

    async def interact(self, payload: dict[str, Any], timeout: float = 5.0, shard: int = 0) -> Recorded:
        """Send INTERACTION_CREATE and return the callback request the bot answers with."""
        fut: asyncio.Future[Recorded] = asyncio.get_running_loop().create_future()
        self._callbacks[payload["id"]] = fut
        await self.dispatch("INTERACTION_CREATE", payload, shard)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._callbacks.pop(payload["id"], None)

    # -- interaction payloads ----------------------------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int,
        dm: bool,
        guild_id: int = GUILD_ID,
        permissions: int = (1 << 53) - 1,
    ) -> dict[str, Any]:
        """The envelope every INTERACTION_CREATE carries, in a guild channel or a DM.

        A ``guild_id`` other than GUILD_ID is a server the bot is not in: the app was installed by the user.
        """
        user = _user(user_id, "student")
        payload: dict[str, Any] = {
            "id": self.new_id(),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"interaction-token-{self.new_id()}",
            "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024,
            "locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "data": data,
        }
        if dm:
            payload["channel"] = {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [user]}
            payload["channel_id"] = str(DM_CHANNEL_ID)
            payload["user"] = user
            payload["context"] = 1
            payload["authorizing_integration_owners"] = {"1": str(user_id)}
        else:
            channel_id = CHANNEL_ID if guild_id == GUILD_ID else CHANNEL_ID + 1
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["channel"] = {**_channel(channel_id, guild_id), "permissions": str((1 << 53) - 1)}
            payload["channel_id"] = str(channel_id)
            payload["member"] = {
                "user": user,
                "roles": [],
                "flags": 0,
                "permissions": str(permissions),
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "nick": None,
            }
            payload["context"] = 0
            installed_by_user = guild_id not in self.installed_guilds
            payload["authorizing_integration_owners"] = (
                {"1": str(user_id)} if installed_by_user else {"0": str(guild_id)}
            )
        return payload

    def command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int = USER_ID,
        dm: bool = False,
        guild_id: int = GUILD_ID,
        types: dict[str, int] | None = None,
        resolved: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A slash-command interaction (type 2); option types default from the Python value."""
        data: dict[str, Any] = {"id": self.new_id(), "name": name, "type": 1, "options": _options(options, types)}
        if resolved:
            data["resolved"] = resolved
        return self._interaction(2, data, user_id=user_id, dm=dm, guild_id=guild_id)

    def subcommand(
        self,
        group: str,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int = USER_ID,
        guild_id: int = GUILD_ID,
        permissions: int = (1 << 53) - 1,
        types: dict[str, int] | None = None,
        resolved: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A slash-command interaction of a group's subcommand (`/text add …`) in a server."""
        sub = {"name": name, "type": 1, "options": _options(options, types)}
        data: dict[str, Any] = {"id": self.new_id(), "name": group, "type": 1, "options": [sub]}
        if resolved:
            data["resolved"] = resolved
        return self._interaction(2, data, user_id=user_id, dm=False, guild_id=guild_id, permissions=permissions)

    def autocomplete(
        self,
        name: str,
        focused: str,
        options: dict[str, Any],
        *,
        user_id: int = USER_ID,
        dm: bool = False,
        guild_id: int = GUILD_ID,
        group: str | None = None,
    ) -> dict[str, Any]:
        """An autocomplete interaction (type 4) with ``focused`` as the option being typed."""
        opts = _options(options, None)
        for opt in opts:
            if opt["name"] == focused:
                opt["focused"] = True
        if group is not None:  # `name` is a subcommand of `group`
            opts = [{"name": name, "type": 1, "options": opts}]
        data = {"id": self.new_id(), "name": group or name, "type": 1, "options": opts}
        return self._interaction(4, data, user_id=user_id, dm=dm, guild_id=guild_id)

    def button(
        self, custom_id: str, *, user_id: int = USER_ID, dm: bool = False, permissions: int = (1 << 53) - 1
    ) -> dict[str, Any]:
        """A button-press interaction (type 3) on the latest message the bot sent with that button."""
        payload = self._interaction(
            3, {"custom_id": custom_id, "component_type": 2}, user_id=user_id, dm=dm, permissions=permissions
        )
        found = [m for m in self.messages.values() if custom_id in _custom_ids(m)]
        if not found:
            raise LookupError(f"no message the bot sent has a button {custom_id!r}")
        message = dict(found[-1])
        self._pressed_on[payload["id"]] = message["id"]
        message["interaction_metadata"] = {
            "id": self.new_id(),
            "type": 2,
            "user": _user(USER_ID, "student"),
            "authorizing_integration_owners": {},
        }
        payload["message"] = message
        return payload


def _page(messages: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    """One page of channel history as Discord answers it: `after` gives the oldest ones after an id, `before`
    the newest before it, neither the newest; always newest first, at most `limit` (default 50, max 100)."""
    limit = min(int(query.get("limit", "50")), 100)
    ordered = sorted(messages, key=lambda m: int(m["id"]))
    if "after" in query:
        after = int(query["after"])
        return list(reversed([m for m in ordered if int(m["id"]) > after][:limit]))
    if "before" in query:
        before = int(query["before"])
        ordered = [m for m in ordered if int(m["id"]) < before]
    return list(reversed(ordered))[:limit]


def _multipart(content_type: str, raw: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A multipart request as discord.py sends files: its `payload_json` as the body, the files by name."""
    parsed = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    body: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in parsed.iter_parts():
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        if part.get_param("name", header="content-disposition") == "payload_json":
            body = json.loads(data)
        else:
            files[str(part.get_filename() or "")] = data
    return body, files


def _custom_ids(message: dict[str, Any]) -> list[str]:
    """The custom_ids of every component in a message (action rows of buttons)."""
    rows = message.get("components") or []
    return [c.get("custom_id", "") for row in rows for c in row.get("components", [])]


def _options(options: dict[str, Any] | None, types: dict[str, int] | None) -> list[dict[str, Any]]:
    """Slash-command options in Discord's shape: string 3, integer 4, boolean 5, or as given in ``types``."""
    out = []
    for name, value in (options or {}).items():
        kind = (types or {}).get(name)
        if kind is None:
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
        out.append({"name": name, "type": kind, "value": value})
    return out
