"""The chat commands through ``execute``, as every adapter calls them: a real database (SQLite and
PostgreSQL) and a real local vendor site."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bots.console.vendor_site import VendorSite
from core.alerts.subscriptions import Place, find_destination, mark_dead
from core.commands import COMMANDS, Context, execute, usage_of
from core.commands.tracking import vendor_of_url
from core.config import Settings
from core.errors import UsageError
from core.messages import Message
from core.pipeline.history_import import import_history
from core.registry.admins import Caller, audit_log
from core.storage import database
from core.storage.models import Alert

ADMIN = Caller("slack", "T1", "U_ADMIN", user_name="Ada", platform_admin=True)
MEMBER = Caller("slack", "T1", "U_MEMBER", user_name="Max")
CHANNEL = Place("slack", "T1", "C1", name="#legal")

TERMS = """# Terms of Service

## 1. Your content

1.1 You own your content. We process it only to provide the service.

## 2. Fees

2.1 Fees are due monthly. Late payments incur interest at 1% per month.
"""
AI_TERMS = TERMS.replace(
    "We process it only to provide the service.",
    "We process it to provide the service. We may use Customer Content to train our artificial intelligence "
    "models.",
)
PRIVACY = "# Privacy Policy\n\n## 1. Data\n\nWe store your data in the EU for 30 days after you leave.\n"


class Chat:
    """Types commands as a user in a channel would, and returns the replies."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings

    async def __call__(self, text: str, caller: Caller = ADMIN, place: Place | None = CHANNEL) -> Message:
        return await execute(Context(self.engine, self.settings, caller, place), text)

    async def ok(self, text: str, caller: Caller = ADMIN) -> Message:
        """A command that must succeed."""
        reply = await self(text, caller)
        assert reply.kind == "info", reply.plain_text()
        return reply

    async def error(self, text: str, caller: Caller = ADMIN, place: Place | None = CHANNEL) -> str:
        """A command that must fail; its reply as plain text."""
        reply = await self(text, caller, place)
        assert reply.kind == "error" and reply.private, reply.plain_text()
        return reply.plain_text()


@pytest.fixture
def chat(engine: Engine, settings: Settings) -> Chat:
    return Chat(engine, settings)


async def _tracked(chat: Chat, site: VendorSite, text: str = TERMS) -> None:
    """Publish Acme's terms and track them by URL (the first version is recorded)."""
    site.publish("/acme/terms", text)
    reply = await chat.ok(f"track {site.url('/acme/terms')} tos --vendor Acme")
    assert reply.items == ("acme/terms-of-service: first version recorded",)


async def test_mistyped_commands_explain_themselves(chat: Chat) -> None:
    assert (
        await chat.error("trak zoom")
        == "`trak` is not a clausewatch command; did you mean `track`? `help` lists commands"
    )
    assert await chat.error("xyzzy") == "`xyzzy` is not a clausewatch command; `help` lists commands"
    assert "`admins` needs one of: `admins list`, `admins add`, `admins remove`" in await chat.error("admins")
    assert await chat.error("profile") == "`profile` needs <vendor>\nUsage: profile <vendor>"
    assert await chat.error("catalog add “Acme Corp” tos") == (
        "`catalog add` needs <url>\nUsage: catalog add <name> <type> <url> [--alias A …]"
    )
    assert await chat.error("list --json") == "`list` has no option --json; it takes no options\nUsage: list"
    assert "--digest needs a value (daily|weekly)" in await chat.error("subscribe --digest")
    assert "--ai-only takes no value" in await chat.error("subscribe --ai-only=yes")
    assert "`untrack` does not take 'corp'; put a name with spaces in quotes" in await chat.error(
        "untrack acme corp"
    )
    assert "a quotation mark is not closed" in await chat.error('track "acme')
    assert "Usage: track <vendor or URL> [type] [--vendor NAME]" in await chat.error('track "acme')


async def test_help_lists_every_command_and_explains_one(chat: Chat) -> None:
    for text in ("", "help", "  HELP  "):
        reply = await chat.ok(text)
        assert reply.title == "clausewatch commands" and reply.private
        assert len(reply.items) == len(COMMANDS)
    assert any(item.startswith("track <vendor or URL> [type] [--vendor NAME] — ") for item in reply.items)
    assert (
        (await chat.ok("help diff")).items[0].startswith("diff <vendor or vendor/type> [from-date] [to-date]")
    )
    assert len((await chat.ok("help admins")).items) == 3
    assert "did you mean `track`?" in await chat.error("help trak")


