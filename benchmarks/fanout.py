"""Benchmark: fan-out of one AI-training change to 10,000 subscribed channels through a rate-limited chat API.

Target (issue: alerts and delivery): finish within 1.1x the rate-limit bound with 0 duplicates and 0
losses. The chat API (``tests.standins.chat_api.RecordingAPI``) runs in a child process and allows about one
message per second per channel and ``--budget`` messages per second per workspace, answering 429 with
Retry-After beyond that; the channels are spread round-robin over ``--workspaces`` workspaces, so the
rate-limit bound is ceil(channels per workspace / budget) seconds. The change is recorded the real way (a
local vendor site changes its terms, a check records the change and writes the outbox rows in the
change's transaction), and the delivery worker (``bots.server.worker.run_worker``, as ``clausewatch worker
--no-scheduler`` runs it) delivers in a second child process. It is not told the budget: it learns it
from the 429s. Wall time runs from telling the ready worker to start until the API has accepted every
message and the database shows every alert sent.

    python benchmarks/fanout.py [--channels 10000] [--workspaces 10] [--budget 50]
                                [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import multiprocessing.synchronize
import os
import resource
import signal
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.standins

import core.pipeline.check
from bots.console.vendor_site import VendorSite
from bots.webhook.sender import PLATFORM
from core.config import Settings
from core.pipeline.check import check_documents
from core.registry import documents
from core.storage import database
from core.storage.models import Alert, Change, Destination, Subscription, utcnow
from tests.standins.chat_api import RecordingAPI

TERMS = """# Terms of Service

Effective Date: March 1, 2026

## 1. Your content

1.1 You own your content. We process it only to provide the service.

1.2 We do not use Customer Content to train artificial intelligence models.

## 2. Fees

2.1 Fees are due monthly. Late payments incur interest at 1% per month.
"""
AI_TRAINING = TERMS.replace(
    "1.2 We do not use Customer Content to train artificial intelligence models.",
    "1.2 We may use Customer Content to train our artificial intelligence models.",
)
TARGET_RATIO = 1.1
LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def serve_api(port_queue: multiprocessing.Queue, channel_interval: float, budget: int) -> None:
    """The chat API process: rate-limited, recording, answering ``GET /stats`` for this process."""

    async def main() -> None:
        api = await RecordingAPI(channel_interval=channel_interval, workspace_budget=budget).start()
        port_queue.put(api.base)
        await asyncio.Event().wait()

    asyncio.run(main())


def deliver(
    url: str,
    concurrency: int | None,
    log_file: str,
    ready: multiprocessing.synchronize.Event,
    go: multiprocessing.synchronize.Event,
    results: multiprocessing.Queue,
) -> None:
    """The delivery worker process: imports and connects, says it is ready, then delivers until SIGTERM.

    Reports the worker's stats, its CPU seconds from the start signal on, and its peak resident memory.
    """
    from bots.server.worker import run_worker

    logging.basicConfig(
        filename=log_file, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    knobs: dict[str, Any] = {} if concurrency is None else {"delivery_concurrency": concurrency}
    settings = Settings(database_url=url, allow_private_urls=True, **knobs)
    engine = database.make_engine(url)
    with engine.connect() as connection:  # connect before the clock starts, as a running worker has
        connection.execute(sqlalchemy.text("select 1"))
    ready.set()
    go.wait()
    cpu0 = time.process_time()
    stats = asyncio.run(run_worker(engine, settings, scheduler=False, delivery=True, once=False))
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put(
        {
            "stats": asdict(stats),
            "cpu": cpu,
            "peak_mb": peak_mb,
            "concurrency": settings.delivery_concurrency,
        }
    )


@contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh migrated database: SQLite in ``workdir``, or a new schema on PostgreSQL, dropped after."""
    if url is None:
        fresh = f"sqlite:///{workdir / 'fanout.sqlite3'}"
        database.upgrade(database.make_engine(fresh))
        yield fresh
        return
    admin = database.make_engine(url)
    schema = f"cw_fanout_{uuid.uuid4().hex[:8]}"
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f"create schema {schema}"))
    fresh = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    try:
        database.upgrade(database.make_engine(fresh))
        yield fresh
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema {schema} cascade"))
        admin.dispose()


