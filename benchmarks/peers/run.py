"""Benchmark: clausewatch side by side with the tools a team would pick instead, on the same pages.

The issue asks to show, reproducibly and on one machine in one run, how clausewatch compares with
changedetection.io (a self-hosted page-change monitor, PyPI ``changedetection.io``, run in its batch mode)
and Open Terms Archive's engine (npm ``@opentermsarchive/engine``, ``ota track``). Targets: on the changed
pass clausewatch processes at least 10x changedetection.io's documents per second while it aligns clauses
and judges AI-training changes, and it uses less peak memory.

How: a local vendor site (``peer_site.py``, its own process) serves N pages of real labelled terms changes
from the shared corpus, at version 1. Each peer is installed into its own throwaway environment under
``--cache`` (a pip venv, an npm prefix), never into the project's. Every tool then runs as a process of its
own under GNU time over the same pages, pass after pass, each pass from the state the previous one left
(the tools keep one store through the sequence); before each pass the site changes the pages, or not:

- ``first``: first check of every page (version 1, the pairs' "before" text);
- ``rewrite``: every page becomes version 2 (the pair's "after" text, often a whole rewrite);
- ``same-304``: nothing changes and pages honour If-None-Match, so a tool that kept the ETag gets a 304;
- ``same-200``: nothing changes and pages carry no validator: every tool downloads and compares;
- ``edit``: every page changes by one real AI-training sentence, added or edited (the common case).

``--passes`` picks some (always with ``first``, which the others start from), run in that order; ``all`` is
every one. Wall and CPU time (user + system, children included) come from GNU time; peak memory is the largest
sum of RSS over the whole process tree, sampled every 50 ms with psutil (or GNU time's maximum RSS of the
largest single process, if higher: samples can miss a short peak). What each tool produced is read
from its own store: how many pages it checked, which it recorded as changed, and whether it said anything
about AI-training language. All pages are on one host, so every tool runs with no politeness spacing.

``--pairs ai`` (default) serves only the pairs labelled AI-training changes, so every page's rewrite is
one, as is every edit: "identified" counts the pages whose recorded change was judged an AI-training change.
``--json`` ends the output with one line ``{"passes": {PASS: {TOOL: {"docs_per_s", "cpu_s", "wall_s",
"peak_mb"}}}}`` (null for a tool that could not be installed or whose pass failed).

    python benchmarks/peers/run.py [--pages 400] [--passes first,rewrite|all] [--only TOOL,...] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from peer_site import DEFAULT_CORPUS, Pair, load_pairs, page_path, serve

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TOOLS = ("clausewatch", "clausewatch-cold", "changedetection.io", "ota")
OTA_PACKAGE = "@opentermsarchive/engine"
PASSES = {
    "first": "",  # the site starts at version 1 with validators on
    "rewrite": "version=2&validators=on",
    "same-304": "version=same&validators=on",
    "same-200": "version=same&validators=off",
    "edit": "version=edit&validators=on",
}
"""The passes in the order they run, each with the site's change before it (``POST /_mode?...``)."""
UNCHANGED = ("same-304", "same-200")


@dataclass
class Measured:
    """One process run: wall and CPU seconds, peak memory of its tree, exit code and output."""

    wall: float
    cpu: float
    peak_mb: float
    largest_process_mb: float
    returncode: int
    log: Path
    timed_out: bool = False


@dataclass
class Row:
    """One line of the table."""

    tool: str
    which: str
    documents: int
    wall: float
    cpu: float
    peak_mb: float
    identified: str
    changed: int | None = None
    failed: str = ""

    @property
    def rate(self) -> float:
        """Documents checked per wall second (0 when none was)."""
        return self.documents / self.wall if self.wall and self.documents else 0.0


@dataclass
class Peer:
    """A tool of the comparison: whether it is ready to run, its version and what to say about it."""

    name: str
    ready: bool = False
    version: str = ""
    reason: str = ""
    notes: list[str] = field(default_factory=list)


