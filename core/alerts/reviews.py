"""Reviews: someone in a channel says they have read a change's alert.

Compliance teams need to show that a change was looked at, and by whom; the alert itself then says so
in the channel, in place of its "Mark reviewed" button.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.errors import NotFoundError
from core.messages import Field
from core.registry.admins import Caller
from core.storage.models import Change, Destination, Review


def mark_reviewed(session: Session, change_id: int, dest: Destination, caller: Caller) -> Review:
    """Record that ``caller`` reviewed the change in ``dest``; the first reviewer there stays on record."""
    if session.get(Change, change_id) is None:
        raise NotFoundError(f"there is no recorded change {change_id}")
    found = _review(session, change_id, dest)
    if found is not None:
        return found
    assert dest.id is not None
    review = Review(
        change_id=change_id, destination_id=dest.id, user_id=caller.user_id, user_name=caller.user_name
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:  # someone else pressed the button at the same moment: theirs stands
        taken = _review(session, change_id, dest)
        assert taken is not None
        return taken
    return review


def _review(session: Session, change_id: int, dest: Destination) -> Review | None:
    query = select(Review).where(Review.change_id == change_id, Review.destination_id == dest.id)
    return session.exec(query).first()


def reviewed_field(review: Review) -> Field:
    """ "Reviewed: by Dana (U123) on 2026-12-03 14:05 UTC", for the alert."""
    who = f"{review.user_name} ({review.user_id})" if review.user_name else review.user_id
    return Field("Reviewed", f"by {who} on {review.at:%Y-%m-%d %H:%M} UTC")
