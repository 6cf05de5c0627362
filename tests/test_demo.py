"""``clausewatch demo`` end to end, as the README's main-job command runs it: a real process, the real
Zoom 2023 versions served over local HTTP, SQLite, the delivery worker printing what a channel gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_shows_alerts_the_quiet_change_and_dated_answers(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CLAUSEWATCH_CORPUS": str(corpus), "COLUMNS": "200", "HOME": str(tmp_path)}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("clausewatch")), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    alerts = [line for line in out.splitlines() if line.startswith("Zoom Terms of Service changed:")]
    assert alerts == [
        "Zoom Terms of Service changed: AI-training change: expands (high severity)",
        "Zoom Terms of Service changed: AI-training change: restricts (medium severity)",
        "Zoom Terms of Service changed: AI-training change: restricts (medium severity)",
    ]
    assert "no AI-training change: no alert" in out  # July 2023: a change nobody is pinged about
    assert "Customer content used for training: Not stated → Yes" in out
    assert "/changes/1?expires=" in out
    for day in ("2023-03-15", "2023-04-15", "2023-08-15"):
        assert f"Q (on {day})" in out
    assert "No. Zoom's Terms of Service (version of 2023-08-11)" in out
