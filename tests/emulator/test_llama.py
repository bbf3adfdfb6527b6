"""The llama engine: the real SmolLM2-135M-Instruct model behind the same wire format.

Runs whenever emulator/models holds the model (`make` fetches it before the tests).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests

from emulator.process import ROOT, Emulator, start_emulator, stop_emulator

MODEL = ROOT / "emulator" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

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


def post(emu: Emulator, path: str, body: dict, **kwargs: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    return requests.post(emu.base_url + path, json=body, headers=headers, timeout=120, **kwargs)


def chat(emu: Emulator, **fields: object) -> dict:
    response = post(emu, "/chat/completions", {"messages": [QUESTION], **fields})
    assert response.status_code == 200, response.text
    return response.json()


def test_info_names_the_model(llama: Emulator) -> None:
    headers = {"Authorization": llama.api_key}
    info = requests.get(llama.base_url + "/info", headers=headers, timeout=10).json()
    assert info == {
        "model_name": "SmolLM2-135M-Instruct",
        "model_type": "chat-completions",
        "model_provider_name": "HuggingFaceTB",
    }


def test_chat_gives_real_text(llama: Emulator) -> None:
    body = chat(llama, max_tokens=40)
    text = body["choices"][0]["message"]["content"]
    assert text.strip()
    assert not text.startswith("You said:")  # not the scripted engine
    assert body["model"] == "SmolLM2-135M-Instruct"
    usage = body["usage"]
    assert usage["prompt_tokens"] > 7  # the chat template adds a default system prompt
    assert 1 <= usage["completion_tokens"] <= 40
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_chat_stream_sends_token_chunks(llama: Emulator) -> None:
    response = post(llama, "/v1/chat/completions", {"messages": [QUESTION], "stream": "True"})
    assert response.headers["content-type"] == "text/event-stream"
    events = response.content.split(b"\n\n")
    assert events[-1] == b""
    assert events[-2] == b"data: [DONE]"
    chunks = [json.loads(e.removeprefix(b"data: ")) for e in events[:-2]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert len(pieces) >= 3
    assert "".join(pieces).strip()
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")
    assert chunks[-1]["usage"]["completion_tokens"] >= len(pieces)


def test_text_completion(llama: Emulator) -> None:
    body = {"prompt": "Math is a", "max_tokens": 30, "temperature": 0.7}
    reply = post(llama, "/v1/completions", body).json()
    assert reply["object"] == "text_completion"
    assert reply["choices"][0]["text"].strip()
    assert reply["usage"]["prompt_tokens"] == 3


def test_seed_is_honoured(llama: Emulator) -> None:
    def text(seed: int) -> str:
        return chat(llama, seed=seed, temperature=0.9, max_tokens=30)["choices"][0]["message"][
            "content"
        ]

    first = text(11)
    assert text(11) == first
    assert len({first, text(12), text(13)}) > 1


def test_max_tokens_and_stop(llama: Emulator) -> None:
    short = chat(llama, max_tokens=3, seed=1, stop=None)
    assert short["choices"][0]["finish_reason"] == "length"
    assert short["usage"]["completion_tokens"] == 3
    stopped = chat(llama, max_tokens=60, seed=1, stop=[" "])
    assert " " not in stopped["choices"][0]["message"]["content"]
    assert stopped["choices"][0]["finish_reason"] == "stop"


def test_concurrent_requests_queue_and_all_succeed(llama: Emulator) -> None:
    results: list[str] = []

    def ask() -> None:
        results.append(chat(llama, max_tokens=20)["choices"][0]["message"]["content"])

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 3
    assert all(text.strip() for text in results)


def test_abandoned_stream_frees_the_model(llama: Emulator) -> None:
    body = {"messages": [QUESTION], "stream": True, "max_tokens": 500}
    with post(llama, "/chat/completions", body, stream=True) as response:
        assert response.raw.read(6) == b"data: "
    assert chat(llama, max_tokens=5)["usage"]["completion_tokens"] >= 1


def test_prompt_longer_than_the_context_is_422(llama: Emulator) -> None:
    response = post(llama, "/v1/completions", {"prompt": "word " * 3000, "max_tokens": 5})
    assert response.status_code == 422
    error = response.json()
    assert error["detail"]["loc"] == ["body", "prompt"]
    assert "context window is 2048" in error["message"]
