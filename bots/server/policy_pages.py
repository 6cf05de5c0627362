"""``/privacy`` and ``/terms``: the statements a chat app's listing must link to (Teams' manifest requires
both), served by ``clausewatch serve`` itself so an installation has them without a website of its own.

The privacy page is built from what the code keeps: ``RECORDS`` names every table the migrations create
(``tests/test_server.py`` fails when a table is added without a line here), and the periods come from the
settings and constants that enforce them. An organisation that publishes its own statements points the
manifest there instead (``CLAUSEWATCH_PRIVACY_URL``, ``CLAUSEWATCH_TERMS_URL``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from aiohttp import web

from bots.server.diff_page import HEADERS, STYLE
from core.commands.duplicate_events import REMEMBERED
from core.config import Settings


@dataclass(frozen=True)
class Record:
    """What some tables hold, in words for the people the bot serves, and how long it is kept."""

    tables: tuple[str, ...]
    what: str
    kept: str


def records(settings: Settings) -> tuple[Record, ...]:
    """Everything the database holds, grouped; the periods are the ones the code applies."""
    return (
        Record(
            ("vendor", "document", "blob", "version", "change", "profile", "reading", "catalog_entry"),
            "Vendors' published documents (terms, privacy policies, AI terms): their addresses, every "
            "version of their text, the changes between versions and how each change was judged. This is "
            "public text, not information about you; an admin's name is kept on a vendor they added to "
            "the catalog.",
            "For as long as this installation runs: the history is what the bot is for. Untracking a "
            "document stops checking it and keeps its history; `untrack --purge` deletes it.",
        ),
        Record(
            ("destination", "subscription", "alert", "review"),
            "The channels and chats the bot was added to (their ids and names, and for Teams the address "
            "it replies through), what each one subscribed to and who subscribed it, the alerts sent there, "
            "and who marked an alert reviewed (user id, display name, time).",
            "Until the bot is removed from the conversation or the app is uninstalled: the conversation is "
            "then marked as gone and gets nothing more; its history is kept. An unsubscribe deletes the "
            "subscription.",
        ),
        Record(
            ("workspace_admin", "audit_log"),
            "The user ids clausewatch treats as admins of a workspace or team, and an audit log of every "
            "admin command: who ran it (user id and display name), where, the command typed, and whether "
            "it was allowed.",
            "Admins until removed with `admins remove`; the audit log is kept for accountability and not "
            "deleted by the bot.",
        ),
        Record(
            ("seen_event",),
            "The ids of the events Slack and Teams delivered, so an event delivered twice is answered once.",
            f"{_days(REMEMBERED.total_seconds() / 86400)}, then deleted.",
        ),
        Record(
            ("slack_installations", "slack_bots", "slack_oauth_states"),
            "For Slack workspaces that installed the app: the workspace id and name, the installing user's "
            "id, and the bot's access token.",
            "Until the app is uninstalled or its tokens are revoked; then deleted.",
        ),
        Record(
            ("app_secret",),
            "The key that signs the links to diff pages in alerts (no personal data).",
            f"Until it is rotated; each link expires after {_days(settings.link_ttl_days)}.",
        ),
    )


def _days(days: float) -> str:
    """``1 day``, ``30 days``."""
    whole = round(days)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def _not_stored(settings: Settings) -> list[str]:
    """What passes through without being stored, and where a question goes when a model is configured."""
    lines = [
        "Questions and other messages to the bot are answered and not stored; only admin commands are "
        "written to the audit log above.",
        "Server logs record requests' ids and failures with the user id involved; how long they are kept "
        "is set by whoever runs this installation.",
    ]
    if settings.llm_enabled:
        endpoint = settings.llm_base_url or "OpenAI's API"
        lines.append(
            f"A language model ({settings.llm_model}, at {endpoint}) is sent each question with the "
            "clauses quoted to answer it; that service's own terms govern what it keeps."
        )
    else:
        lines.append("No language model is configured: no question leaves this installation.")
    return lines


def privacy_page(settings: Settings) -> str:
    """The privacy statement as HTML, every piece of text escaped."""
    e = html.escape
    parts = [
        "<h1>clausewatch: privacy</h1>",
        "<p>clausewatch watches vendors' terms and answers questions about them in Slack and Microsoft "
        "Teams. This is what this installation stores about the people and conversations it serves, "
        "and for how long.</p>",
        "<table><tr><th>What is stored</th><th>How long</th></tr>",
    ]
    parts += [f"<tr><td>{e(r.what)}</td><td>{e(r.kept)}</td></tr>" for r in records(settings)]
    parts.append("</table><h2>Not stored</h2><ul>")
    parts += [f"<li>{e(line)}</li>" for line in _not_stored(settings)]
    parts.append(
        "</ul><p>Everything is in this installation's own database, run by the organisation that added "
        "the bot; ask its administrators to see or delete what concerns you.</p>"
    )
    return _document("clausewatch: privacy", parts)


def terms_page() -> str:
    """The terms of use as HTML."""
    parts = [
        "<h1>clausewatch: terms of use</h1>",
        "<p>clausewatch is run by the organisation that added it to your workspace, for its own people.</p>",
        "<ul><li>It reports what vendors' published documents say and how they changed. Its verdicts are "
        "made by rules (and, where configured, a language model) and can be wrong: read the quoted "
        "clauses and the vendor's own text before relying on them. It is not legal advice.</li>",
        "<li>Use it for your organisation's work; admin commands are recorded in an audit log.</li>",
        "<li>It is provided as is, without warranty; the vendors' documents remain theirs.</li></ul>",
    ]
    return _document("clausewatch: terms of use", parts)


def _document(title: str, body: list[str]) -> str:
    return "".join(
        [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            '<meta name=viewport content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def routes(settings: Settings) -> list[web.RouteDef]:
    """``GET /privacy`` and ``GET /terms``; the pages depend only on the settings, so they are built once."""
    pages = {"/privacy": privacy_page(settings), "/terms": terms_page()}

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.path], content_type="text/html", headers=HEADERS)

    return [web.get(path, page) for path in pages]
