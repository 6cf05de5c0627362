"""A local stand-in for a chat platform's message API, recording what clausewatch posts to it.

Tests, the fan-out benchmark and the demo point webhook destinations here instead of at a real chat
service. It behaves like one where it matters: it drops a send whose Idempotency-Key it already accepted
(answering as if it had posted it), limits each channel to about one message per second and each
workspace to a budget per second (429 with Retry-After beyond either, as Slack does), and can be told to
fail a channel's next requests (500, 429, a timeout, 410 Gone) to play a flaky or removed destination.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Posted:
    """One message the API accepted."""

    workspace: str
    channel: str
    key: str
    body: dict[str, Any]
    at: float


@dataclass
class RecordingAPI:
    """An aiohttp server on 127.0.0.1; ``url(workspace, channel)`` is a channel's webhook address."""

    channel_interval: float = 0.0
    workspace_budget: int = 0
    timeout_seconds: float = 30.0
    latency: float = 0.0
    posted: list[Posted] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0
    _keys: dict[str, int] = field(default_factory=dict)
    _scripts: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    _channel_last: dict[str, float] = field(default_factory=dict)
    _window: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _runner: web.AppRunner | None = None
    base: str = ""

    async def start(self, port: int = 0) -> RecordingAPI:
        """Listen on a free port (or ``port``)."""
        app = web.Application()
        app.router.add_post("/hooks/{workspace}/{channel}", self._post)
        app.router.add_get("/stats", self._stats)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, workspace: str, channel: str) -> str:
        """The webhook address of one channel."""
        return f"{self.base}/hooks/{workspace}/{channel}"

    def fail(self, channel: str, *answers: str) -> None:
        """Answer the channel's next requests with these: ``"500"``, ``"429:2"`` (Retry-After 2),
        ``"timeout"`` or ``"410"``, before behaving again."""
        self._scripts[channel].extend(answers)

    def messages(self, channel: str) -> list[Posted]:
        """What a channel received, in order."""
        return [p for p in self.posted if p.channel == channel]

    def stats(self, *, keys: bool = False) -> dict[str, Any]:
        """The counts so far, for a test or benchmark in another process (``GET /stats``).

        ``first_post``/``last_post`` are ``time.monotonic()`` readings, comparable across processes of one
        machine; None before the first accepted message. With ``keys`` (``GET /stats?keys=1``),
        ``accepted`` lists ``[channel, key]`` of every accepted message, in order.
        """
        stats: dict[str, Any] = {
            "posted": len(self.posted),
            "unique_keys": len(self._keys),
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "requests": self.requests,
            "first_post": self.posted[0].at if self.posted else None,
            "last_post": self.posted[-1].at if self.posted else None,
        }
        if keys:
            stats["accepted"] = [[p.channel, p.key] for p in self.posted]
        return stats

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.stats(keys=request.query.get("keys") == "1"))

    async def _post(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        workspace, channel = request.match_info["workspace"], request.match_info["channel"]
        scripted = self._scripts[channel].popleft() if self._scripts[channel] else None
        if scripted is not None:
            return await self._scripted(scripted)
        if self.latency:
            await asyncio.sleep(self.latency)
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self._keys:
            self.duplicates += 1
            return web.json_response({"ok": True, "id": self._keys[key]}, headers=_id(self._keys[key]))
        wait = self._rate_limited(workspace, channel)
        if wait:
            self.rejected += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
            )
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.json_response({"ok": False, "error": "invalid_json"}, status=400)
        self.posted.append(Posted(workspace, channel, key, body, time.monotonic()))
        if key:
            self._keys[key] = len(self.posted)
        return web.json_response({"ok": True, "id": len(self.posted)}, headers=_id(len(self.posted)))

    async def _scripted(self, answer: str) -> web.StreamResponse:
        if answer == "timeout":
            await asyncio.sleep(self.timeout_seconds)
            return web.Response(status=504)
        status, _, retry_after = answer.partition(":")
        headers = {"Retry-After": retry_after} if retry_after else {}
        return web.json_response({"ok": False, "error": "scripted"}, status=int(status), headers=headers)

    def _rate_limited(self, workspace: str, channel: str) -> int:
        """Seconds to wait (whole, as Retry-After says it) if this send is over a limit, else 0."""
        now = time.monotonic()
        last = self._channel_last.get(channel)
        if self.channel_interval and last is not None and now - last < self.channel_interval:
            return max(1, math.ceil(self.channel_interval - (now - last)))
        window = self._window[workspace]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if self.workspace_budget and len(window) >= self.workspace_budget:
            return 1
        window.append(now)
        self._channel_last[channel] = now
        return 0


def _id(message_id: int) -> dict[str, str]:
    return {"X-Message-Id": str(message_id)}
