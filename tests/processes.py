"""``clausewatch serve`` and ``clausewatch worker`` as real processes: started with their settings in the
environment, waited on until they answer, stopped with SIGTERM, and their JSON log lines read back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

PROGRAM = str(Path(sys.executable).with_name("clausewatch"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Clausewatch:
    """One running clausewatch command; ``url`` is its own port's address."""

    process: asyncio.subprocess.Process
    name: str
    url: str

    async def answers(self, path: str, within: float = 90.0) -> None:
        """Wait until ``path`` answers 200. Start-up takes seconds on a loaded 2-core machine, so the
        deadline is generous; a process that exits instead fails at once."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    pytest.fail(
                        f"clausewatch {self.name} exited with {self.process.returncode} before answering"
                    )
                with contextlib.suppress(aiohttp.ClientError):
                    if (await http.get(f"{self.url}{path}")).status == 200:
                        return
                await asyncio.sleep(0.1)
        pytest.fail(f"clausewatch {self.name} did not answer {path} within {within:g} s")

    async def stop(self) -> list[dict[str, Any]]:
        """SIGTERM, a clean exit within 30 s, and every JSON log line it wrote to stderr."""
        try:
            self.process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(self.process.wait(), 30) == 0
        finally:
            if self.process.returncode is None:
                self.process.kill()
        assert self.process.stderr is not None
        text = (await self.process.stderr.read()).decode()
        assert "Traceback" not in text, text
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def start(tmp_path: Path, *args: str, **settings: str) -> Clausewatch:
    """Run ``clausewatch ARGS`` in ``tmp_path`` on a fresh SQLite file, logging JSON, on a free port (the
    ``{port}`` in ``args`` is replaced by it too). ``settings`` are ``CLAUSEWATCH_<NAME>`` values."""
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("CLAUSEWATCH_")},
        "CLAUSEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'clausewatch.sqlite3'}",
        "CLAUSEWATCH_PORT": str(port),
        "CLAUSEWATCH_LOG_FORMAT": "json",
        **{f"CLAUSEWATCH_{name.upper()}": value for name, value in settings.items()},
    }
    command = [arg.format(port=port) for arg in args]
    process = await asyncio.create_subprocess_exec(
        PROGRAM, *command, env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    return Clausewatch(process, command[0], f"http://127.0.0.1:{port}")
