"""What the local stand-ins for chat platforms' clouds share: listening on loopback, and waiting until
what a test expects has arrived.

``RecordingSlack`` and ``RecordingTeams`` stand where Slack's Web API and the Bot Framework connector
would, in tests and benchmarks only; each records what the bot sent and answers as the platform would.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class LocalService:
    """An aiohttp server on 127.0.0.1 whose requests wake ``wait_for``; subclasses add the routes."""

    base: str = ""
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    async def _listen(self, app: web.Application, port: int) -> None:
        """Serve ``app`` on a free port (or ``port``); ``base`` becomes its address."""
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _arrived(self) -> None:
        """Note that a request arrived, so ``wait_for`` checks again at once."""
        self._changed.set()

    def _progress(self) -> str:
        """What has arrived so far, for the message of a ``wait_for`` that timed out."""
        return ""

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``predicate()`` is true, e.g. until a background listener has posted. Rechecks
        whenever a request arrives, and every 50 ms for conditions that depend on anything else."""
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            if predicate():
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"condition not met within {timeout}s; {self._progress()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.05))
