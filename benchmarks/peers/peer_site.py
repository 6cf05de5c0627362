"""The local vendor site of the peer benchmark: N terms pages at version 1, then, on a signal, version 2.

Every tool of the comparison reads the same pages from it, so the site is the one thing they share. Page
``i`` serves real labelled pair ``i mod #pairs`` of the shared corpus (``changes/labels.tsv``): version 1 is
the pair's "before" text, version 2 its "after" text, each made distinct per page by a heading naming the
page and rendered to HTML with ``bots.console.vendor_site.render_page`` (navigation, cookie banner and footer
around ``<main>``). It runs in its own process so the tools' processes never share its event loop.

Control routes: ``POST /_switch`` publishes version 2 of every page; ``GET /_version`` says which is live.

    python benchmarks/peers/peer_site.py [--pages 400] [--pairs ai] [--port 8765]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bots.console.vendor_site import VendorSite, render_page

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Pair:
    """One labelled real change: a document's text before and after, and whether it is an AI-training one."""

    document: str
    before: str
    after: str
    ai_training_change: bool


def load_pairs(corpus: Path, which: str = "ai") -> list[Pair]:
    """The labelled pairs of ``corpus/changes``: only the AI-training ones (``ai``) or every one (``all``)."""
    folder = corpus / "changes"
    pairs = []
    with (folder / "labels.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            is_ai = row["ai_training_change"].strip() == "yes"
            if which == "ai" and not is_ai:
                continue
            doc = folder / row["document"]
            pairs.append(
                Pair(
                    row["document"],
                    (doc / f"{row['before']}.md").read_text(encoding="utf-8"),
                    (doc / f"{row['after']}.md").read_text(encoding="utf-8"),
                    is_ai,
                )
            )
    if not pairs:
        raise SystemExit(f"no labelled pairs in {folder}")
    return pairs


def page_path(n: int) -> str:
    """Where page ``n`` is served."""
    return f"/vendor-{n}/terms"


def page_markdown(pairs: list[Pair], n: int, version: int) -> str:
    """Page ``n`` at ``version`` (1 = before, 2 = after): the pair's real text under a heading of its own."""
    pair = pairs[n % len(pairs)]
    text = pair.before if version == 1 else pair.after
    return f"# Vendor {n}: {pair.document}\n\n{text}"


class PeerSite(VendorSite):
    """A vendor site holding both versions of every page, with routes to switch to version 2."""

    def __init__(self, pairs: list[Pair], pages: int) -> None:
        super().__init__()
        self.version = 1
        self.versions = {
            version: {
                page_path(n): (
                    render_page(page_markdown(pairs, n, version), f"Vendor {n} terms"),
                    "text/html",
                )
                for n in range(pages)
            }
            for version in (1, 2)
        }
        self.pages.update(self.versions[1])

    async def _switch(self, _request: web.Request) -> web.Response:
        self.pages.update(self.versions[2])
        self.version = 2
        return web.json_response({"version": self.version, "pages": len(self.versions[2])})

    async def _version(self, _request: web.Request) -> web.Response:
        return web.json_response({"version": self.version, "hits": self.hits})

    async def start(self, port: int = 0) -> PeerSite:
        """Listen on 127.0.0.1 with the control routes beside the pages."""
        app = web.Application()
        app.router.add_post("/_switch", self._switch)
        app.router.add_get("/_version", self._version)
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        return self


def serve(port_queue: multiprocessing.Queue, corpus: Path, pages: int, which: str, port: int = 0) -> None:
    """The site process: renders both versions, reports its port on ``port_queue`` and serves forever."""

    async def main() -> None:
        site = PeerSite(load_pairs(corpus, which), pages)
        await site.start(port)
        port_queue.put(site.port)
        await asyncio.Event().wait()

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--pairs", choices=("ai", "all"), default="ai")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=serve, args=(queue, args.corpus, args.pages, args.pairs, args.port)
    )
    process.start()
    port = queue.get(timeout=120)
    print(f"{args.pages} pages at http://127.0.0.1:{port}{page_path(0)} ... ; POST /_switch for version 2")
    process.join()


if __name__ == "__main__":
    main()
