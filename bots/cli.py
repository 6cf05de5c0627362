"""The ``clausewatch`` command line: a thin edge that parses arguments, calls the core and prints results.

Every user-facing failure is a ``ClausewatchError`` and is printed as one line on stderr with exit code 1;
set ``CLAUSEWATCH_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import documents
from core.changes import change_into
from core.config import Settings
from core.diffing import diff_texts
from core.errors import ClausewatchError, NotFoundError, UsageError
from core.history_import import import_history
from core.storage import database
from core.storage.models import Blob, Version
from core.tracking import CheckReport, check_documents, due_document_ids
from core.versions import version_at, version_text, versions_of

app = typer.Typer(
    help="Watch vendors' terms and privacy policies; keep every version; diff them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _settings() -> Settings:
    return Settings()


def _engine(settings: Settings | None = None) -> Engine:
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
    settings = _settings()
    engine = database.make_engine(settings.database_url)
    database.upgrade(engine)
    out.print(f"database at revision {database.current_revision(engine)}: {engine.url.render_as_string()}")


@app.command()
def track(
    url: Annotated[str, typer.Argument(help="The page's http(s) URL.")],
    vendor: Annotated[str, typer.Option("--vendor", "-v", help="Vendor name, e.g. Zoom.")],
    doc_type: Annotated[str, typer.Option("--type", "-t", help="e.g. 'Terms of Service', 'Privacy Policy'.")],
    select: Annotated[list[str] | None, typer.Option(help="CSS selector of the content to keep.")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="CSS selector of noise to drop.")] = None,
    interval: Annotated[float, typer.Option(help="Hours between checks.")] = 24.0,
    check: Annotated[bool, typer.Option(help="Fetch it right away.")] = True,
) -> None:
    """Start tracking a vendor's document at URL (history is kept if it was tracked before)."""
    settings = _settings()
    engine = _engine(settings)
    with database.session_scope(engine) as session:
        doc = documents.track(
            session, url, vendor, doc_type, select_css=select, remove_css=remove, interval_hours=interval
        )
        ref = documents.resolve(session, str(doc.id)).ref
    out.print(f"tracking {ref} at {url}", markup=False)
    if check:
        _run_checks(engine, settings, [doc.id or 0])


@app.command()
def untrack(doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")]) -> None:
    """Stop checking a document; its history is kept."""
    with database.session_scope(_engine()) as session:
        tracked = documents.untrack(session, doc)
        kept = len(versions_of(session, tracked.document.id or 0))
    out.print(f"stopped tracking {tracked.ref}; its {kept} versions are kept", markup=False)


@app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False) -> None:
    """List tracked documents with their state and latest version."""
    with Session(_engine()) as session:
        rows = documents.list_tracked(session, include_inactive=True)
    if as_json:
        print(json.dumps([_tracked_json(t) for t in rows]))
        return
    if not rows:
        out.print("nothing tracked yet: clausewatch track URL --vendor NAME --type 'Terms of Service'")
        return
    table = Table("id", "document", "type", "state", "latest version", "tracking", "url")
    for t in rows:
        latest = t.latest.effective_date.isoformat() if t.latest else "-"
        tracking = f"every {t.document.check_interval_hours:g}h" if t.document.active else "untracked"
        state = t.document.state + (f": {t.document.last_error}" if t.document.last_error else "")
        table.add_row(str(t.document.id), t.ref, t.document.doc_type, state, latest, tracking, t.document.url)
    out.print(table)


def _tracked_json(t: documents.Tracked) -> dict[str, object]:
    return {
        "id": t.document.id,
        "ref": t.ref,
        "vendor": t.vendor.name,
        "type": t.document.doc_type,
        "url": t.document.url,
        "active": t.document.active,
        "state": t.document.state,
        "last_error": t.document.last_error,
        "latest_version": t.latest.effective_date.isoformat() if t.latest else None,
    }


@app.command()
def check(
    docs: Annotated[list[str] | None, typer.Argument(help="Documents to check (default: those due).")] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="Check every tracked document now.")] = False,
) -> None:
    """Fetch documents and record new versions (with a progress bar)."""
    settings = _settings()
    engine = _engine(settings)
    with Session(engine) as session:
        if docs:
            ids = [documents.resolve(session, ref).document.id or 0 for ref in docs]
        elif all_docs:
            ids = [t.document.id or 0 for t in documents.list_tracked(session) if t.document.active]
        else:
            ids = due_document_ids(session)
    if not ids:
        out.print("nothing is due for a check (use --all to check everything now)")
        return
    _run_checks(engine, settings, ids)


def _run_checks(engine: Engine, settings: Settings, ids: list[int]) -> list[CheckReport]:
    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=len(ids) < 2) as progress:
        task = progress.add_task("check", total=len(ids))

        def done(report: CheckReport) -> None:
            progress.advance(task)
            if report.status not in ("unchanged", "not-modified") or len(ids) == 1:
                out.print(f"{report.ref}: {report.message}", markup=False)

        reports = asyncio.run(check_documents(engine, settings, ids, on_done=done))
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    if len(ids) > 1:
        out.print(
            "checked " + str(len(ids)) + ": " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        )
    return reports


