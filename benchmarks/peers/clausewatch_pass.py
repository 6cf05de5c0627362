"""One pass of clausewatch over the benchmark's pages, as a process of its own, for the peer comparison.

``run.py`` runs this script under GNU time so clausewatch is measured the way the peers are: the whole
process, from interpreter start-up and imports to exit. Pass ``first`` tracks every URL on a fresh SQLite
database (one session) and checks them all; any other pass (``run.py``'s ``rewrite``, ``same-304``,
``same-200``, ``edit``: what changed on the site is its business) checks every tracked document again. All run
the real check cycle (``core.pipeline.check.check_documents``: fetch, extract, record, align clauses and judge
the AI-training change, store the AI data-use profile of every new version). Politeness spacing is off
(``fetch_host_interval=0``) and up to ``--per-host`` fetches run at once, since all pages share one host.

``--cold-caches`` clears the segmentation and clause-reading caches before each page is processed, so no
page profits from another page's identical clauses (the benchmark's pages repeat a few real texts).

    python benchmarks/peers/clausewatch_pass.py --database FILE --urls FILE --pass first|NAME --out FILE
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.config import Settings
from core.pipeline import check as tracking
from core.reading import statements as ailanguage
from core.registry import documents
from core.storage import database
from core.storage.models import Change, Document
from core.text import clauses


def cold(process: Any) -> Any:
    """``process`` with the segmentation and clause-reading caches cleared before every page."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        clauses._segment_cached.cache_clear()
        ailanguage._read_clause.cache_clear()
        return process(*args, **kwargs)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, required=True, help="SQLite file (created by pass first)")
    parser.add_argument("--urls", type=Path, required=True, help="file with one URL a line (pass first)")
    parser.add_argument(
        "--pass", dest="which", required=True, help="first: track and check; any other name: check all again"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--per-host", type=int, default=32, help="concurrent fetches to the one host")
    parser.add_argument("--cold-caches", action="store_true")
    args = parser.parse_args()

    if args.cold_caches:
        tracking._process = cold(tracking._process)
    settings = Settings(
        database_url=f"sqlite:///{args.database}",
        allow_private_urls=True,
        fetch_host_interval=0,
        fetch_per_host=args.per_host,
        fetch_concurrency=max(args.per_host, 32),
    )
    engine = database.open_engine(settings.database_url)
    started = time.perf_counter()
    if args.which == "first":
        urls = [line.strip() for line in args.urls.read_text(encoding="utf-8").splitlines() if line.strip()]
        with database.session_scope(engine) as session:
            ids = [
                documents.track(session, url, f"Vendor {n}", "Terms of Service").id or 0
                for n, url in enumerate(urls)
            ]
    else:
        with Session(engine) as session:
            ids = [doc_id or 0 for doc_id in session.exec(select(Document.id).order_by(col(Document.id)))]
    reports = asyncio.run(tracking.check_documents(engine, settings, ids))
    cycle_seconds = time.perf_counter() - started

    statuses: dict[str, int] = {}
    for report in reports:
        statuses[report.status] = statuses.get(report.status, 0) + 1
    changed_ids = {r.change_id for r in reports if r.change_id is not None}
    # Only the columns the result needs: loading whole changes (their clause details) would measure the
    # benchmark's bookkeeping, not the check.
    with Session(engine) as session:
        rows = session.exec(
            select(Change.id, Change.ai_training_change, Change.direction, Document.url).join(
                Document, col(Change.document_id) == col(Document.id)
            )
        ).all()
    changes = [
        (is_ai, direction, url) for change_id, is_ai, direction, url in rows if change_id in changed_ids
    ]
    result = {
        "documents": len(reports),
        "statuses": statuses,
        "changed_urls": sorted(url for _, _, url in changes),
        "ai_urls": sorted(url for is_ai, _, url in changes if is_ai),
        "directions": sorted({str(direction) for is_ai, direction, _ in changes if is_ai}),
        "cycle_seconds": round(cycle_seconds, 3),
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
