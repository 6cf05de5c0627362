"""The background worker: the scheduler (checks) and the delivery worker (alerts) in one process.

The embedded default runs both here on SQLite. For scale-out, run as many workers as wanted against one
PostgreSQL database, and switch either part off per process; the database's row locks keep every check and
every delivery to exactly one worker (see ``core.pipeline.scheduler`` and ``core.alerts.delivery``). SIGTERM
and SIGINT stop it gracefully: the current round finishes, nothing in flight is abandoned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator, Mapping

from sqlalchemy.engine import Engine

from bots.webhook.sender import PLATFORM as WEBHOOK
from bots.webhook.sender import WebhookSender
from core.alerts.delivery import Deliverer, DeliveryStats, Sender
from core.config import Settings
from core.pipeline.scheduler import check_due, run_scheduler

log = logging.getLogger(__name__)


async def run_worker(
    engine: Engine,
    settings: Settings,
    *,
    scheduler: bool = True,
    delivery: bool = True,
    once: bool = False,
    senders: Mapping[str, Sender] | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> DeliveryStats:
    """Run until stopped (with ``once``: until nothing is due); webhooks are always delivered.

    ``handle_signals`` False leaves SIGTERM to the host (``clausewatch serve``), which sets ``stop``.
    """
    stop = stop or asyncio.Event()
    log.info(
        "worker starting: scheduler %s, delivery %s to %s",
        "on" if scheduler else "off",
        "on" if delivery else "off",
        ", ".join([WEBHOOK, *(senders or {})]),
    )
    async with WebhookSender(settings) as webhook:
        deliverer = Deliverer(engine, settings, {WEBHOOK: webhook, **(senders or {})})
        stopping = "finishing the round in progress, then stopping"
        with stopping_on_signals(stop, stopping) if handle_signals else contextlib.nullcontext():
            if once:
                if scheduler:
                    await check_due(engine, settings, stop=stop)
                while delivery and not stop.is_set() and await deliverer.deliver_due():
                    pass
            else:
                parts = [run_scheduler(engine, settings, stop)] if scheduler else []
                parts += [deliverer.run(stop)] if delivery else []
                await asyncio.gather(*parts)
        return deliverer.stats


@contextlib.contextmanager
def stopping_on_signals(stop: asyncio.Event, doing: str) -> Iterator[None]:
    """Set ``stop`` on SIGTERM/SIGINT while the block runs, logging the signal and what happens next, so
    an operator can tell a shutdown from a crash (a no-op where signals cannot be caught)."""
    loop = asyncio.get_running_loop()
    caught = []

    def received(sig: signal.Signals) -> None:
        log.info("%s received: %s", sig.name, doing)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, received, sig)
            caught.append(sig)
    try:
        yield
    finally:
        for sig in caught:
            loop.remove_signal_handler(sig)