def measure(
    cmd: list[str],
    log: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800,
) -> Measured:
    """Run ``cmd`` under GNU time, sampling the RSS of its whole process tree; output goes to ``log``."""
    timing = log.with_suffix(".time")
    full_env = {**os.environ, **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", str(timing), *cmd],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
        )
        started = time.perf_counter()
        root = psutil.Process(process.pid)
        peak = 0
        timed_out = False
        while process.poll() is None:
            total = 0
            try:
                children = root.children(recursive=True)
            except psutil.Error:
                children = []
            for child in children:  # the GNU time process itself is left out: it is not the tool
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            peak = max(peak, total)
            if time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(process.pid, 9)
                process.wait()
                break
            time.sleep(0.05)
        wall_fallback = time.perf_counter() - started
    fields = parse_gnu_time(timing.read_text() if timing.exists() else "")
    return Measured(
        wall=fields.get("wall", wall_fallback),
        cpu=fields.get("user", 0.0) + fields.get("system", 0.0),
        peak_mb=max(peak / 2**20, fields.get("maxrss_kb", 0.0) / 1024),
        largest_process_mb=fields.get("maxrss_kb", 0.0) / 1024,
        returncode=process.returncode if not timed_out else -9,
        log=log,
        timed_out=timed_out,
    )


def parse_gnu_time(text: str) -> dict[str, float]:
    """Wall, user and system seconds and maximum RSS (KB) from ``/usr/bin/time -v`` output."""
    fields: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        if name == "User time (seconds)":
            fields["user"] = float(value)
        elif name == "System time (seconds)":
            fields["system"] = float(value)
        elif name == "Maximum resident set size (kbytes)":
            fields["maxrss_kb"] = float(value)
        elif name.startswith("Elapsed (wall clock) time"):
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            fields["wall"] = seconds
    return fields


