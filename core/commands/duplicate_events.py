"""Events a chat platform delivers more than once are handled once.

Slack redelivers an event it thinks was lost (no answer within 3 seconds, a 5xx); a second answer in the
channel would look like a bug and, for a question, cost a second language-model call. Each event id is
claimed in the database before it is handled, so the redelivery is dropped whichever replica it reaches.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from core.storage.database import session_scope
from core.storage.models import SeenEvent, utcnow

REMEMBERED = timedelta(days=1)
"""How long an event id is kept: platforms give up redelivering within hours (Slack after three tries)."""


def first_delivery(engine: Engine, platform: str, event_id: str) -> bool:
    """Claim ``event_id``: True the first time it is seen, False for a redelivery."""
    try:
        with session_scope(engine) as session:
            session.exec(delete(SeenEvent).where(col(SeenEvent.seen_at) < utcnow() - REMEMBERED))
            session.add(SeenEvent(platform=platform, event_id=event_id[:200]))
    except IntegrityError:
        return False
    return True
