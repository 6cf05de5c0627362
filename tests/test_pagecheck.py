"""Pages that are not the document are recognised; real documents never are, however short."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from core.pipeline.extract import extract
from core.pipeline.pagecheck import junk_reason, other_document
from core.text.normalise import normalise

CORPUS = Path(os.environ.get("CLAUSEWATCH_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

# labels.tsv explains each "no" in its evidence column; capture glitches say so in words.
_GLITCH_EVIDENCE = re.compile(
    r"capture error|page replaced by|replaced by (?:a )?(?:login|404|error)", re.IGNORECASE
)


def _glitches() -> dict[Path, str]:
    """The "after" files that labels.tsv describes as capture glitches, with the evidence text."""
    with (CORPUS / "changes" / "labels.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        CORPUS / "changes" / row["document"] / f"{row['after']}.md": row["evidence"]
        for row in rows
        if _GLITCH_EVIDENCE.search(row["evidence"])
    }


@needs_corpus
def test_every_real_document_in_the_corpus_passes() -> None:
    glitches = _glitches()
    documents = [p for p in sorted(CORPUS.glob("zoom/**/*.md")) + sorted(CORPUS.glob("changes/**/*.md"))]
    assert len(documents) > 150
    for path in documents:
        if path not in glitches:
            text = path.read_text(encoding="utf-8")
            assert junk_reason(text) is None, path
            assert junk_reason(normalise(text)) is None, path


@needs_corpus
def test_every_capture_glitch_in_the_corpus_is_flagged() -> None:
    glitches = _glitches()
    assert len(glitches) >= 2
    for path, evidence in glitches.items():
        reason = junk_reason(normalise(path.read_text(encoding="utf-8")))
        assert reason is not None, path
        if "login" in evidence:
            assert reason == "login page", path
        if "404" in evidence:
            assert reason == "error page", path


CLOUDFLARE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"><style>body{font-family:system-ui}</style></head><body>
<div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">www.example.com</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div id="challenge-error-title">Enable JavaScript and cookies to continue</div></noscript>
<div id="challenge-body-text" class="core-msg spacer">www.example.com needs to review the security of your
connection before proceeding.</div></div></div>
<div class="footer" role="contentinfo"><div class="ray-id">Ray ID: <code>7d1f2a3b4c5d6e7f</code></div>
<div id="footer-text">Performance &amp; security by <a href="https://www.cloudflare.com">Cloudflare</a></div></div>
<script>(function(){window._cf_chl_opt={cvId: '2'};})();</script></body></html>"""

# A consent gate whose markup is not named like a known CMP, so extraction keeps it.
CONSENT_GATE = b"""<html><head><title>Before you continue</title></head><body><div class="gate">
<h1>We value your privacy</h1>
<p>We and our partners store and/or access information on a device, such as cookies, and process
personal data for personalised ads and content, ad and content measurement, audience insights and product
development.</p>
<p>By clicking "Accept all" you agree to this. You can change your choices at any time by clicking
"Manage privacy settings" at the bottom of any page.</p>
<button>Accept all</button><button>Reject all</button><button>Manage privacy settings</button>
</div></body></html>"""

LOGIN = b"""<html><head><title>Sign in | Example</title></head>
<body><main><form action="/session" method="post">
<h1>Sign in to your account</h1><label for="e">Email address</label><input id="e" type="email">
<label for="p">Password</label><input id="p" type="password">
<label><input type="checkbox"> Remember me</label><a href="/forgot">Forgot your password?</a>
<button type="submit">Sign in</button><button type="button">Continue with Google</button>
<p>Don't have an account? <a href="/signup">Sign up</a></p></form></main></body></html>"""

NOT_FOUND = b"""<html><head><title>Page not found</title></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><h1>404</h1><p>Oops! The page you are looking for does not exist.</p>
<a href="/">Go to homepage</a></main>
<footer><a href="/privacy">Privacy</a></footer></body></html>"""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(CLOUDFLARE, "bot challenge", id="cloudflare"),
        pytest.param(CONSENT_GATE, "cookie wall", id="consent-gate"),
        pytest.param(LOGIN, "login page", id="login-form"),
        pytest.param(NOT_FOUND, "error page", id="404"),
    ],
)
def test_synthetic_junk_pages_are_flagged_after_extraction(body: bytes, reason: str) -> None:
    page = extract(body, "text/html")
    assert junk_reason(page.text, page.title) == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "# Access Denied\n\nYou don't have permission to access this server.\n\nReference #18.2f",
            "error page",
        ),
        (
            "503 Service Unavailable\n\nThe server is temporarily unable to service your request.",
            "error page",
        ),
        ("Something went wrong. Please try again later.", "error page"),
        (
            "## Pardon Our Interruption\n\nPlease verify you are a human. Press & Hold to confirm.",
            "bot challenge",
        ),
        ("We use cookies.\n\nAccept all cookies · Reject all · Manage cookie preferences", "cookie wall"),
        ("Log in or sign up\n\nPhone number\n\nContinue with email\n\nContinue with Apple", "login page"),
        ("", "empty page"),
        ("# Terms of Service", "empty page"),
    ],
)
def test_junk_texts(text: str, reason: str) -> None:
    assert junk_reason(text) == reason


def test_title_alone_tips_a_thin_page() -> None:
    text = "www.example.com needs to review the security of your connection before proceeding."
    assert junk_reason(text) is None
    assert junk_reason(text, "Just a moment...") == "bot challenge"


SHORT_COOKIE_POLICY = """\
# Cookie Policy

This Cookie Policy explains how Example Ltd uses cookies and similar technologies on example.com.

## Strictly necessary cookies

These cookies are needed for the site to work, for example to keep you signed in and to remember your
cookie preferences. They cannot be switched off.

## Analytics cookies

We use analytics cookies, with your consent, to count visits and see which pages are popular. You can
accept all or reject all analytics cookies in the banner, and manage cookie preferences at any time.

## Contact

Questions about this policy can be sent to privacy@example.com or to our registered office address.
"""


ACCOUNT_TERMS = """\
## Accounts and security

You need an account to use the Services. Keep your password secret and do not share your login with
anyone else; you are responsible for everything done with your account.

If you think someone has used your account, change your password and tell us at once. We may suspend
an account that we believe has been compromised, and will tell you why unless the law forbids it.
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SHORT_COOKIE_POLICY, id="short-cookie-policy"),
        pytest.param(
            "terms\n-----\n\nExample B.V.\nPostbus 3068\n1620GB Hoorn\nNetherlands\nKVK: 84165251",
            id="address",
        ),
        pytest.param(ACCOUNT_TERMS, id="account-terms"),
    ],
)
def test_short_real_documents_are_not_junk(text: str) -> None:
    assert junk_reason(text) is None


def test_another_document_is_told_from_a_rewrite(corpus: Path) -> None:
    privacy = (corpus / "zoom/privacy-policy/2023-06-30.md").read_text()
    rewrite = (corpus / "zoom/privacy-policy/2023-08-11.md").read_text()
    fox = sorted((corpus / "changes/fox-news/terms-of-service").glob("*.md"))
    assert other_document(privacy, rewrite) is None  # the same document, revised
    assert other_document(fox[0].read_text(), fox[-1].read_text()) is None  # retitled "Terms of Use"
    assert "another document" in (other_document(privacy, fox[0].read_text()) or "")
    assert other_document("no title here", privacy) is None  # no title to compare: no doubt
