"""``clausewatch demo``: the product end to end on real data, with no network and no chat accounts.

A local vendor site publishes Zoom's real 2023 Terms of Service versions one after another; clausewatch
tracks the page on a fresh SQLite database, checks it after each publication and shows what it recorded:
the clause-level changes and, for each, whether it moved AI-training language and which way; then it answers
a few questions about the terms now in force and prints Zoom's AI data-use profile.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bots import console
from bots.vendor_site import VendorSite
from core import documents
from core.answering import ask
from core.changes import change_label, list_changes
from core.config import Settings
from core.errors import UsageError
from core.register import vendor_profiles
from core.storage import database
from core.storage.models import Change
from core.tracking import check_documents

ZOOM_TERMS = Path("zoom") / "terms-of-service"


def find_corpus(given: Path | None) -> Path:
    """The shared corpus: the option, $CLAUSEWATCH_CORPUS, or ../shared/corpus beside the checkout."""
    candidates = [given] if given else []
    if os.environ.get("CLAUSEWATCH_CORPUS"):
        candidates.append(Path(os.environ["CLAUSEWATCH_CORPUS"]))
    candidates += [
        Path.cwd().parent / "shared" / "corpus",
        Path(__file__).resolve().parents[2] / "shared" / "corpus",
    ]
    for folder in candidates:
        if (folder / ZOOM_TERMS).is_dir():
            return folder
    raise UsageError("the demo needs the shared corpus (zoom/terms-of-service/*.md): pass --corpus PATH")


def run_demo(corpus: Path | None, out: Console) -> None:
    """Publish, check and report each Zoom version; leaves the demo database for further exploration."""
    folder = find_corpus(corpus) / ZOOM_TERMS
    workdir = Path(tempfile.mkdtemp(prefix="clausewatch-demo-"))
    url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    settings = Settings(database_url=url, allow_private_urls=True, fetch_host_interval=0)
    releases = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.md"))]
    engine = database.open_engine(url)
    asyncio.run(_publish_and_check(engine, releases, settings, out))
    _print_ai_changes(engine, out)
    _print_answers(engine, out)
    out.print(Rule())
    out.print(f"The demo database is kept; explore it with CLAUSEWATCH_DATABASE_URL={url}", markup=False)
    out.print("  clausewatch history zoom | clausewatch changes --ai-only | clausewatch diff zoom --ai-only")
    out.print('  clausewatch ask "Can we opt out of Zoom training AI on our data?"')
    out.print("  clausewatch profile --all --format csv")
    out.print("  clausewatch chat    (the chat commands: help, history zoom, diff zoom, profile zoom)")


async def _publish_and_check(
    engine: Engine, releases: list[tuple[str, str]], settings: Settings, out: Console
) -> None:
    site = await VendorSite().start()
    try:
        with database.session_scope(engine) as session:
            doc = documents.track(session, site.url("/legal/terms"), "Zoom", "Terms of Service")
        out.print(f"[bold]Tracking Zoom's Terms of Service[/] at {site.url('/legal/terms')} (a local copy)\n")
        for day, text in releases:
            site.publish("/legal/terms", text, title="Zoom Terms of Service")
            [report] = await check_documents(engine, settings, [doc.id or 0])
            line = Text(f"Zoom publishes its {day} terms -> {report.message}")
            if report.change_id is not None:
                line.append(f": {_label(engine, report.change_id)}", style="bold")
            out.print(line)
    finally:
        await site.stop()


def _label(engine: Engine, change_id: int) -> str:
    with Session(engine) as session:
        change = session.get(Change, change_id)
        return change_label(change) if change else "?"


def _print_ai_changes(engine: Engine, out: Console) -> None:
    """What an alert would quote for every AI-training change, oldest first."""
    with Session(engine) as session:
        rows = list_changes(session, ai_only=True)
    for change, _doc, _vendor, version in reversed(rows):
        out.print(Rule(f"AI-training change recorded on {version.fetched_at:%Y-%m-%d %H:%M}"))
        out.print(Text(change_label(change), style="bold magenta"))
        out.print(Text(change.summary or ""))
        out.print()
        console.print_clause_pairs(out, (change.details or {}).get("clauses", []), ai_only=True)


DEMO_QUESTIONS = (
    "Does Zoom use our meeting content to train AI?",
    "Is Zoom's service generated data used for machine learning?",
    "How long does Zoom keep our data after the account is closed?",
    "What changed in Zoom's terms this week?",
)


def _print_answers(engine: Engine, out: Console) -> None:
    """Questions a compliance team asks, answered from the versions now stored, and Zoom's AI profile."""
    with database.read_scope(engine) as session:
        for question in DEMO_QUESTIONS:
            out.print(Rule(f"Q: {question}"))
            console.print_answer(out, ask(session, question).answer)
        out.print(Rule("Zoom's AI data-use profile (clausewatch profile zoom)"))
        for entry in vendor_profiles(session, vendor="Zoom"):
            console.print_profile(out, entry)
