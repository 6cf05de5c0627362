"""Signed, expiring links to a change's full diff page, so the page is not an open index of everything
tracked: only someone given a link (in an alert) can read that one change, and only for a while; and signed
addresses of feeds, for feed readers that cannot send a token (``core.publishing.feed``).

The key is ``CLAUSEWATCH_LINK_SECRET`` when set; otherwise a random key made once and kept in the
database, so every replica signs and checks with the same one and nobody has to configure anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
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


def _mac(key: bytes, message: str) -> str:
    """The shortened HMAC every signed link carries; each kind of link prefixes its message with its kind,
    so a signature made for one kind is never valid for another."""
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def signature(key: bytes, change_id: int, expires: int) -> str:
    """The HMAC of one change's link and its expiry."""
    return _mac(key, f"change:{change_id}:{expires}")


def path_signature(key: bytes, path: str, query: Iterable[tuple[str, str]]) -> str:
    """The HMAC of an address: its path and its query parameters but ``sig``, in their order.

    It does not expire: a feed reader subscribes once and polls for years. Changing any parameter (another
    vendor, dropping ``ai_only``) voids it; rotating the link secret voids them all.
    """
    pairs = [(name, value) for name, value in query if name != "sig"]
    return _mac(key, f"path:{path}?{urlencode(pairs)}")


def path_signed(key: bytes, path: str, query: Iterable[tuple[str, str]], sig: str) -> bool:
    """Whether ``sig`` is the signature of exactly this path and query (compared in constant time)."""
    return hmac.compare_digest(path_signature(key, path, query).encode(), sig.encode())


def diff_url(session: Session, settings: Settings, change_id: int, now: float | None = None) -> str:
    """The full diff page of a change under the public base URL, signed to expire after the TTL."""
    expires = int((now or time.time()) + settings.link_ttl_days * 86400)
    query = urlencode({"expires": expires, "sig": signature(link_key(session, settings), change_id, expires)})
    return f"{settings.public_url.rstrip('/')}/changes/{change_id}?{query}"


def link_problem(key: bytes, change_id: int, expires: str, sig: str, now: float | None = None) -> str | None:
    """Why a link may not be followed (forged, altered or expired), or None when it may."""
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12) or not hmac.compare_digest(
        signature(key, change_id, int(expires)).encode(), sig.encode()
    ):
        return "this link is not valid"
    if int(expires) < (now or time.time()):
        return "this link has expired"
    return None
