"""Running a chat command for an adapter: on the command loop, off the server's, and never in silence.

Every chat adapter does the same after translating its platform's payload: run the core command where
it cannot delay acknowledgements (``bots.server.background``), and turn a failure nobody foresaw into one line
for the person who asked, with the details in the log.
"""

from __future__ import annotations

import logging

from bots.server.background import BackgroundLoop
from core import messages
from core.commands import Context, execute
from core.messages import Message

log = logging.getLogger(__name__)


async def reply_to(commands: BackgroundLoop, context: Context, text: str) -> Message:
    """The reply to ``text``; an unexpected failure is logged and becomes a one-line apology."""
    try:
        return await commands.run(execute(context, text))
    except Exception as exc:
        caller, place = context.caller, context.place
        where = place.address if place else "no conversation"
        log.exception("%s request from %s in %s failed", caller.platform, caller.user_id, where)
        return messages.error(f"Sorry, that failed unexpectedly ({type(exc).__name__}); it has been logged.")
