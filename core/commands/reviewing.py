"""``review``: mark a change's alert as reviewed in this conversation (the alert's "Mark reviewed")."""

from __future__ import annotations

from dataclasses import replace

from core.alerts import outbox, reviews, subscriptions
from core.commands.context import Context
from core.commands.invocation import Invocation
from core.commands.parsing import Spec
from core.errors import UsageError
from core.messages import Message
from core.storage.database import session_scope


async def review(context: Context, call: Invocation) -> Message:
    """Record the reviewer and return the alert as it now reads, to replace the one the button was on."""
    place = context.require_place("review")
    if not call.args[0].isdigit():
        raise UsageError(f"`review` takes a change number, not {call.args[0]!r}")
    change_id = int(call.args[0])
    with session_scope(context.engine) as session:
        # an existing destination as it is (a dead one stays dead); a new one only where none was
        dest = subscriptions.find_destination(session, place) or subscriptions.destination(session, place)
        done = reviews.mark_reviewed(session, change_id, dest, context.caller)
        alert = outbox.change_alert(session, context.settings, change_id, reviews.reviewed_field(done))
    return replace(alert, replaces=True)


SPECS = (
    Spec(
        "review",
        "review <change>",
        "mark a change's alert as reviewed here, recording who reviewed it",
        admin=False,
        handler=review,
        min_args=1,
        max_args=1,
    ),
)
