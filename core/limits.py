"""How much one reply may take: limits as data, in one place.

Every browser session of a hosted playground shares one process, so one endless or enormous
reply must not take the memory or the CPU of all of them. The client reads each reply within
its `Limits`; a reply that passes one stops there with a `LimitExceededError` that names the
limit and keeps what arrived. The defaults leave room for the longest replies models give
today, 100k tokens (the fault table's giant reply):

- `max_body_bytes`, 64 MiB after decompression: 100k tokens streamed as Azure OpenAI sends
  them (~450 bytes an event, content-filter results included) are 45 MB; a whole JSON reply
  is far smaller.
- `max_event_chars`, 4 Mi characters for one Server-Sent Events line or event: a chunk
  carries one token, or a final usage record; 4 Mi is thousands of times that.
- `max_seconds`, 600 s from sending to the last byte: a 32k-token reply at 60 tokens/s takes
  9 minutes. The read timeout bounds each silence; this bounds a reply that trickles.
- `max_events`, 200,000 recorded events: twice the 100k tokens, one event each.

A reply then takes at most about three times `max_body_bytes` of memory (the body as bytes
and as text, the events' data), plus ~150 bytes a recorded event.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from . import errors
from .failures import partial_note

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one reply may take before the client stops reading it (see the module docstring)."""

    max_body_bytes: int = 64 * MiB
    max_event_chars: int = 4 * MiB
    max_seconds: float = 600.0
    max_events: int = 200_000

    def __post_init__(self) -> None:
        for field in fields(self):
            if not getattr(self, field.name) > 0:
                raise errors.InvalidRequestError(f"Limits.{field.name} must be positive.")


DEFAULT_LIMITS = Limits()

_WHAT = {
    "max_body_bytes": "The reply passed the limit of {value} for one reply",
    "max_event_chars": "One server-sent event passed the limit of {value}",
    "max_seconds": "The reply took longer than the limit of {value} for one reply",
    "max_events": "The stream passed the limit of {value} for one reply",
}
_NEXT = {
    "max_body_bytes": "Ask for a shorter reply (max_tokens)",
    "max_event_chars": "Completion chunks are far smaller: check that the URL is a chat endpoint",
    "max_seconds": "Ask for a shorter reply (max_tokens)",
    "max_events": "Ask for a shorter reply (max_tokens)",
}


class LimitReached(Exception):
    """Raised inside the client when a reply passes a limit; `error()` is what the user gets."""

    def __init__(self, limit: str, limits: Limits) -> None:
        super().__init__(limit)
        self.limit = limit
        self.limits = limits

    def error(self, partial_text: str | None) -> errors.LimitExceededError:
        """The error to raise; `partial_text` None for raw calls, which keep the body instead."""
        return limit_error(self.limit, self.limits, partial_text)


def limit_error(limit: str, limits: Limits, partial_text: str | None) -> errors.LimitExceededError:
    """The error for a reply that passed `limit` (a field name of `Limits`)."""
    kept = " What arrived is kept in the response body." if partial_text is None else ""
    message = (
        f"{_WHAT[limit].format(value=_shown(limit, getattr(limits, limit)))} "
        f"(Limits.{limit}), so reading stopped there."
        f"{kept or partial_note(partial_text or '')} {_NEXT[limit]}; whoever hosts the "
        "playground can raise the limit."
    )
    return errors.LimitExceededError(message, limit=limit, partial_text=partial_text or "")


def _shown(limit: str, value: float) -> str:
    if limit == "max_body_bytes":
        return f"{value / MiB:g} MiB" if value >= MiB else f"{value:,.0f} bytes"
    if limit == "max_event_chars":
        return f"{value:,.0f} characters"
    if limit == "max_seconds":
        return f"{value:g} s"
    return f"{value:,.0f} events"


__all__ = ["DEFAULT_LIMITS", "LimitReached", "Limits", "limit_error"]
