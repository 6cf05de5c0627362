"""``help``: every command with its usage and what it does, or the commands of one name."""

from __future__ import annotations

from collections.abc import Mapping

from core.commands.context import Context
from core.commands.invocation import Invocation
from core.commands.parsing import Spec, unknown
from core.errors import UsageError
from core.messages import Message

_INTRO = (
    "Or just ask a question, e.g. “does Zoom train AI on our content?”. "
    "Commands marked (admin) change what is watched or who hears of it."
)


def help_spec(commands: Mapping[str, Spec]) -> Spec:
    """The ``help`` command over ``commands`` (the table it is itself part of)."""

    async def show_help(_context: Context, call: Invocation) -> Message:
        wanted = " ".join(call.args).lower()
        shown = [
            spec
            for name, spec in commands.items()
            if not wanted or name == wanted or name.startswith(wanted + " ")
        ]
        if not shown:
            raise UsageError(unknown(wanted, commands))
        title, text = (f"`{wanted}`", "") if wanted else ("clausewatch commands", _INTRO)
        return Message(title=title, text=text, items=tuple(map(_line, shown)), private=True)

    return Spec(
        "help",
        "help [command]",
        "list the commands, or explain one",
        admin=False,
        handler=show_help,
        max_args=2,
    )


def _line(spec: Spec) -> str:
    """One line: "untrack <vendor or vendor/type> — stop watching; the history is kept (admin)"."""
    return f"{spec.usage} — {spec.summary}" + (" (admin)" if spec.admin else "")
