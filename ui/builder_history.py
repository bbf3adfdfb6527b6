"""The Request Builder's history as JSON, for this browser's copy (`ui.kept`), and back.

    value = history_json(entries)   # the newest entries that fit in BUDGET characters
    entries = read_history(value)   # HistoryImportError says what is wrong; nothing half-read

An entry keeps what its row and its response panel show: the draft (custom headers that carry
a key or token left out), when and where it was sent, the reply (`core.transcript`'s reply
record) and the exchange: status, response headers and body, events with their times, and
the request as sent without its headers (the client already masked the key in its URL and
body). No Streamlit here.
"""

from __future__ import annotations

import json
from typing import Any

from core import AuthStyle, Exchange, ExtraParameters, TimedEvent
from core.headers import SECRET_HEADERS
from core.records import SentRequest
from core.transcript import (
    Fields,
    HistoryImportError,
    error_json,
    read_error,
    read_reply,
    reply_json,
)
from ui.request_builder import MAX_HISTORY, Draft, Entry

BUDGET = 1_000_000  # characters of this browser's copy; older entries beyond it are not kept
_ENTRY_KEYS = {"draft", "path", "sent_at", "header_problems", "text_from", "reply", "exchange"}
_DRAFT_KEYS = {"route", "method", "path", "headers", "body", "auth", "extra"}
_EXCHANGE_KEYS = {
    "method", "url", "sent_body", "status", "reason", "headers", "body", "events",
    "time_to_first_byte", "elapsed", "error",
}  # fmt: skip


def history_json(entries: list[Entry], budget: int = BUDGET) -> list[dict[str, Any]]:
    """The newest entries, oldest first, as many as fit in `budget` characters of JSON."""
    kept: list[dict[str, Any]] = []
    used = 0
    for entry in reversed(entries[-MAX_HISTORY:]):
        item = entry_json(entry)
        used += len(json.dumps(item, ensure_ascii=False))
        if used > budget:
            break
        kept.append(item)
    return kept[::-1]


def entry_json(entry: Entry) -> dict[str, Any]:
    """One sent request: its draft, its reply and its exchange."""
    draft = entry.draft
    return {
        "draft": {
            "route": draft.route,
            "method": draft.method,
            "path": draft.path,
            "headers": without_secret_headers(draft.headers),
            "body": draft.body,
            "auth": draft.auth,
            "extra": draft.extra,
        },
        "path": entry.path,
        "sent_at": entry.sent_at,
        "header_problems": list(entry.header_problems),
        "text_from": entry.text_from,
        "reply": reply_json(entry.reply),
        "exchange": _exchange_json(entry.exchange),
    }


def without_secret_headers(text: str) -> str:
    """Custom header lines, minus those that carry a key or token (`api-key: ...`)."""
    lines = text.splitlines()
    return "\n".join(
        line for line in lines if line.partition(":")[0].strip().lower() not in SECRET_HEADERS
    )


def _exchange_json(exchange: Exchange | None) -> dict[str, Any] | None:
    if exchange is None:
        return None
    return {
        "method": exchange.request.method,
        "url": exchange.request.url,
        "sent_body": exchange.request.body,
        "status": exchange.status,
        "reason": exchange.reason,
        "headers": dict(exchange.headers),
        "body": exchange.body,
        "events": [[event.at, event.data, event.event] for event in exchange.events],
        "time_to_first_byte": exchange.time_to_first_byte,
        "elapsed": exchange.elapsed,
        "error": error_json(exchange.error),
    }


# Reading it back -------------------------------------------------------------------------------


def read_history(value: Any) -> list[Entry]:
    """Entries from `history_json`'s copy (HistoryImportError when it is not one)."""
    if not isinstance(value, list) or len(value) > MAX_HISTORY:
        raise HistoryImportError(f"It is not a list of at most {MAX_HISTORY} requests.")
    return [_read_entry(f"Request {n}", item) for n, item in enumerate(value, 1)]


def _read_entry(where: str, item: Any) -> Entry:
    fields = Fields(where, item, _ENTRY_KEYS)
    draft = Fields(f"{where}, draft", fields.get("draft", dict), _DRAFT_KEYS)
    auth, extra = draft.get("auth", str, None), draft.get("extra", str, None)
    if auth is not None and auth not in set(AuthStyle):
        raise HistoryImportError(f"{where}: unknown auth style {auth!r}.")
    if extra is not None and extra not in set(ExtraParameters):
        raise HistoryImportError(f"{where}: unknown extra-parameters {extra!r}.")
    return Entry(
        draft=Draft(
            draft.get("route", str),
            draft.get("method", str),
            draft.get("path", str),
            draft.get("headers", str),
            draft.get("body", str),
            None if auth is None else AuthStyle(auth),
            None if extra is None else ExtraParameters(extra),
        ),
        path=fields.get("path", str),
        sent_at=fields.get("sent_at", str),
        reply=read_reply(f"{where}, reply", fields.get("reply", dict)),
        exchange=_read_exchange(f"{where}, exchange", fields.get("exchange", dict, None)),
        header_problems=tuple(fields.texts("header_problems")),
        text_from=fields.get("text_from", str, ""),
    )


def _read_exchange(where: str, item: dict[str, Any] | None) -> Exchange | None:
    if item is None:
        return None
    fields = Fields(where, item, _EXCHANGE_KEYS)
    headers = fields.get("headers", dict, {})
    if not all(isinstance(v, str) for v in headers.values()):
        raise HistoryImportError(f"{where}: header values must be text.")
    sent = SentRequest(
        fields.get("method", str), fields.get("url", str), {}, fields.get("sent_body", str, "")
    )
    return Exchange(
        request=sent,
        status=fields.get("status", int, None),
        reason=fields.get("reason", str, ""),
        headers=headers,
        body=fields.get("body", str, ""),
        events=[_read_event(where, event) for event in fields.items("events", 100_000, [])],
        time_to_first_byte=fields.get("time_to_first_byte", float, None),
        elapsed=fields.get("elapsed", float, None),
        error=read_error(where, fields.get("error", dict, None)),
    )


def _read_event(where: str, item: Any) -> TimedEvent:
    ok = isinstance(item, list) and len(item) == 3
    if (
        ok
        and isinstance(item[0], int | float)
        and isinstance(item[1], str)
        and isinstance(item[2], str)
    ):
        return TimedEvent(float(item[0]), item[1], item[2])
    raise HistoryImportError(f"{where}: an event must be [seconds, data, event name].")
