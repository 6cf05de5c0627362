"""Logging for the long-running processes: plain lines, or one JSON object per line with request ids.

``CLAUSEWATCH_LOG_FORMAT=json`` is for log collectors (the Docker image sets it). Every log line written
while the server handles a request carries that request's id (taken from ``X-Request-Id`` when a proxy
sets one, else made here, and returned in the response), so one request can be followed across lines.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from aiohttp import web

from core.config import Settings
from core.errors import ClausewatchError

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
HEADER = "X-Request-Id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings) -> None:
    """Log at INFO to stderr in the configured format."""
    if settings.log_format not in ("text", "json"):
        raise ClausewatchError(f"CLAUSEWATCH_LOG_FORMAT is text or json, not {settings.log_format!r}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl" on every start
    # botbuilder's HTTP client (msrest on urllib3) warns of each retry; the Teams adapter logs the outcome.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


@web.middleware
async def request_ids(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Give the request an id for its log lines and echo it in the response."""
    given = request.headers.get(HEADER, "")
    request_id = given if given.isprintable() and 0 < len(given) <= 100 else uuid.uuid4().hex
    token = REQUEST_ID.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers[HEADER] = request_id
        raise
    finally:
        REQUEST_ID.reset(token)
    response.headers[HEADER] = request_id
    return response
