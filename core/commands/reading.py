"""What the tracked terms say: ``ask`` a question, or a vendor's AI data-use ``profile``.

Both quote the deciding clauses verbatim with the document, version date and section, so a reader can
check the answer against the vendor's own words.
"""

from __future__ import annotations

from core.answers import answering
from core.answers.register import vendor_profiles
from core.answers.result import Citation
from core.commands.context import Context
from core.commands.invocation import Invocation
from core.commands.parsing import Spec
from core.messages import Field, Link, Message, Quote, clip
from core.reading import profile
from core.reading.verdicts import VERDICT_LABELS
from core.storage.database import read_scope


async def ask(context: Context, call: Invocation) -> Message:
    """Answer a question from the versions in force; silence is said plainly and cites nothing."""
    answer = await answering.answer(context.engine, context.settings, call.args[0], today=context.today)
    return Message(
        title=VERDICT_LABELS[answer.verdict],
        text=answer.answer,
        fields=(Field("Note", answer.note),) if answer.note else (),
        quotes=tuple(_quote(citation) for citation in answer.citations),
        links=_links(answer.citations),
    )


async def show_profile(context: Context, call: Invocation) -> Message:
    """A vendor's AI data-use profile: one value per point, with the clause that decides each."""
    with read_scope(context.engine) as session:
        [entry] = vendor_profiles(session, vendor=call.args[0], as_of=context.today)
    in_force = ", ".join(f"{item.document} of {item.version_date}" for item in entry.versions)
    quoted = [(point, entry.citations[point][0]) for point in profile.FIELDS if entry.citations[point]]
    return Message(
        title=f"{entry.vendor}: AI data-use profile",
        text=f"From the versions in force: {in_force}.",
        fields=tuple(
            Field(label, VERDICT_LABELS[entry.values[point]]) for point, label in profile.FIELDS.items()
        ),
        quotes=tuple(_quote(citation, about=profile.FIELDS[point]) for point, citation in quoted),
        links=_links([citation for _, citation in quoted]),
    )


def _quote(citation: Citation, about: str | None = None) -> Quote:
    """A citation as a quote labelled "Zoom Terms of Service, 2023-08-07, § 10.4" (and what it decides)."""
    label = f"{citation.vendor} {citation.document}, {citation.version_date}"
    label += f", § {citation.section}" if citation.section else ""
    label += f" (under: {clip(citation.context, 120)})" if citation.context else ""
    return Quote(clip(citation.quote), f"{about}: {label}" if about else label, citation.url)


def _links(citations: list[Citation]) -> tuple[Link, ...]:
    """One link per cited page."""
    pages = {c.url: f"{c.vendor} {c.document}" for c in citations if c.url}
    return tuple(Link(label, url) for url, label in pages.items())


SPECS = (
    Spec(
        "ask",
        "ask <question>",
        "what the tracked terms say, quoted and dated (or just type the question)",
        admin=False,
        handler=ask,
        min_args=1,
        max_args=1,
        raw=True,
    ),
    Spec(
        "profile",
        "profile <vendor>",
        "a vendor's AI data-use profile, with the deciding clauses",
        admin=False,
        handler=show_profile,
        min_args=1,
        max_args=1,
    ),
)
