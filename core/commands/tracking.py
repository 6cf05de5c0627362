"""What is watched: ``track``, ``untrack``, ``list`` and ``check``.

In chat, people name vendors ("track zoom"), so a catalog name tracks that vendor's known documents; a URL
tracks one page. Checks run right after the transaction that tracked the documents, never inside it: a
fetch can take seconds and must not hold the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.commands.context import Context
from core.commands.invocation import Invocation, Option
from core.commands.parsing import Spec
from core.config import Settings
from core.errors import FetchError, NotFoundError, UsageError
from core.messages import Message, plural
from core.pipeline.check import CheckReport
from core.pipeline.fetch import ip_literal
from core.pipeline.scheduler import check_now
from core.pipeline.versions import versions_of
from core.registry import catalog, documents, vendors
from core.registry.catalog import CatalogDocument
from core.registry.names import resolve_vendor
from core.storage.database import read_scope, session_scope

DEFAULT_TYPE = "Terms of Service"
"""The type of a page tracked by URL when none is given: most vendors' one binding document."""

_QUIET = frozenset({"unchanged", "not-modified"})
"""Check outcomes a reply about many documents only counts."""


async def track(context: Context, call: Invocation) -> Message:
    """Track a catalog vendor's documents (or one of them), or one page by URL, and check them now."""
    target, doc_type = call.args[0], call.args[1] if len(call.args) > 1 else None
    with session_scope(context.engine) as session:
        vendor, pages = pages_to_track(session, target, doc_type, call.value("--vendor"))
    outcome = await track_pages(context.engine, context.settings, [(vendor, page) for page in pages])
    with session_scope(context.engine) as session:
        context.audit_ok(session, call, outcome.summary())
    if not outcome.kept:
        raise FetchError(f"nothing tracked: {outcome.summary()}")
    return Message(
        title=f"Tracking {vendor}: {plural(len(outcome.kept), 'document')}",
        text="Checked now; an admin can `subscribe` a channel to hear of changes.",
        items=_report_lines(outcome.reports, quiet=False),
    )


