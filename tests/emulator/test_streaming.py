"""Streams over real HTTP: SSE framing on every route, `"stream": "True"`, the pace headers."""

from __future__ import annotations

import pytest
import requests

from emulator.process import Emulator
from tests.helpers.emulator_http import (
    CHAT,
    CHAT_ROUTES,
    TEXT,
    TEXT_ROUTES,
    bearer,
    chat_text,
    post,
    stream_chunks,
    streamed,
)


@pytest.mark.parametrize("path", CHAT_ROUTES)
def test_chat_stream_framing(emulator: Emulator, path: str) -> None:
    raw = streamed(emulator, path, CHAT).content
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    chunks = stream_chunks(raw)
    first, *middle, last = chunks
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert first["choices"][0]["finish_reason"] is None
    assert "usage" not in first
    assert len(middle) == 40
    for chunk in middle:
        (choice,) = chunk["choices"]
        assert set(choice["delta"]) == {"content"}
        assert choice["delta"]["content"]
        assert choice["finish_reason"] is None
        assert "usage" not in chunk
    assert last["choices"][0]["delta"] == {"content": ""}
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"] == {"prompt_tokens": 10, "completion_tokens": 40, "total_tokens": 50}
    same = post(emulator, path, CHAT).json()["choices"][0]["message"]["content"]
    assert chat_text(chunks) == same


@pytest.mark.parametrize("path", TEXT_ROUTES)
def test_text_stream_framing(emulator: Emulator, path: str) -> None:
    chunks = stream_chunks(streamed(emulator, path, TEXT).content)
    *pieces, last = chunks
    assert len(pieces) == 30
    assert all(c["object"] == "text_completion" and c["choices"][0]["text"] for c in pieces)
    assert all(c["choices"][0]["finish_reason"] is None for c in pieces)
    assert last["choices"][0]["text"] == ""
    assert last["choices"][0]["finish_reason"] == "length"
    assert last["usage"]["completion_tokens"] == 30
    whole = post(emulator, path, TEXT).json()["choices"][0]["text"]
    assert "".join(c["choices"][0]["text"] for c in pieces) == whole


@pytest.mark.parametrize("value", ["True", "true", "TRUE", True])
def test_string_true_streams(emulator: Emulator, value: object) -> None:
    response = post(emulator, "/v1/chat/completions", {**CHAT, "stream": value})
    assert response.headers["content-type"] == "text/event-stream"
    assert stream_chunks(response.content)[-1]["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("value", ["False", "false", False, None])
def test_string_false_does_not_stream(emulator: Emulator, value: object) -> None:
    response = post(emulator, "/v1/chat/completions", {**CHAT, "stream": value})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["object"] == "chat.completion"


def test_token_delay_header_spreads_tokens_over_reads(emulator: Emulator) -> None:
    pace = {"x-emulator-token-delay": "0.1", "x-emulator-reply-tokens": "6"}
    url = emulator.base_url + "/chat/completions"
    reads = []
    with requests.post(
        url,
        json={**CHAT, "stream": True},
        headers=bearer(emulator, **pace),
        stream=True,
        timeout=60,
    ) as response:
        reads = list(response.iter_content(chunk_size=None))
    chunks = stream_chunks(b"".join(reads))
    assert len(chunks) == 1 + 6 + 1
    assert chat_text(chunks) == 'You said: "What is good about'
    # With a pause before each token, tokens reach the client in separate reads rather
    # than in one block at the end (most of them; a busy client may merge a few).
    token = b'"delta":{"content":"'
    reads_with_tokens = [r for r in reads if r.count(token) > r.count(token + b'"')]
    assert len(reads_with_tokens) >= 4


def test_reply_tokens_header_sets_natural_length(emulator: Emulator) -> None:
    short = post(emulator, "/chat/completions", CHAT, x_emulator_reply_tokens="7").json()
    assert short["usage"]["completion_tokens"] == 7
    assert short["choices"][0]["finish_reason"] == "stop"
    body = {**CHAT, "max_tokens": 10_000}
    chunks = stream_chunks(
        streamed(emulator, "/chat/completions", body, x_emulator_reply_tokens="5000").content
    )
    assert len(chunks) == 5002
    assert chunks[-1]["usage"]["completion_tokens"] == 5000


@pytest.mark.parametrize(
    "header", ["x-emulator-token-delay", "x-emulator-reply-tokens"], ids=["delay", "tokens"]
)
def test_pace_headers_must_be_numbers(emulator: Emulator, header: str) -> None:
    response = post(emulator, "/chat/completions", CHAT, **{header.replace("-", "_"): "soon"})
    assert response.status_code == 400
    assert header in response.json()["detail"]
