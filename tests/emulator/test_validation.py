"""Invalid requests get 422 with the body Azure gives (location and code of each error)."""

from __future__ import annotations

import pytest
import requests

from emulator.process import Emulator
from tests.helpers.emulator_http import CHAT, bearer, post

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
