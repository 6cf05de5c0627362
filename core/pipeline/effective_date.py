"""The date a document says it takes effect (or was last updated), read from its own text.

Vendors date their terms in a few set phrases near the top ("Effective Date: August 11, 2023",
"Last Updated**: March 11, 2024", "UPDATED AS OF: December 19, 2025", "Effective as of 3 April 2023").
An alert quotes that date, since it can differ from the day clausewatch saw the change: a change
announced today may take effect in thirty days. When the text states no date, nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (
    rf"(?P<mdy>(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>(?:19|20)\d\d))"
    r"|(?P<iso>(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d))"
)
_LABEL = r"(?P<label>effective|last\s+updated|last\s+revised|last\s+modified|updated|revised)"
# The label, then up to a few connecting words or punctuation ("Date:", "as of", "of these Terms is").
_STATED = re.compile(rf"\b{_LABEL}\b[\s*_:]*(?:[a-z]+[\s*_:]+){{0,8}}?(?:{_DATE})", re.IGNORECASE)
_HEAD = 4000
"""Dates are stated at the top; a date deep in the text is more likely an example or a history note."""


@dataclass(frozen=True)
class StatedDate:
    """A date the text states, and whether it is an effective date or a last-updated date."""

    day: date
    effective: bool

    @property
    def label(self) -> str:
        """How an alert names it."""
        return "Effective" if self.effective else "Last updated"


def stated_date(text: str) -> StatedDate | None:
    """The first effective or last-updated date stated near the top of ``text``, if any."""
    for match in _STATED.finditer(text[:_HEAD]):
        day = _day(match)
        if day is not None:
            return StatedDate(day, effective=match["label"].lower() == "effective")
    return None


def _day(match: re.Match[str]) -> date | None:
    if match["mdy"]:
        year, month, day = match["y1"], _MONTHS[match["m1"].lower()], match["d1"]
    elif match["dmy"]:
        year, month, day = match["y2"], _MONTHS[match["m2"].lower()], match["d2"]
    else:
        year, month, day = match["y3"], int(match["m3"]), match["d3"]
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None
