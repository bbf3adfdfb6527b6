"""The emulator's routes over real HTTP: root, health, /info, chat and text completions,
unknown routes, and the request id.
"""

from __future__ import annotations

import pytest
import requests

from emulator.process import Emulator
from tests.helpers.emulator_http import CHAT, CHAT_ROUTES, TEXT, TEXT_ROUTES, bearer, post


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
