"""The local vendor site of the peer benchmark: N terms pages that change, or not, on a signal.

Every tool of the comparison reads the same pages from it, so the site is the one thing they share. Page
``i`` serves real labelled pair ``i mod #pairs`` of the shared corpus (``changes/labels.tsv``): version 1 is
the pair's "before" text, version 2 its "after" text, each made distinct per page by a heading naming the
page and rendered to HTML with ``bots.console.vendor_site.render_page`` (navigation, cookie banner and footer
around ``<main>``). It runs in its own process so the tools' processes never share its event loop.

An edit is the common change of real monitoring: ONE real AI-training sentence added to the page's current
text or put in place of one of its AI-training sentences. The sentences are those that the served pairs
labelled AI-training changes add (in "after", not in "before") and that speak of training and of AI, machine
learning or models; page ``i``'s ``r``-th edit uses sentence ``i + r`` of them, so neighbouring pages differ.

Pages answer with an ETag and honour If-None-Match (a 304) while validators are on; with them off they carry
no validator (no ETag, no Last-Modified) and every request gets the full 200, so a tool must download and
compare.

Control routes: ``POST /_mode?version=1|2|edit|same&validators=on|off`` publishes version 1 or 2 of every
page, edits every page once, or keeps them, and turns validators on or off (each parameter optional);
``POST /_switch`` is ``version=2``; ``GET /_version`` says what is live and counts requests and 304s.

    python benchmarks/peers/peer_site.py [--pages 400] [--pairs ai] [--port 8765]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import hdrs, web
from multidict import CIMultiDict

from bots.console.vendor_site import VendorSite

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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(*])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TRAINING = re.compile(r"\btrain(?:s|ed|ing)?\b", re.IGNORECASE)
_AI = re.compile(
    r"\b(?:AI|artificial intelligence|machine[- ]learning|(?:language )?models?|algorithms?|LLMs?)\b",
    re.IGNORECASE,
)


def _paragraphs(text: str) -> list[str]:
    """The Markdown's blocks at even indices and the blank lines between them at odd ones, as written."""
    return re.split(r"(\n\s*\n)", text)


def _is_prose(block: str) -> bool:
    """Whether a block is running text ending a sentence (not a heading, table, quote or list item)."""
    text = block.strip()
    return bool(text) and text[0] not in "#|>-*+" and not _LIST_MARK.match(text) and text.endswith(".")


def sentences(text: str) -> list[str]:
    """The sentences of a Markdown text's prose and list items, each on one line, list marks removed."""
    found = []
    for block in _paragraphs(text)[::2]:
        line = " ".join(block.split())
        if line and line[0] not in "#|>":
            found += _SENTENCE_END.split(_LIST_MARK.sub("", line))
    return found


def is_ai_training(sentence: str) -> bool:
    """Whether a sentence speaks of training and of AI, machine learning, models or algorithms."""
    return bool(_TRAINING.search(sentence) and _AI.search(sentence))


def ai_training_sentences(pairs: list[Pair]) -> list[str]:
    """Real AI-training sentences: those the pairs labelled AI-training changes add (whole, usual length)."""
    chosen: dict[str, None] = {}
    for pair in pairs:
        if not pair.ai_training_change:
            continue
        before = set(sentences(pair.before))
        for sentence in sentences(pair.after):
            whole = 40 <= len(sentence) <= 400 and sentence.endswith((".", "!", "?"))
            if whole and sentence not in before and is_ai_training(sentence):
                chosen[sentence] = None
    if not chosen:
        raise SystemExit("no AI-training sentence added by any served pair: edits need one")
    return list(chosen)


