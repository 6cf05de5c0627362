"""The vendor catalog: the shipped file, matching and suggestions, and admins' entries on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.errors import ClausewatchError, NotFoundError, UsageError
from core.registry import catalog
from core.registry.catalog import Catalog, CatalogDocument, CatalogEntry
from core.registry.names import slugify
from core.registry.pages import DOC_TYPES
from core.storage.database import session_scope

REQUIRED = [
    "Zoom",
    "Slack",
    "Microsoft 365",
    "Google Workspace",
    "Salesforce",
    "Atlassian",
    "Notion",
    "Dropbox",
    "Box",
    "Adobe",
    "GitHub",
    "OpenAI",
    "Anthropic",
    "LinkedIn",
    "Meta",
    "Reddit",
    "Grammarly",
    "Otter.ai",
    "Figma",
    "HubSpot",
    "Zendesk",
    "ServiceNow",
    "Workday",
    "DocuSign",
    "Canva",
    "Miro",
    "Asana",
    "Airtable",
    "Calendly",
    "Webex",
    "Intercom",
    "Twilio",
    "Shopify",
    "Stripe",
    "AWS",
    "Apple",
]
WITH_AI_TERMS = [
    "Zoom",
    "Slack",
    "Atlassian",
    "Adobe",
    "Notion",
    "Grammarly",
    "Salesforce",
    "Microsoft 365",
    "Google Workspace",
    "GitHub",
    "Zendesk",
    "HubSpot",
    "Canva",
    "Miro",
    "Figma",
    "Otter.ai",
    "Dropbox",
    "Box",
]
ACME_TERMS = CatalogDocument(type="tos", url="https://acme.example/terms")


@pytest.fixture
def shipped() -> Catalog:
    return Catalog(catalog.shipped())


def test_shipped_file_lists_the_widely_used_vendors(shipped: Catalog) -> None:
    names = [entry.name for entry in shipped.entries]
    assert len(names) >= 40
    assert not set(REQUIRED) - set(names)
    for entry in shipped.entries:
        assert entry.document("Terms of Service") or entry.document("Privacy Policy"), entry.name
        assert entry.added_by is None
    for name in WITH_AI_TERMS:
        assert shipped.resolve(name).document("AI Terms"), name


def test_shipped_documents_are_https_with_canonical_types_once_each(shipped: Catalog) -> None:
    for entry in shipped.entries:
        types = [doc.type for doc in entry.documents]
        assert len(types) == len(set(types)), entry.name
        for doc in entry.documents:
            assert doc.url.startswith("https://"), (entry.name, doc.url)
            assert doc.type in DOC_TYPES


def test_shipped_names_and_aliases_are_unique(shipped: Catalog) -> None:
    owners: dict[str, str] = {}
    for entry in shipped.entries:
        assert all(alias == alias.lower() for alias in entry.aliases), entry.name
        for text in {entry.name.lower(), *entry.aliases}:
            for key in {text, slugify(text)}:
                assert owners.setdefault(key, entry.name) == entry.name, (
                    f"{key!r}: {entry.name}, {owners[key]}"
                )


def test_entries_are_sorted_case_insensitively() -> None:
    docs = (CatalogDocument("Terms of Service", "https://b.example/terms"),)
    entries = Catalog(
        [CatalogEntry("beta", (), docs), CatalogEntry("Alpha", (), docs), CatalogEntry("Gamma", (), docs)]
    )
    assert [entry.name for entry in entries.entries] == ["Alpha", "beta", "Gamma"]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Zoom", "Zoom"),
        ("ZOOM", "Zoom"),
        ("  zoom.us ", "Zoom"),
        ("zoom-video", "Zoom"),
        ("Otter.ai", "Otter.ai"),
        ("otter-ai", "Otter.ai"),
        ("otter ai", "Otter.ai"),
        ("OTTER", "Otter.ai"),
        ("o365", "Microsoft 365"),
        ("microsoft-365", "Microsoft 365"),
        ("Microsoft Teams", "Microsoft 365"),
        ("gsuite", "Google Workspace"),
        ("Amazon Web Services", "AWS"),
        ("facebook", "Meta"),
        ("Twitter", "X"),
        ("x", "X"),
    ],
)
def test_find_by_name_alias_slug_and_case(shipped: Catalog, typed: str, name: str) -> None:
    found = shipped.find(typed)
    assert found is not None and found.name == name


def test_find_is_exact(shipped: Catalog) -> None:
    assert shipped.find("zooom") is None
    assert shipped.find("") is None
    assert shipped.find("zoom video conferencing") is None


def test_suggestions_for_typos(shipped: Catalog) -> None:
    assert shipped.suggestions("zooom") == ["Zoom"]
    assert shipped.suggestions("salesfroce") == ["Salesforce"]
    assert shipped.suggestions("Slak") == ["Slack"]
    assert shipped.suggestions("atlasian")[0] == "Atlassian"
    assert shipped.suggestions("quarterly budget") == []
    assert shipped.suggestions("   ") == []
    assert len(shipped.suggestions("o", limit=2)) <= 2


def test_resolve_names_the_input_and_suggests(shipped: Catalog) -> None:
    assert shipped.resolve("zoom").name == "Zoom"
    with pytest.raises(NotFoundError) as error:
        shipped.resolve("zooom")
    assert str(error.value) == (
        "no vendor 'zooom' in the catalog; did you mean Zoom? `catalog` lists them, or track a URL"
    )
    with pytest.raises(NotFoundError, match=r"no vendor 'Quarterly' in the catalog; `catalog` lists them"):
        shipped.resolve("Quarterly")


def test_document_by_type_as_people_type_it(shipped: Catalog) -> None:
    zoom = shipped.resolve("zoom")
    terms = zoom.document("tos")
    assert terms is not None and terms.type == "Terms of Service"
    assert zoom.document("privacy") == zoom.document("Privacy Policy")
    assert zoom.document("Cookie Policy") is None


def test_to_json_shape(shipped: Catalog) -> None:
    data = shipped.resolve("Otter.ai").to_json()
    assert set(data) == {"name", "aliases", "documents"}
    assert data["name"] == "Otter.ai" and "otter" in data["aliases"]
    assert {"type": "Terms of Service", "url": "https://otter.ai/terms-of-service"} in data["documents"]
    assert all(set(doc) == {"type", "url"} for doc in data["documents"])
    recipe = CatalogDocument("Privacy Policy", "https://a.example/p", select=("main",), remove=("nav",))
    assert recipe.to_json() == {
        "type": "Privacy Policy",
        "url": "https://a.example/p",
        "select": ["main"],
        "remove": ["nav"],
    }
    added = CatalogEntry("Acme", ("acme inc",), (recipe,), added_by="U1").to_json()
    assert added["added_by"] == "U1" and added["aliases"] == ["acme inc"]


def test_a_bad_file_names_the_vendor_and_the_problem() -> None:
    good = (
        '[[vendor]]\nname = "Acme"\naliases = ["acme inc"]\n'
        'documents = [{ type = "Terms of Service", url = "https://acme.example/t" }]\n'
    )
    assert catalog.parse_catalog(good)[0].name == "Acme"
    cases = {
        good.replace("https://acme.example/t", "ftp://acme.example/t"): "not an http(s) URL",
        good.replace('"Terms of Service"', '"tos"'): "document type 'tos' is not one of",
        good.replace('["acme inc"]', '["Acme Inc"]'): "must be lower-case",
        good.replace("documents =", "document ="): "unknown vendor key 'document'",
        good
        + good.replace(
            'name = "Acme"', 'name = "Acme Two"'
        ): "'acme inc' is already a name or alias of 'Acme'",
        good + good.replace('["acme inc"]', "[]"): "is already a name or alias of 'Acme'",
        good.replace(
            "documents = [", 'documents = [{ type = "Terms of Service", url = "https://a.example/2" }, '
        ): ("two Terms of Service documents"),
    }
    for text, problem in cases.items():
        with pytest.raises(ClausewatchError, match="vendor 'Acme") as error:
            catalog.parse_catalog(text)
        assert problem in str(error.value)
    with pytest.raises(ClausewatchError, match="not valid TOML"):
        catalog.parse_catalog("[[vendor]\n")


def test_added_entry_is_loaded(engine: Engine) -> None:
    with session_scope(engine) as session:
        entry = catalog.add_entry(session, " Acme Cloud ", [ACME_TERMS], aliases=["ACME", " "], added_by="U1")
    assert entry == CatalogEntry(
        "Acme Cloud", ("acme",), (CatalogDocument("Terms of Service", "https://acme.example/terms"),), "U1"
    )
    with session_scope(engine) as session:
        loaded = catalog.load(session)
    assert loaded.find("acme") == entry
    assert loaded.find("acme-cloud") == entry
    assert loaded.find("zoom") is not None
    assert len(loaded.entries) == len(catalog.shipped()) + 1


def test_added_entry_overrides_the_shipped_one(engine: Engine) -> None:
    moved = CatalogDocument("ai", "https://www.zoom.com/en/trust/new-ai-terms/", select=("article",))
    with session_scope(engine) as session:
        entry = catalog.add_entry(session, "zoom video", [moved], aliases=["zoom meetings"], added_by="U2")
    with session_scope(engine) as session:
        loaded = catalog.load(session)
    zoom = loaded.resolve("Zoom")
    assert zoom == entry and zoom.added_by == "U2"
    assert [e.name for e in loaded.entries].count("Zoom") == 1
    assert len(loaded.entries) == len(catalog.shipped())
    ai_terms = zoom.document("AI Terms")
    assert ai_terms is not None and ai_terms.url == moved.url and ai_terms.select == ("article",)
    shipped_zoom = Catalog(catalog.shipped()).resolve("Zoom")
    assert zoom.document("tos") == shipped_zoom.document("tos"), "the other documents are kept"
    assert loaded.find("zoom meetings") is zoom and loaded.find("zoom.us") is zoom


def test_adding_to_an_added_entry_replaces_same_type_documents(engine: Engine) -> None:
    with session_scope(engine) as session:
        catalog.add_entry(session, "Acme", [ACME_TERMS], added_by="U1")
    with session_scope(engine) as session:
        newer = [
            CatalogDocument("Terms of Service", "https://acme.example/terms-2"),
            CatalogDocument("privacy", "https://acme.example/privacy"),
        ]
        entry = catalog.add_entry(session, "ACME", newer, aliases=["acme corp"], added_by="U3")
    assert [(doc.type, doc.url) for doc in entry.documents] == [
        ("Terms of Service", "https://acme.example/terms-2"),
        ("Privacy Policy", "https://acme.example/privacy"),
    ]
    with session_scope(engine) as session:
        loaded = catalog.load(session)
    assert loaded.resolve("acme corp") == entry
    assert entry.name == "Acme" and entry.added_by == "U3"


def test_add_entry_validation(engine: Engine) -> None:
    with session_scope(engine) as session:
        with pytest.raises(UsageError, match="not an http"):
            catalog.add_entry(session, "Acme", [CatalogDocument("tos", "file:///etc/passwd")], added_by="U1")
        with pytest.raises(UsageError, match="name is empty"):
            catalog.add_entry(session, " - ", [ACME_TERMS], added_by="U1")
        with pytest.raises(UsageError, match="at least one document"):
            catalog.add_entry(session, "Acme", [], added_by="U1")
        with pytest.raises(UsageError, match="document type is empty"):
            catalog.add_entry(session, "Acme", [CatalogDocument(" ", "https://acme.example/")], added_by="U1")
        with pytest.raises(UsageError, match="two Terms of Service documents"):
            catalog.add_entry(session, "Acme", [ACME_TERMS, ACME_TERMS], added_by="U1")
        with pytest.raises(UsageError, match="'twitter' is already a name or alias of X"):
            catalog.add_entry(session, "Acme", [ACME_TERMS], aliases=["Twitter"], added_by="U1")
        with pytest.raises(UsageError, match=r"'otter-ai' is already a name or alias of Otter\.ai"):
            catalog.add_entry(session, "Acme", [ACME_TERMS], aliases=["otter-ai"], added_by="U1")
        assert catalog.load(session).find("acme") is None