def tail(path: Path, lines: int = 3) -> str:
    """The last ``lines`` non-empty lines of a log, on one line."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])[:400]


def free_port() -> int:
    """A TCP port nobody listens on right now (for changedetection.io's batch-mode port check)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_changedetection(cache: Path, spec: str) -> Peer:
    """changedetection.io in a venv of its own under ``cache`` (kept between runs)."""
    peer = Peer("changedetection.io")
    venv = cache / "changedetection-venv"
    script = venv / "bin" / "changedetection.py"
    started = time.perf_counter()
    if not script.exists():
        for cmd in (
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            [str(venv / "bin" / "pip"), "install", "--quiet", spec],
        ):
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                peer.reason = f"install failed: {' '.join(cmd[-2:])}: {(done.stderr or done.stdout)[-300:]}"
                return peer
        peer.notes.append(f"installed in {time.perf_counter() - started:.0f} s into {venv}")
    else:
        peer.notes.append(f"already installed in {venv} (delete it to time a fresh install)")
    version = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('changedetection.io'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    peer.version = version.stdout.strip()
    peer.ready = version.returncode == 0
    peer.reason = "" if peer.ready else f"installed but not importable: {version.stderr[-300:]}"
    return peer


def find_browser() -> str | None:
    """A Chromium the OTA engine's puppeteer can launch (its own Chrome download is blocked here)."""
    for candidate in (
        os.environ.get("PUPPETEER_EXECUTABLE_PATH"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def install_ota(cache: Path, spec: str) -> Peer:
    """Open Terms Archive's engine in an npm prefix of its own under ``cache`` (kept between runs)."""
    peer = Peer("ota")
    prefix = cache / "ota"
    engine = prefix / "node_modules" / OTA_PACKAGE
    if shutil.which("npm") is None or shutil.which("node") is None:
        peer.reason = "cannot install: node and npm are not on this machine"
        return peer
    started = time.perf_counter()
    if not (engine / "bin" / "ota.js").exists():
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), spec],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "true", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "true"},
        )
        if done.returncode != 0:
            peer.reason = f"npm install failed: {(done.stderr or done.stdout)[-300:]}"
            return peer
        peer.notes.append(
            f"installed in {time.perf_counter() - started:.0f} s into {prefix} "
            "(puppeteer's browser download skipped)"
        )
    else:
        peer.notes.append(f"already installed in {prefix} (delete it to time a fresh install)")
    peer.version = json.loads((engine / "package.json").read_text())["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    peer.notes.append(f"node {node}")
    browser = find_browser()
    if browser is None:
        peer.reason = (
            "cannot run: `ota track` always launches a headless browser (Archivist.track calls "
            "launchHeadlessBrowser) and puppeteer's Chrome download is blocked here; no system "
            "Chromium found (PUPPETEER_EXECUTABLE_PATH, chromium)"
        )
        return peer
    wrapper = cache / "chromium-no-sandbox"
    wrapper.write_text(f'#!/bin/sh\nexec {browser} --no-sandbox "$@"\n')
    wrapper.chmod(0o755)
    peer.notes.append(
        f"browser: {browser} via {wrapper} (--no-sandbox: runs as root); launched by every "
        "`ota track`, unused by the pages (its HTML-only fetcher succeeds)"
    )
    peer.ready = True
    return peer


def cdio_watches(datastore: Path) -> dict[str, dict]:
    """changedetection.io's watches by URL: check count, history length and last error."""
    watches: dict[str, dict] = {}
    legacy = datastore / "url-watches.json"
    raw: dict[str, dict] = {}
    if legacy.exists():
        raw = json.loads(legacy.read_text()).get("watching", {})
    for path in datastore.glob("*/watch.json"):
        raw[path.parent.name] = json.loads(path.read_text())
    for uuid, watch in raw.items():
        history = datastore / uuid / "history.txt"
        entries = len(history.read_text().splitlines()) if history.exists() else 0
        watches[watch["url"]] = {
            "checks": int(watch.get("check_count") or 0),
            "history": entries,
            "error": watch.get("last_error") or "",
        }
    return watches


def ota_commits(repository: Path) -> list[str]:
    """The subjects of a git recorder repository's commits, oldest first."""
    if not (repository / ".git").exists():
        return []
    done = subprocess.run(
        ["git", "-C", str(repository), "log", "--reverse", "--format=%s"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.splitlines()


def identified(ai_urls: set[str], labels: dict[str, bool], which: str) -> str:
    """How many changed pages the tool judged AI-training changes in pass ``which``, against the labels
    (the pairs' for ``rewrite``; every page for ``edit``, whose one sentence is always an AI-training one)."""
    if which in UNCHANGED:
        return unjudged(which, "") + (f"; {len(ai_urls)} flagged AI-training" if ai_urls else "")
    if which == "edit":
        labels = dict.fromkeys(labels, True)
    ai_pages = {url for url, is_ai in labels.items() if is_ai}
    hits = len(ai_urls & ai_pages)
    text = f"yes: {hits}/{len(ai_pages)} pages"
    others = len(labels) - len(ai_pages)
    if others:
        text += f"; {len(ai_urls - ai_pages)}/{others} non-AI flagged"
    return text


def unjudged(which: str, text: str) -> str:
    """What a tool said about AI training: ``text``, or nothing to say in a pass where no page changed."""
    return "n/a (no change)" if which in UNCHANGED else text


def site(base: str, method: str, route: str) -> dict:
    """Ask the vendor site's control route (``/_mode?...``, ``/_version``) and return its JSON answer."""
    request = urllib.request.Request(base + route, method=method)
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.loads(answer.read())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument(
        "--pairs",
        choices=("ai", "all"),
        default="ai",
        help="labelled pairs to serve: only AI-training changes, or all 92",
    )
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "clausewatch-peers")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--only", default=",".join(TOOLS), help=f"comma-separated subset of {', '.join(TOOLS)}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the tools' stores in CACHE/run")
    parser.add_argument("--per-host", type=int, default=32, help="clausewatch's concurrent fetches")
    parser.add_argument(
        "--cdio-workers",
        type=int,
        default=5,
        help="changedetection.io FETCH_WORKERS (5: its default, its fastest here)",
    )
    parser.add_argument("--cdio-spec", default="changedetection.io", help="pip requirement to install")
    parser.add_argument("--ota-spec", default=OTA_PACKAGE, help="npm package spec to install")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to one pass of one tool")
    parser.add_argument(
        "--passes",
        default="first,rewrite",
        help=f"comma-separated subset of {', '.join(PASSES)} (first always runs), or all",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of every pass's figures")
    args = parser.parse_args()
    names = PASSES if args.passes.strip() == "all" else args.passes.split(",")
    asked = {name.strip() for name in names} - {""}
    if asked - set(PASSES):
        parser.error(f"unknown passes {sorted(asked - set(PASSES))}; choose from {', '.join(PASSES)} or all")
    passes = [which for which in PASSES if which in asked | {"first"}]
    only = [tool.strip() for tool in args.only.split(",") if tool.strip()]
    unknown = set(only) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {', '.join(TOOLS)}")
    if not Path("/usr/bin/time").exists():
        parser.error("GNU time (/usr/bin/time) is needed: apt-get install time")

    args.cache.mkdir(parents=True, exist_ok=True)
    work = args.cache / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    notes: list[str] = []
    peers: dict[str, Peer] = {}
    if "changedetection.io" in only:
        peers["changedetection.io"] = install_changedetection(args.cache, args.cdio_spec)
    if "ota" in only:
        peers["ota"] = install_ota(args.cache, args.ota_spec)

    pairs: list[Pair] = load_pairs(args.corpus, args.pairs)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(queue, args.corpus, args.pages, args.pairs), daemon=True
    )
    server.start()
    port = queue.get(timeout=300)
    base = f"http://127.0.0.1:{port}"
    urls = [base + page_path(n) for n in range(args.pages)]
    labels = {url: pairs[n % len(pairs)].ai_training_change for n, url in enumerate(urls)}
    (work / "urls.txt").write_text("\n".join(urls) + "\n")

    # Setup that is not timed: the OTA declarations (one service per page, the page's <main>).
    ota_dir = work / "ota"
    (ota_dir / "declarations").mkdir(parents=True)
    for n, url in enumerate(urls):
        declaration = {
            "name": f"Vendor {n}",
            "terms": {"Terms of Service": {"fetch": url, "select": ["main"]}},
        }
        (ota_dir / "declarations" / f"vendor-{n}.json").write_text(json.dumps(declaration))
    ota_config = {
        OTA_PACKAGE: {
            "collectionPath": str(ota_dir),
            "recorder": {
                "versions": {"storage": {"type": "git", "git": {"path": str(ota_dir / "data" / "versions")}}},
                "snapshots": {
                    "storage": {"type": "git", "git": {"path": str(ota_dir / "data" / "snapshots")}}
                },
            },
        }
    }
    cdio_dir = work / "changedetection"
    cdio_env = {"ALLOW_IANA_RESTRICTED_ADDRESSES": "true", "FETCH_WORKERS": str(args.cdio_workers)}
    cdio_script = args.cache / "changedetection-venv" / "bin" / "changedetection.py"

    def command(tool: str, which: str) -> tuple[list[str], dict[str, str], Path | None]:
        if tool.startswith("clausewatch"):
            cmd = [
                sys.executable,
                str(HERE / "clausewatch_pass.py"),
                "--database",
                str(work / f"{tool}.sqlite3"),
                "--urls",
                str(work / "urls.txt"),
                "--pass",
                which,
                "--out",
                str(work / f"{tool}-{which}.json"),
                "--per-host",
                str(args.per_host),
            ]
            return [*cmd, "--cold-caches"] if tool == "clausewatch-cold" else cmd, {}, ROOT
        if tool == "changedetection.io":
            cmd = [
                str(cdio_script),
                "-d",
                str(cdio_dir),
                "-C",
                "-h",
                "127.0.0.1",
                "-p",
                str(free_port()),
                "-l",
                "WARNING",
            ]
            cmd += [arg for url in urls for arg in ("-u", url)] if which == "first" else ["-r", "all"]
            return [*cmd, "-b"], cdio_env, None
        engine = args.cache / "ota" / "node_modules" / OTA_PACKAGE
        env = {
            "NODE_CONFIG": json.dumps(ota_config),
            "PUPPETEER_EXECUTABLE_PATH": str(args.cache / "chromium-no-sandbox"),
        }
        return ["node", str(engine / "bin" / "ota.js"), "track"], env, ota_dir

    def outcome(tool: str, which: str, run: Measured, before: dict) -> Row:
        row = Row(
            tool, which, 0, run.wall, run.cpu, run.peak_mb, "n/a (first version)" if which == "first" else ""
        )
        if run.timed_out:
            row.failed = f"timed out after {args.timeout:.0f} s"
        elif run.returncode != 0:
            row.failed = f"exit {run.returncode}: {tail(run.log)}"
        if tool.startswith("clausewatch"):
            result_file = work / f"{tool}-{which}.json"
            if not result_file.exists():
                row.failed = row.failed or f"no result: {tail(run.log)}"
                return row
            result = json.loads(result_file.read_text())
            row.documents = result["documents"] - result["statuses"].get("error", 0)
            if which != "first":
                row.changed = len(result["changed_urls"])
                row.identified = identified(set(result["ai_urls"]), labels, which)
            notes.append(
                f"{tool} {which}: outcomes {result['statuses']}; check cycle {result['cycle_seconds']} s "
                f"of the process's {run.wall:.1f} s; AI directions {result.get('directions')}"
            )
        elif tool == "changedetection.io":
            after = cdio_watches(cdio_dir)
            checked = [
                url
                for url in urls
                if after.get(url, {}).get("checks", 0) > before.get(url, {}).get("checks", 0)
            ]
            errors = [url for url in checked if after[url]["error"]]
            row.documents = len(checked) - len(errors)
            if which != "first":
                changed = {
                    url for url in checked if after[url]["history"] > before.get(url, {}).get("history", 0)
                }
                row.changed = len(changed)
                row.identified = unjudged(
                    which, "no (no AI judgment; its LLM option needs a model endpoint, none configured)"
                )
            text = run.log.read_text(errors="replace") if run.log.exists() else ""
            if "timed out after" in text:
                notes.append(
                    f"changedetection.io {which}: batch mode's own wait gave up before the queue emptied"
                )
            if errors:
                notes.append(
                    f"changedetection.io {which}: {len(errors)} errors, e.g. {after[errors[0]]['error']}"
                )
        else:
            snapshots = ota_commits(ota_dir / "data" / "snapshots")[before.get("snapshots", 0) :]
            versions = ota_commits(ota_dir / "data" / "versions")[before.get("versions", 0) :]
            text = (
                re.sub(r"\x1b\[[0-9;]*m", "", run.log.read_text(errors="replace")) if run.log.exists() else ""
            )
            tracked = re.findall(r"Tracked changes of (\d+) terms", text)
            recorded = {subject.split()[-3] for subject in snapshots}  # "... of vendor-N Terms of Service"
            complaints = set(re.findall(r"\b(?:warn|error)\s+(vendor-\d+) — ", text))
            inaccessible = len(complaints - recorded)
            row.documents = (int(tracked[-1]) if tracked else 0) - inaccessible
            new_versions = sum(subject.startswith("Record new changes of") for subject in versions)
            firsts = sum(subject.startswith("First record of") for subject in versions)
            notes.append(
                f"ota {which}: {len(snapshots)} snapshot commits, {firsts} first versions, "
                f"{new_versions} changed versions, {inaccessible} pages inaccessible"
            )
            if which != "first":
                row.changed = new_versions
                row.identified = unjudged(which, "no (records versions; no AI judgment)")
        return row

    def state(tool: str) -> dict:
        if tool == "changedetection.io":
            return cdio_watches(cdio_dir) if cdio_dir.exists() else {}
        if tool == "ota":
            return {
                "snapshots": len(ota_commits(ota_dir / "data" / "snapshots")),
                "versions": len(ota_commits(ota_dir / "data" / "versions")),
            }
        return {}

    runnable = [tool for tool in only if tool not in peers or peers[tool].ready]
    rows: list[Row] = []
    for which in passes:
        if PASSES[which]:
            live = site(base, "POST", "/_mode?" + PASSES[which])
            notes.append(
                f"site before {which}: version {live['version']}, validators "
                f"{'on' if live['validators'] else 'off'} "
                f"({live['sentences']} AI-training sentences to edit with)"
            )
        for tool in runnable:
            print(f"... {tool} {which} pass", file=sys.stderr, flush=True)
            before, served = state(tool), site(base, "GET", "/_version")
            cmd, env, cwd = command(tool, which)
            run = measure(cmd, work / f"{tool}-{which}.log", env=env, cwd=cwd, timeout=args.timeout)
            rows.append(outcome(tool, which, run, before))
            now = site(base, "GET", "/_version")
            notes.append(
                f"{tool} {which}: {now['hits'] - served['hits']} page requests, "
                f"{now['not_modified'] - served['not_modified']} answered 304; "
                f"largest single process {run.largest_process_mb:.0f} MB (GNU time)"
            )
    server.terminate()

    print_table(args, rows, peers, pairs, notes)
    if args.json:
        print(json.dumps(figures(passes, rows, only, peers)))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def print_table(
    args: argparse.Namespace, rows: list[Row], peers: dict[str, Peer], pairs: list[Pair], notes: list[str]
) -> None:
    """The table, the notes and the verdict on the targets."""
    cpu = psutil.cpu_count() or 0
    memory = psutil.virtual_memory().total / 2**30
    print(
        f"peer benchmark: {args.pages} pages ({len(pairs)} real labelled pairs, --pairs {args.pairs}), "
        f"{cpu} cores, {memory:.0f} GiB, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print(
        "ratio to clausewatch = clausewatch docs/s / tool docs/s in the same pass (above 1: clausewatch is "
        "faster); peak MB = largest sum of RSS over the process tree (50 ms samples) or GNU time's maximum "
        "RSS of its largest process, whichever is higher"
    )
    header = (
        f"{'tool':<20} {'pass':<8} {'documents':>9} {'wall s':>8} {'CPU s':>8} {'docs/s':>8} "
        f"{'peak MB':>8} {'ratio to clausewatch':>20}  AI-training change identified"
    )
    print(header)
    print("-" * len(header))
    rate = {(row.tool, row.which): row.rate for row in rows}
    for row in rows:
        own = rate[(row.tool, row.which)]
        reference = rate.get(("clausewatch", row.which), 0.0)
        ratio = f"{reference / own:20.2f}" if own and reference else f"{'-':>20}"
        what = row.identified if not row.failed else f"FAILED: {row.failed}"
        if row.changed is not None and not row.failed:
            what = f"changed {row.changed}/{row.documents}; {what}"
        print(
            f"{row.tool:<20} {row.which:<8} {row.documents:9d} {row.wall:8.2f} {row.cpu:8.2f} {own:8.1f} "
            f"{row.peak_mb:8.0f} {ratio}  {what}"
        )
    for peer in peers.values():
        if not peer.ready:
            print(
                f"{peer.name:<20} {'-':<8} {'-':>9} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>20}  "
                "NOT RUN: " + " ".join(peer.reason.split())
            )
    print("notes:")
    for peer in peers.values():
        print(f"  - {peer.name} {peer.version or '(no version)'}: " + "; ".join(peer.notes))
    for note in notes:
        print(f"  - {note}")

    def find(tool: str, which: str) -> Row | None:
        return next((r for r in rows if r.tool == tool and r.which == which and not r.failed), None)

    passes = list(dict.fromkeys(row.which for row in rows))
    for tool in ("clausewatch", "clausewatch-cold"):
        compared = [(which, find(tool, which), find("changedetection.io", which)) for which in passes]
        speeds = {which: us.rate / cdio.rate for which, us, cdio in compared if us and cdio and cdio.rate}
        if not speeds:
            continue
        print(
            f"{tool} docs/s / changedetection.io docs/s: "
            + ", ".join(f"{which} {speed:.2f}x" for which, speed in speeds.items())
        )
        peak_ours = max(r.peak_mb for r in rows if r.tool == tool)
        peak_cdio = max(r.peak_mb for r in rows if r.tool == "changedetection.io")
        for which in ("rewrite", "edit"):
            if which in speeds:
                print(
                    f"target ({tool}, {which}): changed pass {speeds[which]:.2f}x changedetection.io's "
                    f"docs/s (target >= 10x): {'MET' if speeds[which] >= 10 else 'NOT MET'}; "
                    "peak over all passes "
                    f"{peak_ours:.0f} MB vs {peak_cdio:.0f} MB (target lower): "
                    f"{'MET' if peak_ours < peak_cdio else 'NOT MET'}"
                )


def figures(passes: list[str], rows: list[Row], tools: list[str], peers: dict[str, Peer]) -> dict:
    """Every pass's figures by tool, for ``--json``: null for a tool not run or a pass that failed."""
    measured = {(row.tool, row.which): row for row in rows if not row.failed}
    result: dict[str, dict[str, dict[str, float] | None]] = {}
    for which in passes:
        result[which] = {}
        for tool in tools:
            row = measured.get((tool, which))
            result[which][tool] = (
                {
                    "docs_per_s": round(row.rate, 2),
                    "cpu_s": round(row.cpu, 2),
                    "wall_s": round(row.wall, 2),
                    "peak_mb": round(row.peak_mb, 1),
                }
                if row is not None
                else None
            )
    return {"passes": result}


if __name__ == "__main__":
    main()
