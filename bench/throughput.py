"""Benchmark 1: streaming throughput, per chunk, against the clients people would otherwise use.

Every contender reads the same 20,000-chunk stream from `bench.server` and must return the
same number of text pieces; contenders run interleaved, several rounds (each starting one
contender later than the last), and the median counts. The server runs in its own interpreter
and sends the stream two ways: in 64 KiB writes ("bulk", where only the client's own
per-chunk cost shows), and one write per event, as a live endpoint sends tokens ("per
event", where reading each event off the socket is part of the floor).
"""

from __future__ import annotations

import json
import socket
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from core import PROFILES, Client, Endpoint, Secret

from . import before
from .server import in_process

OURS_BEFORE = f"core.Client.stream_chat before the restructure ({before.BEFORE})"
ADAPTER_BEFORE = f"core.langchain adapter before the restructure ({before.BEFORE})"
MESSAGES = [{"role": "user", "content": "Stream, please."}]
KEY = "bench-key"


def raw_socket_floor(url: str, chunks: int) -> int:
    """Reads the response bytes and nothing else: the floor no client can beat."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"messages": MESSAGES, "stream": True}).encode()
    request = (
        f"POST /chat/completions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(request)
        received = 0
        while part := conn.recv(65536):
            received += len(part)
    return chunks if received else 0


def iter_lines_json(url: str, chunks: int) -> int:
    """`requests.iter_lines` + `json.loads`: what the notebooks do, minus correctness."""
    pieces = 0
    body: dict[str, Any] = {"messages": MESSAGES, "stream": True}
    with requests.post(f"{url}/chat/completions", json=body, stream=True, timeout=60) as resp:
        for line in resp.iter_lines():
            if line.startswith(b"data: ") and line != b"data: [DONE]":
                delta = json.loads(line[6:])["choices"][0]["delta"].get("content")
                pieces += bool(delta)
    return pieces


def core_stream(url: str, chunks: int) -> int:
    """This project's `Client.stream_chat`: WHATWG SSE decoding, records, typed errors."""
    client = Client(Endpoint(url, key=Secret(KEY)), PROFILES["local"])
    return sum(1 for _ in client.stream_chat(MESSAGES))


def core_stream_before(url: str, chunks: int) -> int:
    """The same call at the last commit before the restructure (`bench/before.py`)."""
    return before.stream_chat(url, KEY, MESSAGES)


def azure_ai_inference(url: str, chunks: int) -> int:
    """The azure-ai-inference SDK's streaming `complete`."""
    from azure.ai.inference import ChatCompletionsClient
    from azure.core.credentials import AzureKeyCredential

    client = ChatCompletionsClient(endpoint=url, credential=AzureKeyCredential(KEY))
    pieces = 0
    for update in client.complete(messages=MESSAGES, stream=True):
        if update.choices and update.choices[0].delta.content:
            pieces += 1
    client.close()
    return pieces


def openai_sdk(url: str, chunks: int) -> int:
    """The openai SDK's streaming chat completions."""
    from openai import OpenAI
    from openai.types.chat import ChatCompletionUserMessageParam

    client = OpenAI(base_url=f"{url}/v1", api_key=KEY)
    messages = [ChatCompletionUserMessageParam(role="user", content=MESSAGES[0]["content"])]
    pieces = 0
    for chunk in client.chat.completions.create(model="bench", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1
    client.close()
    return pieces


def langchain_community(url: str, chunks: int) -> int:
    """langchain-community's `AzureMLChatOnlineEndpoint.stream`, set up as the notebooks do."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "being sunset"
        from core.langchain import community_chat_model

        model = community_chat_model(url, KEY)
        return sum(1 for chunk in model.stream("Stream, please.") if chunk.content)


def langchain_core_floor(url: str, chunks: int) -> int:
    """LangChain's own per-chunk cost: a chat model that yields ready-made chunks, no HTTP."""
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class ReadyMade(BaseChatModel):
        n: int

        @property
        def _llm_type(self) -> str:
            return "ready-made"

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=""))])

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            for i in range(self.n):
                yield ChatGenerationChunk(message=AIMessageChunk(content=f" w{i % 1000}"))

    return sum(1 for chunk in ReadyMade(n=chunks).stream("hi") if chunk.content)


def core_langchain_adapter(url: str, chunks: int) -> int:
    """This project's LangChain adapter (`core.langchain`), streaming."""
    from core.langchain import ChatAzureServerless

    model = ChatAzureServerless.from_endpoint(Endpoint(url, key=Secret(KEY)), profile="local")
    return sum(1 for chunk in model.stream("Stream, please.") if chunk.content)


def core_langchain_adapter_before(url: str, chunks: int) -> int:
    """The adapter at the last commit before the restructure (`bench/before.py`)."""
    return before.langchain_adapter(url, KEY)


CONTENDERS: dict[str, Callable[[str, int], int]] = {
    "raw socket read (floor)": raw_socket_floor,
    "requests iter_lines + json.loads": iter_lines_json,
    "core.Client.stream_chat (ours)": core_stream,
    OURS_BEFORE: core_stream_before,
    "azure-ai-inference SDK": azure_ai_inference,
    "openai SDK": openai_sdk,
    "langchain-community AzureMLChatOnlineEndpoint": langchain_community,
    "langchain-core floor (no HTTP)": langchain_core_floor,
    "core.langchain adapter (ours)": core_langchain_adapter,
    ADAPTER_BEFORE: core_langchain_adapter_before,
}


def run(chunks: int = 20_000, rounds: int = 5, per_event: bool = False) -> dict[str, float | str]:
    """Median microseconds per chunk for each contender, or the reason it could not run."""
    timings: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    failures: dict[str, str] = {}
    names = list(CONTENDERS)
    with in_process(chunks, per_event) as url:
        for turn in range(rounds):
            # Each round starts one contender later, so no contender always follows the same
            # one (and, say, always pays for the garbage its predecessor left).
            for name in names[turn:] + names[:turn]:
                contender = CONTENDERS[name]
                if name in failures:
                    continue
                try:
                    started = time.perf_counter()
                    pieces = contender(url, chunks)
                    elapsed = time.perf_counter() - started
                except Exception as exc:  # a missing optional contender is reported, not fatal
                    failures[name] = f"{type(exc).__name__}: {exc}"[:120]
                    continue
                if pieces != chunks:
                    failures[name] = f"returned {pieces} pieces, expected {chunks}"
                    continue
                timings[name].append(elapsed / chunks * 1e6)
    results: dict[str, float | str] = {}
    for name in CONTENDERS:
        results[name] = failures.get(name) or statistics.median(timings[name])
    return results
