"""Idle waiting for the long-running loops (scheduler, delivery worker) that must stop promptly."""

from __future__ import annotations

import asyncio
import contextlib


async def idle(stop: asyncio.Event, seconds: float) -> None:
    """Sleep up to ``seconds``, waking at once when ``stop`` is set (graceful shutdown)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
