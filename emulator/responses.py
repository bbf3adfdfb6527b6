"""Success bodies and stream chunks (wire-format §5, §6).

Every stream event is exactly `data: <compact JSON>\\n\\n` and the stream ends with
`data: [DONE]\\n\\n`: the azure-ai-inference parser rejects any other line (§6.1, C-SDK).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True)
class Envelope:
    """The fields every body of one completion shares."""

    id: str
    model: str
    created: int

    @classmethod
    def new(cls, request_id: str, model: str) -> Envelope:
        """An envelope stamped now; the id is the request id, as the container does (§5.1)."""
        return cls(request_id, model, int(time.time()))

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
    env: Envelope, text: str, finish: str | None, use: dict[str, int]
) -> dict[str, Any]:
    """A non-streamed `chat.completion` (§5.1, the Llama 3.1 unified form)."""
    message = {"role": "assistant", "content": text, "tool_calls": None}
    choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
    return {**env.head("chat.completion"), "choices": [choice], "usage": use}


def chat_chunk(
    env: Envelope, delta: dict[str, str], finish: str | None = None, use: dict | None = None
) -> dict[str, Any]:
    """A `chat.completion.chunk`; the last one carries finish_reason and usage (§6.2)."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
    chunk = {**env.head("chat.completion.chunk"), "choices": [choice]}
    if use is not None:
        chunk["usage"] = use
    return chunk


def text_completion(
    env: Envelope, text: str, finish: str | None = None, use: dict | None = None
) -> dict[str, Any]:
    """A `text_completion`; streamed chunks share the non-stream shape (§5.2, D-CMPL)."""
    choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
    body = {**env.head("text_completion"), "choices": [choice]}
    if use is not None:
        body["usage"] = use
    return body
