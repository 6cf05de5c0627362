"""The ``clausewatch`` command line: a thin edge that parses arguments, calls the core and prints results.

Every user-facing failure is a ``ClausewatchError`` and is printed as one line on stderr with exit code 1;
set ``CLAUSEWATCH_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import csv
import json
import os
import sys
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

    from core.answers import register
    from core.config import Settings
    from core.pipeline.check import CheckReport
    from core.registry import documents
    from core.storage.models import Change, Document, Vendor, Version

app = typer.Typer(
    help="Watch vendors' terms and privacy policies; keep every version; diff them clause by clause and "
    "flag changes to AI-training language.",
    epilog="Start with [bold]clausewatch demo[/]; then [bold]clausewatch track URL --vendor NAME "
    "--type tos[/], [bold]clausewatch check[/] and [bold]clausewatch changes --ai-only[/]. "
    "Settings: CLAUSEWATCH_* variables (see README.md).",
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


out = Console(highlight=False, emoji=False)
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


@app.command()
def track(
    url: Annotated[str, typer.Argument(help="The page's http(s) URL.")],
    vendor: Annotated[str, typer.Option("--vendor", "-v", help="Vendor name, e.g. Zoom.")],
    doc_type: Annotated[str, typer.Option("--type", "-t", help="e.g. 'Terms of Service', 'Privacy Policy'.")],
    select: Annotated[list[str] | None, typer.Option(help="CSS selector of the content to keep.")] = None,
    remove: Annotated[list[str] | None, typer.Option(help="CSS selector of noise to drop.")] = None,
    interval: Annotated[
        float | None, typer.Option(help="Hours between checks (default: CLAUSEWATCH_CHECK_INTERVAL_HOURS).")
    ] = None,
    check: Annotated[bool, typer.Option(help="Fetch it right away.")] = True,
) -> None:
    """Start tracking a vendor's document at URL (history is kept if it was tracked before)."""
    from core.registry import documents
    from core.storage import database

    settings = _settings()
    engine = _engine(settings)
    with database.session_scope(engine) as session:
        doc = documents.track(
            session,
            url,
            vendor,
            doc_type,
            select_css=select,
            remove_css=remove,
            interval_hours=settings.check_interval_hours if interval is None else interval,
        )
        ref = documents.resolve(session, str(doc.id)).ref
    out.print(f"tracking {ref} at {url}", markup=False)
    if check:
        _run_checks(engine, settings, [doc.id or 0])


@app.command()
def untrack(doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")]) -> None:
    """Stop checking a document; its history is kept."""
    from core.pipeline.versions import versions_of
    from core.registry import documents
    from core.storage import database

    with database.session_scope(_engine()) as session:
        tracked = documents.untrack(session, doc)
        kept = len(versions_of(session, tracked.document.id or 0))
    out.print(f"stopped tracking {tracked.ref}; its {kept} versions are kept", markup=False)


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
    table = Table("id", "document", "type", "state", "latest version", "tracking", "url")
    for t in rows:
        latest = t.latest.effective_date.isoformat() if t.latest else "-"
        tracking = f"every {t.document.check_interval_hours:g}h" if t.document.active else "untracked"
        state = t.document.state + (f": {t.document.last_error}" if t.document.last_error else "")
        cells = (str(t.document.id), t.ref, t.document.doc_type, state, latest, tracking, t.document.url)
        table.add_row(*(Text(cell) for cell in cells))  # vendor-controlled text is never rich markup
    out.print(table)


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
        "last_error": t.document.last_error,
        "latest_version": t.latest.effective_date.isoformat() if t.latest else None,
    }


