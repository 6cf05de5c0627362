"""Operating clausewatch as a script or cron would: exit codes, JSON output, tracking that never re-points
or duplicates silently, reverts, imports that pass the page check, bulk tracking and webhooks.

Every test runs the real ``clausewatch`` command in a subprocess against real local HTTP servers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bots.console.vendor_site import VendorSite
from tests.cli_runner import Cli

TERMS = "# Terms of Service\n\n## 1. Data\n\nWe store your data in the EU for 30 days after you leave.\n"
TRAINS = "\n## 2. AI\n\nWe may use your content to train our artificial intelligence models.\n"
OTHER = "# Privacy Policy\n\n## Cookies\n\nWe set cookies to remember your language and nothing else.\n"

Serve = Callable[[web.Application], Awaitable[str]]


async def _json(cli: Cli, *args: str, ok: bool = True) -> object:
    out, _ = await cli(*args, "--json", ok=ok)
    return json.loads(out)  # nothing but JSON on stdout


async def test_version_help_and_clean_metavars(cli: Cli) -> None:
    out, _ = await cli("--version")
    assert out.startswith("clausewatch ")
    started = time.perf_counter()
    out, _ = await cli("track", "--help")
    assert time.perf_counter() - started < 3  # benchmarks/startup.py measures it: well under 0.8 s
    assert "<str>" not in out and "<bool>" not in out and "HOURS" in out
    out, _ = await cli("--help")
    assert "Exit codes: 0 success, 1 failure" in " ".join(out.split())


async def test_failed_first_fetch_keeps_nothing_and_exits_1(cli: Cli, vendor_site: VendorSite) -> None:
    _, err = await cli("track", vendor_site.url("/missing"), "--vendor", "Acme", "--type", "tos", ok=False)
    assert "404" in err and "not tracked" in err
    assert await _json(cli, "list") == []
    cli.env["CLAUSEWATCH_ALLOW_PRIVATE_URLS"] = "false"
    vendor_site.publish("/terms", TERMS)
    _, err = await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos", ok=False)
    assert "private" in err.lower() and vendor_site.hits == 1
    assert await _json(cli, "list") == []


async def test_bad_selector_is_a_usage_error_at_track_time(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    args = ("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos", "--select", "div[[[")
    _, err = await cli(*args, code=2)
    assert "not valid CSS" in err and vendor_site.hits == 0
    assert await _json(cli, "list") == []


async def test_check_json_and_failing_check_exit_1(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    vendor_site.publish("/privacy", OTHER)
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    await cli("track", vendor_site.url("/privacy"), "--vendor", "Acme", "--type", "privacy")
    report = await _json(cli, "check", "--all")
    assert isinstance(report, dict) and report["failed"] == 0 and report["checked"] == 2
    del vendor_site.pages["/privacy"]
    report = await _json(cli, "check", "--all", ok=False)
    assert isinstance(report, dict) and report["failed"] == 1
    [failed] = [r for r in report["reports"] if r["failed"]]
    assert failed["ref"] == "acme/privacy-policy" and "404" in failed["message"]


async def test_history_and_diff_json_with_version_numbers(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    await cli("track", vendor_site.url("/terms"), "--vendor", "Zoom Video Communications", "--type", "tos")
    vendor_site.publish("/terms", TERMS + TRAINS)
    await cli("check", "zoom")  # the short name resolves the vendor
    history = await _json(cli, "history", "zoom")
    assert isinstance(history, dict)
    assert [v["version"] for v in history["versions"]] == ["v1", "v2"]
    assert history["versions"][1]["verdict"].startswith("AI training: expands")
    diff = await _json(cli, "diff", "zoom", "--from", "v1", "--to", "v2")
    assert isinstance(diff, dict) and diff["from"]["version"] == "v1" and diff["to"]["version"] == "v2"
    assert diff["change"]["ai_training_change"] is True
    assert any("train" in (clause["new"] or "") for clause in diff["clauses"])
    out, _ = await cli("show", "zoom", "--as-of", "v1")
    assert "train" not in out
    _, err = await cli("diff", "zoom", "--from", "v7", ok=False)
    assert "no version v7" in err


async def test_tracking_never_re_points_or_duplicates_silently(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    vendor_site.publish("/other", OTHER + TRAINS)
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    _, err = await cli("track", vendor_site.url("/other"), "--vendor", "Acme", "--type", "tos", ok=False)
    assert vendor_site.url("/terms") in err and vendor_site.url("/other") in err and "--move" in err
    for same_page in ("/terms#top", "/terms?utm_source=mail", "//terms", "/terms/"):
        url = vendor_site.url(same_page).replace("http://", "https://" if "#" in same_page else "http://")
        _, err = await cli("track", url, "--vendor", "Beta", "--type", "tos", ok=False)
        assert "already tracked as acme/terms-of-service (id 1)" in err, same_page
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme Inc", "--type", "tos")  # Acme, again
    out, _ = await cli("track", vendor_site.url("/other"), "--vendor", "Acme", "--type", "tos", "--move")
    assert "moved acme/terms-of-service" in out and "first version at the document's new address" in out
    changes = await _json(cli, "changes")
    assert changes == []  # another page's text is no change of this document, and alerts no one
    [row] = await _json(cli, "list")  # type: ignore[misc]
    assert row["url"] == vendor_site.url("/other")
    _, err = await cli("diff", "acme", code=1)  # no change leads to the first version at the new address
    assert "first version at the document's new address" in err and "--from v1 --to v2" in err
    history = await _json(cli, "history", "acme")
    assert isinstance(history, dict) and history["versions"][1]["source"] == "moved"
    audit = subprocess.run(  # the move is in the audit log
        [sys.executable, "-c", "from bots.console.cli import main; main()", "chat"],
        input="audit\n",
        capture_output=True,
        text=True,
        env=cli.env,
        check=False,
    )
    assert "--move" in audit.stdout


async def test_rename_merge_and_purge(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    vendor_site.publish("/privacy", OTHER)
    await cli("track", vendor_site.url("/terms"), "--vendor", "WayneCorp", "--type", "tos")
    await cli("track", vendor_site.url("/privacy"), "--vendor", "Wayne Enterprises", "--type", "privacy")
    out, _ = await cli("vendor", "merge", "waynecorp", "wayne enterprises")
    assert "1 documents" in out
    refs = sorted(row["ref"] for row in await _json(cli, "list"))  # type: ignore[union-attr]
    assert refs == ["wayne-enterprises/privacy-policy", "wayne-enterprises/terms-of-service"]
    out, _ = await cli("vendor", "rename", "wayne enterprises", "OpenAI OpCo")
    assert "openai-opco/" in out
    _, err = await cli("untrack", "openai-opco/privacy", "--purge", ok=False)
    assert "--yes" in err  # no terminal to confirm at: refused, nothing deleted
    out, _ = await cli("untrack", "openai-opco/privacy", "--purge", "--yes")
    assert "purged openai-opco/privacy-policy: 1 versions" in out
    refs = sorted(row["ref"] for row in await _json(cli, "list"))  # type: ignore[union-attr]
    assert refs == ["openai-opco/terms-of-service"]


async def test_a_revert_makes_the_latest_version_the_reverted_text(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    vendor_site.publish("/terms", TERMS + TRAINS)
    await cli("check", "--all")
    vendor_site.publish("/terms", TERMS)  # withdrawn the same day
    out, _ = await cli("check", "--all")
    assert "recorded, not alerted" in out
    out, _ = await cli("show", "acme")
    assert "train" not in out
    history = await _json(cli, "history", "acme")
    assert isinstance(history, dict) and len(history["versions"]) == 3
    assert history["versions"][2]["verdict"].startswith("AI training: restricts")


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


async def test_import_skips_a_redirect_stub_and_an_unconfirmed_shrink(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "history"
    long_terms = TERMS + "".join(
        f"\n## {n}. Clause\n\nClause {n} says what it says, at length.\n" for n in range(40)
    )
    _write(folder, "2023-01-01.md", long_terms)
    _write(folder, "2023-02-01.md", "Redirecting to https://example.com/terms\n")
    _write(folder, "2023-03-01.md", "# Terms of Service\n\n## 1. Data\n\nWe store your data in the EU.\n")
    _write(folder, "2023-04-01.md", long_terms + TRAINS)
    report = await _json(cli, "import-history", str(folder), "--vendor", "Acme", "--type", "tos")
    assert isinstance(report, dict) and report["imported"] == 2
    reasons = {row["file"]: row["reason"] for row in report["skipped"]}
    assert "redirect page" in reasons["2023-02-01.md"] and "shrank" in reasons["2023-03-01.md"]
    history = await _json(cli, "history", "acme")
    assert isinstance(history, dict)
    assert history["versions"][1]["clauses"].endswith(" -0 ~0")  # judged against the real text, not the stub


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "OTA-Bot", "GIT_AUTHOR_EMAIL": "bot@example.org"}
    env |= {"GIT_COMMITTER_NAME": "OTA-Bot", "GIT_COMMITTER_EMAIL": "bot@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


async def test_import_reads_an_open_terms_archive_repository(cli: Cli, tmp_path: Path) -> None:
    repo = tmp_path / "versions"
    repo.mkdir()
    _git(repo, "init", "-q")
    for day, text in (("2023-03-01", TERMS), ("2023-08-07", TERMS + TRAINS)):
        _write(repo / "Zoom", "Terms of Service.md", text)
        _git(repo, "add", "-A")
        _git(
            repo, "commit", "-q", "-m", "Record new changes of Zoom Terms of Service", date=f"{day}T10:00:00Z"
        )
    report = await _json(cli, "import-history", "--ota", str(repo), "Zoom", "Terms of Service")
    assert (
        isinstance(report, dict) and report["imported"] == 2 and report["document"] == "zoom/terms-of-service"
    )
    history = await _json(cli, "history", "zoom")
    assert isinstance(history, dict)
    assert [v["date"] for v in history["versions"]] == ["2023-03-01", "2023-08-07"]
    _, err = await cli("import-history", "--ota", str(repo), "Nobody", "Terms of Service", ok=False)
    assert "no history of 'Nobody/Terms of Service.md'" in err and "Zoom" in err


async def test_catalog_vendor_and_csv_tracking(cli: Cli, vendor_site: VendorSite, tmp_path: Path) -> None:
    await cli("track", "zoom", "--no-check")
    tracked = await _json(cli, "list")
    assert isinstance(tracked, list) and {row["vendor"] for row in tracked} == {"Zoom"} and len(tracked) >= 2
    vendor_site.publish("/a", TERMS)
    vendor_site.publish("/b", OTHER)
    sheet = tmp_path / "vendors.csv"
    rows = ["vendor,type,url", f"Acme,tos,{vendor_site.url('/a')}", f"Beta,privacy,{vendor_site.url('/b')}"]
    rows.append(f"Gamma,tos,{vendor_site.url('/gone')}")
    sheet.write_text("\n".join(rows) + "\n")
    result = await _json(cli, "track", "--from-file", str(sheet), ok=False)  # one row failed: exit 1
    assert isinstance(result, dict)
    assert result["tracked"] == ["acme/terms-of-service", "beta/privacy-policy"]
    assert result["dropped"] == ["gamma/terms-of-service"]


async def test_subscribe_webhook_and_worker_delivers(cli: Cli, vendor_site: VendorSite, serve: Serve) -> None:
    received: list[dict[str, object]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    url = await serve(app) + "/hook"
    vendor_site.publish("/terms", TERMS)
    await cli("track", vendor_site.url("/terms"), "--vendor", "Acme", "--type", "tos")
    out, _ = await cli("subscribe", "--webhook", url, "acme")
    assert "will receive AI-training changes" in out
    vendor_site.publish("/terms", TERMS + TRAINS)
    await cli("check", "--all")
    await cli("worker", "--once", "--no-scheduler")
    assert len(received) == 1 and "Acme" in str(received[0]["text"])
    out, _ = await cli("unsubscribe", "--webhook", url)
    assert "removed 1 subscriptions" in out


async def _slow_site(serve: Serve) -> str:
    """A site whose every page takes 30 s: checks are still fetching when they are interrupted."""

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/{tail:.*}", slow)
    return await serve(app)


async def _interrupted(cli: Cli, *args: str) -> tuple[int | None, bytes]:
    """Run ``clausewatch *args``, press Ctrl-C once its fetches have started; its exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bots.console.cli import main; main()",
        *args,
        env=cli.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await asyncio.sleep(2.5)
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), 20)
    return process.returncode, err


