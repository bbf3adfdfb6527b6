"""A raw chat server for the conversation tests of both chat pages: it answers with a short
stream when the key is right and the body fits, else with the refusal a real endpoint sends
(401, or the serverless API's 422 for a prompt longer than the context)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.helpers.raw_server import DONE, RawServer, Request, chunk, response, routes, stream

KEY = "raw-key"
UNAUTHORIZED = b'{"error": {"code": "Unauthorized", "message": "Access token is missing"}}'
# The serverless API's refusal of a prompt longer than the context (the emulator's llama
# engine sends it too).
TOO_LONG = (
    b'{"status": 422, "code": "invalid_input", "detail": {"loc": ["body", "messages"], '
    b'"input": null}, "message": "The prompt is 3031 tokens; the context window is 2048."}'
)
LONG = "word " * 3000


def answered(request: Request) -> Any:
    """A short streamed reply when the key is right and the body fits, else the refusal."""
    if request.headers.get("authorization") != f"Bearer {KEY}":
        return response("401 Unauthorized", UNAUTHORIZED)
    if len(request.body) > 10_000:
        return response("422 Unprocessable Entity", TOO_LONG)
    return stream([chunk("Fine, thanks."), chunk("", "stop"), DONE])


def running() -> Iterator[RawServer]:
    """The server, for a fixture to yield from."""
    found = RawServer(routes(answered))
    yield found
    found.close()


def received(server: RawServer) -> list[dict[str, Any]]:
    """The messages of the last chat request the server received."""
    messages: list[dict[str, Any]] = json.loads(server.posts[-1].body)["messages"]
    return messages