@app.command()
def check(
    docs: Annotated[list[str] | None, typer.Argument(help="Documents to check (default: those due).")] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="Check every tracked document now.")] = False,
) -> None:
    """Fetch documents and record new versions (with a progress bar)."""
    from sqlmodel import Session

    from core.pipeline.scheduler import due_document_ids
    from core.registry import documents

    settings = _settings()
    engine = _engine(settings)
    with Session(engine) as session:
        if docs:
            ids = [documents.resolve(session, ref).document.id or 0 for ref in docs]
        elif all_docs:
            ids = [t.document.id or 0 for t in documents.list_tracked(session) if t.document.active]
        else:
            due = len(due_document_ids(session))
    if not (docs or all_docs):
        if not due:
            out.print("nothing is due for a check (use --all to check everything now)")
            return
        _run_checks(engine, settings, None, total=due)  # claimed batch by batch, as workers do
        return
    _run_checks(engine, settings, ids)


def _bar(disable: bool = False) -> Progress:
    """A progress bar on stderr (what is done, of how many, for how long) that vanishes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err, transient=True, disable=disable)


def _run_checks(
    engine: Engine, settings: Settings, ids: list[int] | None, *, total: int | None = None
) -> list[CheckReport]:
    """Check ``ids`` now, or (None) the documents due, claimed so a running worker never checks them too."""
    import asyncio

    from core.pipeline.scheduler import check_due, check_now

    total = len(ids) if ids is not None else total or 0
    with _bar(disable=total < 2) as progress:
        task = progress.add_task("checking", total=total)

        def done(report: CheckReport) -> None:
            progress.advance(task)
            if report.status not in ("unchanged", "not-modified") or total == 1:
                out.print(f"{report.ref}: {report.message}", markup=False)

        run = (
            check_now(engine, settings, ids, on_done=done)
            if ids is not None
            else check_due(engine, settings, on_done=done)
        )
        reports = asyncio.run(run)
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    if len(reports) > 1:
        out.print(
            "checked " + str(len(reports)) + ": " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        )
    return reports


@app.command()
def history(doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")]) -> None:
    """List every stored version of a document, oldest first."""
    from sqlmodel import Session

    from core.pipeline.versions import versions_of
    from core.reading.changes import change_into, change_label
    from core.registry import documents
    from core.storage.models import Blob

    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        versions = versions_of(session, tracked.document.id or 0)
        table = Table("version", "date", "source", "hash", "size", "clauses", "verdict", title=tracked.ref)
        for v in versions:
            blob = session.get(Blob, v.content_hash)
            change = change_into(session, v.id or 0)
            clauses = (
                f"+{change.clauses_added} -{change.clauses_removed} ~{change.clauses_modified}"
                if change
                else "first"
            )
            verdict = change_label(change) if change else ""
            size = f"{blob.size:,} B" if blob else "?"
            table.add_row(
                str(v.id), v.effective_date.isoformat(), v.source, v.content_hash[:12], size, clauses, verdict
            )
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
    from sqlmodel import Session

    from core.pipeline.versions import version_at, version_text
    from core.registry import documents

    day = _parse_date(as_of, "--as-of") or date.max
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        version = version_at(session, tracked.document.id or 0, day)
        if version is None:
            raise NotFoundError(f"{tracked.ref} has no version on or before {as_of or 'today'}")
        text = version_text(session, version)
    err.print(f"{tracked.ref} as of {version.effective_date} (version {version.id})", markup=False)
    sys.stdout.write(text + "\n")  # the stored text exactly, never re-wrapped or styled


@app.command()
def diff(
    doc: Annotated[str, typer.Argument(help="Document: id, vendor/type, URL or vendor.")],
    from_date: Annotated[str | None, typer.Option("--from", help="Version in force on this date.")] = None,
    to_date: Annotated[str | None, typer.Option("--to", help="Version in force on this date.")] = None,
    ai_only: Annotated[bool, typer.Option("--ai-only", help="Only clauses that decide the verdict.")] = False,
) -> None:
    """Show what changed, clause by clause, between two versions (default: the last change)."""
    from sqlmodel import Session

    from bots.console import terminal
    from core.pipeline.versions import versions_to_compare
    from core.reading.changes import view_between
    from core.registry import documents

    start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
    if start and end and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    with Session(_engine()) as session:
        tracked = documents.resolve(session, doc)
        try:
            old, new = versions_to_compare(session, tracked.document.id or 0, start, end)
        except NotFoundError as exc:
            raise NotFoundError(f"{tracked.ref}: {exc}") from None
        view = view_between(session, old, new)
    out.print(f"{tracked.ref}: {old.effective_date} -> {new.effective_date}", markup=False, style="bold")
    terminal.print_verdict(out, view)
    out.print()
    terminal.print_clause_pairs(out, view.clauses, ai_only=ai_only)


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
    table = Table("change", "date", "document", "clauses", "verdict", "explanation")
    for change, doc, vendor_row, version in rows:
        table.add_row(
            str(change.id),
            version.effective_date.isoformat(),
            f"{vendor_row.slug}/{doc.slug}",
            f"+{change.clauses_added} -{change.clauses_removed} ~{change.clauses_modified}",
            change_label(change),
            Text((change.summary or "")[:300]),
        )
    out.print(table)


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
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of the totals.")] = False,
) -> None:
    """Measure the AI-training judgment on labelled real changes (precision, recall, direction, actor)."""
    from core.reading.evaluation import evaluate, load_cases

    cases = load_cases(folder)
    with _bar() as progress:
        task = progress.add_task("judging", total=len(cases))
        report = evaluate(cases, on_case=lambda _result: progress.advance(task))
    table = Table("case", "expected", "got", "quote")
    for result in report.results:
        expected = Text(_verdict_word(result.case.expected, result.case.direction, result.case.actor))
        got = _verdict_word(result.got, result.verdict.direction, result.verdict.actor)
        style = "" if result.correct else "bold red"
        table.add_row(Text(result.case.name), expected, Text(got, style=style), Text(result.quote[:160]))
    out.print(table)
    out.print(report.summary())
    kinds = report.by_capability()
    for kind, part in kinds.items():
        out.print(f"  {kind}: {part.summary()}", markup=False)
    if as_json:
        totals: dict[str, object] = dict(report.totals())
        if kinds:
            totals["capabilities"] = {kind: part.totals() for kind, part in kinds.items()}
        print(json.dumps(totals))


def _verdict_word(yes: bool, direction: str | None, actor: str | None) -> str:
    return f"yes {direction} {actor}" if yes else "no"


@app.command("import-history")
def import_history_command(
    folder: Annotated[Path, typer.Argument(help="Folder of YYYY-MM-DD*.md|.html|.txt files.")],
    vendor: Annotated[str, typer.Option("--vendor", "-v", help="Vendor name.")],
    doc_type: Annotated[str, typer.Option("--type", "-t", help="Document type.")],
    url: Annotated[str | None, typer.Option(help="The live URL, to track it from now on.")] = None,
) -> None:
    """Import a folder of dated versions as a document's history (never alerts anyone)."""
    from rich.progress import Progress, TextColumn

    from core.pipeline.history_import import import_history

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
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON object of the answer.")] = False,
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
    terminal.print_answer(out, result)
    if as_json:
        print(json.dumps(result.to_json()))


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
) -> None:
    """Print a vendor's AI data-use profile, or with --all the register across every tracked vendor."""
    from bots.console import terminal
    from core.answers import register
    from core.storage import database

    if (vendor is None) == (not all_vendors):
        raise UsageError("name one vendor, or use --all for every vendor (e.g. clausewatch profile zoom)")
    with database.read_scope(_engine()) as session:
        entries = register.vendor_profiles(session, vendor=vendor, as_of=_parse_date(as_of, "--as-of"))
    if output is ProfileFormat.json:
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
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of the totals.")] = False,
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
    with _bar() as progress:
        task = progress.add_task("answering", total=len(cases))
        report = evaluate_qa(cases, on_case=lambda _result: progress.advance(task))
    if predictions is not None:
        predictions.write_text("".join(json.dumps(r.to_json()) + "\n" for r in report.results))
    failed = [r for r in report.results if r.error]
    for result in failed[:5]:
        err.print(f"{result.case.id}: {result.error}", markup=False)
    out.print(report.summary())
    if as_json:
        print(json.dumps(report.totals()))


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
