"""A deployment's rate limit: requests and tokens per fixed window (azure-v1 §5).

Azure counts each request and its estimated tokens (prompt plus `max_tokens`) against the
deployment's quota when the request arrives, in a running count reset each minute, and
reports what is left in `x-ratelimit-remaining-requests` / `-tokens` (D-QUOTA). The emulator
keeps one counter per deployment in a fixed window that opens with the first request after
the previous one closed; prompt tokens are estimated as words (azure-v1 §5).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# A generous Standard deployment: 1,000 capacity units of 1,000 TPM and 6 RPM (D-QUOTA).
DEFAULT_REQUESTS = 6_000
DEFAULT_TOKENS = 1_000_000
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Refused:
    """Why a request was refused, and how long until the window reopens."""

    kind: str  # "call" (requests) or "token"
    retry_after: float


class Quota:
    """Requests and tokens left in the current window of one deployment."""

    def __init__(
        self,
        requests: int = DEFAULT_REQUESTS,
        tokens: int = DEFAULT_TOKENS,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit_requests, self.limit_tokens, self.window = requests, tokens, window
        self._clock = clock
        self._opened = -window
        self._requests, self._tokens = requests, tokens

    def _roll(self) -> float:
        now = self._clock()
        if now - self._opened >= self.window:
            self._opened = now
            self._requests, self._tokens = self.limit_requests, self.limit_tokens
        return now

    def spend(self, tokens: int) -> Refused | None:
        """Take one request and `tokens` from the window, or say why not (nothing taken)."""
        now = self._roll()
        retry_after = max(self._opened + self.window - now, 0.001)
        if self._requests < 1:
            return Refused("call", retry_after)
        if self._tokens < tokens:
            return Refused("token", retry_after)
        self._requests -= 1
        self._tokens -= tokens
        return None

    def headers(self) -> dict[str, str]:
        """`x-ratelimit-remaining-requests` and `-tokens` as they stand now."""
        self._roll()
        return {
            "x-ratelimit-remaining-requests": str(self._requests),
            "x-ratelimit-remaining-tokens": str(self._tokens),
        }
