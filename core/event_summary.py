"""What one Server-Sent Event of a chat or text completion stream says, for people: when it
arrived, what kind it is, the text it adds and the finish reason it gives (issue 14: the raw
log shows each chunk's repeated `"id"` prefix and leaves the delta off screen).

    summarize(TimedEvent(0.2, '{"choices": [{"delta": {"content": "Hi"}}]}'))
    -> EventSummary(at=0.2, kind="delta", text="Hi", finish_reason="")
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .records import TimedEvent, parse_json


class EventSummary(NamedTuple):
    """One event in words: `kind` is delta, finish, usage, error, [DONE], not JSON, other
    (or the SSE event name when it is not `message`)."""

    at: float
    kind: str
    text: str
    finish_reason: str


def summarize(event: TimedEvent) -> EventSummary:
    """`event` in words (see `EventSummary`); never raises on odd data."""
    data = event.data
    if event.event != "message":
        return EventSummary(event.at, event.event, data[:200], "")
    if data.strip() == "[DONE]":
        return EventSummary(event.at, "[DONE]", "", "")
    payload = parse_json(data)
    if not isinstance(payload, dict):
        return EventSummary(event.at, "not JSON", data[:200], "")
    if "error" in payload:
        return EventSummary(event.at, "error", _error_text(payload["error"]), "")
    choice = _first_choice(payload)
    text = _delta_text(choice)
    finish = str(choice.get("finish_reason") or "")
    if text or (not finish and not payload.get("usage")):
        kind = "delta"
    else:
        kind = "finish" if finish else "usage"
    return EventSummary(event.at, kind, text, finish)


def _first_choice(payload: dict[str, Any]) -> dict[str, Any]:
    choices = payload.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return {}


def _delta_text(choice: dict[str, Any]) -> str:
    """The chat delta's content, or a text completion's text ("" for none)."""
    delta = choice.get("delta")
    if isinstance(delta, dict) and isinstance(delta.get("content"), str):
        return str(delta["content"])
    text = choice.get("text")
    return text if isinstance(text, str) else ""


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)


__all__ = ["EventSummary", "summarize"]
