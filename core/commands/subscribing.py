"""Who hears about changes: ``subscribe``, ``unsubscribe``, ``mute``, ``unmute`` and ``subscriptions``,
for the conversation the command is typed in (alerts go where the subscription was made)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, func, select

from core.alerts import subscriptions
from core.commands.context import Context
from core.commands.invocation import Invocation, Option
from core.commands.parsing import Spec
from core.errors import NotFoundError, UsageError
from core.messages import Field, Message, plural
from core.registry.names import resolve_vendor
from core.storage.database import read_scope, session_scope
from core.storage.models import Alert, Destination, Vendor


async def subscribe(context: Context, call: Invocation) -> Message:
    """Subscribe this conversation to vendors' changes (default: every tracked vendor)."""
    place = context.require_place("subscribe")
    if call.flag("--ai-only") and call.flag("--all-changes"):
        raise UsageError("--ai-only and --all-changes exclude each other; give one")
    with session_scope(context.engine) as session:
        vendors = _vendors(session, call.args)
        subs = subscriptions.subscribe(
            session,
            subscriptions.destination(session, place),
            vendors,
            changes="all" if call.flag("--all-changes") else "ai",
            min_severity=call.value("--min-severity") or "low",
            digest=call.value("--digest") or "none",
            created_by=context.caller.user_id,
        )
        targets: list[Vendor | None] = [*vendors] or [None]  # no vendor named: every vendor
        lines = tuple(subscriptions.describe(sub, v) for sub, v in zip(subs, targets, strict=True))
        context.audit_ok(session, call, "; ".join(lines))
    return Message(title=f"Subscribed {place.name or 'this conversation'} to:", items=lines)


async def unsubscribe(context: Context, call: Invocation) -> Message:
    """Remove this conversation's subscriptions to vendors (default: all of them)."""
    place = context.require_place("unsubscribe")
    with session_scope(context.engine) as session:
        vendors = _vendors(session, call.args)
        dest = subscriptions.find_destination(session, place)
        removed = subscriptions.unsubscribe(session, dest, vendors) if dest else 0
        if not removed:
            which = " to " + ", ".join(v.name for v in vendors) if vendors else "s"
            raise NotFoundError(f"this conversation has no subscription{which}; `subscriptions` lists them")
        context.audit_ok(session, call, f"removed {plural(removed, 'subscription')}")
    return Message(
        title=f"Removed {plural(removed, 'subscription')}.",
        text="Alerts of those subscriptions still waiting to be sent are cancelled.",
    )


async def mute(context: Context, call: Invocation) -> Message:
    """No alerts about these vendors here, even under a subscription to every vendor."""
    place = context.require_place("mute")
    with session_scope(context.engine) as session:
        vendors = _vendors(session, call.args)
        dest = subscriptions.destination(session, place)
        subscriptions.mute(session, dest, vendors, created_by=context.caller.user_id)
        names = ", ".join(v.name for v in vendors)
        context.audit_ok(session, call, f"muted {names}")
    return Message(
        title=f"Muted {names} in {place.name or 'this conversation'}.",
        text="Alerts about them still waiting here are cancelled. "
        f"`unmute {' '.join(v.slug for v in vendors)}` lifts it.",
    )


async def unmute(context: Context, call: Invocation) -> Message:
    """Lift a mute: the vendors' alerts come here again."""
    place = context.require_place("unmute")
    with session_scope(context.engine) as session:
        vendors = _vendors(session, call.args)
        dest = subscriptions.find_destination(session, place)
        lifted = subscriptions.unmute(session, dest, vendors) if dest else 0
        if not lifted:
            raise NotFoundError("none of those vendors is muted here; `subscriptions` lists what is")
        names = ", ".join(v.name for v in vendors)
        context.audit_ok(session, call, f"unmuted {names}")
    return Message(title=f"Unmuted {names} in {place.name or 'this conversation'}.")


async def list_subscriptions(context: Context, _call: Invocation) -> Message:
    """This conversation's subscriptions, whether delivery to it stopped, and alerts still to send."""
    place = context.require_place("subscriptions")
    with read_scope(context.engine) as session:
        dest = subscriptions.find_destination(session, place)
        rows = subscriptions.subscriptions_of(session, dest) if dest else []
        pending = _pending_alerts(session, dest) if dest else 0
    if dest is None or not rows:
        return Message(
            title="This conversation has no subscriptions.",
            text="An admin can run `subscribe` (every tracked vendor) or `subscribe zoom`.",
        )
    fields = [Field("Alerts waiting to be sent", str(pending))]
    if dest.state == "dead":
        fields.append(Field("Delivery stopped", dest.dead_reason or "no reason recorded"))
    return Message(
        title=f"{place.name or 'This conversation'} hears about:",
        items=tuple(subscriptions.describe(sub, vendor) for sub, vendor in rows),
        fields=tuple(fields),
    )


def _vendors(session: Session, names: Sequence[str]) -> list[Vendor]:
    """The tracked vendors named, each once; a name no tracked vendor has is an error naming it."""
    ids = dict.fromkeys(resolve_vendor(session, name) for name in names)
    return [vendor for vendor_id in ids if (vendor := session.get(Vendor, vendor_id)) is not None]


def _pending_alerts(session: Session, dest: Destination) -> int:
    query = (
        select(func.count())
        .select_from(Alert)
        .where(Alert.destination_id == dest.id, Alert.state == "pending")
    )
    return session.exec(query).one()


SPECS = (
    Spec(
        "subscribe",
        "subscribe [vendor…] [--ai-only | --all-changes] [--min-severity low|medium|high] "
        "[--digest daily|weekly]",
        "send this conversation alerts (default: AI-training changes of every tracked vendor, at once)",
        admin=True,
        handler=subscribe,
        options=(
            Option("--ai-only"),
            Option("--all-changes"),
            Option("--min-severity", "low|medium|high"),
            Option("--digest", "daily|weekly"),
        ),
        max_args=None,
    ),
    Spec(
        "unsubscribe",
        "unsubscribe [vendor…]",
        "stop this conversation's alerts about vendors (default: all)",
        admin=True,
        handler=unsubscribe,
        max_args=None,
    ),
    Spec(
        "mute",
        "mute <vendor…>",
        "no alerts about these vendors here, even when subscribed to every vendor",
        admin=True,
        handler=mute,
        min_args=1,
        max_args=None,
    ),
    Spec(
        "unmute",
        "unmute <vendor…>",
        "lift a mute: alerts about these vendors come here again",
        admin=True,
        handler=unmute,
        min_args=1,
        max_args=None,
    ),
    Spec(
        "subscriptions",
        "subscriptions",
        "what this conversation hears about",
        admin=False,
        handler=list_subscriptions,
    ),
)
