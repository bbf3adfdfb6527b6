"""The llama engine behind the Azure OpenAI surfaces: the deployment is named after SmolLM2.

Runs whenever emulator/models holds the model (`make` fetches it before the tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from emulator.process import ROOT, Emulator, start_emulator, stop_emulator

MODEL = ROOT / "emulator" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
DEPLOYMENT = "SmolLM2-135M-Instruct"

pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(
        not MODEL.is_file(),
        reason=f"{MODEL} is absent; run `python -m emulator.fetch_model` (make does)",
    ),
]
QUESTION = {"role": "user", "content": "What is the capital of France?"}


@pytest.fixture(scope="module")
def llama() -> Iterator[Emulator]:
    emu = start_emulator("--engine", "llama")
    yield emu
    stop_emulator(emu)


def post(emu: Emulator, path: str, body: dict) -> requests.Response:
    headers = {"api-key": emu.api_key}
    return requests.post(emu.base_url + path, json=body, headers=headers, timeout=120)


def test_v1_models_and_chat_name_smollm2(llama: Emulator) -> None:
    models = requests.get(
        llama.base_url + "/openai/v1/models", headers={"api-key": llama.api_key}, timeout=10
    ).json()
    assert [(m["id"], m["owned_by"]) for m in models["data"]] == [(DEPLOYMENT, "HuggingFaceTB")]
    response = post(
        llama, "/openai/v1/chat/completions", {"model": DEPLOYMENT, "messages": [QUESTION]}
    )
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["model"] == "SmolLM2-135M-Instruct-2025-01-01"
    assert response.headers["x-ms-deployment-name"] == DEPLOYMENT
    assert reply["choices"][0]["message"]["content"].strip()


def test_classic_stream_with_usage(llama: Emulator) -> None:
    path = f"/openai/deployments/{DEPLOYMENT}/chat/completions?api-version=2025-04-01-preview"
    body = {"messages": [QUESTION], "max_tokens": 8, "stream": True}
    response = post(llama, path, {**body, "stream_options": {"include_usage": True}})
    assert response.status_code == 200, response.text
    events = [e.removeprefix(b"data: ") for e in response.content.strip().split(b"\n\n")]
    assert events[-1] == b"[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"] == [] and chunks[0]["prompt_filter_results"]
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] <= 8


def test_prompt_too_long_is_400_context_length_exceeded(llama: Emulator) -> None:
    long = {"role": "user", "content": "word " * 3000}
    response = post(llama, "/openai/v1/chat/completions", {"model": DEPLOYMENT, "messages": [long]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "context_length_exceeded")
    assert error["param"] == "messages"
