"""Keeping what a chain sent: each model call's request, as the backend recorded it."""

from __future__ import annotations

import threading
from collections.abc import Iterable
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


class RequestRecorder(BaseCallbackHandler):
    """A callback that keeps every request a run sent: pass it in `config["callbacks"]`.

    Chains end in `StrOutputParser`, which drops the message's metadata; this keeps the
    `response_metadata["request"]` of each model call, streamed or not, in finishing order.
    Backends that record at the HTTP level (the maintained class, the Llama 2 notebook class)
    hand each request to `add` as it is sent: pass `on_request=recorder.add` to their factory.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def last(self) -> dict[str, Any] | None:
        """The most recent request, or None."""
        return self.requests[-1] if self.requests else None

    def add(self, request: dict[str, Any]) -> None:
        """Keep one request record (`request_record`'s shape), as it is sent."""
        with self._lock:
            self.requests.append(request)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Record the request of each generation that carries one."""
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                request = getattr(message, "response_metadata", {}).get("request")
                if request is not None:
                    self.add(request)


__all__ = ["RequestRecorder", "recorded", "request_record"]
