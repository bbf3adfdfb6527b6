"""The maintained backend's failures as `core` errors, with the adapter's classes and words.

The openai client (under `AzureAIOpenAIApiChatModel`) raises its own exceptions:

- an error status (`openai.APIStatusError`) goes through `core.transport.backend_error`, so
  the failure table reads the same status and body the adapter would see: a 401 says the
  same thing, a 429 is a RateLimitError with `retry_after`;
- a connection that fails before the answer (`openai.APIConnectionError` over an httpx
  exception) gets the message `core.transport.REQUESTS_MAP` gives the same failure of
  `requests`;
- once text has arrived, a cut connection or a stall is an InterruptedStreamError keeping
  that text, and an error event in the stream is one too (`core.failures.error_event`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import openai

from .. import errors
from ..config import Endpoint
from ..failures import clip, error_event, partial_note, stream_problem
from ..redact import Redactor
from ..transport import CHECK_SETTINGS, REQUESTS_MAP, backend_error, interrupted_error

SOURCE = "The maintained class (AzureAIOpenAIApiChatModel)"
#: httpx exception (by class name, most specific first) -> the `requests` failure it matches.
HTTPX_AS_REQUESTS: tuple[tuple[str, str], ...] = (
    ("ConnectTimeout", "ConnectTimeout"),
    ("TimeoutException", "ReadTimeout"),
    ("ProxyError", "ProxyError"),
    ("UnsupportedProtocol", "InvalidSchema"),
    ("ConnectError", "ConnectionError"),
    ("TransportError", "ConnectionError"),
)
# langchain-core's words when a stream ended before any chunk (an empty 200 body).
NO_CHUNKS = "No generation chunks were returned"
_REASONS = (
    "Connection refused",
    "Name or service not known",
    "No route to host",
    "Connection reset",
    "Temporary failure in name resolution",
    "timed out",
)


def maintained_error(
    exc: BaseException,
    endpoint: Endpoint,
    *,
    partial_text: str = "",
    source: str = SOURCE,
    advice: str = CHECK_SETTINGS,
) -> errors.EndpointError:
    """Any failure of a chain over the maintained class as a `core` error, key redacted.

    `partial_text` is the text that had arrived (a stream); `source` and `advice` word the
    message for a failure no mapping explains (see `core.transport.backend_error`).
    """
    redactor = Redactor(endpoint.key.reveal())
    mapped = _mapped(exc, endpoint, partial_text)
    if mapped is not None:
        return redactor.error(mapped)
    return backend_error(exc, redactor, source=source, partial_text=partial_text, advice=advice)


def _mapped(exc: BaseException, endpoint: Endpoint, partial: str) -> errors.EndpointError | None:
    if isinstance(exc, openai.APIStatusError):
        return None  # the failure table, through backend_error
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        if not partial:
            return _before_answer(_httpx_cause(exc), endpoint)
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return errors.InterruptedStreamError(  # core.transport.interrupted_error's words
                f"The stream stalled: nothing arrived for {endpoint.read_timeout:g} s "
                f"(read timeout).{partial_note(partial)}",
                partial_text=partial,
                reason="stall",
            )
        return interrupted_error(exc, partial_text=partial, read_timeout=endpoint.read_timeout)
    if isinstance(exc, openai.APIError):  # an error event inside a stream that had started
        return error_event(json.dumps({"error": _body(exc)}), partial)
    return _unreadable(exc, partial)


def _unreadable(exc: BaseException, partial: str) -> errors.EndpointError | None:
    """A 2xx stream the openai client could not read, in the words of `core.streams`."""
    if isinstance(exc, UnicodeDecodeError):  # the SDK decodes strictly; core reads U+FFFD
        return stream_problem(
            "malformed",
            "The endpoint sent bytes that are not valid UTF-8, which the openai client cannot "
            "read (the adapter backend shows them as U+FFFD).",
            partial,
        )
    if isinstance(exc, json.JSONDecodeError):
        return stream_problem(
            "malformed", "The endpoint sent a chunk that is not valid JSON.", partial
        )
    if isinstance(exc, ValueError) and NO_CHUNKS in str(exc) and not partial:
        return stream_problem(
            "empty", "The endpoint answered with an empty body instead of a stream.", ""
        )
    return None


def _before_answer(exc: BaseException, endpoint: Endpoint) -> errors.EndpointError | None:
    """The adapter's error for the same failure, before any answer arrived."""
    name = next((row for kind, row in HTTPX_AS_REQUESTS if _is(exc, kind)), None)
    if name is None:
        return None
    if name == "ConnectionError" and "SSL" in str(exc).upper():
        name = "SSLError"
    error, message = next((e, m) for n, e, m in REQUESTS_MAP if n == name)
    return error(
        message.format(
            host=urlsplit(endpoint.url).netloc or "the endpoint",
            reason=_reason(exc),
            connect_timeout=endpoint.connect_timeout,
            read_timeout=endpoint.read_timeout,
        )
    )


def _httpx_cause(exc: BaseException) -> BaseException:
    """The httpx exception under openai's (langchain-openai wraps openai's in its own)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        if isinstance(current, httpx.HTTPError):
            return current
        seen.append(current)
        current = current.__cause__ or current.__context__
    return exc


def _is(exc: BaseException, kind: str) -> bool:
    return isinstance(exc, getattr(httpx, kind))


def _reason(exc: BaseException) -> str:
    text = str(exc)
    found = next((marker for marker in _REASONS if marker in text), None)
    return found.lower() if found else clip(text) or type(exc).__name__


def _body(exc: openai.APIError) -> Any:
    body = exc.body
    return body if isinstance(body, dict) else {"message": exc.message}


__all__ = ["HTTPX_AS_REQUESTS", "SOURCE", "maintained_error"]
