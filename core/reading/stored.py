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

from core.reading.statements import Actor, Condition, Statement
from core.text.clauses import Clause

_LEVEL = 3


def encode(clauses: Sequence[Clause], statements: Sequence[Statement]) -> bytes:
    """The reading as stored bytes."""
    data = {
        "clauses": [
            [c.id, list(c.path), c.heading, c.number, c.text, c.kind, c.level, c.lead] for c in clauses
        ],
        "statements": [_statement(s) for s in statements],
    }
    return zstandard.ZstdCompressor(level=_LEVEL).compress(json.dumps(data, separators=(",", ":")).encode())


def decode(blob: bytes) -> tuple[list[Clause], list[Statement]]:
    """The clauses and statements ``encode`` stored, equal to reading the text again."""
    data = json.loads(zstandard.ZstdDecompressor().decompress(blob))
    clauses = [
        Clause(id, tuple(path), heading, number, text, kind, level, lead)
        for id, path, heading, number, text, kind, level, lead in data["clauses"]
    ]
    return clauses, [_statement_of(row) for row in data["statements"]]


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
