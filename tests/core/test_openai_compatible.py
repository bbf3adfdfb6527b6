"""`core.Client` against a server that is not ours: llama-cpp-python's OpenAI-compatible server.

The emulator and `core` were written as independent readings of the Azure wire format; this
checks the client against a third implementation with the same small model.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from core import PROFILES, Client, Endpoint, NotFoundError
from emulator.process import ROOT, free_port

MODEL = ROOT / "emulator" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
pytestmark = [
    pytest.mark.llama,
    pytest.mark.skipif(not MODEL.exists(), reason="model file missing: run `make model`"),
]
MESSAGES = [{"role": "user", "content": "Name a colour."}]


@pytest.fixture(scope="module")
def openai_server() -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(MODEL),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        "2",
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, "llama_cpp.server exited"
            try:
                if requests.get(f"{base}/v1/models", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def client_for(base: str, path: Path | str = "/v1") -> Client:
    return Client(Endpoint(f"{base}{path}", key="unused", read_timeout=120), PROFILES["openai"])


def test_chat_and_stream_against_llama_cpp_server(openai_server: str) -> None:
    client = client_for(openai_server)
    whole = client.chat(MESSAGES, max_tokens=12, temperature=0, seed=1)
    assert whole.text.strip()
    assert whole.finish_reason in ("stop", "length")
    assert whole.usage["completion_tokens"] > 0
    stream = client.stream_chat(MESSAGES, max_tokens=12, temperature=0, seed=1)
    deltas = list(stream)
    assert len(deltas) > 1
    assert stream.text == whole.text  # greedy decoding: the same text either way
    assert stream.finish_reason == whole.finish_reason


def test_text_completion_against_llama_cpp_server(openai_server: str) -> None:
    client = client_for(openai_server)
    stream = client.stream_complete("Math is a", max_tokens=10, temperature=0)
    assert len(list(stream)) > 1 and stream.text.strip()


def test_missing_info_route_is_not_found(openai_server: str) -> None:
    with pytest.raises(NotFoundError):
        client_for(openai_server, "").info()
