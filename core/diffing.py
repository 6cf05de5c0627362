"""Comparing two version texts: the fourth pipeline stage.

Line-level for now: the clause-level alignment and word diff arrive with the judgment work.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class TextDiff:
    """The lines a new version added and removed, and a unified diff for people to read."""

    added: list[str]
    removed: list[str]
    unified: list[str]

    @property
    def empty(self) -> bool:
        """True when the texts have the same lines."""
        return not self.added and not self.removed


def diff_texts(old: str, new: str, *, old_label: str = "before", new_label: str = "after") -> TextDiff:
    """Diff two texts line by line, ignoring blank lines that only moved."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    unified = list(
        difflib.unified_diff(old_lines, new_lines, fromfile=old_label, tofile=new_label, lineterm="", n=2)
    )
    added = [line[1:] for line in unified[2:] if line.startswith("+") and line[1:].strip()]
    removed = [line[1:] for line in unified[2:] if line.startswith("-") and line[1:].strip()]
    return TextDiff(added=added, removed=removed, unified=unified)
