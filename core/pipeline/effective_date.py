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

from core.text.dates import DATE, day_of

_LABEL = r"(?P<label>effective|last\s+updated|last\s+revised|last\s+modified|updated|revised)"
# The label, then up to a few connecting words or punctuation ("Date:", "as of", "of these Terms is").
_STATED = re.compile(rf"\b{_LABEL}\b[\s*_:]*(?:[a-z]+[\s*_:]+){{0,8}}?(?:{DATE})", re.IGNORECASE)
_HEAD = 4000
"""Dates are stated at the top; a date deep in the text is more likely an example or a history note."""
_PLAUSIBLE_YEARS = (1900, 2099)
"""A year outside these is a typo or a placeholder ("0000"), not the date the document took effect."""


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
        day = day_of(match)
        if day is not None and _PLAUSIBLE_YEARS[0] <= day.year <= _PLAUSIBLE_YEARS[1]:
            return StatedDate(day, effective=match["label"].lower() == "effective")
    return None
