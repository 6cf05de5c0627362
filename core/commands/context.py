"""Who typed a command and where: what every handler is given besides the command itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.alerts.subscriptions import Place
from core.commands.invocation import Invocation
from core.config import Settings
from core.errors import UsageError
from core.registry import admins


@dataclass(frozen=True)
class Context:
    """A command's circumstances, as the adapter knows them.

    ``place`` is the conversation the command came from; None when there is none (a direct API call),
    and then the commands about a conversation's subscriptions explain that. ``today`` pins the date in
    tests (default: the real day).
    """

    engine: Engine
    settings: Settings
    caller: admins.Caller
    place: Place | None
    today: date | None = None

    def require_place(self, command: str) -> Place:
        """The conversation, for commands that act on it."""
        if self.place is None:
            raise UsageError(f"`{command}` works in a channel or chat, which this request did not come from")
        return self.place

    def audit_ok(self, session: Session, call: Invocation, detail: str) -> None:
        """Record that an admin command succeeded, in the transaction that made its change.

        So the log never claims a change that was rolled back, nor misses one that was made; the
        dispatcher records refusals and failures itself.
        """
        admins.audit(session, self.caller, call.name, call.text, "ok", detail)