@dataclass(frozen=True)
class TrackOutcome:
    """What ``track_pages`` did: the documents kept, their first checks, what was moved or dropped."""

    kept: list[str] = field(default_factory=list)
    reports: list[CheckReport] = field(default_factory=list)
    moved: list[tuple[str, str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether any page could not be read (tracked anyway with ``keep_failed``, else dropped)."""
        return any(report.failed for report in self.reports)

    def summary(self) -> str:
        """One line for audit logs and replies."""
        parts = [f"tracking {', '.join(self.kept)}"] if self.kept else []
        parts += [f"moved {ref} from {old} to {new}" for ref, old, new in self.moved]
        if self.dropped:
            parts.append(f"not tracked (first fetch failed): {', '.join(self.dropped)}")
        return "; ".join(parts) or "nothing to track"

    def to_json(self) -> dict[str, object]:
        """The outcome as scripts read it (``track --json``)."""
        return {
            "tracked": self.kept,
            "moved": [{"ref": ref, "from": old, "to": new} for ref, old, new in self.moved],
            "dropped": self.dropped,
            "checks": [report.to_json() for report in self.reports],
        }


async def track_pages(
    engine: Engine,
    settings: Settings,
    pages: Sequence[tuple[str, CatalogDocument]],
    *,
    check: bool = True,
    keep_failed: bool = False,
    move: bool = False,
    interval_hours: float | None = None,
    browser: bool | None = None,
    on_done: Callable[[CheckReport], None] | None = None,
) -> TrackOutcome:
    """Track each (vendor, page) and check it now; a page new to clausewatch whose first fetch fails is
    not kept unless ``keep_failed`` (a typo'd URL must not sit in the list failing forever). ``move``
    re-points a vendor's document of that type to the page's URL on purpose; ``browser`` renders the pages
    in headless Chromium (None keeps each document's choice)."""
    interval = settings.check_interval_hours if interval_hours is None else interval_hours
    with session_scope(engine) as session:
        known = {t.document.id for t in documents.list_tracked(session, include_inactive=True)}
        moved: list[tuple[str, str, str]] = []
        ids = list(
            dict.fromkeys(
                _track_page(session, vendor, page, (interval, browser), move, moved) for vendor, page in pages
            )
        )  # a page named twice is tracked once
    try:
        reports = await check_now(engine, settings, ids, on_done=on_done) if check else []
    except BaseException:  # interrupted (Ctrl-C, shutdown): a page never read is not kept either
        _drop_unread(engine, [i for i in ids if i not in known])
        raise
    doomed = {r.document_id for r in reports if r.failed and r.document_id not in known and not keep_failed}
    with session_scope(engine) as session:
        dropped = [documents.purge(session, str(doc_id)).ref for doc_id in ids if doc_id in doomed]
        kept = [documents.resolve(session, str(doc_id)).ref for doc_id in ids if doc_id not in doomed]
    return TrackOutcome(kept, reports, moved, dropped)


def _drop_unread(engine: Engine, ids: list[int]) -> None:
    """Purge the documents just created that got no version (their first check never finished)."""
    with session_scope(engine) as session:
        for doc_id in ids:
            tracked = documents.resolve(session, str(doc_id))
            if tracked.latest is None:
                documents.purge(session, str(doc_id))


def _track_page(
    session: Session,
    vendor: str,
    page: CatalogDocument,
    how: tuple[float, bool | None],
    move: bool,
    moved: list[tuple[str, str, str]],
) -> int:
    """Track one page (or resume tracking it) at ``how`` (interval, browser); with ``move``, re-point the
    vendor's document of its type."""
    if move:
        existing = documents.find(session, vendor, page.type)
        if existing is not None and not documents.same_url(existing.document.url, page.url):
            tracked, old_url = documents.move(session, existing.ref, page.url)
            moved.append((tracked.ref, old_url, page.url))
    doc = documents.track(
        session,
        page.url,
        vendor,
        page.type,
        select_css=list(page.select) or None,  # no recipe given keeps the document's
        remove_css=list(page.remove) or None,
        interval_hours=how[0],
        browser=how[1],
    )
    return doc.id or 0


def pages_to_track(
    session: Session, target: str, doc_type: str | None, vendor: str | None
) -> tuple[str, list[CatalogDocument]]:
    """The vendor name and the pages ``track`` means: a URL's page, or catalog documents."""
    if "://" in target:
        page = CatalogDocument(type=doc_type or DEFAULT_TYPE, url=target)
        return vendor or vendor_of_url(target), [page]
    entry = catalog.load(session).resolve(target)
    vendor = vendor or vendors.stored_name(session, [entry.name, *entry.aliases]) or entry.name
    if doc_type is None:
        return vendor, list(entry.documents)
    page_found = entry.document(doc_type)
    if page_found is None:
        kinds = ", ".join(doc.type for doc in entry.documents)
        raise NotFoundError(f"the catalog has no {doc_type!r} of {entry.name}, only: {kinds}")
    return vendor, [page_found]


def vendor_of_url(url: str) -> str:
    """The vendor a URL's host names: its main label ("https://legal.acme.co.uk/terms" -> "Acme")."""
    host = urlsplit(url).hostname or ""
    labels = [label for label in host.split(".") if label and label != "www"]
    if not labels or ip_literal(host) is not None:
        raise UsageError(f"name the vendor of {url}, e.g. --vendor Acme")
    second_level = (
        len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "org", "net", "ac"}
    )
    main = labels[-3] if second_level else labels[-2] if len(labels) > 1 else labels[0]
    return main[:1].upper() + main[1:]


async def untrack(context: Context, call: Invocation) -> Message:
    """Stop checking a vendor's documents (or one); their history stays for questions and diffs."""
    with session_scope(context.engine) as session:
        named = named_documents(session, call.args[0], active_only=True)
        for tracked in named:
            documents.untrack(session, str(tracked.document.id))
        kept = sum(len(versions_of(session, t.document.id or 0)) for t in named)
        refs = ", ".join(t.ref for t in named)
        context.audit_ok(session, call, f"stopped tracking {refs}")
    return Message(
        title=f"Stopped tracking {refs}",
        text=f"Their {plural(kept, 'stored version')} stay for `history`, `diff` and questions.",
    )


async def list_documents(context: Context, _call: Invocation) -> Message:
    """The documents being watched, with their latest version and any trouble."""
    with read_scope(context.engine) as session:
        rows = documents.list_tracked(session)
    if not rows:
        return Message(
            title="Nothing is tracked yet.",
            text="An admin can start with `track zoom`; `catalog` lists the vendors clausewatch knows.",
        )
    vendors = len({t.vendor.id for t in rows})
    items = []
    for t in rows:
        latest = f"version of {t.latest.effective_date}" if t.latest else "no version yet"
        trouble = "" if t.document.state in ("ok", "new") else f"; {t.document.state}"
        trouble += f": {t.document.last_error}" if t.document.last_error else ""
        items.append(f"{t.vendor.name} {t.document.doc_type} ({t.ref}): {latest}{trouble}")
    return Message(
        title=f"Tracking {plural(len(rows), 'document')} of {plural(vendors, 'vendor')}", items=tuple(items)
    )


async def check(context: Context, call: Invocation) -> Message:
    """Fetch a vendor's documents (default: every tracked one) now and record what changed."""
    with read_scope(context.engine) as session:
        named = (
            named_documents(session, call.args[0], active_only=True)
            if call.args
            else documents.list_tracked(session)
        )
    if not named:
        raise NotFoundError("nothing is tracked yet; `track zoom` starts watching a vendor")
    reports = await check_now(context.engine, context.settings, [t.document.id or 0 for t in named])
    counts = Counter(report.status for report in reports)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    with session_scope(context.engine) as session:
        context.audit_ok(session, call, summary)
    return Message(
        title=f"Checked {plural(len(reports), 'document')}: {summary}",
        items=_report_lines(reports, quiet=len(reports) > 1),
    )


def _report_lines(reports: Sequence[CheckReport], *, quiet: bool) -> tuple[str, ...]:
    """One line per check outcome; with ``quiet``, only those that are news (changes, errors)."""
    return tuple(f"{r.ref}: {r.message}" for r in reports if not (quiet and r.status in _QUIET))


def named_documents(session: Session, ref: str, *, active_only: bool) -> list[documents.Tracked]:
    """The documents a chat user means: one named as vendor/type, URL or id, or all of a vendor's.

    ``active_only`` leaves out documents no longer tracked (their history is still there for ``history``).
    """
    if "/" in ref or ref.isdigit():
        return [documents.resolve(session, ref)]
    vendor_id = resolve_vendor(session, ref)
    tracked = documents.list_tracked(session, include_inactive=not active_only)
    found = [t for t in tracked if t.vendor.id == vendor_id]
    if not found:
        raise NotFoundError(f"no document of {ref!r} is being tracked; `history {ref}` shows what was kept")
    return found


SPECS = (
    Spec(
        "track",
        "track <vendor or URL> [type] [--vendor NAME]",
        "start watching a vendor's documents (a name from `catalog`), or one page by URL",
        admin=True,
        handler=track,
        options=(Option("--vendor", "NAME"),),
        min_args=1,
        max_args=2,
    ),
    Spec(
        "untrack",
        "untrack <vendor or vendor/type>",
        "stop watching; the history is kept",
        admin=True,
        handler=untrack,
        min_args=1,
        max_args=1,
    ),
    Spec(
        "list",
        "list",
        "what is watched, with each document's latest version",
        admin=False,
        handler=list_documents,
    ),
    Spec(
        "check",
        "check [vendor]",
        "fetch now and report what changed (default: every tracked document)",
        admin=True,
        handler=check,
        max_args=1,
    ),
)
