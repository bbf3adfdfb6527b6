"""The exceptions `core` raises, one class per cause.

    EndpointError                    base; `str(err)` says what happened and what to do next
    ├── InvalidRequestError          bad input caught before anything is sent (URL, JSON, size)
    │   └── BlockedHostError         the host is not on the allow-list (PLAYGROUND_ALLOWED_HOSTS)
    ├── TransportError               no usable HTTP response
    │   ├── ConnectError             DNS, refused, TLS, reset before a response
    │   └── TimeoutError             connect or read timeout before the response started
    ├── APIStatusError               the endpoint answered with an error status
    │   ├── RedirectError            3xx: the playground does not follow redirects
    │   ├── BadRequestError          400 not covered below
    │   │   ├── ExtraParametersError 400 `detail` about extra parameters
    │   │   ├── ContentFilterError   400 prompt filtered; also finish_reason content_filter
    │   │   └── ContextLengthError   400/413/422: the prompt does not fit the model's context
    │   ├── AuthenticationError      401, 403, and the 400 "Auth token must be passed as ..."
    │   ├── NotFoundError            404: wrong route or modality
    │   ├── RequestTimeoutError      408: the endpoint gave up on the request
    │   ├── ValidationError          422: a parameter value the model does not accept
    │   ├── RateLimitError           429, with `retry_after` seconds when known
    │   └── ServerError              5xx
    ├── CredentialError              no Entra token to send (no Azure login, an expired paste)
    ├── RetryCancelled               the user cancelled while a 429/503 retry was waiting
    ├── InvalidResponseError         a 2xx reply that is not what the route should return
    └── InterruptedStreamError       a stream broke after it started; carries `partial_text`
        └── LimitExceededError       the reply passed one of the client's `Limits`

`ContentFilterError` for a filtered completion (HTTP 200 with `finish_reason: content_filter`)
has `status_code` 200 and `where == "completion"`. Messages never contain the API key: the
client's `Redactor` takes it out before raising (see `redact.py`).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .records import SentRequest


class EndpointError(Exception):
    """Base of every error `core` raises. Retrying is unsafe unless a subclass says so.

    Whether a call is retried automatically is decided in one place, `retry.is_auto_retried`
    (429 and 503 only); the docstrings below say when a retry by hand is safe.
    """

    #: The request as sent (key redacted), when one was sent; set by the client.
    request: SentRequest | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidRequestError(EndpointError, ValueError):
    """Raised before sending: the URL, body or a parameter is unusable. Fix the input; no retry."""


class BlockedHostError(InvalidRequestError):
    """Raised before connecting when the host is not on the allow-list. Nothing sent; no retry."""


class TransportError(EndpointError):
    """Raised when no usable HTTP response arrived. Retrying is safe only where a subclass says."""


class ConnectError(TransportError):
    """Raised when the connection could not be made (DNS, refused, TLS, reset, proxy).

    Safe to retry by hand once the cause is fixed: nothing reached the model. Not retried
    automatically, because the same URL usually fails the same way at once.
    """


class TimeoutError(TransportError, builtins.TimeoutError):
    """Raised when connecting, or waiting for the response to start, took too long.

    Retrying is unsafe in general: the endpoint may still be generating (and billing) the reply.
    """


class APIStatusError(EndpointError):
    """Raised when the endpoint answered with an error status; carries status, body, request id.

    Retrying is unsafe unless a subclass says so.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str = "",
        request_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.headers = dict(headers or {})