def edit_once(text: str, pool: list[str], n: int, edit: int, seen: set[str]) -> str:
    """``text`` with one real AI-training sentence from ``pool`` added (even pages) or put in place of one of
    its AI-training sentences (odd pages, when it has one it shows verbatim). The sentence is one the page has
    never shown (``seen``, which it joins), so an edit is always a new version, never a flip back."""
    start = n + edit
    new = next(
        (s for k in range(len(pool)) if (s := pool[(start + k) % len(pool)]) not in seen and s not in text),
        None,
    )
    if new is None:
        raise SystemExit(f"page {n} has shown every AI-training sentence of the pool")
    seen.add(new)
    if n % 2:
        replaceable = [s for s in sentences(text) if is_ai_training(s) and s in text]
        if replaceable:
            return text.replace(replaceable[start % len(replaceable)], new, 1)
    blocks = _paragraphs(text)
    prose = [i for i in range(0, len(blocks), 2) if _is_prose(blocks[i])] or [len(blocks) - 1]
    at = prose[(n * 7 + edit) % len(prose)]
    blocks[at] = f"{blocks[at].rstrip()} {new}"
    return "".join(blocks)


class PeerSite(VendorSite):
    """A vendor site holding every page's current text, with routes to change them and the validators."""

    def __init__(self, pairs: list[Pair], pages: int) -> None:
        super().__init__()
        self.pairs = pairs
        self.count = pages
        self.pool = ai_training_sentences(pairs)
        self.version = "1"
        self.edits = 0
        self.validators = True
        self.not_modified = 0
        self.texts: dict[int, str] = {}
        self.seen: dict[int, set[str]] = {n: set() for n in range(pages)}
        self.publish_version(1)

    def publish_all(self) -> None:
        """Render and serve every page's current text."""
        for n, text in self.texts.items():
            self.publish(page_path(n), text, f"Vendor {n} terms")

    def publish_version(self, version: int) -> None:
        """Serve version 1 (the pairs' "before") or 2 (their "after") of every page."""
        self.texts = {n: page_markdown(self.pairs, n, version) for n in range(self.count)}
        for n, text in self.texts.items():
            self.seen[n].update(s for s in self.pool if s in text)
        self.version = str(version)
        self.publish_all()

    def edit_all(self) -> None:
        """Change every page by one real AI-training sentence (see ``edit_once``)."""
        self.texts = {
            n: edit_once(text, self.pool, n, self.edits, self.seen[n]) for n, text in self.texts.items()
        }
        self.edits += 1
        self.version = f"{self.version.split('+')[0]}+{self.edits} edits"
        self.publish_all()

    def status(self) -> dict[str, object]:
        """What is live, and the requests answered so far."""
        return {
            "version": self.version,
            "validators": self.validators,
            "pages": self.count,
            "sentences": len(self.pool),
            "hits": self.hits,
            "not_modified": self.not_modified,
        }

    async def _mode(self, request: web.Request) -> web.Response:
        version = request.query.get("version", "same")
        if version in ("1", "2"):
            self.publish_version(int(version))
        elif version == "edit":
            self.edit_all()
        elif version != "same":
            raise web.HTTPBadRequest(text="version is 1, 2, edit or same")
        validators = request.query.get("validators")
        if validators is not None:
            self.validators = validators == "on"
        return web.json_response(self.status())

    async def _switch(self, _request: web.Request) -> web.Response:
        self.publish_version(2)
        return web.json_response(self.status())

    async def _version(self, _request: web.Request) -> web.Response:
        return web.json_response(self.status())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """A page, with its ETag honoured while validators are on; without any validator otherwise."""
        if self.validators:
            response = await super()._handle(request)
            self.not_modified += response.status == 304
            return response
        headers = CIMultiDict(request.headers)
        headers.popall(hdrs.IF_NONE_MATCH, None)
        response = await super()._handle(request.clone(headers=headers))
        response.headers.popall(hdrs.ETAG, None)
        return response

    async def start(self, port: int = 0) -> PeerSite:
        """Listen on 127.0.0.1 with the control routes beside the pages."""
        app = web.Application()
        app.router.add_post("/_mode", self._mode)
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
    print(
        f"{args.pages} pages at http://127.0.0.1:{port}{page_path(0)} ... ; "
        "POST /_mode?version=1|2|edit|same&validators=on|off to change them"
    )
    process.join()


if __name__ == "__main__":
    main()
