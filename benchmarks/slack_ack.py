"""Benchmark: acknowledging 50 concurrent ``/clausewatch`` slash commands.

Target (issue: Slack adapter): with 50 slash commands arriving at once, the p99 acknowledgement latency
(request sent to HTTP 200 read) stays under 100 ms. Slack gives an app 3 seconds to acknowledge and shows
the user an error past that; the bot acknowledges at once (Bolt's ``ack()``) and answers later, from a
lazy listener, through the command's ``response_url``. The commands' own work (database included) runs on
a background loop (``bots.server.background``), but it still shares the process and the GIL with the server's
loop, so a burst is what could make an acknowledgement late. (Before the commands moved off the server's
loop, and before ``gc.freeze`` at start-up, this measured p99 156-181 ms.)

The server is ``bots.server.app.build_server`` (the Bolt app at ``POST /slack/events``; no scheduler, no
delivery worker) on a fresh SQLite database, in a child process of its own as ``clausewatch serve`` runs
it: the client's load (signing, sending and timing the requests) and the Slack stand-in then do not share
its event loop, which would inflate its figures. ``--in-process`` runs it on this process's loop instead,
for comparison. Slack's Web API and the ``response_url``s are ``tests.standins.slack.RecordingSlack`` in
this process, so the answers' arrival times are on the requests' clock. The benchmark adds one route to
the server, ``GET /bench/stats`` (the process's CPU seconds and garbage-collection pauses), read before
and after each round.

Each command is sent as Slack sends it: a form-encoded body (token, team, channel, user, command, text,
response_url, trigger_id), signed with the signing secret (``X-Slack-Request-Timestamp``,
``X-Slack-Signature``), on a new connection. The texts cycle through ``help``, ``list`` and a question
(``does Zoom train AI on our content?``; the database tracks no vendor, so the answer is that Zoom is not
tracked). A warm-up round (the first requests make Bolt call ``auth.test``; imports and caches warm up) is
not counted. Each round waits for every command's ``response_url`` answer (up to ``--answer-timeout``)
before the next, so rounds do not overlap. The verdict is over every measured command of every round.

    python benchmarks/slack_ack.py [--commands 50] [--rounds 5] [--answer-timeout 30] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import math
import multiprocessing
import multiprocessing.process
import os
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.standins

from tests.standins.slack import RecordingSlack

SECRET = "bench-secret"
BOT_TOKEN = "xoxb-bench"
TEXTS = ("help", "list", "does Zoom train AI on our content?")
TARGET_P99_MS = 100.0
LEVELS = {"WARNING", "ERROR", "CRITICAL"}


class GcClock:
    """The server process's CPU seconds and garbage-collection pauses, for ``GET /bench/stats``."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []  # (generation, seconds)
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"cpu": time.process_time(), "gc": self.pauses})


