"""Workers as real processes: killed mid-work and restarted, and two side by side on one PostgreSQL database.

Each worker is `clausewatch worker` in a subprocess, checking a local vendor site and delivering to a local
chat API that records every message it accepted (and every repeated idempotency key it dropped).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import PIPE, Process
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select, update

from bots.console.vendor_site import VendorSite
from bots.webhook.sender import PLATFORM
from core.config import Settings
from core.pipeline.check import check_documents
from core.registry import documents
from core.storage.database import session_scope
from core.storage.models import Alert, Change, Destination, Document, Subscription, Vendor
from tests.standins.chat_api import RecordingAPI

TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service to you.

## 2. Fees

2.1 Fees for {name} are due monthly.
"""
AI_TERMS = TERMS.replace(
    "We process it only to provide the service to you.",
    "We may use your content to train our artificial intelligence models.",
)


@pytest.fixture
async def chat_api() -> AsyncIterator[RecordingAPI]:
    api = await RecordingAPI().start()
    yield api
    await api.stop()


def _worker_env(database_url: str, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CLAUSEWATCH_DATABASE_URL": database_url,
        "CLAUSEWATCH_ALLOW_PRIVATE_URLS": "true",
        "CLAUSEWATCH_FETCH_HOST_INTERVAL": "0",
        "CLAUSEWATCH_FETCH_RETRIES": "0",
        "CLAUSEWATCH_SCHEDULER_POLL_SECONDS": "0.2",
        "CLAUSEWATCH_DELIVERY_POLL_SECONDS": "0.2",
    }
    env.update({f"CLAUSEWATCH_{name.upper()}": value for name, value in settings.items()})
    return env


async def _start_worker(env: dict[str, str], *args: str) -> Process:
    command = [sys.executable, "-c", "from bots.console.cli import main; main()", "worker", *args]
    return await asyncio.create_subprocess_exec(*command, env=env, stdout=PIPE, stderr=PIPE)


async def _finish(process: Process, timeout: float = 120) -> str:
    _out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, err.decode()
    return err.decode()


async def _vendors_with_first_versions(
    engine: Engine, settings: Settings, site: VendorSite, count: int
) -> list[int]:
    """Publish ``count`` vendors' terms, track them and record their first versions."""
    ids = []
    with session_scope(engine) as session:
        for i in range(count):
            site.publish(f"/v{i}/terms", TERMS.format(name=f"Vendor {i}"))
            ids.append(documents.track(session, site.url(f"/v{i}/terms"), f"Vendor {i}", "tos").id or 0)
    await check_documents(engine, settings, ids)
    return ids


def _change_all(engine: Engine, site: VendorSite, count: int) -> None:
    """Every vendor adds AI-training language, and every document falls due."""
    for i in range(count):
        site.publish(f"/v{i}/terms", AI_TERMS.format(name=f"Vendor {i}"))
    with session_scope(engine) as session:
        session.exec(update(Document).values(next_check_at=None))
    site.path_hits.clear()


def _subscribe_channels(engine: Engine, api: RecordingAPI, channels: int, per_channel: int) -> None:
    """``channels`` webhook destinations, each subscribed to ``per_channel`` vendors (round robin)."""
    with session_scope(engine) as session:
        vendor_ids = sorted(v for v in session.exec(select(Vendor.id)).all() if v is not None)
        session.execute(
            insert(Destination),
            [
                {
                    "platform": PLATFORM,
                    "workspace": "ws",
                    "address": api.url("ws", f"C{c}"),
                    "state": "active",
                }
                for c in range(channels)
            ],
        )
        dest_ids = sorted(d for d in session.exec(select(Destination.id)).all() if d is not None)
        rows = [
            {"destination_id": dest_id, "vendor_id": vendor_id, "target": str(vendor_id), "created_by": "U1"}
            for c, dest_id in enumerate(dest_ids)
            for vendor_id in (vendor_ids[(c * per_channel + k) % len(vendor_ids)] for k in range(per_channel))
        ]
        for row in rows:
            row.update(changes="ai", min_severity="low", digest="none")
        session.execute(insert(Subscription), rows)


def _alert_states(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        return Counter(session.exec(select(Alert.state)).all())


def _assert_each_alert_posted_once(engine: Engine, api: RecordingAPI, expected: int) -> None:
    with Session(engine) as session:
        keys = set(session.exec(select(Alert.key)).all())
    posted = Counter(p.key for p in api.posted)
    assert len(keys) == expected
    assert set(posted) == keys, "every alert reached its channel"
    assert max(posted.values()) == 1, "no alert was posted twice"
    assert _alert_states(engine) == Counter({"sent": expected})


async def test_a_worker_killed_mid_work_loses_and_repeats_nothing(
    engine: Engine, settings: Settings, database_url: str, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    await _vendors_with_first_versions(engine, settings, vendor_site, 4)
    _subscribe_channels(engine, chat_api, channels=20, per_channel=2)  # 40 alerts to come
    _change_all(engine, vendor_site, 4)
    chat_api.latency = 0.1  # slow enough that the kill lands mid-delivery, with sends in flight
    env = _worker_env(database_url, delivery_concurrency="2", delivery_lease_seconds="1")

    worker = await _start_worker(env)
    for _ in range(600):
        if len(chat_api.posted) >= 8:
            break
        await asyncio.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    assert 8 <= len(chat_api.posted) < 40, "killed after some alerts and before the rest"
    assert _alert_states(engine)["pending"] > 0

    await asyncio.sleep(1.2)  # the dead worker's leases run out
    await _finish(await _start_worker(env, "--once"))

    _assert_each_alert_posted_once(engine, chat_api, expected=40)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Change)).one() == 4


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_workers_share_the_work_exactly_once(
    engine: Engine, settings: Settings, database_url: str, vendor_site: VendorSite, chat_api: RecordingAPI
) -> None:
    await _vendors_with_first_versions(engine, settings, vendor_site, 200)
    _subscribe_channels(engine, chat_api, channels=100, per_channel=10)  # 1,000 subscriptions
    _change_all(engine, vendor_site, 200)
    env = _worker_env(database_url, check_batch="10", delivery_concurrency="16")

    workers = [await _start_worker(env, "--once"), await _start_worker(env, "--once")]
    logs = [await _finish(worker, timeout=300) for worker in workers]

    assert sorted(vendor_site.path_hits.values()) == [1] * 200, "every document was checked once"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Change)).one() == 200
        held = session.exec(select(Destination).where(col(Destination.lease_owner).is_not(None))).all()
        assert held == []
    _assert_each_alert_posted_once(engine, chat_api, expected=1000)
    assert all("alerts sent" in log for log in logs)
