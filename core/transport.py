"""Exceptions from the HTTP libraries become `core` errors, here and nowhere else.

- `transport_error`: a `requests` exception before the response started, through
  `REQUESTS_MAP` (walked in order, subclasses before their bases; a test checks that every
  `requests` exception lands on a specific class).
- `interrupted_error`: a failure while a started body was being read (or a limit it reached).
- `backend_error`: an exception from any backend a page runs (`core` itself, the notebooks'
  class over `urllib` and `openai`, LangChain), with the key redacted: the one entry point for
  code that did not go through `core.Client`.

Error statuses and bodies go through the failure table in `failures.py`.
"""

from __future__ import annotations

import builtins
import sys
from typing import TYPE_CHECKING

from . import errors
from .failures import clip, error_from_response, partial_note
from .limits import LimitReached
from .redact import Redactor

if TYPE_CHECKING:
    import requests

#: `requests` exception (by name: `requests` loads with the first Client) -> error, message.
REQUESTS_MAP: tuple[tuple[str, type[errors.EndpointError], str], ...] = (
    (
        "ConnectTimeout",
        errors.TimeoutError,
        "Could not connect to {host} within {connect_timeout:g} s. Check the URL and your "
        "network, or raise the connect timeout.",
    ),
    (
        "ReadTimeout",
        errors.TimeoutError,
        "{host} accepted the request but did not start answering within {read_timeout:g} s. "
        "Try again, raise the read timeout, or ask for fewer tokens.",
    ),
    (
        "SSLError",
        errors.ConnectError,
        "The TLS handshake with {host} failed. Check that the URL is right and uses https.",
    ),
    ("ProxyError", errors.ConnectError, "The proxy refused the connection to {host}."),
    (
        "ConnectionError",
        errors.ConnectError,
        "Could not reach {host}: {reason}. Check the URL, and that the endpoint is running "
        "(for the local endpoint: `make run`).",
    ),
    *(
        (name, errors.InvalidRequestError, "The request cannot be sent: {reason}.")
        for name in ("InvalidURL", "MissingSchema", "InvalidSchema", "InvalidHeader")
    ),
    ("InvalidJSONError", errors.InvalidRequestError, "The request cannot be sent: {reason}."),
    (
        "TooManyRedirects",
        errors.TransportError,
        "{host} redirected too many times. Check that the URL is the endpoint's own.",
    ),
    ("RequestException", errors.TransportError, "The request to {host} failed: {reason}."),
)
#: What a backend failure that no mapping explains tells the user to do, by default.
CHECK_SETTINGS = "Check the endpoint and parameters in the sidebar."
_MAX_DETAIL = 300


