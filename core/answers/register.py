"""The AI data-use register: every tracked vendor's profile, for procurement and security reviews.

It reads stored profiles only (one query for every vendor), so a question across 1,000 documents stays
fast, and it lists tracked vendors with no version yet rather than leaving them out silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from core.answers.in_force import InForce, in_force, vendors_without_versions
from core.answers.questions import Question
from core.answers.result import Answer, Citation
from core.errors import NotFoundError
from core.reading import profile as profiles
from core.reading.verdicts import VERDICT_LABELS, AnswerVerdict
from core.registry.names import resolve_vendor


def register_answer(session: Session, question: Question, day: date) -> Answer:
    """One line per vendor for a question asked across every tracked vendor, from stored profiles only.

    Re-reading every document for a question that names specific data would take seconds with 1,000
    documents; the register answers the profile's point for each vendor instead.
    """
    point = question.point or "customer_content_training"
    versions = in_force(session, (), question.doc_types, day)
    if not versions:
        raise NotFoundError("no tracked documents yet; track a vendor first")
    stored = profiles.profiles_of(session, [item.content_hash for item in versions])
    by_vendor = _by_vendor(versions)
    lines: list[str] = []
    citations: list[Citation] = []
    verdicts: list[AnswerVerdict] = []
    for items in by_vendor.values():
        findings = [(item, stored[item.content_hash].findings[point]) for item in items]
        value = profiles.combine(finding.value for _, finding in findings)
        verdicts.append(value)
        line = f"{items[0].vendor}: {VERDICT_LABELS[value]}"
        quoted = next(((item, finding.quotes[0]) for item, finding in findings if finding.quotes), None)
        if quoted is not None:
            item, quote = quoted
            citations.append(item.citation(quote.text, quote.section, quote.clause_id, quote.context))
            line += f" ({item.document}, {item.version_date}, {quote.section or quote.clause_id})"
        lines.append(line)
    permissive = [v for v in verdicts if v in ("yes", "opt_out", "with_consent", "unclear")]
    verdict: AnswerVerdict = "yes" if permissive else "no" if "no" in verdicts else "not_stated"
    lines += [f"{name}: no stored version yet" for name in vendors_without_versions(session, by_vendor)]
    topic = profiles.TOPICS.get(point, "AI training")
    answer = f"{len(permissive)} of {len(lines)} vendors' terms allow or may allow {topic}:\n" + "\n".join(
        lines
    )
    return Answer(question.text, verdict, answer, citations, method="profile", lines=lines)


@dataclass(frozen=True)
class VendorProfile:
    """A vendor's AI data-use profile over its documents in force: per point, a value and citations."""

    vendor: str
    versions: list[InForce]
    values: dict[str, AnswerVerdict]
    details: dict[str, str]
    citations: dict[str, list[Citation]]

    def to_json(self) -> dict[str, object]:
        """One register entry as ``profile --format json`` prints it."""
        return {
            "vendor": self.vendor,
            "documents": [
                {
                    "document": i.document,
                    "version_date": i.version_date.isoformat(),
                    "url": i.url,
                }
                for i in self.versions
            ],
            "profile": {
                point: {
                    "label": profiles.FIELDS[point],
                    "value": self.values[point],
                    "detail": self.details[point],
                    "citations": [c.to_json() for c in self.citations[point]],
                }
                for point in profiles.FIELDS
            },
        }


def vendor_profiles(
    session: Session, *, vendor: str | None = None, as_of: date | None = None
) -> list[VendorProfile]:
    """The profile of one vendor, or the register of every tracked vendor, as of a day (today)."""
    day = as_of or datetime.now(UTC).date()
    vendor_ids = (resolve_vendor(session, vendor),) if vendor else ()
    by_vendor = _by_vendor(in_force(session, vendor_ids, (), day))
    if vendor and not by_vendor:
        raise NotFoundError(
            f"{vendor!r} has no stored version in force on {day}; run `clausewatch check` first"
        )
    found = [_vendor_profile(session, items) for items in by_vendor.values()]
    if vendor is None:  # the register lists every tracked vendor, with or without a version yet
        found += [_no_version(name) for name in vendors_without_versions(session, by_vendor)]
    return found


def _by_vendor(versions: list[InForce]) -> dict[int, list[InForce]]:
    """Versions grouped by vendor, in the order ``in_force`` gives (vendors by name)."""
    grouped: dict[int, list[InForce]] = {}
    for item in versions:
        grouped.setdefault(item.vendor_id, []).append(item)
    return grouped


def _no_version(vendor: str) -> VendorProfile:
    """A register row for a tracked vendor with no version in force: every point not stated, and why."""
    return VendorProfile(
        vendor,
        [],
        {point: "not_stated" for point in profiles.FIELDS},
        {point: "no stored version yet" for point in profiles.FIELDS},
        {point: [] for point in profiles.FIELDS},
    )


def _vendor_profile(session: Session, items: list[InForce]) -> VendorProfile:
    values: dict[str, AnswerVerdict] = {}
    details: dict[str, str] = {}
    citations: dict[str, list[Citation]] = {}
    stored = profiles.profiles_of(session, [item.content_hash for item in items])
    found = [(item, stored[item.content_hash]) for item in items]
    for point in profiles.FIELDS:
        findings = [(item, p.findings[point]) for item, p in found]
        stated = [(item, f) for item, f in findings if f.value != "not_stated"]
        if point == "input_retention":
            values[point] = "yes" if stated else "not_stated"
        else:
            values[point] = profiles.combine(f.value for _, f in findings)
        details[point] = (
            "; ".join(f"{item.document}: {f.detail}" for item, f in stated) or findings[0][1].detail
        )
        citations[point] = [
            item.citation(q.text, q.section, q.clause_id, q.context) for item, f in stated for q in f.quotes
        ][:3]
    return VendorProfile(items[0].vendor, items, values, details, citations)
