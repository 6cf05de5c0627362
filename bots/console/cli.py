"""The ``clausewatch`` command line: a thin edge that parses arguments, calls the core and prints results.

Every user-facing failure is a ``ClausewatchError`` and is printed as one line on stderr with exit code 1;
set ``CLAUSEWATCH_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import replace
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.errors import ClausewatchError, NotFoundError, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from core.answers import register
    from core.commands.tracking import TrackOutcome
    from core.config import Settings
    from core.pipeline.check import CheckReport
    from core.registry import documents
    from core.registry.catalog import CatalogDocument
    from core.storage.models import Change, Document, Vendor, Version

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
"""Exit codes: success; something failed (a document could not be read, nothing was tracked, a name matched
nothing, a conflict); the command line itself was wrong (click's own usage errors exit 2 too)."""

app = typer.Typer(
    help="Watch vendors' terms and privacy policies; keep every version; diff them clause by clause and "
    "flag changes to AI-training language.",
    epilog="Start with [bold]clausewatch demo[/]; then [bold]clausewatch track URL --vendor NAME "
    "--type tos[/], [bold]clausewatch check[/] and [bold]clausewatch changes --ai-only[/]. "
    "Settings: CLAUSEWATCH_* variables (see README.md). "
    "Exit codes: 0 success, 1 failure (a document failed, nothing tracked, an unknown name), 2 usage error, "
    "130 interrupted.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        print(f"clausewatch {version('clausewatch')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options of clausewatch itself, before any command."""


# Piped output is never wrapped (a URL or id split over two lines breaks scripts): lines are soft-wrapped
# and tables are as wide as their rows (``_show``); rules and panels keep the usual 80 columns.
_PIPED = not sys.stdout.isatty() and "COLUMNS" not in os.environ
out = Console(highlight=False, emoji=False, soft_wrap=_PIPED)
_tables = Console(highlight=False, emoji=False, width=100_000) if _PIPED else out


def _value_metavar(param: typer.core.TyperOption, ctx: object) -> str | None:
    """``--interval HOURS`` rather than ``<float>``: an option's help shows its metavar, or its name in
    capitals; a flag and an argument (already named) show none."""
    if param.is_flag or param.count:
        return None
    return param.metavar or (param.name or "value").upper()


typer.core.TyperOption.display_type_rich = _value_metavar  # type: ignore[method-assign,assignment]
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)  # an error stays one line


def _settings() -> Settings:
    """The settings from the environment, with the statement reader they choose in use; a value of the
    wrong type is one line naming the variable."""
    from pydantic import ValidationError

    from core.config import Settings
    from core.reading import readers

    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CLAUSEWATCH_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise ClausewatchError(f"{name}: {first['msg']} (got {first.get('input')!r})") from None
    readers.configure(settings)
    return settings


def _engine(settings: Settings | None = None) -> Engine:
    from core.storage import database

    return database.open_engine((settings or _settings()).database_url)


def _parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} takes a date as YYYY-MM-DD, not {text!r}") from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the current version."""
    from sqlmodel import Session

    from core.reading import READER_VERSION, rejudging
    from core.storage import database

    settings = _settings()
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine)
    out.print(f"database at revision {database.current_revision(engine)}: {engine.url.render_as_string()}")
    with Session(engine) as session:
        older = rejudging.stale(session)
    if older:
        out.print(
            f"{older.changes} change verdicts and {older.profiles} profiles were made by older rules "
            f"(reader version < {READER_VERSION}): `clausewatch rejudge --all` recomputes them without "
            "alerting anyone again"
        )


@app.command()
def rejudge(
    docs: Annotated[list[str] | None, typer.Argument(help="Documents whose changes to judge again.")] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="Every document's changes.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Also changes the current rules already judged.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Judge stored changes again with the current rules (stale ones by default); never re-alerts."""
    from sqlmodel import Session

    from core.reading import READER_VERSION, rejudging
    from core.registry import documents

    if bool(docs) == all_docs:
        raise UsageError("name the documents to rejudge, or use --all")
    engine = _engine()
    with Session(engine) as session:
        ids = [documents.resolve(session, ref).document.id or 0 for ref in docs] if docs else None
        todo = rejudging.changes_to_rejudge(session, ids, force=force)
    with _bar(disable=len(todo) < 2 or as_json) as progress:
        task = progress.add_task("rejudging", total=len(todo))
        results = rejudging.rejudge(engine, todo, on_done=lambda _result: progress.advance(task))
    moved = [r for r in results if r.moved]
    if as_json:
        rows = [{"change": r.change_id, "before": r.before, "after": r.after} for r in moved]
        print(json.dumps({"rejudged": len(results), "moved": rows, "reader_version": READER_VERSION}))
        return
    for r in moved:
        out.print(f"change {r.change_id}: {r.before} -> {r.after}", markup=False)
    out.print(f"rejudged {len(results)} changes with reader version {READER_VERSION}; {len(moved)} moved")


@app.command(
    help="Start tracking a vendor's document at URL, or a catalog vendor's documents, and check them now.\n\n"
    "A page new to clausewatch whose first fetch fails is not kept (exit 1) unless --keep-failed. An "
    "existing "
    "document is never re-pointed to another URL without --move, and a URL tracked as another document is "
    "refused."
)
def track(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="URL|VENDOR",
            help="The page's http(s) URL, or a vendor the catalog knows (`clausewatch catalog`) to track "
            "all its documents.",
        ),
    ] = None,
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", "-v", help="Vendor name (default: the catalog's, or the URL's site name)."),
    ] = None,
    doc_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            "-t",
            help="e.g. tos, privacy, 'AI Terms' (default: Terms of Service, or all of a vendor's).",
        ),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(metavar="CSS", help="Selector of the content to keep.")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option(metavar="CSS", help="Selector of noise to drop.")
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(
            metavar="HOURS", help="Hours between checks (default: CLAUSEWATCH_CHECK_INTERVAL_HOURS)."
        ),
    ] = None,
    check: Annotated[bool, typer.Option(help="Fetch it right away.")] = True,
    move: Annotated[
        bool,
        typer.Option(
            "--move", help="Re-point the vendor's document of this type to URL (its history is kept)."
        ),
    ] = False,
    browser: Annotated[
        bool | None,
        typer.Option(
            "--browser/--no-browser",
            help="Render the page in headless Chromium, for text put in by JavaScript (needs the browser "
            "extra and Debian's chromium); --no-browser fetches it over HTTP. Default: keep the current "
            "choice.",
        ),
    ] = None,
    keep_failed: Annotated[
        bool,
        typer.Option("--keep-failed", help="Keep a new page whose first fetch fails (default: drop it)."),
    ] = False,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file", metavar="CSV", help="Track every row of a CSV file: vendor,type,url[,select]."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Track pages (the help text above says what is refused and why)."""
    import asyncio

    from core.commands.tracking import pages_to_track, track_pages
    from core.storage import database

    settings = _settings()
    engine = _engine(settings)
    with database.session_scope(engine) as session:
        if from_file is not None:
            if target is not None:
                raise UsageError("give either URL|VENDOR or --from-file, not both")
            pages = _pages_from_csv(session, from_file)
        elif target is not None:
            if (select or remove) and "://" not in target:
                raise UsageError("--select and --remove apply to a page tracked by URL, not a catalog vendor")
            name, found = pages_to_track(session, target, doc_type, vendor)
            pages = [
                (name, replace(page, select=tuple(select or ()), remove=tuple(remove or ())))
                if "://" in target
                else (name, page)
                for page in found
            ]
        else:
            raise UsageError(
                "name a URL or a catalog vendor (e.g. clausewatch track zoom), or use --from-file"
            )
    with _bar(disable=not check or len(pages) < 2 or as_json) as progress:
        task = progress.add_task("tracking", total=len(pages))
        outcome = asyncio.run(
            track_pages(
                engine,
                settings,
                pages,
                check=check,
                keep_failed=keep_failed,
                move=move,
                interval_hours=interval,
                browser=browser,
                on_done=lambda _report: progress.advance(task),
            )
        )
    with database.session_scope(engine) as session:
        _audit(session, "track", outcome.summary(), ok=bool(outcome.kept))
    if as_json:
        print(json.dumps(outcome.to_json()))
    else:
        _print_track(outcome)
    if outcome.failed or not outcome.kept:
        raise typer.Exit(EXIT_FAILED)