@pytest.mark.parametrize(
    ("url", "vendor"),
    [
        ("https://legal.acme.com/terms", "Acme"),
        ("https://www.zoom.us/terms", "Zoom"),
        ("https://shop.acme.co.uk/terms", "Acme"),
        ("http://localhost:8080/terms", "Localhost"),
    ],
)
def test_a_url_names_its_vendor(url: str, vendor: str) -> None:
    assert vendor_of_url(url) == vendor


def test_an_address_does_not_name_a_vendor() -> None:
    with pytest.raises(
        UsageError, match=r"^name the vendor of http://127\.0\.0\.1:8/terms, e\.g\. --vendor Acme$"
    ):
        vendor_of_url("http://127.0.0.1:8/terms")


async def test_track_by_catalog_name_and_by_url(chat: Chat, vendor_site: VendorSite) -> None:
    vendor_site.publish("/acme/terms", TERMS)
    vendor_site.publish("/acme/privacy", PRIVACY)
    await chat.ok(f"catalog add Acme tos {vendor_site.url('/acme/terms')} --alias acme-corp --alias acmeco")
    added = await chat.ok(f"catalog add “Acme” privacy {vendor_site.url('/acme/privacy')}")
    assert added.title == "Added Acme's Privacy Policy to the catalog"
    shown = await chat.ok("catalog acmeco")
    assert shown.title == "Acme in the catalog" and len(shown.items) == 2
    assert "Acme" in (await chat.ok("catalog")).text
    assert "no vendor 'acne' in the catalog; did you mean Acme?" in await chat.error("track acne")
    assert "the catalog has no 'cookies' of Acme" in await chat.error("track acme cookies")

    reply = await chat.ok("track ACME-corp")
    assert reply.title == "Tracking Acme: 2 documents"
    assert set(reply.items) == {
        "acme/privacy-policy: first version recorded",
        "acme/terms-of-service: first version recorded",
    }
    vendor_site.publish("/beta", TERMS)
    reply = await chat.ok(f"track {vendor_site.url('/beta')} “Terms of Use” --vendor=Beta")
    assert reply.items == ("beta/terms-of-service: first version recorded",)

    listed = await chat.ok("list")
    assert listed.title == "Tracking 3 documents of 2 vendors"
    assert any(
        item.startswith("Acme Privacy Policy (acme/privacy-policy): version of ") for item in listed.items
    )

    assert (
        await chat.ok("untrack acme")
    ).title == "Stopped tracking acme/privacy-policy, acme/terms-of-service"
    assert (await chat.ok("list")).title == "Tracking 1 document of 1 vendor"
    assert "no document of 'acme' is being tracked" in await chat.error("check acme")


async def test_only_admins_change_things_and_every_attempt_is_audited(
    chat: Chat, vendor_site: VendorSite
) -> None:
    vendor_site.publish("/beta", TERMS)
    track = f"track {vendor_site.url('/beta')} --vendor Beta"
    refused = await chat(track, MEMBER)
    assert refused.kind == "refused" and refused.private
    assert refused.title == "Only workspace admins or clausewatch admins can run `track`."
    assert refused.text == "Ask an admin to add you with `admins add U_MEMBER`."
    assert (await chat("audit", MEMBER)).kind == "refused"
    assert (await chat.ok("list", MEMBER)).title == "Nothing is tracked yet."

    assert "no tracked vendor called 'nobody'" in await chat.error("untrack nobody")
    assert (await chat.ok("admins add <@U_MEMBER>")).title == "<@U_MEMBER> is now a clausewatch admin here."
    assert (await chat.ok("admins list", MEMBER)).items == ("U_MEMBER",)
    assert (await chat.ok(track, MEMBER)).title == "Tracking Beta: 1 document"

    log = (await chat.ok("audit", MEMBER)).items
    assert [line.split(": ", 1)[1] for line in log] == [
        f"{track}: ok (tracking beta/terms-of-service)",
        "admins add <@U_MEMBER>: ok (<@U_MEMBER> is now a clausewatch admin here.)",
        "untrack nobody: error (no tracked vendor called 'nobody' (tracked: none yet))",
        "audit: refused (not an admin)",
        f"{track}: refused (not an admin)",
    ]
    assert log[0].split(" UTC ")[1].startswith("Max (U_MEMBER)")
    assert "no longer a clausewatch admin" in (await chat.ok("admins remove U_MEMBER")).title
    assert "U_MEMBER is not on this workspace's clausewatch admin list" in await chat.error(
        "admins remove U_MEMBER"
    )
    with database.read_scope(chat.engine) as session:
        assert [entry.outcome for entry in audit_log(session, "slack", "T1", limit=3)] == [
            "error",
            "ok",
            "ok",
        ]
    assert (await chat("track beta", MEMBER)).kind == "refused"


