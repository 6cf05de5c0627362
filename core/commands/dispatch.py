"""Running a chat command: find it, check who may run it, run it, and audit what admins did.

This is the whole of the bot's chat behaviour, platform-neutral: an adapter passes what the user typed
after the bot's name and renders the ``Message`` that comes back. Errors a user can fix come back as
messages; anything else propagates for the adapter to log.
"""

from __future__ import annotations

import shlex

from sqlmodel import Session

from core import messages
from core.commands import (
    administering,
    cataloguing,
    history,
    reading,
    reviewing,
    subscribing,
    tracking,
)
from core.commands.context import Context
from core.commands.help import help_spec
from core.commands.parsing import Spec, find
from core.errors import AmbiguousError, ClausewatchError, UsageError
from core.messages import Message
from core.registry import admins
from core.storage.database import session_scope

COMMANDS: dict[str, Spec] = {}
"""Every command by name, in the order ``help`` lists them."""

COMMANDS.update(
    (spec.name, spec)
    for spec in (
        *tracking.SPECS,
        *history.SPECS,
        *subscribing.SPECS,
        *reviewing.SPECS,
        *reading.SPECS,
        *cataloguing.SPECS,
        *administering.SPECS,
        help_spec(COMMANDS),
    )
)


ACTIONS = {"mark_reviewed": "review", "mute_vendor": "mute"}
"""The command each alert button runs (``core.messages.Button.action``); "open_url" only opens a link."""


def usage_of(name: str) -> str:
    """The usage line of a command, e.g. for an adapter's own help text."""
    return COMMANDS[name].usage


def needs_admin(text: str) -> bool:
    """Whether ``text`` runs an admin command, so an adapter asks the platform about the caller only
    when the answer matters (it costs an API call)."""
    try:
        spec, _ = find(text.strip() or "help", COMMANDS)
    except UsageError:
        return False
    return spec.admin


def action_command(action: str, value: str) -> str | None:
    """The command an alert button runs, executed like a typed one (same admin check, same audit);
    None for a button that only opens a link."""
    command = ACTIONS.get(action)
    return f"{command} {shlex.quote(value)}" if command else None


async def execute(context: Context, text: str) -> Message:
    """Run what the user typed (empty: ``help``) and return the reply."""
    text = text.strip() or "help"
    try:
        spec, rest = find(text, COMMANDS)
    except UsageError as exc:
        return messages.error(str(exc))
    try:
        if spec.admin:
            return await _run_as_admin(context, spec, rest, text)
        return await spec.handler(context, spec.bind(rest, text))
    except ClausewatchError as exc:
        mistyped = isinstance(exc, UsageError | AmbiguousError)  # the usage line shows how to say it
        return messages.error(str(exc), spec.usage if mistyped else None)


async def _run_as_admin(context: Context, spec: Spec, rest: str, text: str) -> Message:
    """Run a command that changes what is watched or who hears of it, if the caller may, and audit it.

    A refusal or failure is recorded in a transaction of its own, so it stays in the log while the
    command's own changes are rolled back.
    """
    with session_scope(context.engine) as session:
        allowed = admins.is_admin(session, context.caller)
        if not allowed:
            _audit(session, context, spec, text, "refused", "not an admin")
    if not allowed:
        return _refusal(context, spec)
    try:
        return await spec.handler(context, spec.bind(rest, text))
    except Exception as exc:
        reason = str(exc) if isinstance(exc, ClausewatchError) else f"unexpected {type(exc).__name__}: {exc}"
        with session_scope(context.engine) as session:
            _audit(session, context, spec, text, "error", reason)
        raise


def _audit(session: Session, context: Context, spec: Spec, text: str, outcome: str, detail: str) -> None:
    admins.audit(session, context.caller, spec.name, text, outcome, detail)


def _refusal(context: Context, spec: Spec) -> Message:
    return Message(
        title=f"Only workspace admins or clausewatch admins can run `{spec.name}`.",
        text=f"Ask an admin to add you with `admins add {context.caller.user_id}`.",
        kind="refused",
        private=True,
    )
