"""What documents said and how they changed: ``history`` and ``diff``.

A diff reads the verdict through ``core.reading.changes`` like alerts and the diff page: a recorded
change's stored verdict and clause pairs (what alerts quoted); only a pair of versions no change connects
is judged afresh.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlmodel import Session

from core.alerts.signed_links import diff_url
from core.commands.context import Context
from core.commands.invocation import Invocation
from core.commands.parsing import Spec
from core.commands.tracking import named_documents
from core.errors import AmbiguousError, NotFoundError, UsageError
from core.messages import Field, Link, Message, Quote, clip, plural
from core.pipeline.versions import versions_of, versions_to_compare
from core.reading.changes import (
    ChangeView,
    change_into,
    change_label,
    change_view,
    list_changes,
    view_between,
)
from core.registry.documents import Tracked
from core.storage.database import read_scope
from core.storage.models import Version

MAX_QUOTES = 10
"""Clauses a diff quotes; the rest are counted (the CLI's ``clausewatch diff`` shows every one)."""
MAX_VERSIONS = 15
"""Versions ``history`` lists per document, the newest; older ones are counted."""


async def history(context: Context, call: Invocation) -> Message:
    """Each document's versions, oldest first: date, how it was obtained, and the verdict of its change."""
    with read_scope(context.engine) as session:
        named = named_documents(session, call.args[0], active_only=False)
        found = [(tracked, versions_of(session, tracked.document.id or 0)) for tracked in named]
        several = len(found) > 1
        lines = [line for t, versions in found for line in _history_lines(session, t, versions, several)]
    count = sum(len(versions) for _, versions in found)
    name = named[0].vendor.name if several else f"{named[0].vendor.name} {named[0].document.doc_type}"
    return Message(title=f"History of {name}: {plural(count, 'version')}", items=tuple(lines))


def _history_lines(session: Session, tracked: Tracked, versions: list[Version], several: bool) -> list[str]:
    """A line per version, the newest: "2023-08-07 (fetched): AI training: restricts (vendor, high)"."""
    prefix = f"{tracked.document.doc_type}, " if several else ""
    if not versions:
        return [f"{prefix}no version yet"]
    hidden = max(len(versions) - MAX_VERSIONS, 0)
    lines = [f"{prefix}…{plural(hidden, 'earlier version')}"] if hidden else []
    return lines + [
        f"{prefix}{v.effective_date} ({v.source}): {_version_label(session, v)}" for v in versions[hidden:]
    ]


def _version_label(session: Session, version: Version) -> str:
    change = change_into(session, version.id or 0)
    return change_label(change) if change else "first version"


async def diff(context: Context, call: Invocation) -> Message:
    """The latest recorded change of a vendor's documents, or the change between the versions of two days."""
    start, end = (_day(call.args[i]) if len(call.args) > i else None for i in (1, 2))
    if start and end and start > end:
        raise UsageError(f"the first date ({start}) is after the second ({end})")
    with read_scope(context.engine) as session:
        named = named_documents(session, call.args[0], active_only=False)
        found = _between(session, _one(named), start, end) if start or end else _latest_change(session, named)
        full = diff_url(session, context.settings, found.change.id) if found.change.id else None
    return _diff_message(found, full)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"dates are written YYYY-MM-DD, not {text!r}") from None


def _one(named: list[Tracked]) -> Tracked:
    """The document a diff between dates is about: a vendor with several must say which."""
    if len(named) > 1:
        refs = ", ".join(t.ref for t in named)
        raise AmbiguousError(
            f"{named[0].vendor.name} has several documents ({refs}); name one as vendor/type"
        )
    return named[0]


def _latest_change(session: Session, named: list[Tracked]) -> ChangeView:
    """The newest recorded change among the documents, with its stored verdict and clause pairs."""
    rows = [row for t in named for row in list_changes(session, document_id=t.document.id)[:1]]
    if not rows:
        raise NotFoundError(f"no change of {named[0].vendor.name}'s documents is recorded yet")
    change, _document, _vendor, _new = max(rows, key=lambda row: (row[3].effective_date, row[0].id or 0))
    return change_view(session, change.id or 0)


def _between(session: Session, tracked: Tracked, start: date | None, end: date | None) -> ChangeView:
    """The versions in force on ``start`` (default: the one before) and ``end`` (default: the latest)."""
    try:
        old, new = versions_to_compare(session, tracked.document.id or 0, start, end)
    except NotFoundError as exc:
        raise NotFoundError(f"{tracked.ref}: {exc}") from None
    return view_between(session, old, new)


def _diff_message(found: ChangeView, full: str | None) -> Message:
    """The verdict, then the AI-training clauses quoted first and the other substantive ones after."""
    clauses = sorted(found.clauses, key=lambda clause: not clause["ai"])
    kinds = Counter(clause["kind"] for clause in clauses)
    hidden = len(clauses) - MAX_QUOTES
    more = f"\n…and {plural(hidden, 'more clause')} changed." if hidden > 0 else ""
    page = found.new.url or found.document.url  # imported history may have none
    return Message(
        title=f"{found.name}: {found.old.effective_date} → {found.new.effective_date}",
        text=(found.change.summary or "") + more,
        fields=(
            Field("Verdict", found.label),
            Field(
                "Clauses", f"{kinds['added']} added, {kinds['removed']} removed, {kinds['modified']} modified"
            ),
        ),
        quotes=tuple(_clause_quote(clause) for clause in clauses[:MAX_QUOTES]),
        links=(*((Link("The page", page),) if page else ()), *((Link("Full diff", full),) if full else ())),
    )


def _clause_quote(clause: dict[str, Any]) -> Quote:
    """A stored clause pair as a quote: the word diff of a modified clause, else its added or removed text."""
    label = f"§ {clause['id']} {clause['kind']}" + (", AI training" if clause["ai"] else "")
    text = (clause["kind"] == "modified" and clause["diff"]) or clause["new"] or clause["old"] or ""
    return Quote(clip(text), label)


SPECS = (
    Spec(
        "history",
        "history <vendor or vendor/type>",
        "every stored version, with the verdict of each change",
        admin=False,
        handler=history,
        min_args=1,
        max_args=1,
    ),
    Spec(
        "diff",
        "diff <vendor or vendor/type> [from-date] [to-date]",
        "what changed, clause by clause (default: the latest change), AI-training clauses first",
        admin=False,
        handler=diff,
        min_args=1,
        max_args=3,
    ),
)