async def test_subscriptions_of_a_conversation(chat: Chat, vendor_site: VendorSite) -> None:
    await _tracked(chat, vendor_site)
    assert "exclude each other" in await chat.error("subscribe acme --ai-only --all-changes")
    assert "no tracked vendor called 'nobody'" in await chat.error("subscribe acme nobody")
    assert "--min-severity takes one of low, medium, high" in await chat.error(
        "subscribe --min-severity huge"
    )
    assert "`subscriptions` works in a channel or chat" in await chat.error("subscriptions", place=None)
    assert (await chat.ok("subscriptions")).title == "This conversation has no subscriptions."

    reply = await chat.ok("subscribe acme --digest daily --min-severity medium")
    assert reply.title == "Subscribed #legal to:"
    assert reply.items == ("Acme: AI-training changes of medium severity or more, daily digest",)
    await chat.ok("subscribe --all-changes")
    shown = await chat.ok("subscriptions")
    assert shown.items == (
        "every tracked vendor: every substantive change, at once",
        "Acme: AI-training changes of medium severity or more, daily digest",
    )
    assert [(f.name, f.value) for f in shown.fields] == [("Alerts waiting to be sent", "0")]

    with database.session_scope(chat.engine) as session:
        dest = find_destination(session, CHANNEL)
        assert dest is not None and dest.id is not None
        mark_dead(session, dest.id, "the bot was removed from the channel")
    fields = {f.name: f.value for f in (await chat.ok("subscriptions")).fields}
    assert fields["Delivery stopped"] == "the bot was removed from the channel"

    assert (await chat.ok("unsubscribe acme")).title == "Removed 1 subscription."
    assert "this conversation has no subscription to Acme" in await chat.error("unsubscribe acme")
    assert (await chat.ok("unsubscribe")).title == "Removed 1 subscription."
    assert "this conversation has no subscriptions" in await chat.error("unsubscribe")


async def test_check_history_diff_profile_and_ask(chat: Chat, vendor_site: VendorSite) -> None:
    await _tracked(chat, vendor_site)
    silent = await chat.ok("Does Acme train AI on our content?")
    assert silent.title == "Not stated" and not silent.quotes
    assert silent.text.startswith("Not stated.")
    assert "no change of Acme's documents is recorded yet" in await chat.error("diff acme")

    vendor_site.publish("/acme/terms", AI_TERMS)
    checked = await chat.ok("check acme")
    assert checked.title == "Checked 1 document: 1 changed"
    assert checked.items == ("acme/terms-of-service: new version recorded",)
    assert (await chat.ok("check")).title == "Checked 1 document: 1 not-modified"

    history = await chat.ok("history acme")
    assert history.title == "History of Acme Terms of Service: 2 versions"
    assert history.items[0].endswith("(fetched): first version")
    assert "(fetched): AI training: expands (vendor, " in history.items[1]

    diff = await chat.ok("diff acme")
    fields = {f.name: f.value for f in diff.fields}
    assert fields["Verdict"].startswith("AI training: expands (vendor, ")
    assert fields["Clauses"] == "0 added, 0 removed, 1 modified"
    [quote] = diff.quotes
    assert quote.label == "§ 1.1 modified, AI training"
    assert "{+We may use Customer Content to train our artificial intelligence models.+}" in quote.text
    assert diff.links[0].url == vendor_site.url("/acme/terms")
    assert "dates are written YYYY-MM-DD, not 'yesterday'" in await chat.error("diff acme yesterday")
    assert "no version on or before 2000-01-02" in await chat.error("diff acme/tos 2000-01-01 2000-01-02")

    profile = await chat.ok("profile acme")
    assert profile.title == "Acme: AI data-use profile"
    assert {f.name: f.value for f in profile.fields}["Customer content used for training"] == "Yes"
    assert any("train our artificial intelligence models" in q.text for q in profile.quotes)

    answer = await chat.ok("ask does acme use customer content to train its AI models?")
    assert answer.title == "Yes"
    assert "We may use Customer Content to train our artificial intelligence models." in answer.quotes[0].text
    assert answer.quotes[0].label.startswith(f"Acme Terms of Service, {date.today()}")
    assert answer.links[0].url == vendor_site.url("/acme/terms")
    assert "'Slack' is not a tracked vendor" in await chat.error("Can Slack train on our content?")


