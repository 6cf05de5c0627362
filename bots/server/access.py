"""Who may read the feeds and the API: whoever holds ``CLAUSEWATCH_API_TOKEN``, sent as
``Authorization: Bearer <token>`` (feed readers use a signed feed address instead, ``bots.server.feeds``).

With no token set both are off, so a deployment publishes nothing it was not told to.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from core.config import Settings

OFF = (
    "the feeds and the API are off: set CLAUSEWATCH_API_TOKEN (e.g. `openssl rand -hex 32`) and restart "
    "`clausewatch serve` to turn them on"
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="clausewatch"'}


def bearer_problem(request: web.Request, settings: Settings) -> str | None:
    """Why the request's bearer token does not admit it (none, or not the configured one), or None."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return "send Authorization: Bearer <CLAUSEWATCH_API_TOKEN>"
    if not hmac.compare_digest(given.strip().encode(), settings.api_token.encode()):
        return "the token is not valid"
    return None