@app.command()
def history(doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")]) -> None:
    """List every stored version of a document, oldest first."""
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        versions = versions_of(session, tracked.document.id or 0)
        table = Table("version", "date", "source", "hash", "size", "change", title=tracked.ref)
        for v in versions:
            blob = session.get(Blob, v.content_hash)
            change = change_into(session, v.id or 0)
            delta = f"+{change.added_lines} -{change.removed_lines} lines" if change else "first"
            size = f"{blob.size:,} B" if blob else "?"
            table.add_row(str(v.id), v.effective_date.isoformat(), v.source, v.content_hash[:12], size, delta)
    if not versions:
        out.print(f"{tracked.ref} has no versions yet: clausewatch check {tracked.ref}", markup=False)
        return
    out.print(table)


@app.command()
def show(
    doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Show the version in force on YYYY-MM-DD.")
    ] = None,
) -> None:
    """Print a document's text (latest, or as it stood on a date)."""
    day = _parse_date(as_of, "--as-of") or date.max
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        version = version_at(session, tracked.document.id or 0, day)
        if version is None:
            raise NotFoundError(f"{tracked.ref} has no version on or before {as_of or 'today'}")
        text = version_text(session, version)
    err.print(f"{tracked.ref} as of {version.effective_date} (version {version.id})", markup=False)
    out.print(text, markup=False)


@app.command()
def diff(
    doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")],
    from_date: Annotated[str | None, typer.Option("--from", help="Version in force on this date.")] = None,
    to_date: Annotated[str | None, typer.Option("--to", help="Version in force on this date.")] = None,
) -> None:
    """Show what changed between two versions (default: the last change)."""
    start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        doc_id = tracked.document.id or 0
        new = version_at(session, doc_id, end or date.max)
        if new is None:
            raise NotFoundError(f"{tracked.ref} has no version on or before {end}")
        old = _older(session, doc_id, new, start)
        old_text, new_text = version_text(session, old), version_text(session, new)
    result = diff_texts(
        old_text, new_text, old_label=str(old.effective_date), new_label=str(new.effective_date)
    )
    if result.empty:
        out.print(f"{tracked.ref}: no difference between {old.effective_date} and {new.effective_date}")
        return
    for line in result.unified:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        out.print(line, style=style, markup=False, soft_wrap=True)


def _older(session: Session, doc_id: int, new: Version, start: date | None) -> Version:
    """The version to diff against: in force on ``start``, or the one before ``new``."""
    if start is not None:
        old = version_at(session, doc_id, start)
        if old is None:
            raise NotFoundError(f"no version on or before {start}")
        return old
    versions = versions_of(session, doc_id)
    index = next(i for i, v in enumerate(versions) if v.id == new.id)
    if index == 0:
        raise NotFoundError("only one version is stored, so there is nothing to diff yet")
    return versions[index - 1]


@app.command("import-history")
def import_history_command(
    folder: Annotated[Path, typer.Argument(help="Folder of YYYY-MM-DD*.md|.html|.txt files.")],
    vendor: Annotated[str, typer.Option("--vendor", "-v", help="Vendor name.")],
    doc_type: Annotated[str, typer.Option("--type", "-t", help="Document type.")],
    url: Annotated[str | None, typer.Option(help="The live URL, to track it from now on.")] = None,
) -> None:
    """Import a folder of dated versions as a document's history (never alerts anyone)."""
    engine = _engine()
    with Progress(TextColumn("importing {task.description}"), console=err, transient=True) as progress:
        task = progress.add_task("")
        report = import_history(
            engine,
            folder,
            vendor=vendor,
            doc_type=doc_type,
            url=url,
            on_file=lambda path, _status: progress.update(task, description=path.name),
        )
    out.print(f"{report.document_ref}: {report.imported} versions imported, {report.unchanged} unchanged")
    for name, reason in report.skipped:
        err.print(f"skipped {name}: {reason}", markup=False)


@app.command()
def demo(
    corpus: Annotated[
        Path | None, typer.Option(help="The corpus folder (default: ../shared/corpus or CLAUSEWATCH_CORPUS).")
    ] = None,
) -> None:
    """Run the product end to end on a local copy of Zoom's real 2023 terms (no network, no accounts)."""
    from bots.demo import run_demo

    run_demo(corpus, out)


def main() -> None:
    """Console entry point: one clear line on stderr for every expected failure."""
    try:
        app()
    except ClausewatchError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("CLAUSEWATCH_DEBUG"):
            raise
        err.print(
            f"error: unexpected {type(exc).__name__}: {exc} (CLAUSEWATCH_DEBUG=1 shows more)", markup=False
        )
        sys.exit(1)
