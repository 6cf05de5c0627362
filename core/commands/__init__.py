"""The bot's chat commands, platform-neutral: adapters pass what users type to ``execute`` and render the
``core.messages.Message`` it returns."""

from core.commands.context import Context
from core.commands.dispatch import COMMANDS, execute, usage_of

__all__ = ["COMMANDS", "Context", "execute", "usage_of"]
