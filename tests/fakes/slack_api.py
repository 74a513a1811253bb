"""A local stand-in for Slack on 127.0.0.1: Web API, response_url, shared files and Socket Mode, recorded."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

FAKE_TEAM_ID = "T0FAKETEAM"
FAKE_BOT_USER_ID = "U0FAKEBOT"
FAKE_BOT_ID = "B0FAKEBOT"
FAKE_APP_ID = "A0FAKEAPP"
INSTALLED_TEAM_ID = "T0INSTALLED"
GONE_CHANNEL = "C0GONE"  # deleted: posting and reading history fail with channel_not_found
BUSY_CHANNEL = "C0BUSY"  # posting is rate limited (429, Retry-After: 7)
OUTSIDER_CHANNEL = "C0OUTSIDER"  # the bot is not a member
VANISHED_USER = "U0VANISHED"  # users.info fails with user_not_found (a deactivated or foreign user)
# users.info: a user id containing ADMIN is a workspace admin, one containing OWNER its owner.
INSTALLED_BOT_TOKEN = "xoxb-fake-installed-token-not-real"
# What `FakeSlack.faults[method]` can make the next calls of a method do, in order:
FAULTS = (
    "ratelimited",  # 429 with Retry-After: 3
    "html-502",  # a proxy's HTML 502 with Retry-After: 11, nothing stored
    "html-503-as-json",  # an HTML 503 that claims to be JSON, nothing stored
    "text-503",  # a plain-text 503, nothing stored
    "drop",  # the connection closes before Slack saw the request: nothing stored
    "stored-then-drop",  # the message is stored, then the connection closes: the response is lost
    "stored-then-500",  # the message is stored, then an HTML 500
    "stored-then-hang",  # the message is stored, the answer comes only after `hang_seconds`
    "hang",  # nothing happens for `hang_seconds`, then the request is dropped unprocessed
)


@dataclass
class ApiCall:
    """One recorded request: a Web API method, or a POST to a response_url."""

    method: str
    token: str | None
    args: dict[str, Any]


@dataclass
class SharedFile:
    """A file someone shared in a workspace: its bytes, and the one bot token that may download it."""

    id: str
    name: str
    data: bytes
    team: str
    token: str
    mimetype: str
    filetype: str
    claimed_size: int | None = None  # what Slack reports as its size, when a test wants it to differ
    external: bool = False  # a Google Drive link: Slack keeps only the link, its url points elsewhere


@dataclass
class FakeSlack:
    """Serves the slice of slack.com that speechbot uses, and remembers every request it got."""

    calls: list[ApiCall] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes posted to its upload URL
    shared_files: list[dict[str, Any]] = field(default_factory=list)  # files.completeUploadExternal calls
    files: dict[str, SharedFile] = field(default_factory=dict)  # files people shared, for files.info and download
    port: int = 0
    faults: dict[str, list[str]] = field(default_factory=dict)  # method -> what its next calls do (FAULTS)
    fault_for: Callable[[str], str | None] | None = None  # asked per call (by method) when `faults` has none
    hang_seconds: float = 3.0
    clock: Callable[[], float] = time.time  # the time in message ts, so history's `oldest` can be honoured
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _envelopes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> FakeSlack:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket-mode", self._socket_mode)
        app.router.add_get("/files-pri/{key}/download/{name}", self._download)
        app.router.add_get("/files-pri/{key}/{name}", self._download)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close open websockets and the server."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """The Web API base URL for AsyncWebClient (the trailing slash matters)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "cmd") -> str:
        """A response_url that lands in self.calls as method 'response_url'."""
        return f"http://127.0.0.1:{self.port}/response/{key}"

    def calls_to(self, method: str) -> list[ApiCall]:
        """The recorded calls to one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    @property
    def responses(self) -> list[dict[str, Any]]:
        """The JSON bodies posted to response_urls, oldest first."""
        return [call.args for call in self.calls_to("response_url")]

    async def wait_for(self, method: str, count: int = 1, seconds: float = 5.0) -> list[ApiCall]:
        """Wait until at least `count` calls to `method` arrived, and return them."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
        return self.calls_to(method)

    async def wait_for_socket(self, seconds: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: bool(self._sockets))

    async def send_envelope(self, kind: str, payload: dict[str, Any], **extra: Any) -> str:
        """Push a Socket Mode envelope (extra: e.g. retry_attempt) to the client; returns its envelope_id."""
        envelope_id = f"fake-envelope-{next(self._envelopes)}"
        message = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            **extra,
        }
        await self._sockets[-1].send_str(json.dumps(message))
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, seconds: float = 5.0) -> dict[str, Any]:
        """Wait for the client's acknowledgement of one envelope."""

        def found() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(lambda: found() is not None)
        ack = found()
        assert ack is not None
        return ack

    async def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.pop("token", None)
        await self._record(ApiCall(method, token, args))
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(args, request.headers.get("Authorization", "")))
        expected = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token or not token.startswith(expected) or "revoked" in token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        channel = str(args.get("channel", ""))
        if method == "users.info" and args.get("user") == VANISHED_USER:
            return web.json_response({"ok": False, "error": "user_not_found"})
        if channel == GONE_CHANNEL and method in ("chat.postMessage", "conversations.history"):
            return web.json_response({"ok": False, "error": "channel_not_found"})
        if channel == BUSY_CHANNEL and method == "chat.postMessage":
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "7"})
        queued = self.faults.get(method)
        fault = queued.pop(0) if queued else self.fault_for(method) if self.fault_for is not None else None
        if fault is not None:
            return await self._fault(fault, request, method, args, token)
        return web.json_response(self._answer(method, args, token))

    async def _fault(
        self, fault: str, request: web.Request, method: str, args: dict[str, Any], token: str | None
    ) -> web.StreamResponse:
        """Answer one call the way a troubled network or a proxy in front of Slack would."""
        html = "<html><body><h1>Bad gateway</h1></body></html>"
        match fault:
            case "ratelimited":
                body = {"ok": False, "error": "ratelimited"}
                return web.json_response(body, status=429, headers={"Retry-After": "3"})
            case "html-502":
                return web.Response(status=502, text=html, content_type="text/html", headers={"Retry-After": "11"})
            case "html-503-as-json":
                return web.Response(status=503, body=html.encode(), headers={"Content-Type": "application/json"})
            case "text-503":
                return web.Response(status=503, text="upstream connect error", content_type="text/plain")
            case "drop":
                return self._drop(request)
            case "hang":
                await asyncio.sleep(self.hang_seconds)
                return self._drop(request)
        answer = self._answer(method, args, token)  # the stored-then-* faults: Slack did the work
        match fault:
            case "stored-then-drop":
                return self._drop(request)
            case "stored-then-500":
                return web.Response(status=500, text=html, content_type="text/html")
            case "stored-then-hang":
                await asyncio.sleep(self.hang_seconds)
                return web.json_response(answer)
        raise ValueError(f"unknown fault {fault!r}; see FAULTS")

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the client's connection without an answer (what a lost response looks like)."""
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)  # never arrives

    def share_file(
        self,
        name: str,
        data: bytes,
        *,
        token: str,
        team: str = FAKE_TEAM_ID,
        mimetype: str = "text/plain",
        claimed_size: int | None = None,
        external: bool = False,
    ) -> dict[str, Any]:
        """Put a file in a workspace as if someone had uploaded it; returns the file object a message carries."""
        file_id = f"F0SHARED{next(self._ts):05d}"
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        self.files[file_id] = SharedFile(
            file_id, name, data, team, token, mimetype, filetype, claimed_size=claimed_size, external=external
        )
        return self._file_object(self.files[file_id])

    def _file_object(self, shared: SharedFile) -> dict[str, Any]:
        """A file as Slack describes it in messages and files.info (the fields speechbot may read)."""
        size = len(shared.data) if shared.claimed_size is None else shared.claimed_size
        private = f"http://127.0.0.1:{self.port}/files-pri/{shared.team}-{shared.id}/{shared.name}"
        download = f"http://127.0.0.1:{self.port}/files-pri/{shared.team}-{shared.id}/download/{shared.name}"
        described: dict[str, Any] = {
            "id": shared.id,
            "created": int(self.clock()),
            "name": shared.name,
            "title": shared.name,
            "mimetype": shared.mimetype,
            "filetype": shared.filetype,
            "user": "U0UPLOADER",
            "user_team": shared.team,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": True,
            "url_private": private,
            "url_private_download": download,
            "permalink": f"https://fake-workspace.invalid/files/U0UPLOADER/{shared.id}/{shared.name}",
        }
        if shared.external:  # Slack stores only a link: the urls lead to the other service, not to Slack
            outside = f"https://drive.example.invalid/file/{shared.id}"
            described |= {"mode": "external", "is_external": True, "external_type": "gdrive"}
            described |= {"url_private": outside, "url_private_download": outside}
        return described

    async def _download(self, request: web.Request) -> web.Response:
        """A file's private URL: only its workspace's bot token gets the bytes (401 without it, 404 if unknown)."""
        team, _, file_id = request.match_info["key"].partition("-")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or None
        await self._record(ApiCall("files.download", token, {"file": file_id, "team": team}))
        shared = self.files.get(file_id)
        if shared is None or shared.team != team or shared.name != request.match_info["name"]:
            return web.Response(status=404, text="file not found")
        if token != shared.token:
            return web.Response(status=401, text="not authorized")
        return web.Response(body=shared.data, content_type="application/octet-stream")

    def chatter(self, channel: str, count: int) -> None:
        """Other people's messages in a channel, newer than everything before (a busy class channel)."""
        for n in range(count):
            ts = self._new_ts()
            message = {"type": "message", "ts": ts, "user": "U0CLASSMATE", "text": f"chatter {n}"}
            self.messages.setdefault(channel, []).append(message)

    def _new_ts(self) -> str:
        """A message ts from the fake's clock, unique and increasing like Slack's."""
        return f"{int(self.clock())}.{next(self._ts):06d}"

    def _answer(self, method: str, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        channel = str(args.get("channel", "C0FAKE"))
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://fake-workspace.invalid/",
                    "team": "Fake Team",
                    "user": "speechbot",
                    "team_id": FAKE_TEAM_ID,
                    "user_id": FAKE_BOT_USER_ID,
                    "bot_id": FAKE_BOT_ID,
                    "is_enterprise_install": False,
                }
            case "chat.postMessage":
                ts = self._new_ts()
                message = {"type": "message", "ts": ts, "user": FAKE_BOT_USER_ID, "bot_id": FAKE_BOT_ID}
                message |= {k: v for k, v in args.items() if k in ("text", "blocks", "metadata")}
                self.messages.setdefault(channel, []).append(message)
                return {"ok": True, "channel": channel, "ts": ts, "message": message}
            case "chat.update":
                for message in self.messages.get(channel, []):
                    if message["ts"] == args.get("ts"):
                        message |= {k: v for k, v in args.items() if k in ("text", "blocks")}
                        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
                return {"ok": False, "error": "message_not_found"}
            case "files.getUploadURLExternal":
                file_id = f"F0FAKE{next(self._ts):05d}"
                return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
            case "files.completeUploadExternal":
                files = args.get("files")
                listed = json.loads(files) if isinstance(files, str) else files or []
                self.shared_files.append({**args, "files": listed})
                return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in listed]}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._new_ts()}
            case "users.info":
                user = str(args.get("user", "U0FAKEUSER"))
                admin, owner = "ADMIN" in user, "OWNER" in user
                return {"ok": True, "user": {"id": user, "name": "fake-user", "is_admin": admin, "is_owner": owner}}
            case "files.info":
                shared = self.files.get(str(args.get("file", "")))
                if shared is None or shared.token != token:  # another workspace's file is invisible
                    return {"ok": False, "error": "file_not_found"}
                return {"ok": True, "file": self._file_object(shared)}
            case "conversations.info":
                member = channel != OUTSIDER_CHANNEL
                return {"ok": True, "channel": {"id": channel, "name": "fake-channel", "is_member": member}}
            case "conversations.history":
                return self._history(channel, args)
            case "apps.connections.open":
                return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket-mode"}
            case _:
                return {"ok": False, "error": "unknown_method"}

    def _history(self, channel: str, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history as Slack pages it: newest first, after `oldest`, `limit` a page, by cursor."""
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")
        newest_first = sorted(self.messages.get(channel, []), key=lambda m: float(m["ts"]), reverse=True)
        history = [m for m in newest_first if oldest < float(m["ts"]) <= latest]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            history = [{k: v for k, v in m.items() if k != "metadata"} for m in history]
        limit = min(int(args.get("limit") or 100), 999)
        start = int(str(args.get("cursor") or "offset:0").removeprefix("offset:"))
        page = history[start : start + limit]
        more = start + limit < len(history)
        cursor = f"offset:{start + limit}" if more else ""
        return {"ok": True, "messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}

    def _oauth_access(self, args: dict[str, Any], auth: str) -> dict[str, Any]:
        """Exchange an OAuth code for a bot token of a second fake workspace (client id/secret via Basic auth)."""
        if not auth.startswith("Basic ") or args.get("code") != "fake-oauth-code":
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": FAKE_APP_ID,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": INSTALLED_BOT_TOKEN,
            "bot_user_id": FAKE_BOT_USER_ID,
            "team": {"id": INSTALLED_TEAM_ID, "name": "Installed Fake Team"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: keep the bytes for the test to look at."""
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_key"] = request.match_info["key"]
        await self._record(ApiCall("response_url", None, body))
        return web.Response(text="ok")

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": FAKE_APP_ID}}
        await ws.send_str(json.dumps(hello))
        self._sockets.append(ws)
        async with self._changed:
            self._changed.notify_all()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
                    async with self._changed:
                        self._changed.notify_all()
        finally:
            self._sockets.remove(ws)
        return ws