async def start_server(url: str, api_url: str) -> tuple[web.AppRunner, int]:
    """The clausewatch server on a fresh database, listening on a free port of 127.0.0.1."""
    from bots.server.app import build_server
    from core.config import Settings
    from core.storage import database

    settings = Settings(
        database_url=url,
        slack_signing_secret=SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=api_url,
        allow_private_urls=True,
    )
    engine = database.open_engine(url)
    app = build_server(engine, settings, scheduler=False, delivery=False)
    app.router.add_get("/bench/stats", GcClock().stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, runner.addresses[0][1]


def serve(url: str, api_url: str, log_file: str, port_queue: multiprocessing.Queue) -> None:
    """The server process: reports its port, then serves until terminated."""
    logging.basicConfig(
        filename=log_file, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def forever() -> None:
        _runner, port = await start_server(url, api_url)
        port_queue.put(port)
        await asyncio.Event().wait()

    asyncio.run(forever())


@dataclass(frozen=True)
class Ack:
    """One command's acknowledgement: HTTP status (0: the request failed) and seconds to it."""

    name: str
    status: int
    seconds: float


@dataclass(frozen=True)
class Round:
    """One burst: its acknowledgements and the arrival of its answers, timed from the burst's start, and
    the server's CPU seconds and full (generation 2) garbage collections from its start to its last
    answer."""

    acks: list[Ack]
    answered: int
    last_answer: float | None
    server_cpu: float
    full_gcs: list[float]


def slash_command(index: int, name: str, response_url: str) -> dict[str, str]:
    """The form fields Slack posts for ``/clausewatch <text>``."""
    return {
        "token": "verification-token-unused",
        "team_id": "T1",
        "team_domain": "clausewatch-bench",
        "channel_id": f"C{index % 5}",
        "channel_name": f"bench-{index % 5}",
        "user_id": f"U{index}",
        "user_name": f"user{index}",
        "command": "/clausewatch",
        "text": TEXTS[index % len(TEXTS)],
        "api_app_id": "AAPP",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{index}.{name}.trigger",
    }


def signed(fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The form body and the headers Slack signs it with."""
    body = urllib.parse.urlencode(fields)
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or "",
    }


async def send(
    session: aiohttp.ClientSession, url: str, name: str, body: str, headers: dict[str, str]
) -> Ack:
    """Post one signed command; its acknowledgement time runs to the whole (empty) 200 answer read."""
    start = time.monotonic()
    try:
        async with session.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            status = response.status
    except aiohttp.ClientError:
        status = 0
    return Ack(name, status, time.monotonic() - start)


async def server_stats(session: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    async with session.get(f"{base}/bench/stats") as response:
        stats: dict[str, Any] = await response.json()
    return stats


async def burst(
    api: RecordingSlack, session: aiohttp.ClientSession, base: str, label: str, n: int, answer_wait: float
) -> Round:
    """Send ``n`` signed slash commands at once; wait for every ``response_url`` answer."""
    names = [f"{label}.{i}" for i in range(n)]
    requests = [signed(slash_command(i, name, api.response_url(name))) for i, name in enumerate(names)]
    events = f"{base}/slack/events"
    before = await server_stats(session, base)
    start = time.monotonic()
    acks = await asyncio.gather(
        *(send(session, events, name, *request) for name, request in zip(names, requests, strict=True))
    )
    wanted = set(names)

    def answered() -> set[str]:
        return {r.name for r in api.responses if r.name in wanted}

    with contextlib.suppress(TimeoutError):
        await api.wait_for(lambda: answered() == wanted, timeout=answer_wait)
    after = await server_stats(session, base)
    times = [r.at for r in api.responses if r.name in wanted]
    return Round(
        acks=acks,
        answered=len(answered()),
        last_answer=max(times) - start if times else None,
        server_cpu=after["cpu"] - before["cpu"],
        full_gcs=[seconds for generation, seconds in after["gc"][len(before["gc"]) :] if generation == 2],
    )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


HEADER = (
    f"{'round':<6} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'non-200':>7} "
    f"{'answered':>8} {'last ms':>7} {'cpu ms':>7}  full GCs ms"
)


def row(label: str, acks: list[Ack], answered: int, last: float | None, cpu: float, gcs: list[float]) -> str:
    """One table line: acknowledgement percentiles, answers, the server's CPU and full-GC pauses."""
    ms = [a.seconds * 1000 for a in acks]
    figures = " ".join(f"{percentile(ms, p):7.1f}" for p in (50, 95, 99)) + f" {max(ms):7.1f}"
    bad = sum(a.status != 200 for a in acks)
    last_ms = f"{last * 1000:7.0f}" if last is not None else f"{'none':>7}"
    pauses = ", ".join(f"{g * 1000:.0f}" for g in gcs) or "-"
    return f"{label:<6} {len(acks):4d} {figures} {bad:7d} {answered:8d} {last_ms} {cpu * 1000:7.0f}  {pauses}"


def report(args: argparse.Namespace, rounds: list[Round], api: RecordingSlack, log_file: Path) -> None:
    """The table (a row per round, then all rounds), what the stand-in saw, the server log, the verdict."""
    print(HEADER)
    for i, r in enumerate(rounds, 1):
        print(row(f"{i}", r.acks, r.answered, r.last_answer, r.server_cpu, r.full_gcs))
    every = [a for r in rounds for a in r.acks]
    lasts = [r.last_answer for r in rounds if r.last_answer is not None]
    print(
        row(
            "all",
            every,
            sum(r.answered for r in rounds),
            max(lasts) if lasts else None,
            sum(r.server_cpu for r in rounds),
            [g for r in rounds for g in r.full_gcs],
        )
    )
    print(
        "latencies: request sent to 200 read; answered: commands with a response_url answer; last ms: the\n"
        "round's last answer, from the burst's start; cpu ms: the server process's CPU in the round (with\n"
        "--in-process, the whole process's); full GCs: the server's generation-2 collection pauses"
    )
    statuses = sorted({a.status for a in every if a.status != 200})
    if statuses:
        print(f"non-200 statuses seen: {statuses} (0: the request failed)")
    calls = Counter(c.method for c in api.calls)
    print(f"Slack stand-in: {len(api.responses)} response_url posts, Web API calls {dict(calls)}")
    if log_file.exists():
        lines = [line.split(" ", 3) for line in log_file.read_text().splitlines()]
        logged = [" ".join(line) for line in lines if len(line) > 2 and line[2] in LEVELS]
        print(f"server log: {len(logged)} warning/error lines" + (f"; first: {logged[0]}" if logged else ""))
    p99 = percentile([a.seconds * 1000 for a in every], 99)
    non_200 = sum(a.status != 200 for a in every)
    verdict = "PASS" if p99 < TARGET_P99_MS and non_200 == 0 else "FAIL"
    print(
        f"{verdict}: acknowledgement p99 {p99:.1f} ms over {len(every)} commands "
        f"(target < {TARGET_P99_MS:.0f} ms), {non_200} non-200 (target 0)"
    )


async def run(args: argparse.Namespace, workdir: Path) -> None:
    api = await RecordingSlack().start()
    url = f"sqlite:///{workdir / 'slack_ack.sqlite3'}"
    log_file = workdir / "server.log"
    runner: web.AppRunner | None = None
    child: multiprocessing.process.BaseProcess | None = None
    try:
        if args.in_process:
            runner, port = await start_server(url, api.base_url)
            where = "in this process (sharing the client's event loop)"
        else:
            spawn = multiprocessing.get_context("spawn")
            queue: multiprocessing.Queue = spawn.Queue()
            child = spawn.Process(target=serve, args=(url, api.base_url, str(log_file), queue), daemon=True)
            child.start()
            port = await asyncio.to_thread(queue.get, timeout=120)
            where = "in a child process"
        base = f"http://127.0.0.1:{port}"
        print(
            f"{args.commands} concurrent /clausewatch slash commands, server {where}, SQLite, "
            f"{os.cpu_count()} cores"
        )
        connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a new connection per request
        async with aiohttp.ClientSession(connector=connector) as session:
            warm = await burst(api, session, base, "warmup", args.commands, args.answer_timeout)
            print(
                f"warm-up (not counted): {sum(a.status == 200 for a in warm.acks)}/{len(warm.acks)} "
                f"acknowledged 200, max {max(a.seconds for a in warm.acks) * 1000:.1f} ms, "
                f"{warm.answered} answered"
            )
            rounds = [
                await burst(api, session, base, f"r{i}", args.commands, args.answer_timeout)
                for i in range(1, args.rounds + 1)
            ]
    finally:
        if runner is not None:
            await runner.cleanup()
        if child is not None:
            child.terminate()
            child.join(timeout=10)
        await api.stop()
    report(args, rounds, api, log_file)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commands", type=int, default=50, help="concurrent slash commands per round")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds, after one warm-up")
    parser.add_argument(
        "--answer-timeout", type=float, default=30.0, help="seconds to wait for a round's answers"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run the server on this process's event loop"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clausewatch-slack-ack-") as workdir:
        asyncio.run(run(args, Path(workdir)))


if __name__ == "__main__":
    main()
