"""Running the real ``clausewatch`` command in a subprocess, as users and scripts do (the ``cli`` fixture)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


class Cli:
    """Runs ``clausewatch`` in a subprocess with its own SQLite database."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {
            **os.environ,
            "CLAUSEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "CLAUSEWATCH_ALLOW_PRIVATE_URLS": "true",
            "CLAUSEWATCH_FETCH_RETRIES": "0",
            "CLAUSEWATCH_FETCH_HOST_INTERVAL": "0",
            "COLUMNS": "200",
        }
        self.env.pop("CLAUSEWATCH_DEBUG", None)

    async def __call__(self, *args: str, ok: bool = True, code: int | None = None) -> tuple[str, str]:
        """Run ``clausewatch *args``; assert it succeeded (or, ``ok=False``, failed; ``code``: with that exit
        code) and return its stdout and stderr."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bots.console.cli import main; main()",
            *args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await process.communicate()
        out, err = stdout.decode(), stderr.decode()
        expected = process.returncode == code if code is not None else (process.returncode == 0) == ok
        assert expected, f"exit {process.returncode}\n{out}\n{err}"
        return out, err
