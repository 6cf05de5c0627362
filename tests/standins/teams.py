"""A local stand-in for the Bot Framework connector service, recording everything a Teams bot sends.

A Teams bot does not call a fixed API: every inbound activity carries a ``serviceUrl`` and botbuilder's
``ConnectorClient`` posts replies, updates and proactive messages under it. Tests put this server's ``url``
in conversation references (or inbound activities) instead of ``https://smba.trafficmanager.net/...``, so the
real botbuilder stack runs unchanged. It answers the connector routes clausewatch uses the way the service
does where it matters: percent-encoded Teams conversation ids (``19:...@thread.tacv2;messageid=...``), new
activity ids for sends, 404 for updating an activity that was never sent, and scripted failures (429 with
Retry-After, 403/404 with Bot Framework error bodies, plain 5xx).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.standins.service import LocalService

_FIRST_ID = 1_700_000_000_000  # Teams message ids are epoch milliseconds; ours count up from here
_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
}
_CONVERSATION = "/v3/conversations/{conversation}"


@dataclass(frozen=True)
class Sent:
    """One request to the connector: ``path`` is percent-decoded, ``body`` is the JSON sent (``{}`` for a
    GET or DELETE), and ``answered`` the HTTP status it got (a scripted failure is recorded too)."""

    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None
    at: float
    answered: int = 200


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    conversation: str | None
    method: str | None


@dataclass
class RecordingTeams(LocalService):
    """An aiohttp server on 127.0.0.1; ``url`` is the ``serviceUrl`` to hand to botbuilder."""

    team_name: str = "Clausewatch Test"
    members: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": "29:user-ada", "name": "Ada Admin", "aadObjectId": "00000000-0000-0000-0000-00000000000a"},
            {"id": "29:user-bob", "name": "Bob Buyer", "aadObjectId": "00000000-0000-0000-0000-00000000000b"},
        ]
    )
    sent: list[Sent] = field(default_factory=list)
    known_activities: set[tuple[str, str]] = field(default_factory=set)
    _failures: list[_Failure] = field(default_factory=list)
    _issued: int = 0
    _conversations: int = 0

    @property
    def url(self) -> str:
        """The ``serviceUrl``, with the trailing slash the real ones have."""
        return f"{self.base}/"

    async def start(self, port: int = 0) -> RecordingTeams:
        """Listen on a free port (or ``port``)."""
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post(f"{_CONVERSATION}/activities", self._activity)
        app.router.add_route("*", f"{_CONVERSATION}/activities/{{activity}}", self._activity)
        app.router.add_get(f"{_CONVERSATION}/members", self._members)
        app.router.add_get(f"{_CONVERSATION}/pagedmembers", self._members)
        app.router.add_get(f"{_CONVERSATION}/members/{{member}}", self._members)
        app.router.add_get("/v3/teams/{team}", self._team)
        app.router.add_get("/v3/teams/{team}/conversations", self._team)
        await self._listen(app, port)
        return self

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """The activities posted (sends and replies, failed ones included), optionally to one conversation."""
        return [
            s.body
            for s in self.sent
            if s.method == "POST"
            and s.path != "/v3/conversations"
            and conversation_id in (None, s.conversation_id)
        ]

    def updates(self, conversation_id: str | None = None) -> list[Sent]:
        """The activity updates (PUTs), optionally to one conversation."""
        return [s for s in self.sent if s.method == "PUT" and conversation_id in (None, s.conversation_id)]

    def fail(
        self,
        *,
        status: int,
        retry_after: int | None = None,
        times: int = 1,
        conversation: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` activity writes (send, reply, update, delete; only to ``conversation``
        and only with HTTP ``method`` if given) with ``status``: 429 with Retry-After (default 1), 400-412
        with a Bot Framework error body (403 ``BotNotInConversationRoster``, 404 ``ConversationNotFound``;
        429's is ``Throttled``), which botbuilder raises as ``ErrorResponseException``; other statuses with
        a plain-text body, as a broken gateway would, which botbuilder cannot parse and raises as
        ``DeserializationError``. botbuilder retries PUT and DELETE itself (5xx, and 429 after its
        Retry-After), never POST."""
        self._failures.extend([_Failure(status, retry_after, conversation, method)] * times)

    def _progress(self) -> str:
        recent = ", ".join(f"{s.method} {s.path}" for s in self.sent[-5:]) or "none"
        return f"{len(self.sent)} requests ({recent})"

    async def _activity(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        conversation, activity_id = request.match_info["conversation"], request.match_info.get("activity")
        body = await _body(request)
        failure = self._take_failure(conversation, request.method)
        if failure is not None:
            response = _failed(failure.status, failure.retry_after)
        elif body is None:
            response = _error(400, "BadArgument", "the body is not a JSON object")
        elif request.method == "POST":
            new_id = self._next_id()
            self.known_activities.add((conversation, new_id))
            response = web.json_response({"id": new_id})
        elif activity_id is None or (conversation, activity_id) not in self.known_activities:
            response = _error(404, "ActivityNotFound", f"unknown activity {activity_id!r} in {conversation}")
        elif request.method == "PUT":
            response = web.json_response({"id": activity_id})
        elif request.method == "DELETE":
            self.known_activities.discard((conversation, activity_id))
            response = web.Response()
        else:
            response = web.Response(status=405, text="method not allowed")
        return self._record(request, at, response, body, conversation, activity_id)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        """Create conversation: a new ``a:`` (personal chat) id, and an activity id if one was included."""
        at = time.monotonic()
        body = await _body(request)
        if body is None:
            return self._record(request, at, _error(400, "BadArgument", "not a JSON object"), body)
        self._conversations += 1
        conversation = f"a:new-conv-{self._conversations}"
        activity_id = None
        if body.get("activity"):
            activity_id = self._next_id()
            self.known_activities.add((conversation, activity_id))
        answer = {"id": conversation, "activityId": activity_id, "serviceUrl": self.url}
        return self._record(request, at, web.json_response(answer), body, conversation, activity_id)

    async def _members(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        conversation, member = request.match_info["conversation"], request.match_info.get("member")
        if member is None:
            paged = request.path.endswith("/pagedmembers")
            answer: Any = {"members": self.members, "continuationToken": None} if paged else self.members
            response = web.json_response(answer)
        else:
            found = next((m for m in self.members if member in (m["id"], m.get("aadObjectId"))), None)
            response = (
                web.json_response(found)
                if found is not None
                else _error(404, "MemberNotFoundInConversation", f"{member} is not in {conversation}")
            )
        return self._record(request, at, response, {}, conversation)

    async def _team(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        team = request.match_info["team"]
        if request.path.endswith("/conversations"):
            answer: dict[str, Any] = {"conversations": [{"id": team, "name": None}]}  # General has no name
        else:
            answer = {
                "id": team,
                "name": self.team_name,
                "aadGroupId": "00000000-0000-0000-0000-0000000000ff",
            }
        return self._record(request, at, web.json_response(answer), {})

    def _take_failure(self, conversation: str, method: str) -> _Failure | None:
        for i, failure in enumerate(self._failures):
            if failure.conversation in (None, conversation) and failure.method in (None, method):
                return self._failures.pop(i)
        return None

    def _record(
        self,
        request: web.Request,
        at: float,
        response: web.Response,
        body: dict[str, Any] | None,
        conversation: str | None = None,
        activity_id: str | None = None,
    ) -> web.Response:
        auth = request.headers.get("Authorization")
        self.sent.append(
            Sent(
                request.method, request.path, conversation, activity_id, body or {}, auth, at, response.status
            )
        )
        self._arrived()
        return response

    def _next_id(self) -> str:
        self._issued += 1
        return str(_FIRST_ID + self._issued)


async def _body(request: web.Request) -> dict[str, Any] | None:
    """The JSON object sent, ``{}`` for none (GET, DELETE), ``None`` if it is not a JSON object."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error(status: int, code: str, message: str) -> web.Response:
    """The Bot Framework's error body, which botbuilder reads into ``ErrorResponseException.error``."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _failed(status: int, retry_after: int | None) -> web.Response:
    if status == 429:
        body = {"error": {"code": "Throttled", "message": "Too many requests."}}
        return web.json_response(body, status=429, headers={"Retry-After": str(retry_after or 1)})
    if status in _ERROR_CODES:
        return _error(status, _ERROR_CODES[status], f"{status} scripted failure")
    return web.Response(status=status, text=f"{status} scripted failure")
