"""Importing a folder of dated versions as a document's history (e.g. Open Terms Archive's repositories).

Files are named ``YYYY-MM-DD*.md|.html|.txt|.pdf``; the date is the version's effective date. Imported
versions carry the source ``imported``, so changes into them are known to be history and never alert
anyone. History is only added before what is already stored, so a document's versions stay in date order;
a file with the same text as the first stored version is that version, not a new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import ClausewatchError, UsageError
from core.pipeline.extract import SUFFIX_TYPES, extract
from core.pipeline.versions import SHRINK_LIMIT, Observation, record_imported, version_text, versions_of
from core.reading.changes import record_change
from core.reading.profile import store_profiles
from core.registry.names import slugify
from core.registry.pages import canonical_doc_type
from core.registry.vendors import get_or_create_vendor
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
    already: int = 0
    """Files not older than the stored history (a re-run of the same import)."""
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryFile:
    """One dated version to import: a file of a folder, or a commit of an Open Terms Archive repository."""

    day: date
    name: str
    content_type: str
    read: Callable[[], bytes]


def dated_files(folder: Path) -> list[HistoryFile]:
    """The version files in ``folder``, oldest first; other files are ignored."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    found = []
    for path in folder.iterdir():
        match = DATED_FILE.match(path.name)
        if match and path.suffix.lower() in SUFFIX_TYPES and path.is_file():
            try:
                found.append(history_file(date.fromisoformat(match.group(1)), path))
            except ValueError:
                continue
    if not found:
        raise UsageError(f"no files named YYYY-MM-DD*.md, .html or .txt in {folder}")
    return sorted(found, key=lambda f: (f.day, f.name))


def history_file(day: date, path: Path) -> HistoryFile:
    """A file of a folder as a version dated ``day``."""
    return HistoryFile(day, path.name, SUFFIX_TYPES[path.suffix.lower()], path.read_bytes)


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
    on_file: Callable[[str, str], None] | None = None,
) -> ImportReport:
    """Import every dated file of ``folder`` older than the document's stored versions."""
    return import_files(
        engine, dated_files(folder), vendor=vendor, doc_type=doc_type, url=url, on_file=on_file
    )


@dataclass(frozen=True)
class _Read:
    """A file's extracted text, or why it could not be read."""

    file: HistoryFile
    observation: Observation | None = None
    error: str | None = None

    @property
    def size(self) -> int:
        return len(self.observation.text.encode("utf-8")) if self.observation else 0

    @property
    def digest(self) -> str | None:
        return content_hash(self.observation.text) if self.observation else None


def import_files(
    engine: Engine,
    files: Sequence[HistoryFile],
    *,
    vendor: str,
    doc_type: str,
    url: str | None = None,
    on_file: Callable[[str, str], None] | None = None,
) -> ImportReport:
    """Import versions, each with its effective date, oldest first, as one document's history.

    Each passes the page check a fetched page passes: not junk (error pages, redirect stubs, cookie walls),
    and no sudden shrink that a later version does not confirm (a capture glitch, not the vendor's text)."""
    reads = [_read(file) for file in sorted(files, key=lambda f: f.day)]
    with session_scope(engine) as session:
        doc = _document(session, vendor, doc_type, url)
        existing = versions_of(session, doc.id or 0)
        report = ImportReport(document_ref=f"{slugify(vendor)}/{doc.slug}")
        first_existing = existing[0] if existing else None
        previous: Version | None = None
        previous_size = 0
        new_versions: list[int] = []
        for index, read in enumerate(reads):
            doubt = _shrink_doubt(reads, index, previous_size) if previous is not None else None
            imported, status = _import_one(session, doc, read, first_existing, previous, doubt, report)
            if imported is not None:
                previous, previous_size = imported, read.size
                if imported.id is not None:
                    new_versions.append(imported.id)
            if on_file is not None:
                on_file(read.file.name, status)
        if previous is not None and first_existing is not None:
            _link(session, doc, previous, first_existing)
    store_profiles(engine, new_versions)
    return report


def _read(file: HistoryFile) -> _Read:
    try:
        extracted = extract(file.read(), file.content_type)
    except (ClausewatchError, OSError) as exc:
        return _Read(file, error=str(exc))
    observation = Observation(
        text=extracted.text, title=extracted.title, source="imported", effective_date=file.day
    )
    return _Read(file, observation)


def _shrink_doubt(reads: list[_Read], index: int, previous_size: int) -> str | None:
    """Why the text at ``index`` is a glitch: under half the size of the last version imported, and the
    next file does not keep it (it bounces back, or there is none to confirm it)."""
    size = reads[index].size
    if not previous_size or size >= SHRINK_LIMIT * previous_size:
        return None
    following = reads[index + 1] if index + 1 < len(reads) else None
    if following is not None and following.digest == reads[index].digest:
        return None
    if following is not None and following.observation and following.size < SHRINK_LIMIT * previous_size:
        return None  # the document really got shorter and stayed so
    return f"the text shrank from {previous_size:,} to {size:,} bytes and no later version kept it"


def _import_one(
    session: Session,
    doc: Document,
    read: _Read,
    first_existing: Version | None,
    previous: Version | None,
    doubt: str | None,
    report: ImportReport,
) -> tuple[Version | None, str]:
    """Import one file; returns the version now latest among the imported ones and a status word."""
    name = read.file.name
    if first_existing is not None and read.file.day >= first_existing.effective_date:
        report.already += 1  # history is only added before what is stored
        return None, "already stored"
    if read.observation is None:
        return _skip(report, name, read.error or "unreadable")
    if doubt is not None:
        return _skip(report, name, doubt)
    if first_existing is not None and read.digest == first_existing.content_hash:
        report.unchanged += 1
        return None, "unchanged"
    outcome = record_imported(session, doc, read.observation, previous)
    if outcome.status == "junk":
        return _skip(report, name, outcome.reason or "not a document")
    if outcome.status == "unchanged":
        report.unchanged += 1
        return None, "unchanged"
    assert outcome.version is not None
    report.imported += 1
    if previous is not None:
        _link(session, doc, previous, outcome.version)
    return outcome.version, "imported"


def _skip(report: ImportReport, name: str, reason: str) -> tuple[None, str]:
    report.skipped.append((name, reason))
    return None, "skipped"


def _link(session: Session, doc: Document, previous: Version, version: Version) -> None:
    """Record the change between two consecutive versions (never alerted: it is history)."""
    if previous.content_hash != version.content_hash:
        record_change(
            session, doc, previous, version, version_text(session, previous), version_text(session, version)
        )
