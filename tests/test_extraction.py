"""Extraction keeps the document's words and structure and leaves the page around it behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from core.errors import ExtractionError
from core.pipeline.extract import Extracted, extract
from core.text.normalise import content_hash, normalise

CORPUS = Path(os.environ.get("CLAUSEWATCH_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

CLAUSE = "<p>You may use the Services only as these Terms allow, and you must follow the law when you do.</p>"

CHROME = """
<header class="site-header"><a href="/"><img src="/logo.svg" alt="Example"></a>
  <nav><ul><li><a href="/products">Products</a></li><li><a href="/pricing">Pricing</a></li></ul></nav>
  <a href="javascript:void(0)">Menu</a></header>
<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" role="dialog"><p>We use cookies to improve your
  experience.</p><button>Accept All Cookies</button><button>Cookie Settings</button></div></div>
<aside><p>Related: <a href="/blog">Our blog</a></p></aside>
<footer><p>© 2024 Example Inc.</p><a href="/careers">Careers</a></footer>
<script>window.dataLayer = [];</script>
"""
CHROME_WORDS = (
    "Products",
    "Pricing",
    "Menu",
    "Example Inc",
    "Careers",
    "Accept All",
    "Our blog",
    "dataLayer",
)


def page(content: str, *, title: str = "Terms of Service | Example", head: str = "") -> bytes:
    """A realistic page: the document amid site chrome, a consent banner and scripts."""
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}<style>p{{margin:0}}</style></head>"
        f"<body>{CHROME}{content}</body></html>"
    ).encode()


def html(body: bytes, **options: object) -> Extracted:
    return extract(body, "text/html", **options)  # type: ignore[arg-type]


def test_converts_structure_to_markdown() -> None:
    content = f"""<main>
      <h1>Terms of Service</h1>{CLAUSE}
      <h2>1. Your account</h2>
      <ol><li>Keep your password safe.</li>
        <li>Tell us about misuse:<ul><li>by email;</li><li>by phone.</li></ul></li></ol>
      <h2>2. Fees</h2><p>Fees are set out in the <a href="https://example.com/pricing">pricing page</a>.</p>
      <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>$10<br>per month</td></tr></table>
    </main>"""
    text = html(page(content)).text
    assert text == (
        "# Terms of Service\n\n"
        "You may use the Services only as these Terms allow, and you must follow the law when you do.\n\n"
        "## 1. Your account\n\n"
        "1. Keep your password safe.\n2. Tell us about misuse:\n   - by email;\n   - by phone.\n\n"
        "## 2. Fees\n\n"
        "Fees are set out in the [pricing page](https://example.com/pricing).\n\n"
        "| Plan | Price |\n| --- | --- |\n| Pro | $10 per month |"
    )


def test_title_comes_from_the_title_element_else_the_first_heading() -> None:
    assert html(page(f"<main>{CLAUSE}</main>", title="  Privacy\n Policy ")).title == "Privacy Policy"
    assert html(b"<body><h2>Data Processing Addendum</h2>" + CLAUSE.encode() + b"</body>").title == (
        "Data Processing Addendum"
    )
    assert html(CLAUSE.encode()).title is None


def test_dominant_main_element_is_the_document() -> None:
    text = html(page(f"<main><h1>Terms</h1>{CLAUSE * 3}</main><div><p>Newsletter signup text</p></div>")).text
    assert text.startswith("# Terms\n\nYou may use")
    assert "Newsletter" not in text
    assert not any(word in text for word in CHROME_WORDS)


def test_without_a_dominant_main_the_body_minus_chrome_is_the_document() -> None:
    content = f'<main><p>Welcome!</p></main><div class="legal"><h1>Terms</h1>{CLAUSE * 4}</div>'
    text = html(page(content)).text
    assert text.startswith("Welcome!\n\n# Terms")
    assert not any(word in text for word in CHROME_WORDS)


def test_document_parts_that_look_like_chrome_are_kept() -> None:
    content = f"""<article><header><p>Last updated: 1 May 2024</p></header><h1>Privacy Policy</h1>{CLAUSE * 3}
      <section id="cookies" class="cookies">
        <h2>Cookies</h2><p>We use cookies to remember your settings.</p></section>
      <h3><button aria-expanded="false">5. Your rights</button></h3>
      <div hidden><p>You may ask us to delete your data.</p></div></article>"""
    text = html(page(content)).text
    for kept in (
        "Last updated: 1 May 2024",
        "## Cookies",
        "We use cookies to remember",
        "### 5. Your rights",
        "delete",
    ):
        assert kept in text


def test_links_keep_targets_but_not_scripts_or_empty_ones() -> None:
    content = (
        '<main><p>Write to <a href="mailto:legal@example.com">legal@example.com</a>, '
        '<a href="javascript:openChat()">chat</a> or <a href="#">go up</a>.'
        '<a href="/home"><img src="home.png" alt="Home"></a></p></main>'
    )
    assert (
        html(page(content)).text == "Write to [legal@example.com](mailto:legal@example.com), chat or go up."
    )


def test_form_controls_are_dropped_but_a_page_wrapped_in_a_form_is_not() -> None:
    body = (
        b'<body><form id="aspnetForm"><input type="hidden" value="VIEWSTATE"><h1>Terms</h1>'
        + CLAUSE.encode()
        + b"<select><option>English</option></select><button type=submit>Go</button></form></body>"
    )
    assert html(body).text == "# Terms\n\n" + normalise(CLAUSE[3:-4])


def test_select_keeps_matching_elements_in_document_order() -> None:
    body = b'<div id="a"><p>one</p><p class="b">two</p></div><p class="b">three</p><p class="c">four</p>'
    assert html(body, select=[".c", "#a", ".b"]).text == "one\n\ntwo\n\nthree\n\nfour"


def test_remove_drops_matching_elements() -> None:
    body = b'<body><main><p>keep this</p><div class="promo"><p>drop this</p></div></main></body>'
    assert html(body, remove=[".promo"]).text == "keep this"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"select": ["#terms"]}, "selector '#terms' matched nothing"),
        ({"select": ["p["]}, "not valid CSS"),
        ({"remove": ["p["]}, "not valid CSS"),
    ],
)
def test_bad_selectors_are_reported(options: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        html(b"<body><p>text</p></body>", **options)


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        pytest.param(
            "<p>Café “rules”</p>".encode("cp1252"), "windows-1252", "Café “rules”", id="http-charset"
        ),
        pytest.param(
            "<p>Café “rules”</p>".encode("cp1252"), "iso-8859-1", "Café “rules”", id="latin1-is-1252"
        ),
        pytest.param(
            '<meta charset="windows-1252"><p>Café</p>'.encode("cp1252"), None, "Café", id="meta-charset"
        ),
        pytest.param(
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Café</p>'.encode(
                "cp1252"
            ),
            None,
            "Café",
            id="meta-http-equiv",
        ),
        pytest.param("<p>Café</p>".encode(), None, "Café", id="utf-8-default"),
        pytest.param(b"<p>bad \xff byte</p>", None, "bad \ufffd byte", id="replacement"),
        pytest.param(b"\xef\xbb\xbf<p>Caf\xc3\xa9</p>", "latin-1", "Café", id="bom-wins"),
        pytest.param("<p>Café</p>".encode(), "no-such-charset", "Café", id="unknown-charset"),
    ],
)
def test_html_decoding(body: bytes, charset: str | None, expected: str) -> None:
    assert html(body, charset=charset).text == expected


def test_plain_text_is_taken_as_is_and_normalised() -> None:
    body = "Terms\r\n=====\r\n\r\n*   First\u00a0rule.\r\n\r\n\r\n\r\nEnd.".encode()
    assert extract(body, "text/plain") == Extracted(text="# Terms\n\n- First rule.\n\nEnd.", title="Terms")
    assert extract(body, "text/plain; charset=utf-8").text.startswith("# Terms")


def make_pdf(*pages: list[str]) -> bytes:
    """A minimal valid PDF, one Helvetica text line per string."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        escaped = (line.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)") for line in lines)
        stream = (
            b"BT /F1 12 Tf 72 720 Td 14 TL " + b" T* ".join(b"(%s) Tj" % line for line in escaped) + b" ET"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_pages_are_joined_and_lines_reflowed() -> None:
    pdf = make_pdf(
        [
            "1. Definitions",
            "In these terms, the Service means the",
            "software we provide (the Platform).",
            "2. Fees",
        ],
        ["Fees are due monthly and are", "not refundable."],
    )
    assert extract(pdf, "application/pdf").text == (
        "1. Definitions\n\nIn these terms, the Service means the software we provide (the Platform).\n\n"
        "2. Fees\n\nFees are due monthly and are not refundable."
    )


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"%PDF-1.4 this is not really a PDF", "application/pdf", "PDF could not be read"),
        (b"", "text/html", "no text"),
        (b"<html><body><script>render()</script><div id='root'></div></body></html>", "text/html", "no text"),
        (" \n\u00a0 \n".encode(), "text/plain", "no text"),
        (b"GIF89a", "image/gif", "cannot extract text"),
    ],
)
def test_unusable_bodies_raise(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract(body, content_type)


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "zoom/terms-of-service/2023-04-01.md",
        "zoom/privacy-policy/2023-08-11.md",
        "zoom/terms-of-service/2023-08-11.md",
    ],
)
def test_corpus_document_survives_a_round_trip_through_a_web_page(name: str) -> None:
    """Markdown -> HTML page with chrome -> extract: the same content hash, so no spurious version."""
    markdown = (CORPUS / name).read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    extracted = html(page(f"<main><article>{rendered}</article></main>"))
    assert content_hash(extracted.text) == content_hash(markdown)
    assert extracted.title == "Terms of Service | Example"
