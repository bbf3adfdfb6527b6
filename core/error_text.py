"""What an error reply says: the server's words, its error code, its retry hint, the
fields a 422 names. Pure functions over parsed bodies and lower-cased headers; the failure
table (`failures.py`) builds its messages from them.
"""

from __future__ import annotations

import re
import time
from typing import Any

_RETRY_IN_TEXT = re.compile(r"(?:try again in|retry after)\s+(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_MAX_SERVER_TEXT = 300


def validation_details(payload: Any) -> tuple[str, ...]:
    """Readable lines from a 422 `detail` (an object or a list of `{loc, input|value|msg}`)."""
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if detail is None and isinstance(payload, dict):
        detail = (
            (payload.get("error") or {}).get("details")
            if isinstance(payload.get("error"), dict)
            else None
        )
    items = detail if isinstance(detail, list) else [detail] if detail else []
    lines = []
    for item in items:
        if isinstance(item, dict):
            loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
            value = item.get("input", item.get("value"))
            msg = item.get("msg") or (
                f"{value!r} is not supported" if value is not None else "invalid"
            )
            lines.append(f"{loc}: {msg}" if loc else str(msg))
        else:
            lines.append(str(item))
    return tuple(lines)


def retry_after_seconds(headers: dict[str, str], message: str = "") -> float | None:
    """Seconds to wait from `retry-after-ms`, `Retry-After` (seconds or HTTP date), or the text."""
    if (ms := headers.get("retry-after-ms")) and _is_number(ms):
        return max(0.0, float(ms) / 1000)
    value = headers.get("retry-after", "").strip()
    if _is_number(value):
        return max(0.0, float(value))
    if value:
        import email.utils  # rare (an HTTP date), and 25 ms to import

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - time.time())
    match = _RETRY_IN_TEXT.search(message)
    return float(match.group(1)) if match else None


def server_message(payload: Any, body: str, headers: dict[str, str]) -> str:
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("message"):
            return clip(str(error["message"]))
        if isinstance(error, str):
            return clip(error)
        for key in ("detail", "message", "status"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return clip(value)
        if payload.get("detail"):
            return clip(str(payload["detail"]))
    if not body.strip():
        return "empty body"
    if "html" in headers.get("content-type", "").lower() or body.lstrip().startswith("<"):
        return "an HTML page instead of JSON, likely from a gateway or proxy"
    return clip(body.strip())


def error_code(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    source = error if isinstance(error, dict) else payload
    code = source.get("code")
    return str(code) if code is not None else None


def partial_note(partial_text: str) -> str:
    """The sentence an interruption ends with: how much text was kept, or that none came."""
    if partial_text:
        return f" The {len(partial_text)} characters received so far are kept."
    return " Nothing had been received yet."


def clip(text: str) -> str:
    """`text` on one line, cut to 300 characters: a server's words inside our message."""
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SERVER_TEXT else text[: _MAX_SERVER_TEXT - 1] + "…"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


__all__ = [
    "clip",
    "error_code",
    "partial_note",
    "retry_after_seconds",
    "server_message",
    "validation_details",
]