async def test_ctrl_c_during_check_gives_the_documents_back(cli: Cli, serve: Serve) -> None:
    base = await _slow_site(serve)
    for n in range(3):
        await cli("track", f"{base}/t{n}", "--vendor", f"V{n}", "--type", "tos", "--no-check")
    code, err = await _interrupted(cli, "check")
    assert code == 130 and b"due again" in err
    status = subprocess.run(
        [sys.executable, "-c", _DUE_COUNT],
        capture_output=True,
        text=True,
        env=cli.env,
        check=True,
    )
    assert status.stdout.strip() == "3"  # due at once, not leased for 15 minutes


_DUE_COUNT = """
import os
from sqlmodel import Session
from core.pipeline.scheduler import due_document_ids
from core.storage import database
engine = database.open_engine(os.environ["CLAUSEWATCH_DATABASE_URL"])
with Session(engine) as session:
    print(len(due_document_ids(session)))
"""


async def test_browser_choice_and_signed_feed_address(cli: Cli, vendor_site: VendorSite) -> None:
    await cli(
        "track", vendor_site.url("/spa"), "--vendor", "Acme", "--type", "tos", "--browser", "--no-check"
    )
    [row] = await _json(cli, "list")  # type: ignore[misc]
    assert row["fetch_with"] == "browser"
    await cli("track", vendor_site.url("/spa"), "--vendor", "Acme", "--type", "tos", "--no-check")
    [row] = await _json(cli, "list")  # type: ignore[misc]
    assert row["fetch_with"] == "browser"  # re-tracking without the flag keeps the choice
    cli.env["CLAUSEWATCH_PUBLIC_URL"] = "https://bot.example.com"
    out, err = await cli("feed-url", "--vendor", "acme", "--ai-only")
    assert out.startswith("https://bot.example.com/feeds/changes.atom?") and "sig=" in out
    assert "CLAUSEWATCH_API_TOKEN" in err


