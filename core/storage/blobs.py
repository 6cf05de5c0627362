"""Content-addressed, compressed storage of version texts.

A text is stored once per content hash. It is compressed with zstd either on its own (a *keyframe*) or as a
delta against a keyframe of the same document, using the keyframe's text as a raw-content dictionary: a
typical edit of a 95 KB policy then costs a few hundred bytes instead of 25 KB. Deltas always point at a
keyframe, never at another delta, so reading any version takes at most two decompressions.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import zstandard
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from core.storage.models import Blob, Profile, Reading, Version

LEVEL = 9
"""Keyframes: compressed once, read often; worth the slower level."""
DELTA_LEVEL = 3
"""Deltas: a few hundred bytes whatever the level, so the fast one."""
KEYFRAME = "zstd"
DELTA = "zstd-delta"
DELTA_WORTH_IT = 0.12
"""A delta is kept when it is under this share of the raw text: legal text compresses to about a quarter
on its own, so such a delta is under half a keyframe; otherwise a fresh keyframe is stored. Deciding on
the raw size means one compression per version, never a keyframe made only to be discarded."""


def _dictionary(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _compress(raw: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdCompressor(level=LEVEL).compress(raw)
    return zstandard.ZstdCompressor(level=DELTA_LEVEL, dict_data=_dictionary(base)).compress(raw)


def _decompress(data: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdDecompressor().decompress(data)
    return zstandard.ZstdDecompressor(dict_data=_dictionary(base)).decompress(data)


def _raw(session: Session, blob: Blob) -> bytes:
    """The uncompressed bytes of ``blob``, resolving its keyframe when it is a delta."""
    if blob.codec == KEYFRAME:
        return _decompress(blob.data)
    base = session.get(Blob, blob.base_hash)
    if base is None:
        raise LookupError(f"blob {blob.hash} names a missing keyframe {blob.base_hash}")
    return _decompress(blob.data, _raw(session, base))


def keyframe_of(session: Session, content_hash: str) -> str | None:
    """The keyframe a new version of the same document should be a delta against."""
    blob = session.get(Blob, content_hash)
    if blob is None:
        return None
    return blob.hash if blob.codec == KEYFRAME else blob.base_hash


def put_text(session: Session, content_hash: str, text: str, *, near: str | None = None) -> Blob:
    """Store ``text`` under ``content_hash`` unless already stored; ``near`` is a similar text's hash.

    The caller's transaction owns the commit, so a blob is never stored without its version.
    """
    existing = session.get(Blob, content_hash)
    if existing is not None:
        return existing
    raw = text.encode("utf-8")
    base_hash = keyframe_of(session, near) if near else None
    base = session.get(Blob, base_hash) if base_hash else None
    blob = None
    if base is not None:
        known = _RECENT.get(base.hash)
        delta = _compress(raw, known.encode("utf-8") if known is not None else _raw(session, base))
        if len(delta) < DELTA_WORTH_IT * len(raw):
            blob = Blob(hash=content_hash, codec=DELTA, base_hash=base.hash, size=len(raw), data=delta)
    if blob is None:
        blob = Blob(hash=content_hash, codec=KEYFRAME, size=len(raw), data=_compress(raw))
    _insert_if_absent(session, blob)
    _remember(content_hash, text)  # the next check compares with it, and bases its delta on it
    return blob


def _insert_if_absent(session: Session, blob: Blob) -> None:
    """Insert, or do nothing if a concurrent transaction stored the same text first (same hash, same text)."""
    values = {column: getattr(blob, column) for column in ("hash", "codec", "base_hash", "size", "data")}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["hash"]))


def get_text(session: Session, content_hash: str) -> str:
    """The text stored under ``content_hash``; the last few read are kept decompressed, since a check
    reads the latest version's text for the page check, for judging and as the next delta's base."""
    known = _RECENT.get(content_hash)
    if known is not None:
        _RECENT.move_to_end(content_hash)
        return known
    blob = session.get(Blob, content_hash)
    if blob is None:
        raise LookupError(f"no stored text with hash {content_hash}")
    text = _raw(session, blob).decode("utf-8")
    _remember(content_hash, text)
    return text


def _remember(content_hash: str, text: str) -> None:
    """Keep a text decompressed (a hash names one text forever, so this never goes stale)."""
    _RECENT[content_hash] = text
    _RECENT.move_to_end(content_hash)
    while len(_RECENT) > _RECENT_SIZE:
        _RECENT.popitem(last=False)


_RECENT: OrderedDict[str, str] = OrderedDict()
_RECENT_SIZE = 16


def sweep(session: Session, hashes: Iterable[str]) -> int:
    """Delete those of ``hashes`` no version stores any longer (after a purge), with their profiles;
    a keyframe stays while a remaining delta is based on it. Returns how many texts were deleted."""
    deleted = 0
    pending = set(hashes)
    while pending:
        orphans = [h for h in sorted(pending) if not _in_use(session, h)]
        if not orphans:
            break
        bases = set()
        for content_hash in orphans:
            blob = session.get(Blob, content_hash)
            if blob is None:
                continue
            if blob.base_hash:
                bases.add(blob.base_hash)
            for model in (Profile, Reading):
                row = session.get(model, content_hash)
                if row is not None:
                    session.delete(row)
                    session.flush()  # rows that refer to the text go first
            session.delete(blob)
            _RECENT.pop(content_hash, None)
            deleted += 1
        session.flush()
        pending = bases  # a keyframe freed by the deltas just deleted may now be unused too
    return deleted


def _in_use(session: Session, content_hash: str) -> bool:
    """Whether a version stores this text, or another text is a delta against it."""
    stored = session.exec(select(Version.id).where(Version.content_hash == content_hash)).first()
    based = session.exec(select(Blob.hash).where(Blob.base_hash == content_hash)).first()
    return stored is not None or based is not None
