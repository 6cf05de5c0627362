"""``clausewatch demo``: the product end to end on real data, with no network and no chat accounts.

A local vendor site publishes Zoom's real 2023 Terms of Service versions one after another, each on its
real date; clausewatch tracks the page on a fresh SQLite database with this terminal subscribed as a
channel would be, checks after each publication and shows what the bot would post: the alert for each
AI-training change (through the real delivery worker), and a quiet line for a change that moved no
AI-training language. Then it answers the same question on three dates from the versions in force on
each, and prints Zoom's AI data-use profile.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bots.console import terminal
from bots.console.chat import TERMINAL, TerminalSender
from bots.console.corpus import find_corpus
from bots.console.vendor_site import VendorSite
from core.alerts.delivery import Deliverer
from core.alerts.subscriptions import destination, subscribe
from core.answers.answering import ask
from core.answers.register import vendor_profiles
from core.config import Settings
from core.pipeline.check import check_documents
from core.reading.changes import change_label
from core.registry import documents
from core.storage import database
from core.storage.models import Change

ZOOM_TERMS = Path("zoom") / "terms-of-service"


def run_demo(corpus: Path | None, out: Console) -> None:
    """Publish, check and report each Zoom version; leaves the demo database for further exploration."""
    folder = find_corpus(corpus, ZOOM_TERMS) / ZOOM_TERMS
    workdir = Path(tempfile.mkdtemp(prefix="clausewatch-demo-"))
    url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    settings = Settings(database_url=url, allow_private_urls=True, fetch_host_interval=0)
    releases = [
        (date.fromisoformat(path.stem), path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.md"))
    ]
    engine = database.open_engine(url)
    asyncio.run(_publish_and_check(engine, releases, settings, out))
    _print_answers(engine, out)
    out.print(Rule())
    out.print(f"The demo database is kept; explore it with CLAUSEWATCH_DATABASE_URL={url}", markup=False)
    out.print("  clausewatch history zoom | clausewatch changes --ai-only | clausewatch diff zoom --ai-only")
    out.print('  clausewatch ask "Can we opt out of Zoom training AI on our data?"')
    out.print("  clausewatch profile --all --format csv")
    out.print("  clausewatch chat    (the chat commands: help, history zoom, diff zoom, profile zoom)")
    out.print("  clausewatch serve   (then the alerts' Full diff links open the side-by-side diff page)")


async def _publish_and_check(
    engine: Engine, releases: list[tuple[date, str]], settings: Settings, out: Console
) -> None:
    """Replay Zoom's releases on their dates; after each check, deliver what a subscribed channel gets."""
    site = await VendorSite().start()
    deliverer = Deliverer(engine, settings, {TERMINAL.platform: TerminalSender(out)})
    try:
        with database.session_scope(engine) as session:
            doc = documents.track(session, site.url("/legal/terms"), "Zoom", "Terms of Service")
            subscribe(session, destination(session, TERMINAL), [], created_by="demo")
        out.print(f"[bold]Tracking Zoom's Terms of Service[/] at {site.url('/legal/terms')} (a local copy);")
        out.print("this terminal is subscribed to AI-training changes, as a channel would be.\n")
        for day, text in releases:
            site.publish("/legal/terms", text, title="Zoom Terms of Service")
            [report] = await check_documents(engine, settings, [doc.id or 0], day=day)
            out.print(Rule(f"{day}: Zoom publishes new terms"))
            out.print(Text(f"check: {report.message}"))
            if report.change_id is None:
                continue
            if not await deliverer.deliver_due():
                out.print(
                    Text(
                        f"{_label(engine, report.change_id)}: no alert (the subscription is for "
                        "AI-training changes)",
                        style="dim",
                    )
                )
    finally:
        await site.stop()


def _label(engine: Engine, change_id: int) -> str:
    with Session(engine) as session:
        change = session.get(Change, change_id)
        return change_label(change) if change else "?"


DEMO_QUESTIONS = (
    (date(2023, 3, 15), "Does Zoom use our meeting content to train AI?"),
    (date(2023, 4, 15), "Does Zoom use our meeting content to train AI?"),
    (date(2023, 8, 15), "Can Zoom use our audio, video or chat content to train its AI models?"),
)
"""The same worry on three days: before the March rewrite, after it, and after the August backlash."""


def _print_answers(engine: Engine, out: Console) -> None:
    """Questions a compliance team asks, answered from the versions in force on each day, and Zoom's
    AI data-use profile now."""
    with database.read_scope(engine) as session:
        for day, question in DEMO_QUESTIONS:
            out.print(Rule(f"Q (on {day}): {question}"))
            terminal.print_answer(out, ask(session, question, as_of=day).answer)
        out.print(Rule("Zoom's AI data-use profile (clausewatch profile zoom)"))
        for entry in vendor_profiles(session, vendor="Zoom"):
            terminal.print_profile(out, entry)
