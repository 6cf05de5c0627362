"""The overview a chat app shows on its home tab: what is tracked, what changed lately, who hears of it.

Platform-neutral like every reply: a list of ``Message`` sections that the Slack App Home (or a Teams
tab) lays out, so what the overview says is decided once, here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, col, select

from core.alerts import subscriptions
from core.answers.register import vendor_profiles
from core.messages import Message
from core.reading.changes import change_label, list_changes
from core.reading.verdicts import VERDICT_LABELS, AnswerVerdict
from core.storage.models import Destination

SHOWN = 25
"""Rows per section; the commands named in each section show the rest."""
AT_A_GLANCE = {
    "customer_content_training": "trains on customer content",
    "usage_data_training": "on usage data",
    "third_party_training": "third parties train",
}
"""The profile points a one-line summary shows, with their short names."""


def overview(session: Session, platform: str, workspace: str, today: date | None = None) -> list[Message]:
    """Tracked vendors with their AI data-use profile at a glance, recent changes, and this workspace's
    subscriptions."""
    return [_vendors(session, today), _recent_changes(session), _subscriptions(session, platform, workspace)]


def _vendors(session: Session, today: date | None) -> Message:
    register = vendor_profiles(session, as_of=today)
    lines = [f"{entry.vendor}: {_at_a_glance(entry.values)}" for entry in register[:SHOWN]]
    return Message(
        title=f"Tracked vendors ({len(register)})",
        text=_more(len(register), "`profile <vendor>` shows a vendor's deciding clauses")
        if register
        else "Nothing is tracked yet: an admin can run `track zoom` or `track <url>`.",
        items=tuple(lines),
    )


def _at_a_glance(values: Mapping[str, AnswerVerdict]) -> str:
    """ "trains on customer content: No · on usage data: Yes · third parties train: Not stated"."""
    return " · ".join(f"{short}: {VERDICT_LABELS[values[point]]}" for point, short in AT_A_GLANCE.items())


def _recent_changes(session: Session) -> Message:
    rows = list_changes(session, limit=SHOWN)
    lines = [
        f"{version.effective_date.isoformat()} {vendor.name} {doc.doc_type}: {change_label(change)}"
        for change, doc, vendor, version in rows
    ]
    return Message(
        title="Recent changes",
        text="`history <vendor>` and `diff <vendor>` show more." if rows else "No change recorded yet.",
        items=tuple(lines),
    )


def _subscriptions(session: Session, platform: str, workspace: str) -> Message:
    dests = session.exec(
        select(Destination)
        .where(Destination.platform == platform, Destination.workspace == workspace)
        .order_by(col(Destination.name), col(Destination.id))
    ).all()
    subscribed = [(dest, subscriptions.subscriptions_of(session, dest)) for dest in dests]
    subscribed = [(dest, subs) for dest, subs in subscribed if subs]
    lines = [
        f"{dest.name}: {subscriptions.describe(sub, vendor)}"
        + (" (delivery stopped)" if dest.state == "dead" else "")
        for dest, subs in subscribed
        if dest.name
        for sub, vendor in subs
    ]
    # direct conversations have no name: whose they are is not for a tab every member sees
    unnamed = sum(1 for dest, _ in subscribed if not dest.name)
    text = (
        _more(len(lines), "`subscriptions` in a channel lists its own")
        if lines
        else ("No channel is subscribed: an admin can run `subscribe` in a channel.")
    )
    if unnamed:
        text += f" {unnamed} direct conversation{'s' if unnamed != 1 else ''} also get alerts."
    return Message(title="Subscriptions in this workspace", text=text, items=tuple(lines[:SHOWN]))


def _more(count: int, hint: str) -> str:
    """The hint, after how many rows are not shown."""
    hidden = count - SHOWN
    return f"{hidden} more not shown; {hint}." if hidden > 0 else f"{hint[0].upper()}{hint[1:]}."
