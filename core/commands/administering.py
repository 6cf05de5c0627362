"""Who may change what is watched, and what they did: ``admins add|remove|list`` and ``audit``."""

from __future__ import annotations

from core.commands.context import Context
from core.commands.invocation import Invocation
from core.commands.parsing import Spec
from core.messages import Message, clip
from core.registry import admins
from core.storage.database import read_scope, session_scope
from core.storage.models import AuditEntry

AUDIT_ENTRIES = 20
"""Audit entries ``audit`` shows, the newest."""


async def add_admin(context: Context, call: Invocation) -> Message:
    """Put a user on this workspace's clausewatch admin list."""
    user = call.args[0]
    with session_scope(context.engine) as session:
        added = admins.add_admin(session, context.caller, user)
        title = f"{user} is now a clausewatch admin here." if added else f"{user} already is an admin here."
        context.audit_ok(session, call, title)
    return Message(title=title)


async def remove_admin(context: Context, call: Invocation) -> Message:
    """Take a user off this workspace's clausewatch admin list."""
    user = call.args[0]
    with session_scope(context.engine) as session:
        admins.remove_admin(session, context.caller, user)
        title = f"{user} is no longer a clausewatch admin here."
        context.audit_ok(session, call, title)
    return Message(title=title, text="Workspace admins of the platform still are.")


async def list_admins(context: Context, _call: Invocation) -> Message:
    """This workspace's clausewatch admins (besides the platform's own workspace admins)."""
    with read_scope(context.engine) as session:
        ids = admins.admin_ids(session, context.caller.platform, context.caller.workspace)
    return Message(
        title="clausewatch admins here" if ids else "No one is on clausewatch's own admin list here.",
        text="Workspace admins may run admin commands too; `admins add <user>` adds someone.",
        items=tuple(ids),
    )


async def show_audit(context: Context, call: Invocation) -> Message:
    """The newest admin actions in this workspace: who typed what, and what came of it."""
    with session_scope(context.engine) as session:
        entries = admins.audit_log(session, context.caller.platform, context.caller.workspace, AUDIT_ENTRIES)
        context.audit_ok(session, call, f"showed {len(entries)} entries")
    return Message(
        title=f"The newest {len(entries)} admin actions here" if entries else "No admin actions yet.",
        items=tuple(map(_audit_line, entries)),
        private=True,
    )


def _audit_line(entry: AuditEntry) -> str:
    """One line: "2024-05-01 09:30 UTC alice (U1): track zoom: ok (tracking zoom/terms-of-service)"."""
    who = f"{entry.user_name} ({entry.user_id})" if entry.user_name else entry.user_id
    detail = f" ({clip(entry.detail, 160)})" if entry.detail else ""
    return f"{entry.at:%Y-%m-%d %H:%M} UTC {who}: {clip(entry.command, 160)}: {entry.outcome}{detail}"


SPECS = (
    Spec(
        "admins list",
        "admins list",
        "who is a clausewatch admin in this workspace",
        admin=False,
        handler=list_admins,
    ),
    Spec(
        "admins add",
        "admins add <user>",
        "let someone run admin commands here",
        admin=True,
        handler=add_admin,
        min_args=1,
        max_args=1,
    ),
    Spec(
        "admins remove",
        "admins remove <user>",
        "take someone off the admin list",
        admin=True,
        handler=remove_admin,
        min_args=1,
        max_args=1,
    ),
    Spec(
        "audit",
        "audit",
        f"the newest {AUDIT_ENTRIES} admin actions in this workspace",
        admin=True,
        handler=show_audit,
    ),
)