class RedirectError(APIStatusError):
    """Raised on a 3xx: the endpoint sent the request elsewhere (`location`), and the playground
    does not follow redirects, so neither the key nor the body went there. No retry: use the
    URL it names, if you trust it."""

    def __init__(self, message: str, *, location: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class BadRequestError(APIStatusError):
    """Raised on a 400 that no subclass explains. Fix the request; no retry."""


class ExtraParametersError(BadRequestError):
    """Raised on a 400 naming parameters outside the API; send `extra-parameters: pass-through`
    or remove them. No retry."""


class ContextLengthError(BadRequestError):
    """Raised on a 400, 413 or 422 saying the prompt (with max_tokens) exceeds the model's
    context window. Retrying the same request fails the same way: shorten the conversation.

    `context_length` (the window) and `requested` (the tokens the endpoint counted) are set
    when the endpoint said them. A subclass of BadRequestError, whatever the status: it is the
    request's size, not one parameter's value, that the model refuses (most servers send 400;
    the serverless API sends 422).
    """

    def __init__(
        self,
        message: str,
        *,
        context_length: int | None = None,
        requested: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.context_length = context_length
        self.requested = requested


@dataclass(frozen=True)
class FilterCategory:
    """One content-safety category as the endpoint judged it.

    Harm categories (`hate`, `self_harm`, `sexual`, `violence`) have a `severity`; detectors
    (`jailbreak`, `profanity`, `protected_material_*`) say whether they `detected` something
    and have no severity (`docs/azure-v1.md` §4).
    """

    name: str
    filtered: bool
    severity: str
    detected: bool | None = None

    @property
    def level(self) -> str:
        """The severity, or for a detector "detected" / "not detected"."""
        if self.severity or self.detected is None:
            return self.severity
        return "detected" if self.detected else "not detected"


class ContentFilterError(BadRequestError):
    """Raised when content safety blocked the prompt (400) or cut the completion (200).

    `categories` lists what was judged, `where` is "prompt" or "completion", and
    `partial_text` holds any text the model produced before the cut. Retrying the same
    input gives the same result.
    """

    def __init__(
        self,
        message: str,
        *,
        categories: tuple[FilterCategory, ...] = (),
        where: str = "prompt",
        partial_text: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.categories = categories
        self.where = where
        self.partial_text = partial_text

    @property
    def flagged(self) -> tuple[FilterCategory, ...]:
        """The categories that caused the block."""
        return tuple(c for c in self.categories if c.filtered)


class AuthenticationError(APIStatusError):
    """Raised on 401/403 or a missing Authorization header. Fix the key or auth style; no retry."""


class NotFoundError(APIStatusError):
    """Raised on 404: no such route, or the model does not serve that modality. No retry."""


class RequestTimeoutError(APIStatusError):
    """Raised on 408: the endpoint timed out the request. Retrying may work; not automatic."""


class ValidationError(APIStatusError):
    """Raised on 422: a parameter or value the model does not support. No retry."""

    def __init__(self, message: str, *, details: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.details = details


class RateLimitError(APIStatusError):
    """Raised on 429. Safe to retry after `retry_after` seconds (None when not given);
    `call_with_retries` does so."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """Raised on 5xx. 503 is safe to retry (the request was not served, and
    `call_with_retries` does so); others are not: the model may have run."""


class CredentialError(EndpointError):
    """Raised before sending when there is no Microsoft Entra token to send: this machine has
    no Azure login, a pasted token has expired, or this playground may not use its host's
    login. Nothing was sent. Retry once signed in (or with a fresh token).

    The message never holds a token, nor azure-identity's own (long) text.
    """


class RetryCancelled(EndpointError):
    """Raised when the caller cancelled while waiting to retry; `error` is the last failure.

    The caller chose to stop: retry only when the user asks again.
    """

    def __init__(self, error: EndpointError) -> None:
        super().__init__(f"Retry cancelled. The last answer was: {error}")
        self.error = error


class InvalidResponseError(EndpointError):
    """Raised when a 2xx reply is empty, not JSON, or lacks `choices`. Not retried."""


class InterruptedStreamError(EndpointError):
    """Raised when a stream that had started broke: cut connection, stall past the read timeout,
    a malformed chunk, an error event, or an end before the model finished.

    `partial_text` is everything received so far. Never replayed automatically: the model
    already produced (and billed) that text.
    """

    def __init__(self, message: str, *, partial_text: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.partial_text = partial_text
        self.reason = reason


class LimitExceededError(InterruptedStreamError):
    """Raised when a reply passed one of the client's `Limits` (its size, one event's size, its
    total time, its number of events): reading stopped there. `limit` names the field of
    `core.Limits`; `partial_text` is the text received so far (streams), and the exchange's
    body keeps what arrived. Not retried: the same request would pass the limit again.
    """

    def __init__(self, message: str, *, limit: str, partial_text: str = "") -> None:
        super().__init__(message, partial_text=partial_text, reason="limit")
        self.limit = limit
