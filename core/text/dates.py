"""Dates as documents and people write them: the one parser behind a document's stated date and the dates
a question names ("on 2023-08-01", "August 11, 2023", "3rd of April 2023", "in March 2023").

Only unambiguous forms are read: ISO dates and dates with a month name. A slashed date ("8/1/2023") is
left to the caller to refuse, since it means different days in different countries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = (
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
)
MONTHS: dict[str, int] = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"\d{4}"

DATE = (
    rf"(?P<mdy>(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>{_YEAR}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>{_YEAR}))"
    rf"|(?P<iso>(?P<y3>{_YEAR})-(?P<m3>\d\d)-(?P<d3>\d\d))"
)
"""A written day, as a pattern with named groups, for patterns that embed it (read it with ``day_of``)."""

_DATES = re.compile(rf"\b(?:{DATE})\b", re.IGNORECASE)
_MONTH_YEARS = re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<year>{_YEAR})\b", re.IGNORECASE)
SLASHED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@dataclass(frozen=True)
class WrittenDate:
    """A date found in a text: where, as written, and the day it names (``None``: no such day)."""

    start: int
    written: str
    day: date | None
    whole_month: bool = False


def day_of(match: re.Match[str]) -> date | None:
    """The day a match of ``DATE`` names, or ``None`` for an impossible one ("February 30, 2024")."""
    if match["mdy"]:
        year, month, day = match["y1"], MONTHS[match["m1"].lower()], match["d1"]
    elif match["dmy"]:
        year, month, day = match["y2"], MONTHS[match["m2"].lower()], match["d2"]
    else:
        year, month, day = match["y3"], int(match["m3"]), match["d3"]
    return _day(int(year), month, int(day))


def dates_in(text: str) -> list[WrittenDate]:
    """Every written day in ``text``, in order."""
    return [WrittenDate(m.start(), m.group(0), day_of(m)) for m in _DATES.finditer(text)]


def months_in(text: str) -> list[WrittenDate]:
    """Every "Month YYYY" in ``text``, in order, each as the first day of that month."""
    return [
        WrittenDate(m.start(), m.group(0), _day(int(m["year"]), MONTHS[m["month"].lower()], 1), True)
        for m in _MONTH_YEARS.finditer(text)
    ]


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