def add_channels(engine: Engine, vendor_id: int, api_base: str, channels: int, workspaces: int) -> None:
    """``channels`` webhook destinations over ``workspaces`` workspaces, each subscribed to the vendor."""
    now = utcnow()
    rows = [
        {
            "platform": PLATFORM,
            "workspace": f"ws{i % workspaces}",
            "address": f"{api_base}/hooks/ws{i % workspaces}/c{i}",
            "name": f"#c{i}",
            "state": "active",
            "created_at": now,
        }
        for i in range(channels)
    ]
    with database.session_scope(engine) as session:
        session.execute(insert(Destination), rows)
        ids = session.exec(select(Destination.id).where(Destination.platform == PLATFORM)).all()
        subs = [
            {
                "destination_id": dest_id,
                "vendor_id": vendor_id,
                "target": str(vendor_id),
                "changes": "ai",
                "min_severity": "low",
                "digest": "none",
                "created_by": "fanout-benchmark",
                "created_at": now,
            }
            for dest_id in ids
        ]
        session.execute(insert(Subscription), subs)


def timed(function: Callable[..., int], spent: list[float]) -> Callable[..., int]:
    """``function``, noting the seconds each call takes in ``spent``."""

    def wrapper(*args: Any, **kwargs: Any) -> int:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    return wrapper


async def record_change(engine: Engine, settings: Settings, args: argparse.Namespace, api_base: str) -> str:
    """Track a terms page, add the channels, change the page to AI-training terms and check it again.

    The second check records the change and writes its alerts in one transaction; returns the timing line.
    """
    site = await VendorSite().start()
    try:
        site.publish("/terms", TERMS)
        with database.session_scope(engine) as session:
            doc = documents.track(session, site.url("/terms"), "Acme", "Terms of Service")
            doc_id, vendor_id = doc.id or 0, doc.vendor_id
        [first] = await check_documents(engine, settings, [doc_id])
        assert first.status == "first", first
        start = time.perf_counter()
        add_channels(engine, vendor_id, api_base, args.channels, args.workspaces)
        if engine.dialect.name == "postgresql":  # as autovacuum would have by now; the alerts come next
            with engine.begin() as connection:
                connection.execute(sqlalchemy.text("analyze"))
        setup = time.perf_counter() - start
        site.publish("/terms", AI_TRAINING)
        spent: list[float] = []
        enqueue = core.pipeline.check.enqueue
        core.pipeline.check.enqueue = timed(enqueue, spent)
        try:
            start = time.perf_counter()
            [second] = await check_documents(engine, settings, [doc_id])
            check = time.perf_counter() - start
        finally:
            core.pipeline.check.enqueue = enqueue
        assert second.status == "changed", second
    finally:
        await site.stop()
    with database.read_scope(engine) as session:
        change = session.exec(select(Change)).one()
        alerts = session.exec(select(func.count()).select_from(Alert)).one()
    assert change.ai_training_change and alerts == args.channels, (change.ai_training_change, alerts)
    return (
        f"setup: {args.channels:,} destinations and subscriptions inserted in {setup:.2f} s\n"
        f"outbox: {alerts:,} alerts written in {sum(spent):.2f} s in the change's transaction "
        f"(the whole check, fetch to commit and profile: {check:.2f} s; {change.direction}, "
        f"{change.severity} severity)"
    )


def api_stats(api_base: str, *, keys: bool = False) -> dict[str, Any]:
    """The chat API's counts (``GET /stats``)."""
    with urllib.request.urlopen(f"{api_base}/stats{'?keys=1' if keys else ''}", timeout=30) as response:
        stats: dict[str, Any] = json.load(response)
    return stats


def sent_count(engine: Engine) -> int:
    """Alerts the database shows sent."""
    with database.read_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Alert).where(Alert.state == "sent")).one()


