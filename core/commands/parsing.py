"""Reading what a chat user typed into a command: its name, arguments and options.

People type commands into Slack and Teams, not a shell: quotes come out curly, commands get misspelt and
questions are asked without any command at all. So the name is found case-insensitively (with the
closest command suggested when it is unknown), curly double quotes group words like straight ones, and
every mistake is one line a person can act on; the dispatcher adds the usage line.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.commands.invocation import Invocation, Option
from core.errors import UsageError
from core.messages import Message
from core.text.similarity import closest

if TYPE_CHECKING:
    from core.commands.context import Context

QUESTION_WORDS = frozenset(
    {"does", "do", "can", "is", "are", "what", "which", "who", "how", "when", "may", "will", "has", "have"}
    | {"should", "why"}
)
"""First words that make an unknown command a question: "@clausewatch does Zoom train on our chats?"."""

ASK = "ask"
"""The command a question without one is given to."""

_CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})
_PLACEHOLDER = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Spec:
    """A command: how it is typed (``usage``), what it does (``summary``), who may run it, and its handler.

    ``max_args`` None takes any number of arguments; ``raw`` takes the rest of the text as one argument,
    untouched (a question keeps its apostrophes and quotes).
    """

    name: str
    usage: str
    summary: str
    admin: bool
    handler: Callable[[Context, Invocation], Awaitable[Message]]
    options: tuple[Option, ...] = ()
    min_args: int = 0
    max_args: int | None = 0
    raw: bool = False

    def bind(self, rest: str, text: str) -> Invocation:
        """Parse the text after the command's name into its arguments and options."""
        if self.raw:
            args = (rest.strip(),) if rest.strip() else ()
            return self._checked(Invocation(self.name, args, {}, text))
        args_found: list[str] = []
        options: dict[str, tuple[str, ...]] = {}
        tokens = iter(tokenise(rest))
        for token in tokens:
            if not token.startswith("--"):
                args_found.append(token)
                continue
            name, equals, value = token.partition("=")
            option = self._option(name)
            if option.value is None and equals:
                raise UsageError(f"{name} takes no value")
            if option.value is not None and not equals:
                value = next(tokens, "")
                if not value or value.startswith("--"):
                    raise UsageError(f"{name} needs a value ({option.value})")
            if name in options and not option.repeat:
                raise UsageError(f"{name} is given twice")
            options[name] = options.get(name, ()) + ((value,) if option.value is not None else ())
        return self._checked(Invocation(self.name, tuple(args_found), options, text))

    def _option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        known = ", ".join(option.name for option in self.options)
        takes = f"it takes {known}" if known else "it takes no options"
        raise UsageError(f"`{self.name}` has no option {name}; {takes}")

    def _checked(self, invocation: Invocation) -> Invocation:
        """The invocation, if it has as many arguments as the command takes."""
        given = len(invocation.args)
        if given < self.min_args:
            missing = _PLACEHOLDER.findall(self.usage)[given:]
            raise UsageError(f"`{self.name}` needs {' '.join(missing) or 'more arguments'}")
        if self.max_args is not None and given > self.max_args:
            extra = " ".join(invocation.args[self.max_args :])
            raise UsageError(
                f"`{self.name}` does not take {extra!r}; put a name with spaces in quotes"
                if self.max_args
                else f"`{self.name}` takes no arguments, not {extra!r}"
            )
        return invocation


def tokenise(text: str) -> list[str]:
    """Split like a shell: quotes (straight or curly double) group words; a quote left open is an error."""
    try:
        return shlex.split(text.translate(_CURLY_QUOTES))
    except ValueError:
        raise UsageError('a quotation mark is not closed; close it, e.g. "Acme Corp"') from None


def find(text: str, commands: Mapping[str, Spec]) -> tuple[Spec, str]:
    """The command ``text`` names and the text after its name.

    Two-word commands (``admins add``) are matched before one-word ones; an unknown first word that
    reads as a question is the question of ``ask``.
    """
    first, rest = _split(text)
    second, after_second = _split(rest)
    pair = f"{first} {second}".lower()
    if second and pair in commands:
        return commands[pair], after_second
    if first.lower() in commands:
        return commands[first.lower()], rest
    if first.lower() in QUESTION_WORDS or text.rstrip().endswith("?"):
        return commands[ASK], text
    raise UsageError(unknown(first, commands))


def _split(text: str) -> tuple[str, str]:
    """The first word of ``text`` and the rest."""
    parts = text.split(None, 1)
    return parts[0] if parts else "", parts[1] if len(parts) > 1 else ""


def unknown(word: str, commands: Mapping[str, Spec]) -> str:
    """Why ``word`` is not a command, with the subcommands of a group or the closest command name."""
    group = [name for name in commands if name.startswith(word.lower() + " ")]
    if group:
        return f"`{word}` needs one of: {', '.join(f'`{name}`' for name in group)}"
    names = sorted({name.split()[0] for name in commands})
    match = closest(word, names, cutoff=0.6)
    hint = f"; did you mean `{match}`?" if match else ";"
    return f"`{word}` is not a clausewatch command{hint} `help` lists commands"
