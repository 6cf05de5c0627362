"""``/api/v1/``: the read-only JSON API for GRC tools: documents, their versions, changes and profiles.

Every request needs ``Authorization: Bearer <CLAUSEWATCH_API_TOKEN>``; with no token set the API is off
(404). Lists take ``?limit=`` (1-200, default 50) and ``?after=`` (the ``next`` address carries it);
changes take the feed's ``?vendor=`` and ``?ai_only=1``. Only GET and HEAD are served. Every error is JSON,
``{"error": "..."}``, with its status: 400 a malformed request, 401 no or a wrong token, 404 nothing there,
405 a method that would change something.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Middleware
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bots.server import access
from bots.server.feeds import requested_filter
from core.config import Settings
from core.errors import ClausewatchError, NotFoundError
from core.publishing import records
from core.storage.database import read_scope

PREFIX = "/api/v1"
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Reading = Callable[[Session, Settings, web.Request], Any]
"""What an endpoint reads: the JSON body of its answer."""


def app(engine: Engine, settings: Settings) -> web.Application:
    """The API as a sub-application, so its own middlewares check the token before anything is read and
    make every answer under it JSON, even routing's 404 and 405."""
    api = web.Application(middlewares=[_json_errors, _admitted(settings)])
    endpoints: dict[str, Reading] = {
        "/documents": _documents,
        r"/documents/{id:\d+}/versions": _versions,
        "/changes": _changes,
        r"/changes/{id:\d+}": _change,
        "/profiles": _profiles,
        "/profiles/{vendor}": _profile,
    }
    for path, reading in endpoints.items():
        api.router.add_get(path, _endpoint(engine, settings, reading))
    return api


def _endpoint(engine: Engine, settings: Settings, reading: Reading) -> Handler:
    """A GET handler answering what ``reading`` reads, in a thread: the server's loop must not wait."""

    def read(request: web.Request) -> Any:
        with read_scope(engine) as session:
            return reading(session, settings, request)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(await asyncio.to_thread(read, request), headers=HEADERS)

    return handler


def _documents(session: Session, settings: Settings, request: web.Request) -> dict[str, Any]:
    return _listed(request, settings, records.documents_page(session, **_paging(request, int)))


def _versions(session: Session, settings: Settings, request: web.Request) -> dict[str, Any]:
    document_id = int(request.match_info["id"])
    return _listed(request, settings, records.versions_page(session, document_id, **_paging(request, int)))


def _changes(session: Session, settings: Settings, request: web.Request) -> dict[str, Any]:
    wanted = requested_filter(session, request)
    return _listed(
        request, settings, records.changes_page(session, settings, wanted, **_paging(request, int))
    )


def _change(session: Session, settings: Settings, request: web.Request) -> dict[str, Any]:
    return records.change_record(session, settings, int(request.match_info["id"]))


def _profiles(session: Session, settings: Settings, request: web.Request) -> dict[str, Any]:
    return _listed(request, settings, records.profiles_page(session, **_paging(request, str)))


def _profile(session: Session, _settings: Settings, request: web.Request) -> dict[str, Any]:
    return records.profile_record(session, request.match_info["vendor"])


def _paging(request: web.Request, cursor: Callable[[str], Any]) -> dict[str, Any]:
    """``limit`` and ``after`` from the query; ``cursor`` reads ``after`` (an id, or a vendor name)."""
    try:
        limit = int(request.query.get("limit", records.DEFAULT_LIMIT))
        after = cursor(request.query["after"]) if "after" in request.query else None
    except ValueError:
        raise web.HTTPBadRequest(text="limit and after must be whole numbers") from None
    return {"limit": records.check_limit(limit), "after": after}


def _listed(request: web.Request, settings: Settings, page: records.Page) -> dict[str, Any]:
    """A page as the API answers it: its items, and the address of the next page (None on the last)."""
    if page.after is None:
        return {"items": page.items, "next": None}
    query = [(name, value) for name, value in request.query.items() if name != "after"]
    following = (
        f"{settings.public_url.rstrip('/')}{request.path}?{urlencode([*query, ('after', page.after)])}"
    )
    return {"items": page.items, "next": following}


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error as ``{"error": "..."}`` with its status: the core's errors, and aiohttp's own."""
    try:
        return await handler(request)
    except ClausewatchError as error:
        status = 404 if isinstance(error, NotFoundError) else 400
        return web.json_response({"error": str(error)}, status=status, headers=HEADERS)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        kept = {name: error.headers[name] for name in ("Allow", "WWW-Authenticate") if name in error.headers}
        message = error.text if error.text and not error.text.startswith(f"{error.status}:") else error.reason
        return web.json_response({"error": message}, status=error.status, headers=HEADERS | kept)


def _admitted(settings: Settings) -> Middleware:
    """Refuse every request (404) while the API is off, and without the right bearer token (401)."""

    @web.middleware
    async def admitted(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not settings.api_token:
            raise web.HTTPNotFound(text=access.OFF)
        problem = access.bearer_problem(request, settings)
        if problem:
            raise web.HTTPUnauthorized(text=problem, headers=access.CHALLENGE)
        return await handler(request)

    return admitted