def losses(engine: Engine, accepted: list[list[str]]) -> tuple[int, int, int]:
    """(alerts lost, of them not marked sent, of them never received by their own channel)."""
    received = {(channel, key) for channel, key in accepted}
    with database.read_scope(engine) as session:
        rows = session.exec(
            select(Alert.key, Alert.state, Destination.address).join(
                Destination, col(Alert.destination_id) == col(Destination.id)
            )
        ).all()
    not_sent = not_received = lost = 0
    for key, state, address in rows:
        missing = (address.rsplit("/", 1)[-1], key) not in received
        not_sent += state != "sent"
        not_received += missing
        lost += state != "sent" or missing
    return lost, not_sent, not_received


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--budget", type=int, default=50, help="messages per second per workspace")
    parser.add_argument(
        "--channel-interval", type=float, default=1.0, help="min seconds between messages to a channel"
    )
    parser.add_argument("--database-url", help="PostgreSQL server database (a fresh schema is used)")
    parser.add_argument("--concurrency", type=int, help="the worker's delivery_concurrency (default: 64)")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    args = parser.parse_args()

    spawn = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = spawn.Queue()
    api = spawn.Process(target=serve_api, args=(queue, args.channel_interval, args.budget), daemon=True)
    api.start()
    api_base = queue.get(timeout=60)
    workdir = Path(tempfile.mkdtemp(prefix="clausewatch-fanout-"))
    worker = None
    try:
        with fresh_database(args.database_url, workdir) as url:
            backend = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
            engine = database.make_engine(url)
            settings = Settings(database_url=url, allow_private_urls=True, fetch_host_interval=0)
            print(f"fan-out of one AI-training change on {backend}, {multiprocessing.cpu_count()} cores")
            print(asyncio.run(record_change(engine, settings, args, api_base)))

            ready, go, results = spawn.Event(), spawn.Event(), spawn.Queue()
            log_file = workdir / "worker.log"
            worker = spawn.Process(
                target=deliver, args=(url, args.concurrency, str(log_file), ready, go, results)
            )
            worker.start()
            assert ready.wait(timeout=120), "the worker did not start"
            start = time.monotonic()
            go.set()
            finished = False
            while not finished and time.monotonic() - start < args.timeout:
                time.sleep(0.1)
                finished = (
                    api_stats(api_base)["posted"] >= args.channels and sent_count(engine) >= args.channels
                )
            end = time.monotonic()
            if worker.pid is not None:
                os.kill(worker.pid, signal.SIGTERM)
            report = results.get(timeout=120)
            worker.join(timeout=30)
            stats = api_stats(api_base, keys=True)
            lost, not_sent, not_received = losses(engine, stats["accepted"])
            per_channel = Counter(channel for channel, _ in stats["accepted"])
            duplicates = stats["duplicates"] + sum(n - 1 for n in per_channel.values() if n > 1)
            levels = (line.split(" ", 3)[2:3] for line in log_file.read_text().splitlines())
            log_lines = Counter(level[0] for level in levels if level and level[0] in LEVELS)
            engine.dispose()
    finally:
        if worker is not None and worker.is_alive():
            worker.kill()
        api.terminate()

    per_workspace = math.ceil(args.channels / args.workspaces)
    bound = math.ceil(per_workspace / args.budget)
    wall = end - start
    ratio = wall / bound
    span = (stats["last_post"] or start) - (stats["first_post"] or start)
    rows = [
        ("channels", f"{args.channels:,}"),
        ("workspaces", f"{args.workspaces}"),
        ("budget /s/workspace", f"{args.budget}"),
        ("rate-limit bound s", f"{bound}"),
        ("wall s", f"{wall:.2f}" if finished else f"> {wall:.2f} (gave up)"),
        ("ratio to bound", f"{ratio:.3f}"),
        ("first to last post s", f"{span:.2f}"),
        ("messages accepted", f"{stats['posted']:,}"),
        ("unique keys", f"{stats['unique_keys']:,}"),
        ("duplicates", f"{duplicates}"),
        ("losses", f"{lost} ({not_sent} not marked sent, {not_received} not received, at the end)"),
        ("429s answered", f"{stats['rejected']:,} of {stats['requests']:,} requests"),
        ("deliverer CPU s", f"{report['cpu']:.2f}"),
        ("deliverer peak RSS MB", f"{report['peak_mb']:.0f}"),
    ]
    print(f"delivery by one worker process, delivery_concurrency {report['concurrency']}")
    for name, value in rows:
        print(f"  {name:<24} {value}")
    worker_stats = report["stats"]
    print(
        f"worker: {worker_stats['sent']:,} sent, {worker_stats['rate_limited']:,} rate-limited, "
        f"{worker_stats['failed']} failed, {worker_stats['dead']} dead; log lines {dict(log_lines)}"
    )
    passed = finished and ratio <= TARGET_RATIO and duplicates == 0 and lost == 0
    verdict = "PASS" if passed else "FAIL"
    timing = f"ratio {ratio:.2f}" if finished else f"gave up after {wall:.0f} s, ratio > {ratio:.2f}"
    print(
        f"{verdict}: {timing} (target <= {TARGET_RATIO}), {duplicates} duplicates, {lost} losses (targets 0)"
    )
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
