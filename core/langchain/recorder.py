"""Keeping what a chain sent: each model call's request, as the adapter recorded it."""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from ..records import SentRequest


def request_record(sent: SentRequest) -> dict[str, Any]:
    """The request as sent, for display: method, URL, headers (key redacted), JSON body."""
    body = sent.json()
    return {
        "method": sent.method,
        "url": sent.url,
        "headers": dict(sent.headers),
        "body": body if body is not None else sent.body,
    }


class RequestRecorder(BaseCallbackHandler):
    """A callback that keeps every request a run sent: pass it in `config["callbacks"]`.

    Chains end in `StrOutputParser`, which drops the message's metadata; this keeps the
    `response_metadata["request"]` of each model call, streamed or not, in finishing order.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def last(self) -> dict[str, Any] | None:
        """The most recent request, or None."""
        return self.requests[-1] if self.requests else None

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Record the request of each generation that carries one."""
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                request = getattr(message, "response_metadata", {}).get("request")
                if request is not None:
                    with self._lock:
                        self.requests.append(request)


__all__ = ["RequestRecorder", "request_record"]