async def test_re_tracking_keeps_the_recipe_and_one_company_is_one_vendor(
    cli: Cli, vendor_site: VendorSite, corpus: Path
) -> None:
    vendor_site.publish("/terms", TERMS)
    url = vendor_site.url("/terms")
    await cli("track", url, "--vendor", "Acme", "--type", "tos", "--select", "main", "--no-check")
    await cli("track", url, "--vendor", "Acme", "--type", "tos", "--no-check")
    _, err = await cli("track", "zoom", "--select", "main", code=2)
    assert "apply to a page tracked by URL" in err
    zoom = str(corpus / "zoom/terms-of-service")
    await cli("import-history", zoom, "--vendor", "Zoom Video Communications", "--type", "tos")
    again = await _json(cli, "import-history", zoom, "--vendor", "Zoom Video Communications", "--type", "tos")
    assert isinstance(again, dict) and again["already_stored"] == 5 and again["skipped"] == []  # exit 0
    await cli("track", "zoom", "--no-check")  # the catalog's Zoom is the vendor imported under its full name
    rows = await _json(cli, "list")
    assert isinstance(rows, list) and {row["vendor"] for row in rows} == {"Acme", "Zoom Video Communications"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from core.storage import database; from sqlmodel import Session; from core.storage.models import "
        "Document; import os; e = database.open_engine(os.environ['CLAUSEWATCH_DATABASE_URL']); "
        "print(Session(e).get(Document, 1).select)",
        env=cli.env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert out.decode().strip() == "['main']"  # re-tracking without --select kept it
    _, err = await cli("diff", "zoom/tos", "--from", "v3", "--to", "v1", code=2)
    assert "name the older first" in err


async def test_merge_keeps_the_broader_subscription(cli: Cli, vendor_site: VendorSite) -> None:
    vendor_site.publish("/a", TERMS)
    vendor_site.publish("/b", OTHER)
    await cli("track", vendor_site.url("/a"), "--vendor", "Mergeme", "--type", "tos")
    await cli("track", vendor_site.url("/b"), "--vendor", "Keeper", "--type", "privacy")
    hook = "https://hooks.example.com/x"
    await cli("subscribe", "--webhook", hook, "mergeme", "--all-changes")
    await cli("subscribe", "--webhook", hook, "keeper", "--min-severity", "high")
    await cli("vendor", "merge", "mergeme", "keeper")
    listing = subprocess.run(
        [sys.executable, "-c", _SUBSCRIPTIONS], capture_output=True, text=True, env=cli.env, check=True
    )
    assert listing.stdout.split() == ["all", "low"]
    cli.env["CLAUSEWATCH_ALLOW_PRIVATE_URLS"] = "false"
    _, err = await cli("subscribe", "--webhook", "http://10.0.0.1/hook", code=1)
    assert "private" in err.lower() or "not allowed" in err.lower()


_SUBSCRIPTIONS = """
import os
from sqlmodel import Session, select
from core.storage import database
from core.storage.models import Subscription
engine = database.open_engine(os.environ["CLAUSEWATCH_DATABASE_URL"])
with Session(engine) as session:
    for sub in session.exec(select(Subscription)).all():
        print(sub.changes, sub.min_severity)
"""


async def test_ota_import_follows_a_renamed_file(cli: Cli, tmp_path: Path) -> None:
    repo = tmp_path / "versions"
    repo.mkdir()
    _git(repo, "init", "-q")
    _write(repo / "Zoom", "Terms of Service.md", TERMS)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "First record of Zoom Terms of Service", date="2023-03-01T10:00:00Z")
    (repo / "Zoom Video").mkdir()
    _git(
        repo, "mv", "Zoom/Terms of Service.md", "Zoom Video/Terms of Service.md", date="2023-05-01T10:00:00Z"
    )
    _git(repo, "commit", "-q", "-m", "Rename the service", date="2023-05-01T10:00:00Z")
    _write(repo / "Zoom Video", "Terms of Service.md", TERMS + TRAINS)
    _git(repo, "commit", "-qam", "Record new changes", date="2023-08-07T10:00:00Z")
    report = await _json(cli, "import-history", "--ota", str(repo), "Zoom Video", "Terms of Service")
    assert isinstance(report, dict) and report["imported"] == 2 and report["unchanged"] == 1
    _, err = await cli("import-history", "--ota", str(repo), "Nobody", "tos", code=1)
    assert "no history of" in err


async def test_ctrl_c_during_a_new_track_keeps_nothing(cli: Cli, serve: Serve) -> None:
    base = await _slow_site(serve)
    code, _ = await _interrupted(cli, "track", f"{base}/slow", "--vendor", "Slow", "--type", "tos")
    assert code == 130
    assert await _json(cli, "list") == []
