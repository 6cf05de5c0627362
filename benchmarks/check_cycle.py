"""Benchmark: one check cycle over 1,000 documents served by a local HTTP server, half of them changed.

Target (issue: foundation and tracking engine): under 60 s wall and under 500 MB peak memory on SQLite.
The vendor site runs in a child process; this process is clausewatch. Pages are real terms texts from the
shared corpus (each page made distinct), and the second cycle changes half of them (a clause rewritten).

    python benchmarks/check_cycle.py [--docs 1000] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import resource
import tempfile
import threading
import time
from pathlib import Path

import psutil
from sqlmodel import Session, func, select

from bots.console.vendor_site import VendorSite
from core.config import Settings
from core.pipeline.check import check_documents
from core.registry import documents
from core.storage import blobs, database
from core.storage.models import Blob, Version
from core.text.normalise import content_hash

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts(corpus: Path) -> list[str]:
    """Every real terms text of the corpus, largest first."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("**/*.md")) if p.name != "README.md"]
    return sorted((t for t in texts if len(t) > 2000), key=len, reverse=True)


def page_text(texts: list[str], n: int, changed: bool) -> str:
    """Page ``n``: a real text made distinct, with one clause rewritten in the changed version."""
    text = f"# Document {n}\n\n" + texts[n % len(texts)]
    if changed and n % 2 == 0:
        text += f"\n\n## Changes\n\nWe may update clause {n} of these terms at any time without notice.\n"
    return text


def serve(port_queue: multiprocessing.Queue, stage: multiprocessing.Event, corpus: Path, docs: int) -> None:
    """The vendor site process: publishes version 1, and version 2 of every page once ``stage`` is set."""

    async def main() -> None:
        texts = corpus_texts(corpus)
        site = VendorSite()
        for n in range(docs):
            site.publish(f"/doc/{n}", page_text(texts, n, changed=False))
        await site.start()
        port_queue.put(site.port)
        await asyncio.to_thread(stage.wait)
        for n in range(docs):
            site.publish(f"/doc/{n}", page_text(texts, n, changed=True))
        port_queue.put("published")
        await asyncio.Event().wait()

    asyncio.run(main())


class TreeMemory:
    """The peak of the summed RSS of this process and its descendants (the check workers of
    ``CLAUSEWATCH_CHECK_WORKERS`` run under a forkserver child), sampled every 100 ms; the vendor site's
    process is left out."""

    def __init__(self, exclude: int | None) -> None:
        self.peak_mb = 0.0
        self._exclude = exclude
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.1):
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                if child.pid != self._exclude:
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def cycle(engine, settings: Settings, ids: list[int]) -> tuple[float, float, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Run one check cycle; returns wall seconds, CPU seconds and the count of each outcome."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    reports = asyncio.run(check_documents(engine, settings, ids))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.status] = counts.get(report.status, 0) + 1
    return wall, cpu, counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()

    queue: multiprocessing.Queue = multiprocessing.Queue()
    stage = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(queue, stage, args.corpus, args.docs), daemon=True)
    server.start()
    port = queue.get(timeout=120)
    site = VendorSite(port=port)

    workdir = Path(tempfile.mkdtemp(prefix="clausewatch-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'bench.sqlite3'}", allow_private_urls=True, fetch_host_interval=0
    )
    engine = database.open_engine(settings.database_url)
    with database.session_scope(engine) as session:
        ids = [
            documents.track(session, site.url(f"/doc/{n}"), f"Vendor {n}", "Terms of Service").id or 0
            for n in range(args.docs)
        ]

    sampler = TreeMemory(exclude=server.pid)
    print(f"check cycle over {args.docs} documents on SQLite, {multiprocessing.cpu_count()} cores")
    print(f"{'cycle':<28} {'wall s':>8} {'CPU s':>8} {'docs/s':>8}  outcomes")
    wall, cpu, counts = cycle(engine, settings, ids)
    print(f"{'1: first check':<28} {wall:8.2f} {cpu:8.2f} {args.docs / wall:8.1f}  {counts}")
    stage.set()
    assert queue.get(timeout=120) == "published"
    wall, cpu, counts = cycle(engine, settings, ids)
    print(f"{'2: half changed':<28} {wall:8.2f} {cpu:8.2f} {args.docs / wall:8.1f}  {counts}")

    sampler.stop()
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, sampler.peak_mb)
    with Session(engine) as session:
        versions = session.exec(select(func.count()).select_from(Version)).one()
        stored = session.exec(select(func.sum(func.length(Blob.data)))).one() or 0
        raw = session.exec(select(func.sum(Blob.size))).one() or 0
    print(
        f"peak memory: {peak_mb:.0f} MB, this process and its check workers (target < 500 MB); "
        f"cycle 2 wall {wall:.1f} s (target < 60 s)"
    )
    print(
        f"storage: {versions} versions, {raw / versions / 1024:.1f} KB of text each, "
        f"{stored / versions / 1024:.2f} KB stored each ({raw / max(stored, 1):.0f}x smaller)"
    )
    server.terminate()
    print(storage_of_versions(args.corpus, workdir))


def storage_of_versions(corpus: Path, workdir: Path, count: int = 500) -> str:
    """Bytes stored for ``count`` successive versions of the 95 KB Zoom Terms, each one clause edited."""
    base = (corpus / "zoom/terms-of-service/2023-04-01.md").read_text(encoding="utf-8")
    engine = database.open_engine(f"sqlite:///{workdir / 'versions.sqlite3'}")
    previous = None
    with database.session_scope(engine) as session:
        for n in range(count):
            text = base.replace("Zoom Video Communications", f"Zoom Video Communications (revision {n})", 1)
            digest = content_hash(text)
            blobs.put_text(session, digest, text, near=previous)
            previous = digest
    with Session(engine) as session:
        stored = session.exec(select(func.sum(func.length(Blob.data)))).one() or 0
    raw = len(base.encode()) * count
    return (
        f"{count} versions of the {len(base.encode()) / 1024:.0f} KB Zoom Terms: "
        f"{stored / 1024:.0f} KB stored for {raw / 2**20:.1f} MB of text ({raw / stored:.0f}x smaller)"
    )


if __name__ == "__main__":
    main()
