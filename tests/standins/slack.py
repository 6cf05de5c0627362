"""A local stand-in for Slack's Web API, recording every call clausewatch makes to it.

Tests and benchmarks point ``AsyncWebClient(base_url=...)`` (and slash-command/interactivity
``response_url``s) here instead of at Slack's cloud; nothing else in the bot is faked. It answers the
methods clausewatch uses the way Slack does where it matters: JSON or form bodies (slack_sdk sends JSON for
message methods, a query string for reads such as ``conversations.history``), bearer or ``token`` param
auth, ``token_revoked``/``not_authed`` errors, per-channel history that hides message metadata unless
``include_all_metadata`` is asked for, and scripted failures (429 with Retry-After, 5xx, Slack errors).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.service import LocalService

_JSON_FIELDS = ("blocks", "metadata", "view", "attachments")
_FIRST_TS = 1_700_000_000_000_000  # microseconds; every ts handed out is after this, 100 µs apart


@dataclass(frozen=True)
class Call:
    """One Web API call: its method, token, parameters (query and body merged), and the HTTP status
    it was answered with (a scripted 429 or 500 is recorded too)."""

    method: str
    token: str | None
    params: dict[str, Any]
    at: float
    answered: int = 200


@dataclass(frozen=True)
class Response:
    """One POST to a ``response_url``."""

    name: str
    body: Any
    at: float


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str | None
    retry_after: int | None


@dataclass
class RecordingSlack(LocalService):
    """An aiohttp server on 127.0.0.1; ``base_url`` is the Web API root to hand to slack_sdk."""

    team_id: str = "T1"
    team_name: str = "Clausewatch Test"
    scope: str = "chat:write,commands,users:read,channels:history"
    admins: set[str] = field(default_factory=set)
    revoked_tokens: set[str] = field(default_factory=set)
    rotate_tokens: bool = False
    token_lifetime: int = 43200
    refreshes: int = 0
    calls: list[Call] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _failures: dict[str, deque[_Failure]] = field(default_factory=lambda: defaultdict(deque))
    _issued: int = 0

    @property
    def base_url(self) -> str:
        """The Web API root, with the trailing slash slack_sdk needs to append a method name."""
        return f"{self.base}/api/"

    async def start(self, port: int = 0) -> RecordingSlack:
        """Listen on a free port (or ``port``)."""
        app = web.Application()
        # slack_sdk reads (conversations.history, users.info, auth.revoke) with GET and a query string.
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        await self._listen(app, port)
        return self

    def response_url(self, name: str) -> str:
        """A ``response_url`` to put in a slash command or interaction payload; posts to it are recorded
        under ``name``."""
        return f"{self.base}/respond/{name}"

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a failure: 429 (``ratelimited``, with
        Retry-After, default 1), another HTTP status (plain-text body, as a broken gateway would), or with
        status 200, ``{"ok": false, "error": error}``."""
        if status == 200 and error is None:
            raise ValueError("a failure with status 200 needs an error, e.g. 'channel_not_found'")
        self._failures[method].extend([_Failure(status, error, retry_after)] * times)

    def _progress(self) -> str:
        recent = ", ".join(c.method for c in self.calls[-10:]) or "none"
        return f"{len(self.calls)} calls (last: {recent}), {len(self.responses)} response_url posts"

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        self.responses.append(Response(request.match_info["name"], body, at))
        self._arrived()
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        method = request.match_info["method"]
        params = await _params(request)
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        token = params.pop("token", None) or (credential if scheme == "Bearer" else "") or None
        failures = self._failures[method]
        if failures:
            response = _failed(failures.popleft())
        elif token in self.revoked_tokens:
            response = web.json_response({"ok": False, "error": "token_revoked"})
        elif token is None and method != "oauth.v2.access":
            response = web.json_response({"ok": False, "error": "not_authed"})
        else:
            response = web.json_response(self._answer(method, token, params))
        self.calls.append(Call(method, token, params, at, response.status))
        self._arrived()
        return response

    def _answer(self, method: str, token: str | None, params: dict[str, Any]) -> dict[str, Any]:
        match method:
            case "auth.test":
                team = {
                    "team_id": self.team_id,
                    "team": self.team_name,
                    "url": f"https://{self.team_id.lower()}.slack.com/",
                }
                return {"ok": True, "user": "clausewatch", "user_id": "UBOT", "bot_id": "BBOT", **team}
            case "chat.postMessage":
                return self._post_message(params)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "chat.update":
                return self._update(params)
            case "views.publish":
                return {"ok": True, "view": {**params.get("view", {}), "id": f"V{params.get('user_id', '')}"}}
            case "users.info":
                uid = str(params.get("user", ""))
                user = {"id": uid, "team_id": self.team_id, "name": uid.lower(), "is_bot": False}
                return {
                    "ok": True,
                    "user": user | {"is_admin": uid in self.admins, "is_owner": uid in self.admins},
                }
            case "conversations.history":
                return self._history(params)
            case "oauth.v2.access":
                return self._install(params)
            case "auth.revoke":
                if token is not None and not _true(params.get("test")):
                    self.revoked_tokens.add(token)
                return {"ok": True, "revoked": True}
        return {"ok": True}

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": self._next_ts(), "text": ""}
        message |= {
            k: params[k] for k in ("text", "blocks", "attachments", "metadata", "thread_ts") if k in params
        }
        self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": dict(message)}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel", ""), params.get("ts")
        message = next((m for m in self.history.get(channel, []) if m["ts"] == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message |= {k: params[k] for k in ("text", "blocks", "attachments", "metadata") if k in params}
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": dict(message)}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        oldest, limit = float(params.get("oldest", 0)), int(params.get("limit", 100))
        stored = self.history.get(params.get("channel", ""), [])
        newer = [m for m in reversed(stored) if float(m["ts"]) > oldest]
        metadata = _true(params.get("include_all_metadata"))
        messages = [m if metadata else {k: v for k, v in m.items() if k != "metadata"} for m in newer[:limit]]
        return {"ok": True, "messages": messages, "has_more": len(newer) > limit}

    def _install(self, params: dict[str, Any]) -> dict[str, Any]:
        """An install (``code``), or with ``rotate_tokens`` a refresh (``grant_type=refresh_token``) that
        issues a new token lasting ``token_lifetime`` seconds."""
        refreshing = params.get("grant_type") == "refresh_token"
        if refreshing:
            self.refreshes += 1
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": "AAPP",
            "authed_user": {"id": "UINSTALLER"},
            "scope": self.scope,
            "token_type": "bot",
            "access_token": f"xoxb-rotated-{self.refreshes}"
            if refreshing
            else f"xoxb-installed-{self.team_id}",
            "bot_user_id": "UBOT",
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if self.rotate_tokens:
            answer |= {"refresh_token": f"xoxe-1-refresh-{self.team_id}", "expires_in": self.token_lifetime}
        return answer

    def _next_ts(self) -> str:
        """Slack's message ids: seconds.microseconds, increasing."""
        self._issued += 1
        micros = _FIRST_TS + 100 * self._issued
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


async def _params(request: web.Request) -> dict[str, Any]:
    """Query string and body merged; JSON-valued fields of a form body decoded, as Slack does."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params |= await request.json()
    elif request.content_type == "application/x-www-form-urlencoded":
        form: dict[str, Any] = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        for key in _JSON_FIELDS:
            if key in form:
                with contextlib.suppress(ValueError):
                    form[key] = json.loads(form[key])
        params |= form
    return params


def _failed(failure: _Failure) -> web.StreamResponse:
    if failure.status == 429:
        retry_after = str(failure.retry_after or 1)
        return web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": retry_after}
        )
    if failure.status != 200:
        return web.Response(status=failure.status, text=f"{failure.status} scripted failure")
    return web.json_response({"ok": False, "error": failure.error})


def _true(value: Any) -> bool:
    """Slack's booleans: JSON true, or "1"/"true" in a query string or form."""
    return value in (True, "1", "true")
