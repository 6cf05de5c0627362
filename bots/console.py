"""Rendering core results for the terminal with rich: verdicts, clause diffs, answers and profiles.

Vendor text is always wrapped in ``rich.text.Text`` (never parsed as markup), so a page containing
``[bold]`` or ``[link=...]`` cannot restyle the terminal output.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

from core.answers import VERDICT_LABELS, Answer
from core.judgment import Verdict
from core.profile import FIELDS
from core.register import VendorProfile
from core.storage.models import Change

_WORD_DIFF = re.compile(r"\[-(?P<removed>.*?)-\]|\{\+(?P<added>.*?)\+\}", re.DOTALL)


def verdict_label(
    ai_training_change: bool | None, direction: str | None, actor: str | None, severity: str | None
) -> str:
    """One phrase for a verdict: "AI training: expands (vendor, high)" or "no AI-training change"."""
    if ai_training_change is None:
        return "not judged"
    if not ai_training_change:
        return "no AI-training change"
    return f"AI training: {direction} ({actor}, {severity})"


def change_label(change: Change) -> str:
    """The verdict phrase of a stored change, with "cosmetic" for formatting-only changes."""
    if change.kind == "cosmetic":
        return "cosmetic only"
    return verdict_label(change.ai_training_change, change.direction, change.actor, change.severity)


def word_diff(diff: str) -> Text:
    """A ``[-removed-]{+added+}`` word diff, coloured; the markers stay so it reads without colour too."""
    text, last = Text(), 0
    for match in _WORD_DIFF.finditer(diff):
        text.append(diff[last : match.start()])
        if match["removed"] is not None:
            text.append(f"[-{match['removed']}-]", style="red")
        else:
            text.append(f"{{+{match['added']}+}}", style="bold green")
        last = match.end()
    text.append(diff[last:])
    return text


def print_clause_pairs(out: Console, clauses: list[dict[str, Any]], *, ai_only: bool = False) -> None:
    """Print stored clause pairs (``core.changes.details_of``) as the clause-level diff."""
    shown = [c for c in clauses if c["ai"] or not ai_only]
    for clause in shown:
        heading = Text(f"§ {clause['id']}", style="bold")
        heading.append(f"  {clause['kind']}", style="cyan")
        if clause["ai"]:
            heading.append("  AI-training clause", style="bold magenta")
        out.print(heading)
        if clause["kind"] == "modified" and clause["diff"]:
            out.print(word_diff(clause["diff"]))
        elif clause["new"] is not None:
            out.print(Text("+ " + clause["new"], style="green"))
        elif clause["old"] is not None:
            out.print(Text("- " + clause["old"], style="red"))
        out.print()


def print_verdict(out: Console, verdict: Verdict) -> None:
    """The headline and explanation of a verdict."""
    label = verdict_label(verdict.ai_training_change, verdict.direction, verdict.actor, verdict.severity)
    style = "bold magenta" if verdict.ai_training_change else "bold"
    out.print(Text(label, style=style))
    out.print(Text(verdict.explanation))


def print_answer(out: Console, answer: Answer) -> None:
    """An answer: its text, then each quote with the section, document, version date and link."""
    out.print(Text(answer.answer, style="bold" if answer.verdict != "not_stated" else ""))
    for number, citation in enumerate(answer.citations, start=1):
        where = Text(
            f"[{number}] {citation.vendor} {citation.document}, version of {citation.version_date}",
            style="cyan",
        )
        if citation.section:
            where.append(f", \u00a7 {citation.section}")
        out.print(where)
        if citation.context:
            out.print(Text(f"    (under: {citation.context})", style="dim"))
        out.print(Text(f"    \u201c{citation.quote}\u201d"))
        if citation.url:
            out.print(Text(f"    {citation.url}", style="dim"))
    if answer.note:
        out.print(Text(f"note: {answer.note}", style="yellow"))


def print_profile(out: Console, entry: VendorProfile) -> None:
    """One vendor's AI data-use profile with the clauses behind each point."""
    documents = ", ".join(f"{i.document} ({i.version_date})" for i in entry.versions)
    out.print(Text(f"{entry.vendor}: {documents}", style="bold"))
    for point, label in FIELDS.items():
        line = Text(f"  {label}: ")
        line.append(
            VERDICT_LABELS[entry.values[point]],
            style="bold magenta" if entry.values[point] != "not_stated" else "",
        )
        line.append(f" ({entry.details[point]})", style="dim")
        out.print(line)
        for citation in entry.citations[point]:
            section = f"\u00a7 {citation.section}: " if citation.section else ""
            out.print(Text(f"      {section}\u201c{_clip(citation.quote)}\u201d", style="italic"))


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
