"""Text primitives every stage shares, one of each: normalising, clauses and their alignment, sentences,
dates, similarity."""
