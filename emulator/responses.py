"""Success bodies and stream chunks (wire-format §5, §6).

Every stream event is exactly `data: <compact JSON>\\n\\n` and the stream ends with
`data: [DONE]\\n\\n`: the azure-ai-inference parser rejects any other line (§6.1, C-SDK).
Azure OpenAI bodies (v1, classic deployments) add the filter annotations, a fingerprint and,
in streams, usage only on request (azure-v1 §4).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from emulator.azure_openai import choice_filter_results

DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True)
class Annotations:
    """What an Azure OpenAI body adds to the OpenAI shape (azure-v1 §4)."""

    prompt_filter_results: list[dict[str, Any]]
    fingerprint: str
    include_usage: bool


@dataclass(frozen=True)
class Envelope:
    """The fields every body of one completion shares; `azure` set on Azure OpenAI routes."""

    id: str
    model: str
    created: int
    azure: Annotations | None = None

    @classmethod
    def new(cls, request_id: str, model: str, azure: Annotations | None = None) -> Envelope:
        """An envelope stamped now; the id is the request id, as the container does (§5.1)."""
        return cls(request_id, model, int(time.time()), azure)

    def head(self, obj: str) -> dict[str, Any]:
        """The leading keys of a body of type `obj`."""
        return {"id": self.id, "object": obj, "created": self.created, "model": self.model}


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    """The usage object (§5.1)."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def sse(payload: dict[str, Any]) -> bytes:
    """One data-only server-sent event holding compact JSON."""
    return b"data: " + dumps(payload) + b"\n\n"


def dumps(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def chat_completion(
    env: Envelope,
    text: str,
    finish: str | None,
    use: dict[str, int],
    tool_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A non-streamed `chat.completion` (§5.1, the Llama 3.1 unified form); with
    `tool_calls`, the message calls them and has no content."""
    message: dict[str, Any] = {"role": "assistant", "content": None if tool_calls else text}
    message["tool_calls"] = tool_calls
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish}
    choice["logprobs"] = None
    body = {**env.head("chat.completion"), "choices": [choice], "usage": use}
    if env.azure is not None:
        choice["content_filter_results"] = choice_filter_results(finish == "content_filter")
        body["prompt_filter_results"] = env.azure.prompt_filter_results
        body["system_fingerprint"] = env.azure.fingerprint
    return body


def chat_chunk(
    env: Envelope, delta: dict[str, Any], finish: str | None = None, use: dict | None = None
) -> dict[str, Any]:
    """A `chat.completion.chunk`; the last one carries finish_reason and usage (§6.2).

    On Azure OpenAI routes each choice carries `content_filter_results`, and `usage` is
    never here: it is `null` when asked for (it comes in `usage_chunk`), absent otherwise.
    """
    choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
    choice["logprobs"] = None
    chunk = {**env.head("chat.completion.chunk"), "choices": [choice]}
    if env.azure is not None:
        choice["content_filter_results"] = choice_filter_results(finish == "content_filter")
        chunk["system_fingerprint"] = env.azure.fingerprint
        if env.azure.include_usage:
            chunk["usage"] = None
    elif use is not None:
        chunk["usage"] = use
    return chunk


def usage_chunk(env: Envelope, use: dict[str, int]) -> dict[str, Any]:
    """The last chunk of an Azure OpenAI stream asked for usage: no choices (azure-v1 §4)."""
    fingerprint = env.azure.fingerprint if env.azure is not None else None
    chunk = {**env.head("chat.completion.chunk"), "system_fingerprint": fingerprint}
    return {**chunk, "choices": [], "usage": use}


def annotation_event(env: Envelope) -> dict[str, Any]:
    """The first event of an Azure OpenAI stream: the prompt's filter results (azure-v1 §4)."""
    results = env.azure.prompt_filter_results if env.azure is not None else []
    head = {"id": "", "object": "", "created": 0, "model": ""}
    return {**head, "choices": [], "prompt_filter_results": results}


def text_completion(
    env: Envelope, text: str, finish: str | None = None, use: dict | None = None
) -> dict[str, Any]:
    """A `text_completion`; streamed chunks share the non-stream shape (§5.2, D-CMPL)."""
    choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
    body = {**env.head("text_completion"), "choices": [choice]}
    if use is not None:
        body["usage"] = use
    return body
