"""``clausewatch chat`` (the console chat adapter) and ``clausewatch catalog``, run as a user runs them."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console
from sqlalchemy.engine import Engine

from bots.console.chat import console_caller, run_chat
from bots.console.terminal import print_message
from bots.console.vendor_site import VendorSite
from core.config import Settings
from core.messages import Field, Message, Quote

TERMS = "# Terms of Service\n\n## 1. Data\n\n1.1 We store your data in the EU for 30 days after you leave.\n"


async def clausewatch(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run ``clausewatch ARGS`` with its own SQLite database and ``stdin`` piped in."""
    env = {
        **os.environ,
        "CLAUSEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.sqlite3'}",
        "CLAUSEWATCH_ALLOW_PRIVATE_URLS": "true",
        "CLAUSEWATCH_FETCH_RETRIES": "0",
        "COLUMNS": "200",
    }
    env.pop("CLAUSEWATCH_DEBUG", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bots.console.cli import main; main()",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate(stdin.encode())
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_piped_lines_run_as_commands_until_exit(tmp_path: Path, vendor_site: VendorSite) -> None:
    vendor_site.publish("/terms", TERMS)
    script = (
        f"catalog add Acme tos {vendor_site.url('/terms')}\n"
        "track acme\n"
        "\n"
        "list\n"
        "does Acme train AI on our content?\n"
        "subscribe acme\n"
        "subscriptions\n"
        "exit\n"
        "untrack acme\n"
    )
    code, out, err = await clausewatch(tmp_path, "chat", "--user", "ada", stdin=script)
    assert code == 0, out + err
    assert "clausewatch>" not in out  # piped: no prompt noise
    assert "Tracking Acme: 1 document" in out
    assert "acme/terms-of-service: first version recorded" in out
    assert "Acme Terms of Service (acme/terms-of-service): version of " in out
    assert "Not stated" in out
    assert "Subscribed this terminal to:" in out and "Acme: AI-training changes, at once" in out
    assert "Stopped tracking" not in out  # nothing runs after `exit`

    code, out, _ = await clausewatch(tmp_path, "chat", stdin="audit\ntrak acme\n")
    assert code == 1  # a failed command fails a script
    assert "ada: track acme: ok (tracking acme/terms-of-service)" in out
    assert "`trak` is not a clausewatch command; did you mean `track`?" in out


async def test_catalog_lists_known_vendors(tmp_path: Path) -> None:
    code, out, err = await clausewatch(tmp_path, "catalog", "--json")
    assert code == 0, err
    entries = {entry["name"]: entry for entry in json.loads(out)}
    terms = next(doc for doc in entries["Zoom"]["documents"] if doc["type"] == "Terms of Service")
    assert terms["url"] == "https://www.zoom.com/en/trust/terms/"
    assert "zoom.us" in entries["Zoom"]["aliases"]
    code, out, _ = await clausewatch(tmp_path, "catalog")
    assert code == 0 and "Zoom" in out and "Terms of Service, Privacy Policy" in out


def test_vendor_text_is_never_markup() -> None:
    out = Console(record=True, width=200, color_system=None)
    message = Message(
        title="[bold red]Acme[/bold red] changed",
        text="See [link=https://evil.example]here[/link]",
        fields=(Field("Verdict", "[blink]no AI-training change[/blink]"),),
        items=("[i]one[/i]",),
        quotes=(
            Quote("We [-may-]{+will+} use [b]data[/b].", "§ 1.1 modified", "https://acme.example/terms"),
        ),
    )
    print_message(out, message)
    text = out.export_text()
    for part in (
        "[bold red]Acme[/bold red] changed",
        "See [link=https://evil.example]here[/link]",
        "Verdict: [blink]no AI-training change[/blink]",
        "• [i]one[/i]",
        "§ 1.1 modified",
        "“We [-may-]{+will+} use [b]data[/b].”",
        "https://acme.example/terms",
    ):
        assert part in text


async def test_alerts_for_this_terminal_appear_after_the_command_that_caused_them(
    engine: Engine, settings: Settings, vendor_site: VendorSite
) -> None:
    vendor_site.publish("/terms", TERMS)

    async def lines() -> AsyncIterator[str]:
        yield f"catalog add Acme tos {vendor_site.url('/terms')}"
        yield "track acme"
        yield "subscribe acme"
        vendor_site.publish("/terms", TERMS + "\n1.2 We may use your content to train our AI models.\n")
        yield "check acme"

    out = Console(file=io.StringIO(), width=200, color_system=None)
    failures = await run_chat(engine, settings, lines(), out, console_caller("ada"))

    printed = out.file.getvalue()  # type: ignore[attr-defined]
    assert failures == 0, printed
    assert printed.index("Checked 1 document") < printed.index("Acme Terms of Service changed: AI-training")
    assert "Added\n    “We may use your content to train our AI models.”" in printed
    assert "Customer content used for training: Not stated → Yes" in printed