def transport_error(
    exc: requests.RequestException, *, connect_timeout: float, read_timeout: float
) -> errors.EndpointError:
    """Map a `requests` exception raised before the response started to an exception."""
    import requests  # loaded already: `exc` came from it

    error, message = next(
        (error, message)
        for name, error, message in REQUESTS_MAP
        if isinstance(exc, getattr(requests.exceptions, name))
    )
    return error(
        message.format(
            host=_host_of(exc),
            reason=_reason(exc),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
    )


def interrupted_error(
    exc: BaseException, *, partial_text: str | None, read_timeout: float
) -> errors.InterruptedStreamError:
    """Map a failure while reading a started response body to InterruptedStreamError.

    `partial_text` None means the caller does not track text (raw calls keep the events).
    """
    if isinstance(exc, LimitReached):
        return exc.error(partial_text)
    kept = "" if partial_text is None else partial_note(partial_text)
    partial_text = partial_text or ""
    if _is_decode_error(exc):
        return errors.InterruptedStreamError(
            "The reply's compressed body (Content-Encoding) does not decompress, so reading "
            f"stopped.{kept} Check the endpoint, or the proxy in front of it.",
            partial_text=partial_text,
            reason="malformed",
        )
    if _is_read_timeout(exc):
        return errors.InterruptedStreamError(
            f"The stream stalled: nothing arrived for {read_timeout:g} s (read timeout).{kept}",
            partial_text=partial_text,
            reason="stall",
        )
    return errors.InterruptedStreamError(
        f"The connection broke while the reply was streaming.{kept}",
        partial_text=partial_text,
        reason="cut",
    )


def backend_error(
    exc: BaseException,
    redactor: Redactor,
    *,
    source: str,
    partial_text: str = "",
    advice: str = CHECK_SETTINGS,
) -> errors.EndpointError:
    """Any exception a backend raised, as a `core` error with the key redacted.

    `core` errors pass through; `urllib` and `openai` failures map through the failure
    table; anything else says that `source` failed and why, followed by `advice`, and becomes
    an InterruptedStreamError keeping `partial_text` when text had already arrived.
    """
    known = known_error(exc)
    if known is not None:
        return redactor.error(known)
    detail = redactor.text(f"{type(exc).__name__}: {exc}")[:_MAX_DETAIL]
    if partial_text:
        return errors.InterruptedStreamError(
            f"The reply stopped early ({detail}). The text above is what arrived; "
            "ask again for a full reply.",
            partial_text=partial_text,
        )
    return errors.EndpointError(f"{source} failed: {detail}. {advice}")


def known_error(exc: BaseException) -> errors.EndpointError | None:
    """The `core` error for `exc` when it is one, or an HTTP failure of `urllib` or `openai`
    (the notebooks' class uses both); None for anything else."""
    if isinstance(exc, errors.EndpointError):
        return exc
    # A library's exceptions are looked up only once it is loaded (none of its exceptions can
    # exist before), so `import core` loads neither (urllib.error alone pulls in tempfile).
    if "urllib.error" in sys.modules and (found := _urllib_error(exc)) is not None:
        return found
    if "openai" in sys.modules and (found := _openai_error(exc)) is not None:
        return found
    if isinstance(exc, builtins.TimeoutError):
        return errors.TimeoutError(f"The endpoint did not answer in time: {exc}.")
    return None


def _urllib_error(exc: BaseException) -> errors.EndpointError | None:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        body = exc.read().decode("utf-8", "replace") if exc.fp else ""
        return error_from_response(exc.code, headers, body)
    if isinstance(exc, urllib.error.URLError):
        return errors.ConnectError(f"Could not reach the endpoint: {exc}.")
    return None


def _openai_error(exc: BaseException) -> errors.EndpointError | None:
    import openai

    if isinstance(exc, openai.APIStatusError):
        headers = {k.lower(): v for k, v in exc.response.headers.items()}
        return error_from_response(exc.status_code, headers, exc.response.text)
    if isinstance(exc, openai.APITimeoutError):
        return errors.TimeoutError(f"The endpoint did not answer in time: {exc}.")
    if isinstance(exc, openai.APIConnectionError):
        return errors.ConnectError(f"Could not reach the endpoint: {exc}.")
    return None


def _is_decode_error(exc: BaseException) -> bool:
    import requests
    import urllib3

    return isinstance(
        exc, urllib3.exceptions.DecodeError | requests.exceptions.ContentDecodingError
    )


def _is_read_timeout(exc: BaseException) -> bool:
    import requests
    import urllib3

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError
        ):
            return True
        nested = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        current = nested[0] if nested else current.__cause__ or current.__context__
    return False


def _host_of(exc: requests.RequestException) -> str:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None) or ""
    import urllib3

    host = urllib3.util.parse_url(url).netloc if url else ""
    return host or "the endpoint"


def _reason(exc: BaseException) -> str:
    """A short cause without URLs' query strings; keys never travel in URLs here."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "No route to host",
        "Connection reset",
        "Temporary failure in name resolution",
        "timed out",
    ):
        if marker in text:
            return marker.lower()
    return clip(text) or type(exc).__name__


__all__ = [
    "CHECK_SETTINGS",
    "REQUESTS_MAP",
    "backend_error",
    "interrupted_error",
    "known_error",
    "transport_error",
]
