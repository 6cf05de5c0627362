"""What a parsed command is: its name, arguments and options, as every handler and the parser share it.

A leaf module, so that the handlers' context and the parser can both name it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """An option a command accepts: ``--name`` alone (a flag), or ``--name VALUE`` when ``value`` names it."""

    name: str
    value: str | None = None
    repeat: bool = False


@dataclass(frozen=True)
class Invocation:
    """One parsed command: its name, positional arguments, options given and the text as typed.

    ``options`` maps each option given to its values (empty for a flag); ``text`` is what the audit log
    records.
    """

    name: str
    args: tuple[str, ...]
    options: Mapping[str, tuple[str, ...]]
    text: str

    def flag(self, name: str) -> bool:
        """Whether the option was given."""
        return name in self.options

    def value(self, name: str) -> str | None:
        """The value of a single-valued option, if given."""
        return self.options[name][0] if name in self.options else None

    def values(self, name: str) -> tuple[str, ...]:
        """Every value of a repeatable option."""
        return self.options.get(name, ())
