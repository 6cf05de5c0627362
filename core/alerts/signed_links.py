"""Signed, expiring links to a change's full diff page, so the page is not an open index of everything
tracked: only someone given a link (in an alert) can read that one change, and only for a while.

The key is ``CLAUSEWATCH_LINK_SECRET`` when set; otherwise a random key made once and kept in the
database, so every replica signs and checks with the same one and nobody has to configure anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.config import Settings
from core.storage.models import AppSecret

SECRET_NAME = "link-signing-key"  # noqa: S105 (the row that holds the key, not a key)
SIGNATURE_CHARS = 32


def link_key(session: Session, settings: Settings) -> bytes:
    """The signing key: the configured secret, or the one stored in the database (made on first use)."""
    if settings.link_secret:
        return settings.link_secret.encode()
    stored = session.get(AppSecret, SECRET_NAME)
    if stored is None:
        try:
            with session.begin_nested():
                stored = AppSecret(name=SECRET_NAME, value=secrets.token_hex(32))
                session.add(stored)
        except IntegrityError:  # another replica made it first: use theirs
            stored = session.get(AppSecret, SECRET_NAME)
            assert stored is not None
    return stored.value.encode()


def signature(key: bytes, change_id: int, expires: int) -> str:
    """The HMAC of one change's link and its expiry."""
    return hmac.new(key, f"change:{change_id}:{expires}".encode(), hashlib.sha256).hexdigest()[
        :SIGNATURE_CHARS
    ]


def diff_url(session: Session, settings: Settings, change_id: int, now: float | None = None) -> str:
    """The full diff page of a change under the public base URL, signed to expire after the TTL."""
    expires = int((now or time.time()) + settings.link_ttl_days * 86400)
    query = urlencode({"expires": expires, "sig": signature(link_key(session, settings), change_id, expires)})
    return f"{settings.public_url.rstrip('/')}/changes/{change_id}?{query}"


def link_problem(key: bytes, change_id: int, expires: str, sig: str, now: float | None = None) -> str | None:
    """Why a link may not be followed (forged, altered or expired), or None when it may."""
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12) or not hmac.compare_digest(
        signature(key, change_id, int(expires)), sig
    ):
        return "this link is not valid"
    if int(expires) < (now or time.time()):
        return "this link has expired"
    return None
