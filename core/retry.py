"""Bounded, visible, cancellable retries for 429 and 503, and nothing else.

A 429 or 503 means the request was not served, so trying again is safe. Every other failure
reaches the caller at once; a stream that already produced text is never replayed, because
only the start of a call (up to its first byte) runs inside `call_with_retries`.

    result = call_with_retries(lambda: client.stream_chat(messages), RetryPolicy(),
                               on_retry=lambda n: print(n.message))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import EndpointError, RateLimitError, RetryCancelled, ServerError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to retry: `attempts` retries within `max_total` seconds."""

    attempts: int = 3
    max_total: float = 30.0
    backoff: float = 1.0  # first wait when the endpoint does not say; doubles each time
    max_backoff: float = 8.0

    def wait_for(self, error: EndpointError, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return error.retry_after
        return min(self.max_backoff, self.backoff * 2.0 ** (retry - 1))


@dataclass(frozen=True)
class RetryNotice:
    """What the caller shows while waiting: "retrying in 2 s, 1 of 3"."""

    retry: int
    of: int
    wait: float
    error: EndpointError

    @property
    def message(self) -> str:
        """A one-line status for the user."""
        return f"{_cause(self.error)}: retrying in {self.wait:.0f} s ({self.retry} of {self.of})."


def is_auto_retried(error: BaseException) -> bool:
    """True only for 429 and 503: the endpoint did not serve the request."""
    return isinstance(error, RateLimitError) or (
        isinstance(error, ServerError) and error.status_code == 503
    )


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy | None = None,
    *,
    on_retry: Callable[[RetryNotice], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    cancelled: Callable[[], bool] = lambda: False,
) -> T:
    """Run `call`, retrying 429/503 per `policy`; re-raise anything else, or the last failure.

    `sleep` may be replaced by a countdown that updates a page (and so can be interrupted).
    """
    policy = policy or RetryPolicy()
    waited = 0.0
    retry = 0
    while True:
        try:
            return call()
        except EndpointError as error:
            retry += 1
            if not is_auto_retried(error) or retry > policy.attempts:
                raise
            wait = policy.wait_for(error, retry)
            if waited + wait > policy.max_total:
                raise
            if on_retry is not None:
                on_retry(RetryNotice(retry, policy.attempts, wait, error))
            if cancelled():
                raise RetryCancelled(error) from error
            sleep(wait)
            waited += wait
            if cancelled():
                raise RetryCancelled(error) from error


def _cause(error: EndpointError) -> str:
    if isinstance(error, RateLimitError):
        return "Rate limited (429)"
    return "Endpoint unavailable (503)"
