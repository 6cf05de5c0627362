"""A local stand-in for an OpenAI-compatible chat-completions API (OpenAI, Azure OpenAI, vLLM, Ollama).

Tests give it a ``reply``: from the request's JSON body and headers, the assistant message's content, or
an error ``web.Response`` to send instead (a 500, a 429). Nothing leaves the machine.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

Reply = Callable[[dict[str, Any], Mapping[str, str]], Awaitable["str | web.Response"]]


def completion(content: str, model: str = "test-model") -> dict[str, Any]:
    """A chat.completion object whose only choice says ``content``."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def error(status: int) -> web.Response:
    """An API error as OpenAI-compatible servers send it."""
    body = {"error": {"message": "boom", "type": "server_error", "code": None, "param": None}}
    return web.json_response(body, status=status)


def chat_completions_app(reply: Reply) -> web.Application:
    """The app serving ``POST /v1/chat/completions`` with ``reply``."""

    async def completions(request: web.Request) -> web.Response:
        answer = await reply(await request.json(), request.headers)
        return answer if isinstance(answer, web.Response) else web.json_response(completion(answer))

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    return app
