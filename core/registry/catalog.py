"""The vendor catalog: which documents to track when someone names a vendor instead of giving URLs.

People say "track Zoom", not "track https://www.zoom.com/en/trust/terms/", so clausewatch ships a catalog of
widely used vendors (``core/registry/vendors.toml``) and lets admins add or correct entries in chat; those are
stored in the database and win over the shipped file, so a moved page can be fixed without a release. Names
are matched the way people type them: any case, any alias, or their slug ("Otter.ai", "otter-ai", "otter ai").
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlmodel import Session, select

from core.errors import ClausewatchError, NotFoundError, UsageError
from core.registry.names import slugify
from core.registry.pages import DOC_TYPES, canonical_doc_type, check_url
from core.storage.models import CatalogEntry as CatalogRow
from core.storage.models import utcnow
from core.text.similarity import similarity

CATALOG_FILE = "core/registry/vendors.toml"
# How alike (``core.text.similarity``, 0-1) a typo must be to a name or alias to be suggested: "zooom"
# scores 0.89 against "zoom" and "salesfroce" 0.90 against "salesforce", while "loom" scores only 0.67
# against "zooom".
SUGGESTION_CUTOFF = 0.75
_VENDOR_KEYS = frozenset({"name", "aliases", "documents"})
_DOCUMENT_KEYS = frozenset({"type", "url", "select", "remove"})


@dataclass(frozen=True)
class CatalogDocument:
    """One legal page of a vendor: its canonical type, URL and optional extraction recipe (CSS selectors)."""

    type: str
    url: str
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The shipped file's shape: selectors only when set, so most entries stay one short line."""
        data: dict[str, Any] = {"type": self.type, "url": self.url}
        if self.select:
            data["select"] = list(self.select)
        if self.remove:
            data["remove"] = list(self.remove)
        return data


@dataclass(frozen=True)
class CatalogEntry:
    """A vendor, the names people call it, and its documents; ``added_by`` is set only for admins' entries."""

    name: str
    aliases: tuple[str, ...]
    documents: tuple[CatalogDocument, ...]
    added_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """For the API and chat cards; ``added_by`` appears only on entries an admin added."""
        data: dict[str, Any] = {
            "name": self.name,
            "aliases": list(self.aliases),
            "documents": [doc.to_json() for doc in self.documents],
        }
        if self.added_by is not None:
            data["added_by"] = self.added_by
        return data

    def document(self, doc_type: str) -> CatalogDocument | None:
        """The document of ``doc_type``, which may be written as people type it ("tos", "privacy")."""
        wanted = canonical_doc_type(doc_type)
        return next((doc for doc in self.documents if doc.type == wanted), None)


class Catalog:
    """Shipped and added entries, searchable by name, alias or slug; names never match two vendors."""

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        self.entries: tuple[CatalogEntry, ...] = tuple(sorted(entries, key=lambda entry: entry.name.lower()))
        self._index: dict[str, CatalogEntry] = {}
        # Added entries are indexed last so that, should a new release ship an alias an admin already uses,
        # the admin's entry keeps it.
        for entry in sorted(self.entries, key=lambda entry: entry.added_by is not None):
            for key in _keys(entry):
                self._index[key] = entry

    def find(self, name: str) -> CatalogEntry | None:
        """The entry ``name`` names exactly (any case, an alias, or a slug form), else None."""
        return next((self._index[key] for key in _name_keys(name) if key in self._index), None)

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        """Entry names closest to a misspelled ``name``, best first; empty when none is close."""
        wanted = name.strip().lower()
        if not wanted:
            return []
        scored = [(_closeness(wanted, entry), entry.name) for entry in self.entries]
        close = sorted((item for item in scored if item[0] >= SUGGESTION_CUTOFF), key=lambda x: (-x[0], x[1]))
        return [entry_name for _, entry_name in close[:limit]]

    def resolve(self, name: str) -> CatalogEntry:
        """The entry ``name`` names, or ``NotFoundError`` suggesting close names and the way out."""
        entry = self.find(name)
        if entry is not None:
            return entry
        close = self.suggestions(name)
        hint = f"did you mean {_either(close)}? " if close else ""
        raise NotFoundError(
            f"no vendor {name.strip()!r} in the catalog; {hint}`catalog` lists them, or track a URL"
        )


