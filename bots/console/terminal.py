"""Rendering core results for the terminal with rich: verdicts, clause diffs, answers, profiles, messages.

Vendor text is always wrapped in ``rich.text.Text`` (never parsed as markup), so a page containing
``[bold]`` or ``[link=...]`` cannot restyle the terminal output.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from core.answers.register import VendorProfile
from core.answers.result import Answer
from core.messages import Kind, Message, clip
from core.reading.changes import ChangeView
from core.reading.profile import FIELDS
from core.reading.verdicts import VERDICT_LABELS
from core.text.clauses import diff_runs


def word_diff(diff: str) -> Text:
    """A ``[-removed-]{+added+}`` word diff, coloured; the markers stay so it reads without colour too."""
    text = Text()
    for kind, run in diff_runs(diff):
        if kind == "removed":
            text.append(f"[-{run}-]", style="red")
        elif kind == "added":
            text.append(f"{{+{run}+}}", style="bold green")
        else:
            text.append(run)
    return text


def print_clause_pairs(out: Console, clauses: list[dict[str, Any]], *, ai_only: bool = False) -> None:
    """Print stored clause pairs (``core.reading.changes.details_of``) as the clause-level diff."""
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


def print_verdict(out: Console, view: ChangeView) -> None:
    """The headline and explanation of a change's verdict."""
    style = "bold magenta" if view.change.ai_training_change else "bold"
    out.print(Text(view.label, style=style))
    out.print(Text(view.change.summary or ""))


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
            out.print(Text(f"      {section}\u201c{clip(citation.quote, 240)}\u201d", style="italic"))


_TITLE_STYLES: dict[Kind, str] = {
    "info": "bold",
    "error": "bold red",
    "refused": "bold yellow",
    "alert": "bold magenta",
    "digest": "bold magenta",
}


def print_message(out: Console, message: Message) -> None:
    """A chat reply or alert as the console chat shows it: the parts in the order every adapter uses.

    Quotes keep word-diff markers coloured (``[-removed-]{+added+}``), as ``diff`` quotes modified clauses.
    Buttons are left out: in a terminal each action is a command to type.
    """
    out.print(Text(message.title, style=_TITLE_STYLES[message.kind]))
    if message.text:
        out.print(Text(message.text))
    for part in message.fields:
        line = Text(f"{part.name}: ", style="bold")
        line.append(part.value)
        out.print(line)
    for item in message.items:
        out.print(Text(f"  \u2022 {item}"))
    for quote in message.quotes:
        if quote.label:
            out.print(Text(quote.label, style="cyan"))
        out.print(word_diff(f"    \u201c{quote.text}\u201d"))
        if quote.url:
            out.print(Text(f"    {quote.url}", style="dim"))
    for link in message.links:
        out.print(Text(f"{link.label}: {link.url}", style="dim"))
