"""The bot's chat commands, platform-neutral: adapters pass what users type to ``execute`` and render the
``core.messages.Message`` it returns."""

from core.commands.context import Context
from core.commands.dispatch import COMMANDS, action_command, execute, needs_admin, usage_of

__all__ = ["COMMANDS", "Context", "action_command", "execute", "needs_admin", "usage_of"]