@cache
def shipped() -> tuple[CatalogEntry, ...]:
    """The entries of the file shipped in the package, read and checked once per process."""
    return parse_catalog((resources.files("core.registry") / "vendors.toml").read_text(encoding="utf-8"))


def parse_catalog(text: str) -> tuple[CatalogEntry, ...]:
    """Entries of a catalog file; a mistake in it is a ``ClausewatchError`` naming the vendor and problem."""
    try:
        tables = tomllib.loads(text).get("vendor", [])
    except tomllib.TOMLDecodeError as exc:
        raise ClausewatchError(f"{CATALOG_FILE} is not valid TOML: {exc}") from None
    if not isinstance(tables, list):
        raise ClausewatchError(f"{CATALOG_FILE}: `vendor` must be an array of tables ([[vendor]])")
    entries = tuple(_parse_vendor(table, position) for position, table in enumerate(tables, 1))
    owners: dict[str, CatalogEntry] = {}
    for entry in entries:
        for key in sorted(_keys(entry)):  # sorted: the error names the same spelling every run
            owner = owners.setdefault(key, entry)
            if owner is not entry:
                raise _file_error(entry.name, f"{key!r} is already a name or alias of {owner.name!r}")
    return entries


def load(session: Session) -> Catalog:
    """The catalog in force: shipped entries, each replaced by an admin's entry for the same vendor."""
    added = [_from_row(row) for row in session.exec(select(CatalogRow)).all()]
    claimed = {key for entry in added for key in _name_keys(entry.name)}
    kept = [entry for entry in shipped() if not claimed & _keys(entry)]
    return Catalog([*kept, *added])


def add_entry(
    session: Session,
    name: str,
    documents: Sequence[CatalogDocument],
    *,
    aliases: Sequence[str] = (),
    added_by: str,
) -> CatalogEntry:
    """Add a vendor to the catalog, or amend one, as ``added_by``; the caller's transaction commits it.

    Naming a vendor the catalog already has (by name, alias or slug) amends that vendor: its other documents
    and aliases are kept and a document replaces the one of the same type, so fixing one moved page does not
    drop the rest. The entry is stored in the database and, from then on, wins over the shipped file.
    """
    if not slugify(name):
        raise UsageError("the vendor name is empty")
    new_documents = _clean_documents(documents)
    if not new_documents:
        raise UsageError(f"give {name.strip()} at least one document: a type and its URL")
    catalog = load(session)
    current = catalog.find(name)
    name = current.name if current else name.strip()
    new_aliases = _clean_aliases(aliases, name)
    _check_aliases_free(catalog, new_aliases, current)
    entry = CatalogEntry(
        name=name,
        aliases=_unique([*(current.aliases if current else ()), *new_aliases]),
        documents=_merge(current.documents if current else (), new_documents),
        added_by=added_by,
    )
    _save(session, entry, added_by)
    return entry


def _parse_vendor(table: object, position: int) -> CatalogEntry:
    """One ``[[vendor]]`` table, checked as strictly as an admin's input, plus the file's own conventions."""
    if not isinstance(table, dict) or not isinstance(table.get("name"), str) or not slugify(table["name"]):
        raise ClausewatchError(f"{CATALOG_FILE}: vendor number {position} has no name")
    name: str = table["name"]
    try:
        _check_keys(table, _VENDOR_KEYS, "vendor")
        aliases = _strings(table.get("aliases", []), "aliases")
        for alias in aliases:
            if alias != alias.strip().lower() or not slugify(alias):
                raise UsageError(f"alias {alias!r} must be lower-case, trimmed and not empty")
        raw_documents = table.get("documents")
        if not isinstance(raw_documents, list) or not raw_documents:
            raise UsageError("`documents` must be a non-empty list of { type, url } tables")
        documents = _clean_documents([_parse_document(raw) for raw in raw_documents])
    except UsageError as exc:
        raise _file_error(name, str(exc)) from None
    return CatalogEntry(name=name, aliases=aliases, documents=documents)


def _parse_document(raw: object) -> CatalogDocument:
    """A ``{ type, url }`` table; its type must already be canonical, as the file is the reference."""
    if not isinstance(raw, dict):
        raise UsageError("each document must be a { type, url } table")
    _check_keys(raw, _DOCUMENT_KEYS, "document")
    doc_type, url = raw.get("type"), raw.get("url")
    if not isinstance(doc_type, str) or doc_type not in DOC_TYPES or canonical_doc_type(doc_type) != doc_type:
        raise UsageError(f"document type {doc_type!r} is not one of: {', '.join(DOC_TYPES)}")
    if not isinstance(url, str):
        raise UsageError(f"the {doc_type} has no url")
    select_css = _strings(raw.get("select", []), "select")
    remove_css = _strings(raw.get("remove", []), "remove")
    return CatalogDocument(type=doc_type, url=url, select=select_css, remove=remove_css)


