"""One model reply as every page keeps it: its text, how it ended, what it was asked with, and
its numbers. Exports and captions read from here, never from the sidebar's current values.

A `Reply` is filled while its stream runs (by `core.live.LiveStream`, in a worker thread) and
read by whoever draws it. Its `status` walks one way:

    streaming ──► retrying ──► streaming ──► done | stopped | interrupted
        │            │
        └────────────┴──► failed | stopped

`retrying` means waiting to send the request again after a 429 or 503 (`waiting` holds the
notice and when the wait ends). No Streamlit here.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .annotations import FilterResults
from .errors import EndpointError, RetryCancelled
from .records import SentRequest, ServiceHeaders, TimedEvent
from .retry import RetryNotice


class ReplyStatus(StrEnum):
    """Where a reply stands; the values are also what exports write."""

    STREAMING = "streaming"  # asked, or text arriving
    RETRYING = "retrying"  # waiting to retry a 429/503 (see `Reply.waiting`)
    DONE = "done"  # the stream ended normally
    STOPPED = "stopped"  # the user stopped it; the text that arrived is kept
    INTERRUPTED = "interrupted"  # the stream broke after it started; the text is kept
    FAILED = "failed"  # the request failed before the stream started

    @property
    def live(self) -> bool:
        """True while the reply may still change."""
        return self in (ReplyStatus.STREAMING, ReplyStatus.RETRYING)


@dataclass(frozen=True)
class RequestRecord:
    """What a reply was asked with: the body (as sent once known) and its parameters.

    The key never appears: `body` and `sent` come from the client's redacted record.
    """

    body: str = ""  # JSON text: as built before sending, replaced by the bytes as sent
    params: Mapping[str, Any] = field(default_factory=dict)  # the sampling parameters used
    profile: str = ""  # who was asked: the endpoint profile's id
    sent: SentRequest | None = None  # method, URL and headers as sent, once on the wire
    rebuilt: bool = False  # True when `body` was rebuilt, not recorded (backends that hide it)


@dataclass(frozen=True)
class RetryWait:
    """A wait before retrying: the notice to show and when (`time.monotonic()`) it ends."""

    notice: RetryNotice
    until: float

    def left(self) -> float:
        """Seconds still to wait (0 once over)."""
        return max(0.0, self.until - time.monotonic())

    def message(self) -> str:
        """The notice with the seconds left, rounded up: "… retrying in 2 s (1 of 3)."."""
        return dataclasses.replace(self.notice, wait=math.ceil(self.left())).message


@dataclass
class Reply:
    """One reply: text, status, error, the request it came from, and its metrics."""

    text: str = ""
    status: ReplyStatus = ReplyStatus.STREAMING
    error: EndpointError | None = None
    request: RequestRecord | None = None
    events: list[TimedEvent] = field(default_factory=list)  # the raw SSE events, when known
    pieces: int = 0  # text deltas received
    time_to_first_token: float | None = None  # seconds after the (last) request was sent
    elapsed: float | None = None  # seconds from the request to the last event
    finish_reason: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)
    retries: list[str] = field(default_factory=list)  # every retry notice, in order
    waiting: RetryWait | None = None  # the last retry wait, until the retried request answers
    #: Azure's content-filter verdicts (`docs/azure-v1.md` §4), when the endpoint sent any.
    annotations: FilterResults = field(default_factory=FilterResults)
    #: Azure's rate-limit and routing headers (§5), once the response headers arrived.
    service: ServiceHeaders = field(default_factory=ServiceHeaders)

    @property
    def live(self) -> bool:
        """True while the reply may still change (streaming or waiting to retry)."""
        return self.status in (ReplyStatus.STREAMING, ReplyStatus.RETRYING)

    @property
    def tokens(self) -> int:
        """Completion tokens: the endpoint's count when reported, else the deltas seen."""
        return int(self.usage.get("completion_tokens") or self.pieces)

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed after the first token."""
        if self.elapsed is None or self.time_to_first_token is None:
            return None
        generating = self.elapsed - self.time_to_first_token
        return self.tokens / generating if generating > 0 else None

    def orphaned(self) -> None:
        """Settle a reply left live by a worker that is gone (its session or process ended).

        Streaming becomes stopped (the text that arrived is kept); waiting to retry becomes
        failed with `RetryCancelled`, which names the error it was waiting on.
        """
        if self.status == ReplyStatus.STREAMING:
            self.status = ReplyStatus.STOPPED
        elif self.status == ReplyStatus.RETRYING:
            self.status, self.waiting = ReplyStatus.FAILED, None
            if self.error is not None and not isinstance(self.error, RetryCancelled):
                self.error = RetryCancelled(self.error)


__all__ = ["Reply", "ReplyStatus", "RequestRecord", "RetryWait"]
