"""``clausewatch demo``: the product end to end on real data, with no network and no chat accounts.

A local vendor site publishes Zoom's real 2023 Terms of Service versions one after another; clausewatch
tracks the page on a fresh SQLite database, checks it after each publication and shows what it recorded.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bots.vendor_site import VendorSite
from core import documents
from core.changes import change_into
from core.config import Settings
from core.diffing import diff_texts
from core.errors import UsageError
from core.storage import database
from core.tracking import check_documents
from core.versions import version_text, versions_of

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
    settings = Settings(database_url=f"sqlite:///{workdir / 'demo.sqlite3'}", allow_private_urls=True)
    releases = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.md"))]
    asyncio.run(_publish_and_check(releases, settings, out))
    out.print(f"\nThe demo database is kept at {workdir / 'demo.sqlite3'}; explore it with", markup=False)
    out.print(
        f"  CLAUSEWATCH_DATABASE_URL=sqlite:///{workdir / 'demo.sqlite3'} clausewatch history zoom",
        markup=False,
    )


async def _publish_and_check(releases: list[tuple[str, str]], settings: Settings, out: Console) -> None:
    engine = database.open_engine(settings.database_url)
    site = await VendorSite().start()
    try:
        with database.session_scope(engine) as session:
            doc = documents.track(session, site.url("/legal/terms"), "Zoom", "Terms of Service")
        out.print(f"[bold]Tracking Zoom's Terms of Service[/] at {site.url('/legal/terms')} (a local copy)\n")
        for day, text in releases:
            site.publish("/legal/terms", text, title="Zoom Terms of Service")
            [report] = await check_documents(engine, settings, [doc.id or 0])
            out.print(f"Zoom publishes the {day} terms -> clausewatch: {report.message}", markup=False)
    finally:
        await site.stop()
    _print_history(engine, doc.id or 0, out)


def _print_history(engine: Engine, doc_id: int, out: Console) -> None:
    with Session(engine) as session:
        versions = versions_of(session, doc_id)
        table = Table("version", "recorded", "lines added", "lines removed", title="History")
        for version in versions:
            change = change_into(session, version.id or 0)
            added, removed = (str(change.added_lines), str(change.removed_lines)) if change else ("first", "")
            table.add_row(str(version.id), str(version.fetched_at)[:19], added, removed)
        out.print(table)
        if len(versions) > 1:
            first, second = versions[0], versions[1]
            diff = diff_texts(version_text(session, first), version_text(session, second))
            out.print("\n[bold]Added in the second version[/] (Zoom's March 2023 rewrite):")
            for line in diff.added[:6]:
                out.print("  + " + line[:300], markup=False, style="green")
