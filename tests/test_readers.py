"""The statement reader seam: rules by default; a model reader checked field by field, falling back to
the rules for every sentence it cannot read, against a local stand-in for an OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from core.config import Settings
from core.errors import ClausewatchError
from core.reading import readers, statements
from core.reading.judgment import judge
from tests.standins.chat_model import chat_completions_app, error


@dataclass
class Model:
    """What the stand-in answers, and the requests it received."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "reader": "model",
            "llm_model": "reader-model",
            "llm_base_url": f"{self.url}/v1",
            "llm_timeout": 1.0,
            "database_url": "sqlite://",
        }
        return Settings(**(values | overrides))


@pytest.fixture
async def model(aiohttp_server: AiohttpServer) -> Model:
    fake = Model()

    async def reply(body: dict[str, Any], headers: Mapping[str, str]) -> str | web.Response:
        fake.requests.append(body)
        if fake.delay:
            await asyncio.sleep(fake.delay)
        return error(fake.status) if fake.status != 200 else fake.content

    server = await aiohttp_server(chat_completions_app(reply))
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture(autouse=True)
def rules_after() -> Iterator[None]:
    yield
    statements.use_reader(None)


def _reading(text: str) -> list[tuple[str, str, frozenset[str], str]]:
    return [(s.actor, s.condition, s.data, s.sentence) for s in statements.statements(text)]


async def _read_with(model: Model, text: str) -> list[tuple[str, str, frozenset[str], str]]:
    readers.configure(model.settings())
    return await asyncio.to_thread(_reading, text)


THIRD_PARTY = json.dumps(
    {
        "statements": [
            {"actor": "third_party", "condition": "always", "purpose": "train", "data": ["inputs_outputs"]}
        ]
    }
)
TEXT = "We share your prompts with our partners, who use them to train their AI models."


async def test_the_model_reads_what_it_can_and_the_sentence_stays_the_documents(model: Model) -> None:
    model.content = THIRD_PARTY
    [(actor, condition, data, sentence)] = await _read_with(model, TEXT)
    assert (actor, condition, data) == ("third_party", "always", frozenset({"inputs_outputs"}))
    assert sentence == TEXT  # the statement quotes the document, never the model
    [request] = model.requests
    assert request["messages"][0]["role"] == "system" and TEXT not in request["messages"][0]["content"]
    assert json.loads(request["messages"][1]["content"])["sentence"] == TEXT  # the sentence is data
    assert statements.reader_name() == "model:reader-model"
    assert judge("# T\n\nNothing here.\n", f"# T\n\n{TEXT}\n").actor == "third_party"


@pytest.mark.parametrize(
    "reply",
    [
        "not json",
        json.dumps(["a list"]),
        json.dumps({"statements": "none"}),
        json.dumps({"statements": [{"actor": "god", "condition": "always", "data": ["inputs_outputs"]}]}),
        json.dumps({"statements": [{"actor": "vendor", "condition": "sometimes", "data": ["video"]}]}),
        json.dumps({"statements": [{"actor": "vendor", "condition": "always", "data": ["souls"]}]}),
        json.dumps({"statements": [{"actor": "vendor", "condition": "always", "data": []}]}),
        json.dumps(
            {
                "statements": [
                    {"actor": "vendor", "condition": "always", "data": ["usage_data"], "negated": "perhaps"}
                ]
            }
        ),
        json.dumps({"statements": [], "padding": "x" * 30_000}),
        "",
    ],
)
async def test_a_reply_that_does_not_check_out_is_read_by_the_rules(model: Model, reply: str) -> None:
    model.content = reply
    assert await _read_with(model, TEXT) == _reading(TEXT)


@pytest.mark.parametrize("failure", ["status", "timeout"])
async def test_an_unavailable_model_is_read_by_the_rules(model: Model, failure: str) -> None:
    if failure == "status":
        model.status = 500
    else:
        model.delay = 3.0  # beyond the 1 s timeout the settings give the reader
    assert await _read_with(model, TEXT) == _reading(TEXT)


async def test_readings_are_cached_by_sentence(model: Model) -> None:
    model.content = THIRD_PARTY
    readers.configure(model.settings())
    for _ in range(3):
        await asyncio.to_thread(statements.statements, f"# Other\n\n{TEXT}\n")
        statements._read_clause.cache_clear()  # as for a new document with the same sentence
    assert len(model.requests) == 1


def test_the_rules_are_the_default_and_a_model_reader_needs_a_model() -> None:
    readers.configure(Settings(database_url="sqlite://"))
    assert statements.reader_name() == "rules"
    with pytest.raises(ClausewatchError, match="needs CLAUSEWATCH_LLM_MODEL"):
        readers.configure(Settings(database_url="sqlite://", reader="model"))
    with pytest.raises(ClausewatchError, match="rules or model"):
        readers.configure(Settings(database_url="sqlite://", reader="oracle"))
