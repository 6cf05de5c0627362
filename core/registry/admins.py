"""Who may change what clausewatch watches, and the audit log of every attempt to.

An admin is someone the platform says administers the workspace (a Slack owner or admin, the Teams user
who installed the app), or someone on clausewatch's own admin list for that workspace. The list exists
because platform roles are coarse: a compliance lead who is not a workspace admin can be made one here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, and_, col, or_, select

from core.errors import NotFoundError, UsageError
from core.storage.models import AuditEntry, WorkspaceAdmin


@dataclass(frozen=True)
class Caller:
    """The person behind a command, as the adapter knows them.

    ``platform_admin`` is the platform's own word (never the user's); ``place`` fields say which
    conversation the command came from, so ``subscribe`` knows where alerts should go.
    """

    platform: str
    workspace: str
    user_id: str
    user_name: str | None = None
    platform_admin: bool = False

    @property
    def label(self) -> str:
        """How audit entries and replies name the caller."""
        return f"{self.user_name} ({self.user_id})" if self.user_name else self.user_id


def is_admin(session: Session, caller: Caller) -> bool:
    """Whether the caller may run mutating commands in their workspace."""
    return caller.platform_admin or caller.user_id in admin_ids(session, caller.platform, caller.workspace)


def admin_ids(session: Session, platform: str, workspace: str) -> list[str]:
    """The user ids on clausewatch's own admin list for one workspace, in the order they were added."""
    query = (
        select(WorkspaceAdmin.user_id)
        .where(WorkspaceAdmin.platform == platform, WorkspaceAdmin.workspace == workspace)
        .order_by(col(WorkspaceAdmin.id))
    )
    return list(session.exec(query).all())


def add_admin(session: Session, caller: Caller, user_id: str) -> bool:
    """Put ``user_id`` on the caller's workspace admin list; False if already there."""
    user_id = _user(user_id)
    if user_id in admin_ids(session, caller.platform, caller.workspace):
        return False
    session.add(
        WorkspaceAdmin(
            platform=caller.platform, workspace=caller.workspace, user_id=user_id, added_by=caller.user_id
        )
    )
    session.flush()
    return True


def seed_installer(session: Session, installer: Caller) -> bool:
    """Make whoever installed the app the workspace's first admin, on a platform with no cheap way to ask
    who administers it (Teams); False when the workspace already has admins or the installer is unknown."""
    if not installer.user_id or admin_ids(session, installer.platform, installer.workspace):
        return False
    return add_admin(session, installer, installer.user_id)


def remove_admin(session: Session, caller: Caller, user_id: str) -> None:
    """Take ``user_id`` off the list; only a platform admin may remove the last listed admin."""
    user_id = _user(user_id)
    row = session.exec(
        select(WorkspaceAdmin).where(
            WorkspaceAdmin.platform == caller.platform,
            WorkspaceAdmin.workspace == caller.workspace,
            WorkspaceAdmin.user_id == user_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(f"{user_id} is not on this workspace's clausewatch admin list")
    if not caller.platform_admin and admin_ids(session, caller.platform, caller.workspace) == [user_id]:
        raise UsageError("that would leave no admin here; add another admin first")
    session.delete(row)
    session.flush()


def _user(user_id: str) -> str:
    """Accept a user id, or a platform mention of one (``<@U123>``, ``@U123``)."""
    cleaned = user_id.strip().removeprefix("<").removesuffix(">").lstrip("@!")
    if not cleaned or any(ch.isspace() for ch in cleaned):
        raise UsageError(f"not a user id: {user_id!r}")
    return cleaned


def audit(
    session: Session, caller: Caller, action: str, command: str, outcome: str, detail: str | None = None
) -> None:
    """Record one admin action (``outcome``: ``ok``, ``refused`` or ``error``) in the caller's transaction."""
    session.add(
        AuditEntry(
            platform=caller.platform,
            workspace=caller.workspace,
            user_id=caller.user_id,
            user_name=caller.user_name,
            action=action,
            command=command[:2000],
            outcome=outcome,
            detail=detail[:2000] if detail else None,
        )
    )


GLOBAL_ACTIONS = ("track", "untrack", "check", "catalog add")
"""Actions on what the whole installation watches, shared by every workspace, so each workspace's
``audit`` shows them whoever ran them."""


def audit_log(session: Session, platform: str, workspace: str, limit: int = 50) -> list[AuditEntry]:
    """The newest audit entries of one workspace, with every workspace's actions on what is watched."""
    here = and_(col(AuditEntry.platform) == platform, col(AuditEntry.workspace) == workspace)
    query = (
        select(AuditEntry)
        .where(or_(here, col(AuditEntry.action).in_(GLOBAL_ACTIONS)))
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())
