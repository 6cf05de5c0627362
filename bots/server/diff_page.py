"""``/changes/<id>``: the full diff of one recorded change, as a read-only HTML page that alerts link to.

The page shows the verdict and the AI data-use profile points that moved, then every substantive clause side
by side (before | after, removed words struck, added words marked), AI-training clauses highlighted and listed
first, with links to both versions' text. The link must carry a valid, unexpired signature
(``core.alerts.signed_links``): the page is no open index of everything tracked. Vendors' text is
HTML-escaped, the page runs no script (a Content-Security-Policy forbids any), and it is neither indexed nor
leaks its signed address to the vendor's site when a link is followed.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from core.alerts.outbox import profile_delta
from core.alerts.signed_links import link_key, link_problem
from core.config import Settings
from core.pipeline.versions import version_text
from core.reading.changes import ChangeView, change_view
from core.storage.database import read_scope
from core.storage.models import Change
from core.text.clauses import diff_runs

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}
STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem;margin-bottom:.2rem} .meta{color:#555} .verdict{font-weight:600;font-size:1.1rem}
.ai-change{color:#8a1c7c} ul.delta li{margin:.2rem 0}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin-top:1rem}
th,td{border:1px solid #ddd;padding:.5rem .7rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#f5f5f7} tr.ai td{background:#fff5fb} tr.ai td.head{border-left:4px solid #c2185b}
td.head{font-weight:600;background:#fafafa} .badge{background:#c2185b;color:#fff;border-radius:3px;
padding:0 .35rem;font-size:.75rem;margin-left:.4rem} del{background:#ffe1e1;color:#8b0000}
ins{background:#dcf5dc;color:#0a4d0a;text-decoration:none} .empty{color:#999;font-style:italic}
"""


def routes(engine: Engine, settings: Settings) -> list[web.RouteDef]:
    """The diff page and the two versions' texts, all behind the same signed link."""

    async def page(request: web.Request) -> web.Response:
        html_page = await asyncio.to_thread(_page, engine, settings, request)
        return web.Response(text=html_page, content_type="text/html", headers=HEADERS)

    async def text(request: web.Request) -> web.Response:
        body = await asyncio.to_thread(_text, engine, settings, request)
        return web.Response(text=body, content_type="text/plain", headers=HEADERS)

    return [web.get(r"/changes/{id:\d+}", page), web.get(r"/changes/{id:\d+}/{which:before|after}", text)]


def _page(engine: Engine, settings: Settings, request: web.Request) -> str:
    """The page's HTML, read in a thread: the database may be busy, the server's loop must not wait."""
    change_id = _checked(request, engine, settings)
    with read_scope(engine) as session:
        view = change_view(session, change_id)
        delta = profile_delta(session, view.old, view.new)
    return render(view, delta, request.query_string)


def _text(engine: Engine, settings: Settings, request: web.Request) -> str:
    """One version's text (``before`` or ``after``), read in a thread."""
    change_id = _checked(request, engine, settings)
    with read_scope(engine) as session:
        view = change_view(session, change_id)
        return version_text(session, view.old if request.match_info["which"] == "before" else view.new)


def _checked(request: web.Request, engine: Engine, settings: Settings) -> int:
    """The change id, if the link is signed, unexpired and names a recorded change; else 403 or 404."""
    change_id = int(request.match_info["id"])
    with read_scope(engine) as session:
        key = link_key(session, settings)
        exists = session.get(Change, change_id) is not None
    problem = link_problem(key, change_id, request.query.get("expires", ""), request.query.get("sig", ""))
    if problem:
        raise web.HTTPForbidden(
            text=f"{problem}: ask the bot for a fresh one (`diff <vendor>`, or the alert's View full diff).",
            headers=HEADERS,
        )
    if not exists:
        raise web.HTTPNotFound(text="no such change", headers=HEADERS)
    return change_id


def render(view: ChangeView, delta: list[str], query: str) -> str:
    """The page: header, verdict, profile delta, then the clause table, AI-training clauses first."""
    e = html.escape
    change, details = view.change, view.change.details or {}
    clauses: list[dict[str, Any]] = sorted(details.get("clauses", []), key=lambda c: not c.get("ai"))
    verdict_class = "verdict ai-change" if change.ai_training_change else "verdict"
    old_day, new_day = view.old.effective_date.isoformat(), view.new.effective_date.isoformat()
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>{e(view.name)}: change of {new_day}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(view.name)}</h1>",
        f'<p class=meta>Version of {old_day} → version of {new_day} · <a href="{e(view.document.url)}" '
        'rel="noreferrer noopener">the vendor\'s page</a> · '
        f'<a href="{change.id}/before?{e(query)}">text of {old_day}</a> · '
        f'<a href="{change.id}/after?{e(query)}">text of {new_day}</a></p>',
        f"<p class='{verdict_class}'>{e(view.verdict)}</p>",
    ]
    if change.summary:
        parts.append(f"<p>{e(change.summary)}</p>")
    if delta:
        parts.append("<h2>AI data-use profile</h2><ul class=delta>")
        parts += [f"<li>{e(line)}</li>" for line in delta]
        parts.append("</ul>")
    parts.append(
        f"<h2>Clauses ({change.clauses_added} added, {change.clauses_removed} removed, "
        f"{change.clauses_modified} modified)</h2>"
    )
    parts.append(f"<table><tr><th>Before ({old_day})</th><th>After ({new_day})</th></tr>")
    for clause in clauses:
        parts += _rows(clause)
    parts.append("</table></body></html>")
    return "".join(parts)


def _rows(clause: dict[str, Any]) -> list[str]:
    """A clause's heading row and its before | after row."""
    e = html.escape
    ai = bool(clause.get("ai"))
    badge = "<span class=badge>AI training</span>" if ai else ""
    heading = e(clause.get("heading") or clause.get("id") or "")
    row_class = " class=ai" if ai else ""
    before, after = _sides(clause)
    kind = f"<small>({e(clause['kind'])})</small>"
    return [
        f"<tr{row_class}><td class=head colspan=2>{heading}{badge} {kind}</td></tr>",
        f"<tr{row_class}><td>{before}</td><td>{after}</td></tr>",
    ]


def _sides(clause: dict[str, Any]) -> tuple[str, str]:
    """The clause before and after, as HTML: a modified clause with its word diff, struck and marked."""
    e, empty = html.escape, "<span class=empty>(not present)</span>"
    if clause.get("kind") == "modified" and clause.get("diff"):
        runs = diff_runs(clause["diff"])
        before = "".join(f"<del>{e(t)}</del>" if k == "removed" else e(t) for k, t in runs if k != "added")
        after = "".join(f"<ins>{e(t)}</ins>" if k == "added" else e(t) for k, t in runs if k != "removed")
        return before, after
    old, new = clause.get("old"), clause.get("new")
    return (f"<del>{e(old)}</del>" if old else empty), (f"<ins>{e(new)}</ins>" if new else empty)
