"""``/feeds/changes.atom``: the Atom feed of recorded changes (``?vendor=NAME``, ``?ai_only=1``).

A feed reader reaches it at a signed address (``clausewatch feed-url``, made by
``core.publishing.feed.feed_url``); other clients may send the API token as a bearer token instead. A missing,
wrong or altered signature is 401; an unknown vendor is 404 with the close names, never every vendor's feed.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bots.server import access
from bots.server.diff_page import HEADERS
from core.alerts.signed_links import link_key, path_signed
from core.config import Settings
from core.errors import AmbiguousError, NotFoundError
from core.publishing.feed import FEED_PATH, changes_feed
from core.publishing.records import ChangeFilter, change_filter
from core.storage.database import read_scope

ATOM_TYPE = "application/atom+xml"


def routes(engine: Engine, settings: Settings) -> list[web.RouteDef]:
    """The changes feed."""

    async def feed(request: web.Request) -> web.Response:
        body = await asyncio.to_thread(_feed, engine, settings, request)
        return web.Response(body=body, content_type=ATOM_TYPE, charset="utf-8", headers=HEADERS)

    return [web.get(FEED_PATH, feed)]


def _feed(engine: Engine, settings: Settings, request: web.Request) -> bytes:
    """The feed's XML for an admitted request, read in a thread: the server's loop must not wait."""
    if not settings.api_token:
        raise web.HTTPNotFound(text=access.OFF, headers=HEADERS)
    with read_scope(engine) as session:
        problem = _access_problem(request, settings, link_key(session, settings))
        if problem:
            raise web.HTTPUnauthorized(text=problem, headers=HEADERS | access.CHALLENGE)
        try:
            wanted = requested_filter(session, request)
        except NotFoundError as error:
            raise web.HTTPNotFound(text=str(error), headers=HEADERS) from None
        except AmbiguousError as error:
            raise web.HTTPBadRequest(text=str(error), headers=HEADERS) from None
        self_url = f"{settings.public_url.rstrip('/')}{request.path_qs}"
        return changes_feed(session, settings, wanted, self_url)


def requested_filter(session: Session, request: web.Request) -> ChangeFilter:
    """The changes a request asks for: ``?vendor=NAME`` (resolved like a command's) and ``?ai_only=1``."""
    ai_only = request.query.get("ai_only", "").lower() in ("1", "true", "yes")
    return change_filter(session, request.query.get("vendor"), ai_only)


def _access_problem(request: web.Request, settings: Settings, key: bytes) -> str | None:
    """Why the request may not read the feed: a signed address judged by its signature alone (a wrong
    one is never rescued by a header), anything else by its bearer token."""
    if "sig" in request.query:
        valid = path_signed(key, request.path, request.query.items(), request.query["sig"])
        return None if valid else "this feed address is not valid: make a new one with `clausewatch feed-url`"
    return access.bearer_problem(request, settings)
