"""Benchmark: how long ``clausewatch`` takes before it does anything (target: --help and --version < 0.5 s).

    python benchmarks/startup.py [--repeat 15]

Each command runs as a fresh process, as a person or cron runs it; the peer is the bare interpreter
(``python -c pass``), the floor no command can go under. The heavy libraries (the ORM, openai,
bm25s/numpy, aiohttp) are imported by the commands that use them, so ``--help`` pays only for the
command-line toolkit.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5


def _seconds(argv: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    command = shutil.which("clausewatch", path=str(Path(sys.executable).parent)) or "clausewatch"
    cases = {
        "python -c pass (peer: the floor)": [sys.executable, "-c", "pass"],
        "clausewatch --help": [command, "--help"],
        "clausewatch --version": [command, "--version"],
        "clausewatch catalog --json": [command, "catalog", "--json"],
    }
    floor = None
    print(f"{'command':36} {'median s':>9} {'p90 s':>7} {'x floor':>8}")
    results = {}
    for name, argv in cases.items():
        times = sorted(_seconds(argv, args.repeat))
        median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
        floor = floor or median
        results[name] = median
        print(f"{name:36} {median:9.3f} {p90:7.3f} {median / floor:8.1f}")
    for name in ("clausewatch --help", "clausewatch --version"):
        verdict = "met" if results[name] < TARGET_SECONDS else "NOT MET"
        print(f"{name}: {results[name]:.3f} s (target < {TARGET_SECONDS} s): {verdict}")


if __name__ == "__main__":
    main()