def _pages_from_csv(session: Session, path: Path) -> list[tuple[str, CatalogDocument]]:
    """The pages a CSV file names, one per row: ``vendor,type,url`` (a header row names the columns; a row
    without a URL tracks that catalog vendor's documents of that type, or all of them)."""
    from core.commands.tracking import pages_to_track

    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not rows or not {"vendor", "url"} & rows[0].keys():
        raise UsageError(f"{path} needs a header row with the columns vendor,type,url (select is optional)")
    pages = []
    for number, row in enumerate(rows, start=2):
        url, vendor_name = (row.get("url") or "").strip(), (row.get("vendor") or "").strip()
        doc_type = (row.get("type") or "").strip() or None
        if not (url or vendor_name):
            raise UsageError(f"{path}, line {number}: name a vendor or a URL")
        name, found = pages_to_track(session, url or vendor_name, doc_type, vendor_name or None)
        selected = tuple(filter(None, (row.get("select") or "").split("|")))
        pages += [(name, replace(page, select=selected) if url and selected else page) for page in found]
    return pages


def _print_track(outcome: TrackOutcome) -> None:
    for ref, old, new in outcome.moved:
        out.print(f"moved {ref} from {old} to {new}; its next version starts afresh", markup=False)
    for report in outcome.reports:
        (err if report.failed else out).print(f"{report.ref}: {report.message}", markup=False)
    for ref in outcome.kept:
        out.print(f"tracking {ref}", markup=False)
    for ref in outcome.dropped:
        err.print(f"not tracked: {ref}: the first fetch failed (--keep-failed keeps it anyway)", markup=False)


def _audit(session: Session, action: str, detail: str, *, ok: bool = True) -> None:
    """Record a command run at the terminal in the audit log, as chat admins' commands are."""
    from bots.console.chat import console_caller
    from core.registry.admins import audit

    command = " ".join(["clausewatch", *sys.argv[1:]])
    audit(session, console_caller(), action, command, "ok" if ok else "error", detail)


