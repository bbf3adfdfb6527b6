"""JSON mode and tool calls on the emulator's Azure OpenAI routes (emulator/tools.py), whose
models take them; the serverless Llama routes still refuse them (test_validation.py)."""

from __future__ import annotations

import json

import pytest
import requests

from emulator.process import Emulator
from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT

V1 = "/openai/v1/chat/completions"
CLASSIC = f"/openai/deployments/{SCRIPTED_DEPLOYMENT}/chat/completions?api-version=2024-10-21"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
ASK = {"role": "user", "content": "What is the weather in Paris?"}


@pytest.fixture
def azure(emulator: Emulator) -> Emulator:
    return emulator


def post(emu: Emulator, path: str, **fields: object) -> requests.Response:
    payload = {"messages": [ASK], "max_tokens": 12, **fields}
    if path == V1:
        payload["model"] = SCRIPTED_DEPLOYMENT
    key = {"Authorization": f"Bearer {emu.api_key}"} if path.startswith("/chat") else {}
    headers = key or {"api-key": emu.api_key}
    return requests.post(emu.base_url + path, json=payload, headers=headers, timeout=60)


def stream_chunks(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    events = [e.removeprefix("data: ") for e in response.text.strip().split("\n\n")]
    assert events[-1] == "[DONE]"
    return [json.loads(e) for e in events[:-1] if json.loads(e).get("choices")]


@pytest.mark.parametrize("path", [V1, CLASSIC])
def test_json_mode_answers_one_json_object(azure: Emulator, path: str) -> None:
    response = post(azure, path, response_format={"type": "json_object"})
    assert response.status_code == 200, response.text
    content = response.json()["choices"][0]["message"]["content"]
    assert json.loads(content)["reply"].startswith('You said: "What is the weather in Paris?"')


def test_json_mode_streams_one_json_object(azure: Emulator) -> None:
    response = post(azure, V1, response_format={"type": "json_object"}, stream=True)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in stream_chunks(response))
    assert json.loads(text)["reply"].startswith("You said:")


@pytest.mark.parametrize("path", [V1, CLASSIC])
def test_a_tools_request_is_answered_with_a_tool_call(azure: Emulator, path: str) -> None:
    response = post(azure, path, tools=[WEATHER], tool_choice="auto")
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris", "days": 1}


def test_a_streamed_tool_call(azure: Emulator) -> None:
    chunks = stream_chunks(post(azure, V1, tools=[WEATHER], stream=True))
    deltas = [c["choices"][0]["delta"] for c in chunks]
    (call,) = next(d["tool_calls"] for d in deltas if d.get("tool_calls"))
    assert call["index"] == 0 and call["function"]["name"] == "get_weather"
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_tool_choice_none_answers_in_words(azure: Emulator) -> None:
    response = post(azure, V1, tools=[WEATHER], tool_choice="none")
    message = response.json()["choices"][0]["message"]
    assert message["content"].startswith("You said:") and message["tool_calls"] is None


def test_a_tool_choice_naming_no_tool_is_refused(azure: Emulator) -> None:
    choice = {"type": "function", "function": {"name": "nope"}}
    response = post(azure, V1, tools=[WEATHER], tool_choice=choice)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "tool_choice"


def test_the_serverless_route_still_refuses_tools(azure: Emulator) -> None:
    response = post(azure, "/chat/completions", tools=[WEATHER])
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["loc"] == ["body", "tools"]
