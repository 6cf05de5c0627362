"""Resolving what users type to one tracked document, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.errors import AmbiguousError, ConflictError, NotFoundError, UsageError
from core.registry import documents
from core.storage import database


def test_references_resolve_to_one_document(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        terms = documents.track(session, "https://zoom.example/terms", "Zoom", "tos")
        privacy = documents.track(session, "https://zoom.example/privacy", "Zoom", "Privacy Policy")
        documents.track(session, "https://acme.example/terms", "Acme Corp", "Terms of Service")
    with database.session_scope(engine) as session:
        assert documents.resolve(session, "zoom/privacy").document.id == privacy.id
        assert documents.resolve(session, "Zoom/Terms of Service").document.id == terms.id
        assert documents.resolve(session, "https://zoom.example/privacy/").document.id == privacy.id
        assert documents.resolve(session, str(terms.id)).ref == "zoom/terms-of-service"
        assert documents.resolve(session, "acme corp").ref == "acme-corp/terms-of-service"
        with pytest.raises(AmbiguousError, match="zoom/privacy-policy, zoom/terms-of-service"):
            documents.resolve(session, "zoom")
        with pytest.raises(
            NotFoundError, match=r"no tracked vendor called 'globex' \(tracked: Acme Corp, Zoom\)"
        ):
            documents.resolve(session, "globex")
        with pytest.raises(NotFoundError, match="clausewatch list"):
            documents.resolve(session, "acme/privacy")


def test_a_document_reference_names_its_vendor_as_questions_do(engine: Engine) -> None:
    """One resolver for every command: a company's short name, a possessive, a close spelling."""
    with database.session_scope(engine) as session:
        documents.track(session, "https://mistral.example/terms", "Mistral AI", "tos")
        documents.track(session, "https://zoom.example/terms", "Zoom Video Communications", "tos")
    with database.session_scope(engine) as session:
        assert documents.resolve(session, "mistral").ref == "mistral-ai/terms-of-service"
        assert documents.resolve(session, "Mistral's/tos").ref == "mistral-ai/terms-of-service"
        assert documents.resolve(session, "zoom").ref == "zoom-video-communications/terms-of-service"
        assert documents.resolve(session, "Mistrall").ref == "mistral-ai/terms-of-service"
        with pytest.raises(NotFoundError, match="did you mean Zoom Video Communications"):
            documents.resolve(session, "Zoon Video")


def test_untracked_documents_step_aside_but_stay_reachable(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        documents.track(session, "https://zoom.example/terms", "Zoom", "tos")
        documents.track(session, "https://zoom.example/privacy", "Zoom", "privacy")
        documents.untrack(session, "zoom/privacy")
    with database.session_scope(engine) as session:
        assert documents.resolve(session, "zoom").ref == "zoom/terms-of-service"
        assert not documents.resolve(session, "zoom/privacy").document.active
        assert [t.ref for t in documents.list_tracked(session)] == ["zoom/terms-of-service"]


def test_track_validates_its_input(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        with pytest.raises(UsageError, match="not an http"):
            documents.track(session, "file:///etc/passwd", "Zoom", "tos")
        with pytest.raises(UsageError, match="vendor name is empty"):
            documents.track(session, "https://zoom.example/", "  ", "tos")
        with pytest.raises(UsageError, match="interval must be positive"):
            documents.track(session, "https://zoom.example/", "Zoom", "tos", interval_hours=0)


def test_a_new_extraction_recipe_drops_the_validators(engine: Engine) -> None:
    with database.session_scope(engine) as session:
        doc = documents.track(session, "https://zoom.example/terms", "Zoom", "tos")
        doc.etag, doc.last_modified = '"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"
    with database.session_scope(engine) as session:
        same = documents.track(session, "https://zoom.example/terms", "Zoom", "tos")
        assert same.etag == '"v1"'
        changed = documents.track(session, "https://zoom.example/terms", "Zoom", "tos", remove_css=["nav"])
        assert (changed.etag, changed.last_modified) == (None, None)


def test_the_browser_choice_is_kept_until_changed_and_a_change_drops_the_validators(engine: Engine) -> None:
    url = "https://zoom.example/terms"
    with database.session_scope(engine) as session:
        assert documents.track(session, url, "Zoom", "tos").fetch_with == "http"
        doc = documents.track(session, url, "Zoom", "tos", browser=True)
        assert doc.fetch_with == "browser"
        doc.etag = '"v1"'
    with database.session_scope(engine) as session:
        kept = documents.track(session, url, "Zoom", "tos")  # None keeps the choice (and the validators)
        assert (kept.fetch_with, kept.etag) == ("browser", '"v1"')
        back = documents.track(session, url, "Zoom", "tos", browser=False)
        assert (back.fetch_with, back.etag) == ("http", None)


def test_move_finds_the_document_track_would_refuse_to_re_point(engine: Engine) -> None:
    """The name "Acme Inc" is the stored vendor "Acme" for ``track``, so it is for ``--move`` too."""
    with database.session_scope(engine) as session:
        documents.track(session, "https://acme.example/terms", "Acme", "tos")
        with pytest.raises(ConflictError, match="--move"):
            documents.track(session, "https://acme.example/legal/terms", "Acme Inc", "tos")
        found = documents.find(session, "Acme Inc", "tos")
        assert found is not None and found.ref == "acme/terms-of-service"
