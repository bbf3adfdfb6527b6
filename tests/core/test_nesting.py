"""Safe to host, finding 6: JSON nested deeper than Python's recursion limit (a body, a
streamed event, an error body, a typed body) reads as malformed JSON, never as a
RecursionError escaping `core`. Replies come from a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core import (
    BadRequestError,
    Client,
    Endpoint,
    InterruptedStreamError,
    InvalidRequestError,
    InvalidResponseError,
    RequestSpec,
    parse_body_text,
    to_requests,
)
from core.records import parse_json
from tests.helpers.raw_server import RawServer, chunk, response, stream

DEEP = "[" * 100_000 + "]" * 100_000
MESSAGES = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def serve() -> Iterator:
    servers: list[RawServer] = []

    def start(reply: bytes | Iterator[bytes]) -> Client:
        replies = [reply]
        servers.append(RawServer(lambda request: replies[0]))
        return Client(Endpoint(servers[-1].url, key="test-key-0123456789"))

    yield start
    for server in servers:
        server.close()


def test_a_deep_reply_body_reads_as_not_a_completion(serve) -> None:
    client = serve(response("200 OK", DEEP.encode()))
    with pytest.raises(InvalidResponseError, match="a body without choices"):
        client.chat(MESSAGES)


def test_a_deep_streamed_event_reads_as_a_malformed_chunk(serve) -> None:
    client = serve(stream([chunk("kept"), b"data: " + DEEP.encode() + b"\n\n"]))
    with pytest.raises(InterruptedStreamError, match="not valid JSON") as info:
        list(client.stream_chat(MESSAGES))
    assert info.value.reason == "malformed" and info.value.partial_text == "kept"


def test_a_deep_error_event_still_reports_the_error(serve) -> None:
    client = serve(stream([b"event: error\ndata: " + DEEP.encode() + b"\n\n"]))
    with pytest.raises(InterruptedStreamError, match="reported an error mid-stream"):
        list(client.stream_chat(MESSAGES))


def test_a_deep_error_body_keeps_its_status_and_message(serve) -> None:
    client = serve(response("400 Bad Request", DEEP.encode()))
    with pytest.raises(BadRequestError, match=r"refused the request \(400: \[\[\[") as info:
        client.chat(MESSAGES)
    assert info.value.body == DEEP


def test_a_deep_typed_body_is_refused_before_sending() -> None:
    with pytest.raises(InvalidRequestError, match="nested too deeply"):
        parse_body_text(DEEP)
    assert parse_json(DEEP) is None
    spec = RequestSpec("POST", "http://127.0.0.1:9/chat/completions", {}, DEEP)
    assert spec.payload is None and "body = " in to_requests(spec)