@app.command()
def untrack(
    doc: Annotated[str, typer.Argument(metavar="DOCUMENT", help="Document: id, vendor/type, URL or vendor.")],
    purge: Annotated[
        bool,
        typer.Option("--purge", help="Delete it with every version, change and pending alert (asks first)."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --purge.")] = False,
) -> None:
    """Stop checking a document; its history is kept (or, with --purge, deleted)."""
    from core.pipeline.versions import versions_of
    from core.registry import documents
    from core.storage import database

    engine = _engine()
    if purge:
        with database.read_scope(engine) as session:
            tracked = documents.resolve(session, doc)
            count = len(versions_of(session, tracked.document.id or 0))
        if not yes and not _confirm(f"delete {tracked.ref} and its {count} versions for good?"):
            raise typer.Exit(EXIT_FAILED)
        with database.session_scope(engine) as session:
            purged = documents.purge(session, str(tracked.document.id))
            detail = f"purged {purged.ref}: {purged.versions} versions, {purged.changes} changes"
            _audit(session, "untrack", detail)
        out.print(detail + (" (and its vendor, now unused)" if purged.vendor_removed else ""), markup=False)
        return
    with database.session_scope(engine) as session:
        tracked = documents.untrack(session, doc)
        kept = len(versions_of(session, tracked.document.id or 0))
        _audit(session, "untrack", f"stopped tracking {tracked.ref}")
    out.print(f"stopped tracking {tracked.ref}; its {kept} versions are kept", markup=False)


def _confirm(question: str) -> bool:
    """Ask at a terminal; refuse when nobody can answer (a script must say --yes)."""
    if not sys.stdin.isatty():
        raise UsageError(f"{question.rstrip('?')}: add --yes to confirm when not at a terminal")
    return typer.confirm(question, default=False)


vendor_app = typer.Typer(
    help="Vendor records: rename one, or merge two that are the same company.", no_args_is_help=True
)
app.add_typer(vendor_app, name="vendor")


@vendor_app.command("rename")
def vendor_rename(
    name: Annotated[str, typer.Argument(metavar="VENDOR", help="The vendor as it is known now.")],
    new_name: Annotated[str, typer.Argument(metavar="NEW_NAME", help="Its name from now on.")],
) -> None:
    """Rename a vendor; its documents' references change with it, its history and subscriptions stay."""
    from core.registry import vendors
    from core.storage import database

    with database.session_scope(_engine()) as session:
        old, vendor = vendors.rename(session, name, new_name)
        _audit(session, "vendor rename", f"renamed {old!r} to {vendor.name!r}")
    out.print(f"renamed {old} to {vendor.name}: its documents are now {vendor.slug}/...", markup=False)


@vendor_app.command("merge")
def vendor_merge(
    name: Annotated[
        str, typer.Argument(metavar="VENDOR", help="The duplicate vendor, removed after the merge.")
    ],
    into: Annotated[str, typer.Argument(metavar="INTO", help="The vendor that keeps everything.")],
) -> None:
    """Move a duplicate vendor's documents and subscriptions onto another, then remove the duplicate."""
    from core.registry import vendors
    from core.storage import database

    with database.session_scope(_engine()) as session:
        merged = vendors.merge(session, name, into)
        detail = (
            f"merged {merged.removed!r} into {merged.into.name!r}: {merged.documents} documents, "
            f"{merged.subscriptions} subscriptions"
        )
        _audit(session, "vendor merge", detail)
    out.print(detail, markup=False)


@app.command()
def subscribe(
    webhook: Annotated[
        str, typer.Option("--webhook", metavar="URL", help="POST alerts as JSON to this URL.")
    ],
    vendors: Annotated[
        list[str] | None, typer.Argument(metavar="VENDOR", help="Vendors to hear about (default: all).")
    ] = None,
    all_changes: Annotated[
        bool, typer.Option("--all-changes", help="Every substantive change, not only AI-training ones.")
    ] = False,
    min_severity: Annotated[
        str, typer.Option(metavar="LEVEL", help="low, medium or high: the least severe AI change to hear of.")
    ] = "low",
    digest: Annotated[str, typer.Option(metavar="WHEN", help="none, daily or weekly.")] = "none",
) -> None:
    """Deliver alerts to a webhook (a chat bridge, a ticketing system, a SIEM), no chat platform needed.

    `clausewatch worker` (or `serve`) delivers them; the body is described in README.md."""
    from core.alerts import subscriptions
    from core.pipeline.fetch import FetchPolicy, checked_url
    from core.registry import pages
    from core.registry import vendors as vendor_records
    from core.storage import database

    url = pages.check_url(webhook)
    settings = _settings()
    checked_url(url, FetchPolicy.from_settings(settings))  # a private address is refused now, as when sending
    with database.session_scope(_engine(settings)) as session:
        named = [vendor_records.named(session, name) for name in vendors or []]
        place = subscriptions.Place("webhook", "local", url, name=url)
        subs = subscriptions.subscribe(
            session,
            subscriptions.destination(session, place),
            named,
            changes="all" if all_changes else "ai",
            min_severity=min_severity,
            digest=digest,
            created_by=_caller_label(),
        )
        what = ", ".join(v.name for v in named) or "every vendor"
        _audit(session, "subscribe", f"webhook {url} subscribed to {what}")
    kind = "every substantive change" if all_changes else f"AI-training changes (severity {min_severity}+)"
    out.print(f"{url} will receive {kind} of {what} ({len(subs)} subscriptions)", markup=False)


@app.command()
def unsubscribe(
    webhook: Annotated[str, typer.Option("--webhook", metavar="URL", help="The webhook to stop.")],
    vendors: Annotated[
        list[str] | None, typer.Argument(metavar="VENDOR", help="Only these vendors (default: all).")
    ] = None,
) -> None:
    """Stop delivering alerts to a webhook (for some vendors, or all)."""
    from core.alerts import subscriptions
    from core.registry import vendors as vendor_records
    from core.storage import database

    with database.session_scope(_engine()) as session:
        dest = subscriptions.find_destination(session, subscriptions.Place("webhook", "local", webhook))
        if dest is None:
            raise NotFoundError(f"{webhook} is not subscribed to anything")
        named = [vendor_records.named(session, name) for name in vendors or []]
        removed = subscriptions.unsubscribe(session, dest, named)
        _audit(session, "unsubscribe", f"webhook {webhook}: {removed} subscriptions removed")
    out.print(f"removed {removed} subscriptions of {webhook}", markup=False)


def _caller_label() -> str:
    from bots.console.chat import console_caller

    return console_caller().label


@app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False) -> None:
    """List tracked documents with their state and latest version."""
    from sqlmodel import Session

    from core.registry import documents

    with Session(_engine()) as session:
        rows = documents.list_tracked(session, include_inactive=True)
    if as_json:
        print(json.dumps([_tracked_json(t) for t in rows]))
        return
    if not rows:
        out.print("nothing tracked yet: clausewatch track URL --vendor NAME --type 'Terms of Service'")
        return
    table = _table("id", "document", "type", "state", "latest version", "tracking", "url")
    for t in rows:
        latest = t.latest.effective_date.isoformat() if t.latest else "-"
        tracking = f"every {t.document.check_interval_hours:g}h" if t.document.active else "untracked"
        state = t.document.state + (f": {t.document.last_error}" if t.document.last_error else "")
        cells = (str(t.document.id), t.ref, t.document.doc_type, state, latest, tracking, t.document.url)
        table.add_row(*(Text(cell) for cell in cells))  # vendor-controlled text is never rich markup
    _show(table)


def _tracked_json(t: documents.Tracked) -> dict[str, object]:
    return {
        "id": t.document.id,
        "ref": t.ref,
        "vendor": t.vendor.name,
        "type": t.document.doc_type,
        "url": t.document.url,
        "active": t.document.active,
        "interval_hours": t.document.check_interval_hours,
        "state": t.document.state,
        "fetch_with": t.document.fetch_with,
        "last_error": t.document.last_error,
        "latest_version": t.latest.effective_date.isoformat() if t.latest else None,
    }


@app.command()
def check(
    docs: Annotated[
        list[str] | None,
        typer.Argument(metavar="[DOCUMENT]...", help="Documents to check (default: those due)."),
    ] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="Check every tracked document now.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Fetch documents and record new versions (with a progress bar); exit 1 if any could not be read."""
    from sqlmodel import Session

    from core.pipeline.scheduler import due_document_ids
    from core.registry import documents

    settings = _settings()
    engine = _engine(settings)
    ids: list[int] | None = None
    with Session(engine) as session:
        if docs:
            ids = [documents.resolve(session, ref).document.id or 0 for ref in docs]
        elif all_docs:
            ids = [t.document.id or 0 for t in documents.list_tracked(session) if t.document.active]
        else:
            due = len(due_document_ids(session))
    if ids is None and not due:
        if as_json:
            print(json.dumps({"checked": 0, "failed": 0, "counts": {}, "reports": []}))
        else:
            out.print("nothing is due for a check (use --all to check everything now)")
        return
    # Due documents are claimed batch by batch, as workers do.
    reports = _run_checks(engine, settings, ids, total=due if ids is None else None, quiet=as_json)
    failed = [report for report in reports if report.failed]
    if as_json:
        counts = _counts(reports)
        rows = [report.to_json() for report in reports]
        print(json.dumps({"checked": len(reports), "failed": len(failed), "counts": counts, "reports": rows}))
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _counts(reports: list[CheckReport]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    return dict(sorted(counts.items()))


def _bar(disable: bool = False) -> Progress:
    """A progress bar on stderr (what is done, of how many, for how long) that vanishes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err, transient=True, disable=disable)


def _run_checks(
    engine: Engine,
    settings: Settings,
    ids: list[int] | None,
    *,
    total: int | None = None,
    quiet: bool = False,
) -> list[CheckReport]:
    """Check ``ids`` now, or (None) the documents due, claimed so a running worker never checks them too.

    Ctrl-C stops at once; the documents not yet checked are given back (due again), not left leased."""
    import asyncio

    from core.pipeline.scheduler import check_due, check_now

    total = len(ids) if ids is not None else total or 0
    with _bar(disable=total < 2 or quiet) as progress:
        task = progress.add_task("checking", total=total)

        def done(report: CheckReport) -> None:
            progress.advance(task)
            if not quiet and (report.status not in ("unchanged", "not-modified") or total == 1):
                (err if report.failed else out).print(f"{report.ref}: {report.message}", markup=False)

        run = (
            check_now(engine, settings, ids, on_done=done)
            if ids is not None
            else check_due(engine, settings, on_done=done)
        )
        try:
            reports = asyncio.run(run)
        except KeyboardInterrupt:
            err.print("interrupted: the documents not yet checked are due again")
            raise typer.Exit(130) from None
    if len(reports) > 1 and not quiet:
        counts = _counts(reports)
        out.print("checked " + str(len(reports)) + ": " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return reports


DocumentArg = Annotated[
    str, typer.Argument(metavar="DOCUMENT", help="Document: id, vendor/type, URL or vendor.")
]


@app.command()
def history(
    doc: DocumentArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """List every stored version of a document, oldest first, numbered v1, v2, ... (as diff and show take)."""
    from sqlmodel import Session

    from core.pipeline.versions import versions_of
    from core.reading.changes import change_into, change_label
    from core.registry import documents
    from core.storage.models import Blob

    rows: list[dict[str, object]] = []
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        for number, v in enumerate(versions_of(session, tracked.document.id or 0), start=1):
            blob, change = session.get(Blob, v.content_hash), change_into(session, v.id or 0)
            rows.append(
                {
                    "version": f"v{number}",
                    "date": v.effective_date.isoformat(),
                    "fetched_at": v.fetched_at.isoformat(timespec="seconds"),
                    "source": v.source,
                    "hash": v.content_hash,
                    "size": blob.size if blob else None,
                    "url": v.url,
                    "change_id": change.id if change else None,
                    "clauses": _clause_counts(change) if change else None,
                    "verdict": change_label(change) if change else None,
                }
            )
    if as_json:
        print(json.dumps({"document": tracked.ref, "url": tracked.document.url, "versions": rows}))
        return
    if not rows:
        out.print(f"{tracked.ref} has no versions yet: clausewatch check {tracked.ref}", markup=False)
        return
    days = [row["date"] for row in rows]
    table = _table("version", "date", "source", "size", "clauses", "verdict", title=tracked.ref)
    for row in rows:
        when = str(row["date"])
        if days.count(when) > 1:  # same-day versions told apart by the time they were fetched
            when = str(row["fetched_at"])[:16].replace("T", " ")
        size = f"{int(str(row['size'])) / 1000:,.1f} kB" if row["size"] is not None else "?"
        cells = (str(row["version"]), when, str(row["source"]), size, str(row["clauses"] or "first"))
        table.add_row(*cells, Text(str(row["verdict"] or "")))
    _show(table)


def _clause_counts(change: Change) -> str:
    return f"+{change.clauses_added} -{change.clauses_removed} ~{change.clauses_modified}"


_KEY_COLUMNS = frozenset({"id", "change", "version", "date", "latest version", "tracking", "clauses", "size"})
"""Columns of what people type or read as one token (ids, versions, dates): never cut or wrapped."""


def _table(*columns: str, title: str | None = None) -> Table:
    """A table for ``_show``: other columns wrap, and fold a long reference or URL rather than cut it."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, no_wrap=column in _KEY_COLUMNS, overflow="fold")
    return table


def _show(table: Table) -> None:
    """Print a table whose key columns keep their widest cell in a narrow terminal, the other columns
    sharing what is left; piped output is never wrapped at all (``out`` is as wide as its lines)."""
    from rich.cells import cell_len

    for column in table.columns:
        if str(column.header) in _KEY_COLUMNS:
            cells = [str(column.header), *(str(cell) for cell in column.cells)]
            column.min_width = max(cell_len(cell) for cell in cells)
    _tables.print(table)


@app.command()
def show(
    doc: DocumentArg,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", "--version", metavar="VERSION", help="v3, or the version in force on YYYY-MM-DD."
        ),
    ] = None,
) -> None:
    """Print a document's text (latest, or a version: v3, or as it stood on a date)."""
    from sqlmodel import Session

    from core.pipeline.versions import parse_version_ref, version_by_ref, version_number, version_text
    from core.registry import documents

    ref = parse_version_ref(as_of, "--as-of") if as_of else date.max
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        version = version_by_ref(session, tracked.document.id or 0, ref)
        if version is None:
            where = f"v{ref}" if isinstance(ref, int) else f"on or before {as_of or 'today'}"
            raise NotFoundError(f"{tracked.ref} has no version {where}")
        text, number = version_text(session, version), version_number(session, version)
    err.print(f"{tracked.ref} v{number} of {version.effective_date}", markup=False)
    sys.stdout.write(text + "\n")  # the stored text exactly, never re-wrapped or styled


@app.command()
def diff(
    doc: DocumentArg,
    from_ref: Annotated[
        str | None,
        typer.Option("--from", metavar="VERSION", help="v2, or the version in force on YYYY-MM-DD."),
    ] = None,
    to_ref: Annotated[
        str | None, typer.Option("--to", metavar="VERSION", help="v3, or the version in force on YYYY-MM-DD.")
    ] = None,
    ai_only: Annotated[bool, typer.Option("--ai-only", help="Only clauses that decide the verdict.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Show what changed, clause by clause, between two versions (default: the last change)."""
    from sqlmodel import Session

    from bots.console import terminal
    from core.pipeline.versions import parse_version_ref, version_number, versions_to_compare
    from core.reading.changes import view_between
    from core.registry import documents

    start = parse_version_ref(from_ref, "--from") if from_ref else None
    end = parse_version_ref(to_ref, "--to") if to_ref else None
    if isinstance(start, date) and isinstance(end, date) and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        try:
            old, new = versions_to_compare(session, tracked.document.id or 0, start, end)
        except NotFoundError as exc:
            raise NotFoundError(f"{tracked.ref}: {exc}") from None
        view = view_between(session, old, new)
        numbers = version_number(session, old), version_number(session, new)
    clauses = [c for c in view.clauses if c["ai"] or not ai_only]
    if as_json:
        sides = [
            {"version": f"v{n}", "date": v.effective_date.isoformat(), "id": v.id}
            for n, v in zip(numbers, (old, new), strict=True)
        ]
        print(
            json.dumps(
                {
                    "document": tracked.ref,
                    "from": sides[0],
                    "to": sides[1],
                    "change": _change_json(view.change, view.document, view.vendor, new),
                    "clauses": clauses,
                }
            )
        )
        return
    title = f"{tracked.ref}: v{numbers[0]} ({old.effective_date}) -> v{numbers[1]} ({new.effective_date})"
    out.print(title, markup=False, style="bold")
    terminal.print_verdict(out, view)
    out.print()
    terminal.print_clause_pairs(out, clauses)


@app.command("changes")
def changes_command(
    ai_only: Annotated[bool, typer.Option("--ai-only", help="Only changes of AI-training language.")] = False,
    since: Annotated[str | None, typer.Option(help="Only versions dated on or after YYYY-MM-DD.")] = None,
    vendor: Annotated[str | None, typer.Option(help="Only this vendor's documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
) -> None:
    """List recorded changes with their AI-training verdicts, newest first."""
    from sqlmodel import Session

    from core.reading.changes import change_label, list_changes
    from core.registry.names import resolve_vendor
    from core.storage.models import Vendor

    day = _parse_date(since, "--since")
    with Session(_engine()) as session:
        named = session.get(Vendor, resolve_vendor(session, vendor)) if vendor else None
        rows = list_changes(
            session,
            vendor_slug=named.slug if named else None,
            since=datetime.combine(day, time()) if day else None,
            ai_only=ai_only,
        )
    if as_json:
        print(json.dumps([_change_json(*row) for row in rows]))
        return
    if not rows:
        out.print("no recorded changes match")
        return
    table = _table("change", "date", "document", "clauses", "verdict", "explanation")
    for change, doc, vendor_row, version in rows:
        table.add_row(
            str(change.id),
            version.effective_date.isoformat(),
            f"{vendor_row.slug}/{doc.slug}",
            f"+{change.clauses_added} -{change.clauses_removed} ~{change.clauses_modified}",
            change_label(change),
            Text((change.summary or "")[:300]),
        )
    _show(table)


def _change_json(change: Change, doc: Document, vendor: Vendor, version: Version) -> dict[str, object]:
    return {
        "id": change.id,
        "date": version.effective_date.isoformat(),
        "document": f"{vendor.slug}/{doc.slug}",
        "kind": change.kind,
        "ai_training_change": change.ai_training_change,
        "direction": change.direction,
        "actor": change.actor,
        "severity": change.severity,
        "explanation": change.summary,
        "added": (change.details or {}).get("added", []),
        "removed": (change.details or {}).get("removed", []),
    }


@app.command("eval-changes")
def eval_changes(
    folder: Annotated[Path, typer.Argument(help="Folder with labels.tsv and <document>/<stem>.md files.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object of the totals, nothing else.")
    ] = False,
) -> None:
    """Measure the AI-training judgment on labelled real changes (precision, recall, direction, actor)."""
    from core.reading.evaluation import evaluate, load_cases

    cases = load_cases(folder)
    with _bar(disable=as_json) as progress:
        task = progress.add_task("judging", total=len(cases))
        report = evaluate(cases, on_case=lambda _result: progress.advance(task))
    kinds = report.by_capability()
    if as_json:
        totals: dict[str, object] = dict(report.totals())
        if kinds:
            totals["capabilities"] = {kind: part.totals() for kind, part in kinds.items()}
        print(json.dumps(totals))
        return
    table = _table("case", "expected", "got", "quote")
    for result in report.results:
        expected = Text(_verdict_word(result.case.expected, result.case.direction, result.case.actor))
        got = _verdict_word(result.got, result.verdict.direction, result.verdict.actor)
        style = "" if result.correct else "bold red"
        table.add_row(Text(result.case.name), expected, Text(got, style=style), Text(result.quote[:160]))
    _show(table)
    out.print(report.summary())
    for kind, part in kinds.items():
        out.print(f"  {kind}: {part.summary()}", markup=False)


def _verdict_word(yes: bool, direction: str | None, actor: str | None) -> str:
    return f"yes {direction} {actor}" if yes else "no"


@app.command("import-history")
def import_history_command(
    source: Annotated[
        list[str],
        typer.Argument(
            metavar="FOLDER | REPO_DIR SERVICE TYPE",
            help="A folder of YYYY-MM-DD*.md|.html|.txt|.pdf files; with --ota, an Open Terms Archive "
            "versions repository, the service and the terms type (e.g. ./versions Zoom 'Terms of Service').",
        ),
    ],
    ota: Annotated[
        bool, typer.Option("--ota", help="Read an Open Terms Archive repository's git history.")
    ] = False,
    vendor: Annotated[
        str | None, typer.Option("--vendor", "-v", help="Vendor name (default with --ota: the service).")
    ] = None,
    doc_type: Annotated[
        str | None,
        typer.Option("--type", "-t", metavar="TYPE", help="Document type (default with --ota: TYPE)."),
    ] = None,
    url: Annotated[str | None, typer.Option(help="The live URL, to track it from now on.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Import dated versions as a document's history (never alerts anyone).

    Each version passes the page check fetched pages pass (error pages, redirect stubs, cookie walls and
    unconfirmed sudden shrinks are skipped and listed); exit 1 when nothing could be imported."""
    from rich.progress import Progress, TextColumn

    from core.pipeline.history_import import dated_files, import_files
    from core.pipeline.ota import ota_files

    if ota:
        if len(source) != 3:
            raise UsageError("--ota takes REPO_DIR SERVICE TYPE, e.g. ./versions Zoom 'Terms of Service'")
        files = ota_files(Path(source[0]), source[1], source[2])
        vendor, doc_type = vendor or source[1], doc_type or source[2]
    else:
        if len(source) != 1 or not vendor or not doc_type:
            raise UsageError(
                "import-history FOLDER --vendor NAME --type TYPE (or --ota REPO_DIR SERVICE TYPE)"
            )
        files = dated_files(Path(source[0]))
    engine = _engine()
    quiet = as_json or not err.is_terminal
    with Progress(
        TextColumn("importing {task.description}"), console=err, transient=True, disable=quiet
    ) as bar:
        task = bar.add_task("")
        report = import_files(
            engine,
            files,
            vendor=vendor,
            doc_type=doc_type,
            url=url,
            on_file=lambda name, _status: bar.update(task, description=name),
        )
    if as_json:
        skipped = [{"file": name, "reason": reason} for name, reason in report.skipped]
        summary = {
            "imported": report.imported,
            "unchanged": report.unchanged,
            "already_stored": report.already,
            "skipped": skipped,
        }
        print(json.dumps({"document": report.document_ref, **summary}))
    else:
        already = f", {report.already} already stored" if report.already else ""
        done = f"{report.imported} versions imported, {report.unchanged} unchanged{already}"
        out.print(f"{report.document_ref}: {done}", markup=False)
        for name, reason in report.skipped:
            err.print(f"skipped {name}: {reason}", markup=False)
    if report.skipped and not (report.imported or report.unchanged or report.already):
        raise typer.Exit(EXIT_FAILED)


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help='The question, e.g. "Does Zoom use our content to train AI?"')
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Answer from the versions in force on YYYY-MM-DD.")
    ] = None,
    vendor: Annotated[
        str | None, typer.Option("--vendor", help="The vendor, when the question names none.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")] = False,
) -> None:
    """Ask what tracked terms say; the answer quotes the deciding clauses with their version date."""
    import asyncio

    from bots.console import terminal
    from core.answers import answering

    settings = _settings()
    result = asyncio.run(
        answering.answer(
            _engine(settings), settings, question, vendor=vendor, as_of=_parse_date(as_of, "--as-of")
        )
    )
    if as_json:
        print(json.dumps(result.to_json()))
    else:
        terminal.print_answer(out, result)


class ProfileFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def profile(
    vendor: Annotated[str | None, typer.Argument(help="The vendor (omit with --all).")] = None,
    all_vendors: Annotated[
        bool, typer.Option("--all", help="Every vendor: the AI data-use register.")
    ] = False,
    output: Annotated[
        ProfileFormat, typer.Option("--format", help="table, csv or json.")
    ] = ProfileFormat.table,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The versions in force on YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """Print a vendor's AI data-use profile, or with --all the register across every tracked vendor."""
    from bots.console import terminal
    from core.answers import register
    from core.storage import database

    if (vendor is None) == (not all_vendors):
        raise UsageError("name one vendor, or use --all for every vendor (e.g. clausewatch profile zoom)")
    with database.read_scope(_engine()) as session:
        entries = register.vendor_profiles(session, vendor=vendor, as_of=_parse_date(as_of, "--as-of"))
    if as_json or output is ProfileFormat.json:
        print(json.dumps([entry.to_json() for entry in entries], indent=2))
    elif output is ProfileFormat.csv:
        _profile_csv(entries)
    elif vendor is not None:
        for entry in entries:
            terminal.print_profile(out, entry)
    else:
        _profile_table(entries)


_REGISTER_COLUMNS = (
    "content training",
    "usage-data training",
    "third parties",
    "opt-out / consent",
    "retention",
    "users may train",
)


def _profile_table(entries: list[register.VendorProfile]) -> None:
    from core.reading.profile import FIELDS
    from core.reading.verdicts import VERDICT_LABELS

    table = Table("vendor", *_REGISTER_COLUMNS, "documents")
    for entry in entries:
        values = [VERDICT_LABELS[entry.values[point]] for point in FIELDS]
        documents = ", ".join(f"{i.document} {i.version_date}" for i in entry.versions)
        table.add_row(Text(entry.vendor), *values, Text(documents))
    out.print(table if entries else "no tracked documents have a stored version yet")


def _profile_csv(entries: list[register.VendorProfile]) -> None:
    from core.reading.profile import FIELDS

    writer = csv.writer(sys.stdout)
    writer.writerow(["vendor", *FIELDS, "documents", "evidence"])
    for entry in entries:
        documents = "; ".join(f"{i.document} {i.version_date}" for i in entry.versions)
        evidence = " | ".join(
            f"{point}: {c.section or c.clause_id}: {c.quote}"
            for point in FIELDS
            for c in entry.citations[point][:1]
        )
        writer.writerow([entry.vendor, *(entry.values[p] for p in FIELDS), documents, evidence])


@app.command("eval-qa")
def eval_qa(
    folder: Annotated[Path, typer.Argument(help="Folder with questions.jsonl and the documents it names.")],
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write one JSON line per question here.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object of the totals, nothing else.")
    ] = False,
    corpus: Annotated[
        Path | None,
        typer.Option(help="The shared corpus, for documents written corpus:... (default: as demo finds it)."),
    ] = None,
) -> None:
    """Measure question answering: evidence hit@1/hit@3, quote length and verdict accuracy."""
    from bots.console.corpus import find_corpus
    from core.answers.evaluation import CORPUS_PREFIX, evaluate_qa, load_questions

    source = folder / "questions.jsonl"
    shared = source.is_file() and f'"{CORPUS_PREFIX}' in source.read_text(encoding="utf-8")
    cases = load_questions(folder, find_corpus(corpus) if shared else corpus)
    with _bar(disable=as_json) as progress:
        task = progress.add_task("answering", total=len(cases))
        report = evaluate_qa(cases, on_case=lambda _result: progress.advance(task))
    if predictions is not None:
        predictions.write_text("".join(json.dumps(r.to_json()) + "\n" for r in report.results))
    failed = [r for r in report.results if r.error]
    for result in failed[:5]:
        err.print(f"{result.case.id}: {result.error}", markup=False)
    if as_json:
        print(json.dumps(report.totals()))
    else:
        out.print(report.summary())


@app.command()
def demo(
    corpus: Annotated[
        Path | None, typer.Option(help="The corpus folder (default: ../shared/corpus or CLAUSEWATCH_CORPUS).")
    ] = None,
) -> None:
    """Run the product end to end on a local copy of Zoom's real 2023 terms (no network, no accounts)."""
    from bots.console.demo import run_demo

    run_demo(corpus, out)


@app.command()
def worker(
    scheduler: Annotated[bool, typer.Option(help="Check documents as they fall due.")] = True,
    delivery: Annotated[bool, typer.Option(help="Deliver pending alerts.")] = True,
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then exit (for cron).")] = False,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve /healthz, /readyz and /metrics on this port (off by default).")
    ] = None,
) -> None:
    """Run the scheduler and the alert delivery worker (many may run against one PostgreSQL database)."""
    import asyncio

    from bots.server import adapters, logs
    from bots.server.app import serving_operator_endpoints
    from bots.server.worker import run_worker

    if not (scheduler or delivery):
        raise UsageError("--no-scheduler and --no-delivery together leave nothing to do")
    settings = _settings()
    logs.configure(settings)
    engine = _engine(settings)
    senders = adapters.load(engine, settings).senders()
    work = run_worker(engine, settings, scheduler=scheduler, delivery=delivery, once=once, senders=senders)
    stats = asyncio.run(serving_operator_endpoints(engine, settings.host, metrics_port, work))
    err.print(
        f"worker stopped: {stats.sent} alerts sent, {stats.failed} failed sends, "
        f"{stats.rate_limited} rate-limited, {stats.dead} destinations marked dead"
    )


@app.command()
def serve(
    scheduler: Annotated[
        bool, typer.Option(help="Check documents as they fall due, in this process.")
    ] = True,
    delivery: Annotated[bool, typer.Option(help="Deliver pending alerts, in this process.")] = True,
) -> None:
    """Serve Slack (/slack/events), Teams (/api/messages), the diff pages, /healthz, /readyz and /metrics
    on CLAUSEWATCH_HOST:CLAUSEWATCH_PORT, with the scheduler and delivery worker."""
    from bots.server import logs
    from bots.server.app import serve as run_server

    settings = _settings()
    logs.configure(settings)
    run_server(_engine(settings), settings, scheduler=scheduler, delivery=delivery)


@app.command("feed-url")
def feed_url(
    vendor: Annotated[str | None, typer.Option("--vendor", help="One vendor's changes only.")] = None,
    ai_only: Annotated[bool, typer.Option("--ai-only", help="AI-training changes only.")] = False,
) -> None:
    """Print the signed address of the Atom feed of changes, for a feed reader (it does not expire)."""
    from core.publishing.feed import feed_url as signed_feed_url
    from core.storage import database

    settings = _settings()
    with database.session_scope(_engine(settings)) as session:  # the link key may be made on first use
        address = signed_feed_url(session, settings, vendor, ai_only)
    print(address)
    if not settings.api_token:
        err.print("note: feeds are off until CLAUSEWATCH_API_TOKEN is set where `clausewatch serve` runs")


@app.command("teams-package")
def teams_package(
    app_id: Annotated[str, typer.Option("--app-id", help="The bot's Microsoft App ID (a GUID).")],
    host: Annotated[
        str | None,
        typer.Option(help="The public host serving /api/messages (default: CLAUSEWATCH_PUBLIC_URL's host)."),
    ] = None,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path(
        "clausewatch-teams.zip"
    ),
) -> None:
    """Build the Teams app package (manifest with your ids, the privacy and terms pages, icons)."""
    from urllib.parse import urlsplit

    from bots.teams.package import build_package

    settings = _settings()
    host = host or urlsplit(settings.public_url).netloc
    privacy, terms = settings.privacy_page_url, settings.terms_page_url
    written = build_package(app_id, host, out_file, privacy_url=privacy, terms_url=terms)
    out.print(f"wrote {written}", markup=False)


@app.command()
def chat(
    user: Annotated[
        str | None, typer.Option(help="Who you are in the audit log (default: your login name).")
    ] = None,
) -> None:
    """Talk to clausewatch as chat users do: `track zoom`, `does Zoom train AI on our data?` (or pipe)."""
    import asyncio

    from bots.console.chat import PROMPT, console_caller, read_lines, run_chat

    settings = _settings()
    interactive = sys.stdin.isatty()
    if interactive:
        out.print("clausewatch chat: `help` lists commands, `exit` ends", markup=False)
    lines = read_lines(PROMPT if interactive else "")
    try:
        failures = asyncio.run(run_chat(_engine(settings), settings, lines, out, console_caller(user)))
    except KeyboardInterrupt:  # Ctrl-C ends the chat, as exit does
        out.print()
        failures = 0
    if failures and not interactive:
        raise typer.Exit(1)


@app.command("catalog")
def catalog_command(as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False) -> None:
    """List the vendors `track NAME` knows in chat, with their documents."""
    from core.registry import catalog
    from core.storage import database

    with database.read_scope(_engine()) as session:
        entries = catalog.load(session).entries
    if as_json:
        print(json.dumps([entry.to_json() for entry in entries]))
        return
    table = Table("name", "aliases", "documents")
    for entry in entries:
        types = ", ".join(doc.type for doc in entry.documents)
        table.add_row(Text(entry.name), Text(", ".join(entry.aliases)), Text(types))
    out.print(table)


def main() -> None:
    """Console entry point: one clear line on stderr for every expected failure."""
    try:
        app()
    except UsageError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_USAGE)
    except ClausewatchError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("CLAUSEWATCH_DEBUG"):
            raise
        err.print(
            f"error: unexpected {type(exc).__name__}: {exc} (CLAUSEWATCH_DEBUG=1 shows more)", markup=False
        )
        sys.exit(EXIT_FAILED)
