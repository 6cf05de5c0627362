"""``clausewatch chat``: the console chat adapter, talking to the core exactly as Slack and Teams will.

It is deliberately thin (read a line, ``execute`` it, print the reply) to show that an adapter needs
nothing more. The terminal's user is a platform admin, as the local operator. Channels subscribed from
here are "this terminal": after each command, alerts due to it are delivered by the core delivery worker
through ``TerminalSender``, so `subscribe` then `check` shows the alert as a channel would see it.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import threading
from collections.abc import AsyncIterable, AsyncIterator
from concurrent.futures import Future, InvalidStateError
from contextlib import suppress

from rich.console import Console
from sqlalchemy.engine import Engine

from bots.console.terminal import print_message
from core import messages
from core.alerts.delivery import Deliverer, Outgoing, Sent
from core.alerts.subscriptions import Place
from core.commands import Context, execute
from core.config import Settings
from core.registry.admins import Caller

log = logging.getLogger(__name__)

PROMPT = "clausewatch> "
TERMINAL = Place("console", "local", "terminal", name="this terminal")
"""Where alerts subscribed to from the console chat go."""


def console_caller(user: str | None = None) -> Caller:
    """The person at the terminal (``--user``, else the login name), an admin of the local workspace."""
    return Caller("console", "local", user_id=user or getpass.getuser(), platform_admin=True)


async def read_lines(prompt: str) -> AsyncIterator[str]:
    """Lines typed at ``prompt`` (empty for piped input) until the end of input."""
    while True:
        try:
            yield await _input(prompt)
        except EOFError:
            return


async def _input(prompt: str) -> str:
    """``input(prompt)`` in a daemon thread, so the event loop stays free and Ctrl-C ends the chat at once.

    (``asyncio.to_thread`` would make the interpreter wait at exit for a line nobody is going to type.)
    """
    line: Future[str] = Future()

    def read() -> None:
        with suppress(InvalidStateError):  # the chat ended while the line was being typed
            try:
                line.set_result(input(prompt))
            except EOFError as exc:
                line.set_exception(exc)

    threading.Thread(target=read, name="chat-input", daemon=True).start()
    return await asyncio.wrap_future(line)


class TerminalSender:
    """Delivers alerts for "this terminal" by printing them, as a channel would show them."""

    def __init__(self, out: Console) -> None:
        self.out = out

    async def send(self, outgoing: Outgoing) -> Sent:
        """Print the alert; a terminal cannot be rate-limited or removed."""
        print_message(self.out, outgoing.message)
        self.out.print()
        return Sent()


async def run_chat(
    engine: Engine, settings: Settings, lines: AsyncIterable[str], out: Console, caller: Caller
) -> int:
    """Run each line as a command and print the reply until ``exit``, ``quit`` or the end of input.

    Returns how many commands failed or were refused, so a script can tell.
    """
    deliverer = Deliverer(engine, settings, {TERMINAL.platform: TerminalSender(out)})
    failures = 0
    async for line in lines:
        if line.strip().lower() in ("exit", "quit"):
            break
        if not line.strip():
            continue
        reply = await _reply(Context(engine, settings, caller, TERMINAL), line)
        failures += reply.kind in ("error", "refused")
        print_message(out, reply)
        out.print()
        await deliverer.deliver_due()
    return failures


async def _reply(context: Context, line: str) -> messages.Message:
    """The reply to one line; an unexpected failure is one line too (logged with CLAUSEWATCH_DEBUG=1)."""
    try:
        return await execute(context, line)
    except Exception as exc:
        if os.environ.get("CLAUSEWATCH_DEBUG"):
            log.exception("command %r failed", line)
            return messages.error(f"unexpected {type(exc).__name__}: {exc}")
        return messages.error(f"unexpected {type(exc).__name__}: {exc} (CLAUSEWATCH_DEBUG=1 shows more)")