async def test_diff_between_dates_judges_versions_no_change_connects(chat: Chat, tmp_path: Path) -> None:
    for day, text in (
        ("2023-01-01", TERMS),
        ("2023-03-01", AI_TERMS),
        ("2023-06-01", AI_TERMS + "\n## 3. Law\n\n3.1 The law of Delaware governs.\n"),
    ):
        (tmp_path / f"{day}.md").write_text(text)
    import_history(chat.engine, tmp_path, vendor="Acme", doc_type="tos")

    stored = await chat.ok("diff acme 2023-01-15 2023-03-01")
    assert stored.title == "Acme Terms of Service: 2023-01-01 → 2023-03-01"
    assert {f.name: f.value for f in stored.fields}["Verdict"].startswith("AI training: expands")
    latest = await chat.ok("diff acme")
    assert latest.title == "Acme Terms of Service: 2023-03-01 → 2023-06-01"
    assert {f.name: f.value for f in latest.fields}["Verdict"] == "no AI-training change"
    [heading, law] = latest.quotes
    assert (heading.text, law.label, law.text) == (
        "3. Law",
        "§ 3.1 added",
        "3.1 The law of Delaware governs.",
    )
    # imported history has no vendor page to link to; the recorded change has its full diff page
    assert [link.label for link in latest.links] == ["Full diff"]
    assert "/changes/" in latest.links[0].url and "sig=" in latest.links[0].url
    across = await chat.ok("diff acme 2023-01-01 2023-06-30")
    assert across.title == "Acme Terms of Service: 2023-01-01 → 2023-06-01"
    fields = {f.name: f.value for f in across.fields}
    assert (
        fields["Verdict"].startswith("AI training: expands")
        and fields["Clauses"] == "2 added, 0 removed, 1 modified"
    )
    assert [q.label for q in across.quotes] == ["§ 1.1 modified, AI training", heading.label, law.label]
    assert "the first date (2023-06-01) is after the second (2023-01-01)" in await chat.error(
        "diff acme 2023-06-01 2023-01-01"
    )


async def test_a_long_diff_quotes_ten_clauses_and_counts_the_rest(chat: Chat, tmp_path: Path) -> None:
    clauses = [f"{n}.1 Invoices of kind {n} are due within 30 days of receipt." for n in range(1, 13)]
    (tmp_path / "2023-01-01.md").write_text("# Terms\n\n" + "\n\n".join(clauses) + "\n")
    changed = [clause.replace("30 days", "60 days") for clause in clauses]
    (tmp_path / "2023-02-01.md").write_text("# Terms\n\n" + "\n\n".join(changed) + "\n")
    import_history(chat.engine, tmp_path, vendor="Acme", doc_type="tos")

    reply = await chat.ok("diff acme")
    assert len(reply.quotes) == 10
    assert reply.text.endswith("\n…and 2 more clauses changed.")
    assert reply.quotes[0].text == "Invoices of kind 1 are due within [-30-] {+60+} days of receipt."


async def test_an_ambiguous_vendor_name_is_explained_with_the_usage_line(
    chat: Chat, vendor_site: VendorSite
) -> None:
    for name in ("Acme Cloud", "Acme Mail"):
        vendor_site.publish(f"/{name[5:]}/terms", TERMS)
        await chat.ok(f'track {vendor_site.url(f"/{name[5:]}/terms")} tos --vendor "{name}"')
    reply = await chat.error("subscribe acme")
    assert reply.splitlines() == [
        "'acme' could be Acme Cloud or Acme Mail; name one of them",
        f"Usage: {usage_of('subscribe')}",
    ]


async def test_mute_cancels_waiting_alerts_and_unmute_restores_the_subscription(
    chat: Chat, vendor_site: VendorSite
) -> None:
    await _tracked(chat, vendor_site)
    await chat.ok("subscribe acme --digest daily --min-severity medium")
    vendor_site.publish("/acme/terms", AI_TERMS)
    await chat.ok("check acme")
    with database.read_scope(chat.engine) as session:
        assert [a.state for a in session.exec(select(Alert)).all()] == ["pending"]  # waiting for the digest

    muted = await chat.ok("mute acme")
    assert "unmute acme" in muted.text
    listed = await chat.ok("subscriptions")
    assert listed.items == ("Acme: muted, no alerts (`unmute` lifts it)",)
    with database.read_scope(chat.engine) as session:
        assert [a.state for a in session.exec(select(Alert)).all()] == ["cancelled"]

    await chat.ok("unmute acme")
    listed = await chat.ok("subscriptions")
    assert listed.items == ("Acme: AI-training changes of medium severity or more, daily digest",)
    assert "none of those vendors is muted" in await chat.error("unmute acme")
    assert "Only workspace admins" in (await chat("mute acme", MEMBER)).title
