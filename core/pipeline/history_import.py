"""Importing a folder of dated versions as a document's history (e.g. Open Terms Archive's repositories).

Files are named ``YYYY-MM-DD*.md|.html|.txt|.pdf``; the date is the version's effective date. Imported
versions carry the source ``imported``, so changes into them are known to be history and never alert
anyone. History is only added before what is already stored, so a document's versions stay in date order;
a file with the same text as the first stored version is that version, not a new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import ClausewatchError, UsageError
from core.pipeline.extract import SUFFIX_TYPES, extract
from core.pipeline.versions import Observation, record_imported, version_text, versions_of
from core.reading.changes import record_change
from core.reading.profile import store_profiles
from core.registry.documents import canonical_doc_type, get_or_create_vendor
from core.registry.names import slugify
from core.storage.database import session_scope
from core.storage.models import Document, Version
from core.text.normalise import content_hash

DATED_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass
class ImportReport:
    """How many versions were added, and which files were skipped and why."""

    document_ref: str
    imported: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def dated_files(folder: Path) -> list[tuple[date, Path]]:
    """The version files in ``folder``, oldest first; other files are ignored."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    found = []
    for path in folder.iterdir():
        match = DATED_FILE.match(path.name)
        if match and path.suffix.lower() in SUFFIX_TYPES and path.is_file():
            try:
                found.append((date.fromisoformat(match.group(1)), path))
            except ValueError:
                continue
    if not found:
        raise UsageError(f"no files named YYYY-MM-DD*.md, .html or .txt in {folder}")
    return sorted(found)


def _document(session: Session, vendor_name: str, doc_type: str, url: str | None) -> Document:
    """The document to import into, created if needed (tracked only when it has an http(s) URL)."""
    vendor = get_or_create_vendor(session, vendor_name)
    doc_type = canonical_doc_type(doc_type)
    slug = slugify(doc_type)
    doc = session.exec(select(Document).where(Document.vendor_id == vendor.id, Document.slug == slug)).first()
    if doc is None:
        is_web = bool(url and url.startswith(("http://", "https://")))
        doc = Document(
            vendor_id=vendor.id or 0,
            doc_type=doc_type,
            slug=slug,
            url=url or "",
            active=is_web,
            state="new" if is_web else "imported",
        )
        session.add(doc)
        session.flush()
    return doc


def import_history(
    engine: Engine,
    folder: Path,
    *,
    vendor: str,
    doc_type: str,
    url: str | None = None,
    on_file: Callable[[Path, str], None] | None = None,
) -> ImportReport:
    """Import every dated file of ``folder`` older than the document's stored versions."""
    return import_files(
        engine, dated_files(folder), vendor=vendor, doc_type=doc_type, url=url, on_file=on_file
    )


def import_files(
    engine: Engine,
    files: list[tuple[date, Path]],
    *,
    vendor: str,
    doc_type: str,
    url: str | None = None,
    on_file: Callable[[Path, str], None] | None = None,
) -> ImportReport:
    """Import version files, each with its effective date, oldest first, as one document's history."""
    with session_scope(engine) as session:
        doc = _document(session, vendor, doc_type, url)
        existing = versions_of(session, doc.id or 0)
        report = ImportReport(document_ref=f"{slugify(vendor)}/{doc.slug}")
        first_existing = existing[0] if existing else None
        previous: Version | None = None
        new_versions: list[int] = []
        for day, path in sorted(files):
            imported, status = _import_one(session, doc, path, day, first_existing, previous, report)
            previous = imported or previous
            if imported is not None and imported.id is not None:
                new_versions.append(imported.id)
            if on_file is not None:
                on_file(path, status)
        if previous is not None and first_existing is not None:
            _link(session, doc, previous, first_existing)
    store_profiles(engine, new_versions)
    return report


def _import_one(
    session: Session,
    doc: Document,
    path: Path,
    day: date,
    first_existing: Version | None,
    previous: Version | None,
    report: ImportReport,
) -> tuple[Version | None, str]:
    """Import one file; returns the version now latest among the imported ones and a status word."""
    if first_existing is not None and day >= first_existing.effective_date:
        reason = f"not older than the stored history (which starts {first_existing.effective_date})"
        report.skipped.append((path.name, reason))
        return None, "skipped"
    try:
        extracted = extract(path.read_bytes(), SUFFIX_TYPES[path.suffix.lower()])
    except ClausewatchError as exc:
        report.skipped.append((path.name, str(exc)))
        return None, "skipped"
    observation = Observation(
        text=extracted.text, title=extracted.title, source="imported", effective_date=day
    )
    if first_existing is not None and content_hash(extracted.text) == first_existing.content_hash:
        report.unchanged += 1
        return None, "unchanged"
    outcome = record_imported(session, doc, observation, previous)
    if outcome.status == "junk":
        report.skipped.append((path.name, outcome.reason or "not a document"))
        return None, "skipped"
    if outcome.status == "unchanged":
        report.unchanged += 1
        return None, "unchanged"
    assert outcome.version is not None
    report.imported += 1
    if previous is not None:
        _link(session, doc, previous, outcome.version)
    return outcome.version, "imported"


def _link(session: Session, doc: Document, previous: Version, version: Version) -> None:
    """Record the change between two consecutive versions (never alerted: it is history)."""
    if previous.content_hash != version.content_hash:
        record_change(
            session, doc, previous, version, version_text(session, previous), version_text(session, version)
        )
