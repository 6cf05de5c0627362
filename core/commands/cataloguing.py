"""The vendors clausewatch knows where to find: ``catalog [vendor]`` and ``catalog add``.

An admin adds or corrects a vendor's page in chat (``catalog add``) when a vendor is missing or a page
moved, and ``track <vendor>`` then finds it, without waiting for a release.
"""

from __future__ import annotations

import shlex

from core.commands.context import Context
from core.commands.invocation import Invocation, Option
from core.commands.parsing import Spec
from core.messages import Field, Message, plural
from core.registry import catalog
from core.registry.catalog import CatalogDocument
from core.storage.database import read_scope, session_scope


async def show_catalog(context: Context, call: Invocation) -> Message:
    """One vendor's documents, or the names of every vendor in the catalog."""
    with read_scope(context.engine) as session:
        known = catalog.load(session)
    if not call.args:
        return Message(
            title=f"The catalog knows {plural(len(known.entries), 'vendor')}",
            text=", ".join(entry.name for entry in known.entries)
            + "\n`catalog zoom` shows a vendor's documents; `track zoom` starts watching them.",
        )
    entry = known.resolve(call.args[0])
    return Message(
        title=f"{entry.name} in the catalog",
        fields=(Field("Also called", ", ".join(entry.aliases)),) if entry.aliases else (),
        items=tuple(f"{doc.type}: {doc.url}" for doc in entry.documents),
    )


async def add_to_catalog(context: Context, call: Invocation) -> Message:
    """Add a vendor's document to the catalog, or replace the one of that type."""
    name, doc_type, url = call.args
    with session_scope(context.engine) as session:
        entry = catalog.add_entry(
            session,
            name,
            [CatalogDocument(type=doc_type, url=url)],
            aliases=call.values("--alias"),
            added_by=context.caller.user_id,
        )
        document = entry.document(doc_type)
        assert document is not None, "add_entry keeps the document it was given"
        context.audit_ok(session, call, f"{entry.name} {document.type}: {document.url}")
    return Message(
        title=f"Added {entry.name}'s {document.type} to the catalog",
        text=f"`track {shlex.quote(entry.name)}` now watches {plural(len(entry.documents), 'document')}.",
        items=tuple(f"{doc.type}: {doc.url}" for doc in entry.documents),
    )


SPECS = (
    Spec(
        "catalog",
        "catalog [vendor]",
        "the vendors clausewatch knows where to find, or one vendor's documents",
        admin=False,
        handler=show_catalog,
        max_args=1,
    ),
    Spec(
        "catalog add",
        "catalog add <name> <type> <url> [--alias A …]",
        "add or correct a vendor's document in the catalog",
        admin=True,
        handler=add_to_catalog,
        options=(Option("--alias", "A", repeat=True),),
        min_args=3,
        max_args=3,
    ),
)
