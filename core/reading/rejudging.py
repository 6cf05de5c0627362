"""Re-judging stored changes after the rules changed: the stored truth follows the rules, alerts do not.

Every verdict and profile records the ``READER_VERSION`` that made it. After an upgrade that raised it,
``rejudge`` recomputes the stale ones from the stored texts, one change per transaction, and says which
verdicts moved. It writes no alert: a change people were told about long ago is not news again because
the reading of it improved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import reading
from core.pipeline.versions import version_text
from core.reading.changes import apply_verdict, change_label
from core.reading.judgment import judge
from core.reading.profile import ensure_stored
from core.storage.database import session_scope
from core.storage.models import Change, Profile, Version


@dataclass(frozen=True)
class Stale:
    """How much was made by older rules."""

    changes: int
    profiles: int

    def __bool__(self) -> bool:
        return bool(self.changes or self.profiles)


@dataclass(frozen=True)
class Rejudged:
    """One change judged again: its verdict phrase before and after."""

    change_id: int
    document_id: int
    before: str
    after: str

    @property
    def moved(self) -> bool:
        """Whether the new rules say something else of it."""
        return self.before != self.after


def _stale_change() -> ColumnElement[bool]:
    return or_(col(Change.reader_version).is_(None), col(Change.reader_version) != reading.READER_VERSION)


def stale(session: Session) -> Stale:
    """The verdicts and profiles in the database that older rules made."""
    changes = session.exec(select(func.count()).select_from(Change).where(_stale_change())).one()
    profiles = session.exec(
        select(func.count()).select_from(Profile).where(col(Profile.reader_version) != reading.READER_VERSION)
    ).one()
    return Stale(int(changes), int(profiles))


def changes_to_rejudge(session: Session, document_ids: Sequence[int] | None, *, force: bool) -> list[int]:
    """The ids of the changes to judge again, oldest first: stale ones (every one with ``force``), of
    ``document_ids`` or (None) of every document."""
    query = select(Change.id).order_by(col(Change.id))
    if document_ids is not None:
        query = query.where(col(Change.document_id).in_(document_ids))
    if not force:
        query = query.where(_stale_change())
    return [change_id for change_id in session.exec(query) if change_id is not None]


def rejudge(
    engine: Engine, change_ids: Sequence[int], on_done: Callable[[Rejudged], None] | None = None
) -> list[Rejudged]:
    """Judge each change again from its stored texts, and recompute both versions' profiles if stale.

    Each change is its own transaction, so an interrupted run keeps what it finished and a second run
    takes up the rest (they are no longer stale).
    """
    done: list[Rejudged] = []
    for change_id in change_ids:
        with session_scope(engine) as session:
            result = _rejudge_one(session, change_id)
        done.append(result)
        if on_done is not None:
            on_done(result)
    return done


def _rejudge_one(session: Session, change_id: int) -> Rejudged:
    change = session.get(Change, change_id)
    assert change is not None, f"no change {change_id}"
    old, new = session.get(Version, change.from_version_id), session.get(Version, change.to_version_id)
    assert old is not None and new is not None, f"change {change_id} lost a version"
    before = change_label(change)
    apply_verdict(change, judge(version_text(session, old), version_text(session, new)))
    session.add(change)
    for content_hash in {old.content_hash, new.content_hash}:
        ensure_stored(session, content_hash)  # a stale profile is recomputed and stored
    return Rejudged(change_id, change.document_id, before, change_label(change))