def _check_keys(table: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    """Reject unknown keys: a misspelt ``document`` or ``alias`` would otherwise be silently ignored."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise UsageError(f"unknown {what} key {unknown[0]!r}; expected {', '.join(sorted(allowed))}")


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f"`{what}` must be a list of strings")
    return tuple(value)


def _clean_documents(documents: Iterable[CatalogDocument]) -> tuple[CatalogDocument, ...]:
    """Canonical types, checked URLs, trimmed selectors, and one document per type (one tracked doc each)."""
    cleaned: list[CatalogDocument] = []
    for doc in documents:
        doc_type = canonical_doc_type(doc.type)
        if any(other.type == doc_type for other in cleaned):
            raise UsageError(f"two {doc_type} documents given; a vendor has one URL per document type")
        cleaned.append(
            CatalogDocument(
                type=doc_type,
                url=check_url(doc.url),
                select=tuple(css.strip() for css in doc.select if css.strip()),
                remove=tuple(css.strip() for css in doc.remove if css.strip()),
            )
        )
    return tuple(cleaned)


def _clean_aliases(aliases: Iterable[str], name: str) -> tuple[str, ...]:
    """Lower-cased, trimmed aliases, without blanks or spellings of the vendor's own name."""
    own = set(_name_keys(name))
    return _unique(
        alias.strip().lower() for alias in aliases if slugify(alias) and not own & set(_name_keys(alias))
    )


def _check_aliases_free(catalog: Catalog, aliases: Iterable[str], current: CatalogEntry | None) -> None:
    """An alias must not name another vendor, or ``find`` would stop being able to tell them apart."""
    for alias in aliases:
        owner = catalog.find(alias)
        if owner is not None and owner is not current:
            raise UsageError(f"{alias!r} is already a name or alias of {owner.name}; choose another alias")


def _merge(base: Sequence[CatalogDocument], new: Sequence[CatalogDocument]) -> tuple[CatalogDocument, ...]:
    """``base`` with each document replaced by a ``new`` one of the same type, then the new types appended."""
    by_type = {doc.type: doc for doc in new}
    return (*[by_type.pop(doc.type, doc) for doc in base], *by_type.values())


def _save(session: Session, entry: CatalogEntry, added_by: str) -> None:
    """Upsert the row, keyed by slug, as last changed by ``added_by``; flushed so later reads see it."""
    slug = slugify(entry.name)
    row = session.exec(select(CatalogRow).where(CatalogRow.slug == slug)).first()
    if row is None:
        row = CatalogRow(name=entry.name, slug=slug, added_by=added_by)
    row.name, row.aliases = entry.name, list(entry.aliases)
    row.documents = [doc.to_json() for doc in entry.documents]
    row.added_by, row.added_at = added_by, utcnow()
    session.add(row)
    session.flush()


def _from_row(row: CatalogRow) -> CatalogEntry:
    documents = tuple(
        CatalogDocument(
            type=doc["type"],
            url=doc["url"],
            select=tuple(doc.get("select") or ()),
            remove=tuple(doc.get("remove") or ()),
        )
        for doc in row.documents
    )
    return CatalogEntry(name=row.name, aliases=tuple(row.aliases), documents=documents, added_by=row.added_by)


def _name_keys(text: str) -> tuple[str, ...]:
    """The forms a name is matched by: as typed (any case) and as a slug ("Otter.ai" -> "otter-ai")."""
    return text.strip().lower(), slugify(text)


def _keys(entry: CatalogEntry) -> set[str]:
    return {key for text in (entry.name, *entry.aliases) for key in _name_keys(text) if key}


def _closeness(wanted: str, entry: CatalogEntry) -> float:
    return max(similarity(wanted, spelling) for spelling in (entry.name.lower(), *entry.aliases))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _either(names: Sequence[str]) -> str:
    """The alternatives as a sentence reads them: A; A or B; A, B or C."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _file_error(vendor: str, problem: str) -> ClausewatchError:
    return ClausewatchError(f"{CATALOG_FILE}: vendor {vendor!r}: {problem}")
