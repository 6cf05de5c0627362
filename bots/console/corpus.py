"""Where the shared corpus of real terms is on this machine, for the demo and the evaluations."""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import UsageError


def find_corpus(given: Path | None, needs: Path = Path()) -> Path:
    """The shared corpus: the option, $CLAUSEWATCH_CORPUS, or ../shared/corpus beside the checkout
    (the first of them that holds ``needs``)."""
    candidates = [given] if given else []
    if os.environ.get("CLAUSEWATCH_CORPUS"):
        candidates.append(Path(os.environ["CLAUSEWATCH_CORPUS"]))
    candidates += [
        Path.cwd().parent / "shared" / "corpus",
        Path(__file__).resolve().parents[3] / "shared" / "corpus",
    ]
    for folder in candidates:
        if (folder / needs).is_dir():
            return folder
    tried = ", ".join(str(folder) for folder in candidates)
    raise UsageError(f"the shared corpus is not at {tried}: pass --corpus PATH or set CLAUSEWATCH_CORPUS")
