"""Keeping what a chain sent: each model call's request, as the backend recorded it, and how
each call ended (finish reason and usage)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from ..records import SentRequest
from ..redact import Redactor


def request_record(sent: SentRequest) -> dict[str, Any]:
    """The request as sent, for display: method, URL, headers (key redacted), JSON body."""
    body = sent.json()
    return {
        "method": sent.method,
        "url": sent.url,
        "headers": dict(sent.headers),
        "body": body if body is not None else sent.body,
    }


def recorded(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, redactor: Redactor
) -> dict[str, Any]:
    """A request another HTTP client sent, in `request_record`'s shape, secrets redacted:
    secret headers keep only their scheme (`Bearer ***`), whatever the redactor knows."""
    sent = SentRequest(
        method=method,
        url=redactor.text(url),
        headers={name: redactor.header(name, value) for name, value in headers},
        body=redactor.text(body.decode("utf-8", "replace")),
    )
    return request_record(sent)


@dataclass(frozen=True)
class Ending:
    """How one model call ended: its finish reason and usage (OpenAI's names, as `core`
    reports them), the text it generated, and its request when the backend recorded one."""

    finish_reason: str | None
    usage: Mapping[str, int] = field(default_factory=dict)
    text: str = ""
    request: dict[str, Any] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)  # the message's response_metadata


def usage_of(metadata: Mapping[str, Any] | None) -> dict[str, int]:
    """LangChain's `usage_metadata` (input/output/total tokens) under OpenAI's usage names."""
    if not metadata:
        return {}
    names = {"input_tokens": "prompt_tokens", "output_tokens": "completion_tokens"}
    names["total_tokens"] = "total_tokens"
    return {ours: int(metadata[theirs]) for theirs, ours in names.items() if theirs in metadata}


class RequestRecorder(BaseCallbackHandler):
    """A callback that keeps every request a run sent: pass it in `config["callbacks"]`.

    Chains end in `StrOutputParser`, which drops the message's metadata; this keeps the
    `response_metadata["request"]` of each model call, streamed or not, in finishing order.
    Backends that record at the HTTP level (the maintained class, the Llama 2 notebook class)
    hand each request to `add` as it is sent: pass `on_request=recorder.add` to their factory.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.endings: list[Ending] = []  # one per model call that ended, in finishing order
        self._lock = threading.Lock()

    @property
    def last(self) -> dict[str, Any] | None:
        """The most recent request, or None."""
        return self.requests[-1] if self.requests else None

    def add(self, request: dict[str, Any]) -> None:
        """Keep one request record (`request_record`'s shape), as it is sent."""
        with self._lock:
            self.requests.append(request)

    @property
    def ending(self) -> Ending | None:
        """How the most recent model call ended, or None."""
        return self.endings[-1] if self.endings else None

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Record the request of each generation that carries one, and how it ended."""
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                metadata = getattr(message, "response_metadata", None) or {}
                request = metadata.get("request")
                if request is not None:
                    self.add(request)
                info = generation.generation_info or {}
                ending = Ending(
                    info.get("finish_reason") or metadata.get("finish_reason"),
                    usage_of(getattr(message, "usage_metadata", None)),
                    generation.text,
                    request,
                    dict(metadata or {}),
                )
                with self._lock:
                    self.endings.append(ending)


__all__ = ["Ending", "RequestRecorder", "recorded", "request_record", "usage_of"]
