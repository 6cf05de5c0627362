"""Reading an Open Terms Archive *versions* repository: a document's history is its file's git history.

Open Terms Archive records each service's terms as ``<service>/<terms type>.md`` in a git repository, one
commit per recorded version, dated when it was recorded. ``ota_files`` turns one file's commits into dated
versions for ``history_import.import_files``, which checks each page as it checks fetched ones. Git is run
as a subprocess with fixed arguments (the repository path and file path are data, never options).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from core.errors import ClausewatchError, NotFoundError, UsageError
from core.pipeline.history_import import HistoryFile

_TIMEOUT = 120.0


def ota_files(repo: Path, service: str, terms_type: str) -> list[HistoryFile]:
    """Every recorded version of ``service``'s ``terms_type`` in the repository at ``repo``, oldest first,
    each read at the path it had in its commit (the history follows renames of the file)."""
    path = f"{service}/{terms_type}.md"
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise UsageError(f"{repo} is not a git repository (clone an Open Terms Archive versions repository)")
    log = _git(repo, "log", "--follow", "--name-only", "--format=%x00%H %cI", "--", path)
    commits = []
    for record in log.split("\0")[1:]:
        header, *names = [line for line in record.splitlines() if line.strip()]
        commit, when = header.split(" ", 1)
        commits.append((commit, when, names[-1] if names else path))
    if not commits:
        services = sorted(p.name for p in repo.iterdir() if p.is_dir() and not p.name.startswith("."))
        hint = (
            f" (services: {', '.join(services[:8])}{', ...' if len(services) > 8 else ''})"
            if services
            else ""
        )
        raise NotFoundError(f"no history of {path!r} in {repo}{hint}")
    return [
        HistoryFile(
            datetime.fromisoformat(when).date(),
            f"{at}@{commit[:10]}",
            "text/plain",
            _reader(repo, commit, at),
        )
        for commit, when, at in reversed(commits)
    ]


def _reader(repo: Path, commit: str, path: str) -> Callable[[], bytes]:
    """Read the file as that commit recorded it (one ``git show`` a version, when it is imported)."""

    def read() -> bytes:
        return _git_bytes(repo, "show", f"{commit}:{path}")

    return read


def _git(repo: Path, *args: str) -> str:
    return _git_bytes(repo, *args).decode("utf-8", "replace")


def _git_bytes(repo: Path, *args: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ClausewatchError("reading an Open Terms Archive repository needs git on the PATH")
    try:
        # Fixed arguments: user data comes only after `--` or inside `<commit>:<path>`, never as an option.
        done = subprocess.run(  # noqa: S603
            [git, "-C", str(repo), *args], capture_output=True, timeout=_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ClausewatchError(f"cannot read the git history of {repo}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ClausewatchError(f"git could not read {repo}: {message[-1] if message else 'failed'}")
    return done.stdout
