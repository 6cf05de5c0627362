"""A version's reading kept with it: its clauses and AI-training statements, stored when it is recorded.

The next change of the document is judged against it without segmenting or reading the old text again
(``core.pipeline.prepare``). The reading is a function of the text and ``READER_VERSION``, so it is keyed by
both like the profile; one from older rules is ignored and the text is read again. Stored as zstd-compressed
JSON arrays (field order as in the dataclasses), about a quarter of the text's own size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

import zstandard

from core.reading.statements import Actor, Condition, Statement, clause_statements
from core.text.clauses import Clause

_LEVEL = 3


Reading = tuple[list[Clause], list[tuple[Statement, ...]]]
"""A version's clauses, and each clause's statements (``statements.clause_statements``)."""


def read(clauses: Sequence[Clause], before: Reading | None = None) -> Reading:
    """Each clause's statements, carried over from ``before`` for a clause that is unchanged (equal in
    text, lead, kind, anchor and headings) and read for the others: a new version repeats almost every
    clause of the one before."""
    known = dict(zip(*before, strict=True)) if before is not None else {}
    return list(clauses), [known[c] if c in known else clause_statements(c) for c in clauses]


def flat(reading: Reading) -> list[Statement]:
    """The version's statements in document order (``statements.statements``)."""
    return [statement for per_clause in reading[1] for statement in per_clause]


def encode(reading: Reading) -> bytes:
    """The reading as stored bytes."""
    clauses, per_clause = reading
    data = {
        "clauses": [
            [c.id, list(c.path), c.heading, c.number, c.text, c.kind, c.level, c.lead] for c in clauses
        ],
        "statements": [[_statement(s) for s in found] for found in per_clause],
    }
    return zstandard.ZstdCompressor(level=_LEVEL).compress(json.dumps(data, separators=(",", ":")).encode())


def decode(blob: bytes) -> Reading:
    """The reading ``encode`` stored, equal to reading the text again."""
    data = json.loads(zstandard.ZstdDecompressor().decompress(blob))
    clauses = [
        Clause(id, tuple(path), heading, number, text, kind, level, lead)
        for id, path, heading, number, text, kind, level, lead in data["clauses"]
    ]
    return clauses, [tuple(_statement_of(row) for row in found) for found in data["statements"]]


def _statement(s: Statement) -> list[Any]:
    return [
        sorted(s.data),
        s.actor,
        s.purpose,
        s.condition,
        s.sentence,
        s.clause_id,
        s.negated,
        s.context,
        sorted(s.scope),
        sorted(s.objects),
        s.reach,
    ]


def _statement_of(row: list[Any]) -> Statement:
    data, actor, purpose, condition, sentence, clause_id, negated, context, scope, objects, reach = row
    return Statement(
        frozenset(data),
        cast(Actor, actor),
        purpose,
        cast(Condition, condition),
        sentence,
        clause_id,
        negated,
        context,
        frozenset(scope),
        frozenset(objects),
        reach,
    )
