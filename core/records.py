"""Plain records of what was sent and what came back; no behaviour beyond reading them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .annotations import FilterResults
from .errors import EndpointError


@dataclass(frozen=True)
class SentRequest:
    """The request exactly as sent, with the key redacted."""

    method: str
    url: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        return parse_json(self.body)


class TimedEvent(NamedTuple):
    """One Server-Sent Event and when it arrived, in seconds after the request was sent."""

    at: float
    data: str
    event: str = "message"


@dataclass
class Exchange:
    """One request and everything observed about its response.

    `status` is None when no response arrived; `error` then says why. For a stream,
    `events` holds every event with its arrival time and `body` the raw text.
    """

    request: SentRequest
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    events: list[TimedEvent] = field(default_factory=list)
    time_to_first_byte: float | None = None
    elapsed: float | None = None
    error: EndpointError | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None (streams and non-JSON bodies)."""
        return parse_json(self.body)

    @property
    def is_stream(self) -> bool:
        """True when the response was a Server-Sent Events stream."""
        return "text/event-stream" in self.headers.get("content-type", "").lower()

    @property
    def request_id(self) -> str | None:
        """The id to quote when asking for support (notebooks: print the headers)."""
        return request_id_from(self.headers)

    @property
    def ok(self) -> bool:
        """True when a 2xx response arrived and nothing failed."""
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def service(self) -> ServiceHeaders:
        """What Azure's rate-limit and routing headers said (empty when none came)."""
        return ServiceHeaders.from_headers(self.headers)


@dataclass(frozen=True)
class ServiceHeaders:
    """Azure's rate-limit and routing headers on one response (`docs/azure-v1.md` §5), each
    optional: requests and tokens left in the quota window, the region, the deployment that
    answered, and `apim-request-id` (the id to quote to support)."""

    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    region: str = ""
    deployment: str = ""
    apim_request_id: str = ""

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> ServiceHeaders:
        """Read from lower-cased response headers; unreadable numbers count as absent."""
        return cls(
            remaining_requests=_count(headers.get("x-ratelimit-remaining-requests")),
            remaining_tokens=_count(headers.get("x-ratelimit-remaining-tokens")),
            region=headers.get("x-ms-region", ""),
            deployment=headers.get("x-ms-deployment-name", ""),
            apim_request_id=headers.get("apim-request-id", ""),
        )

    def __bool__(self) -> bool:
        return self != ServiceHeaders()

    def summary(self) -> str:
        """One line: "deployment my-chat in local · 5,999 requests and 999,950 tokens left"."""
        parts = []
        if self.deployment or self.region:
            where = f" in {self.region}" if self.region else ""
            parts.append(f"deployment {self.deployment}{where}" if self.deployment else where[1:])
        left = [
            f"{count:,} {what}"
            for count, what in (
                (self.remaining_requests, "requests"),
                (self.remaining_tokens, "tokens"),
            )
            if count is not None
        ]
        if left:
            parts.append(" and ".join(left) + " left")
        if self.apim_request_id:
            parts.append(f"apim-request-id {self.apim_request_id}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Completion:
    """A finished (non-streamed) chat or text completion."""

    text: str
    finish_reason: str | None
    usage: dict[str, int]
    model: str
    id: str
    exchange: Exchange
    annotations: FilterResults = field(default_factory=FilterResults)  # Azure content filter


def parse_json(text: str) -> Any:
    """`json.loads(text)`, or None when it does not parse (a JSON `null` reads the same), or
    is nested deeper than the recursion limit (which is malformed, for what we read)."""
    try:
        return json.loads(text) if text else None
    except (ValueError, RecursionError):
        return None


def _count(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def request_id_from(headers: dict[str, str]) -> str | None:
    """The first request-id header present (keys are lower-case)."""
    for name in ("x-request-id", "apim-request-id", "x-ms-request-id", "x-ms-client-request-id"):
        if headers.get(name):
            return headers[name]
    return None
