"""The content filter: the notebook's bomb prompt, what it reads, categories, turning it off."""

from __future__ import annotations

import pytest
import requests

from emulator.process import Emulator, start_emulator
from tests.helpers.emulator_http import SYSTEM, USER, post

FILTER_MESSAGE = (
    "The response was filtered due to the prompt triggering Microsoft's content management "
    "policy. Please modify your prompt and retry."
)
SAFE = {"filtered": False, "severity": "safe"}
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
