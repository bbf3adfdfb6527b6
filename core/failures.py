"""The failure table: HTTP statuses and error bodies become `core` errors, in one place.

Error bodies come in several shapes (`docs/wire-format.md` §7): the MaaS/AOAI wrapper
`{"error": {"message", "code", "status", "innererror"}}`, FastAPI's `{"detail": ...}`,
the missing-header `{"status": "Auth token must be passed ..."}`, and `{"statusCode", "message"}`.
`RULES` is walked in order and the first rule that takes the reply makes the error; a test
walks it for completeness. Each message says what happened and what to do next; callers
redact the key afterwards. Exceptions raised before or while reading a response (requests,
urllib, openai) are mapped in `transport.py`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from . import errors
from .records import parse_json, request_id_from

_AUTH_HEADER_HINTS = ("auth token must be passed", "missing authorization", "no auth header")
_RETRY_IN_TEXT = re.compile(r"(?:try again in|retry after)\s+(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_MAX_SERVER_TEXT = 300


@dataclass(frozen=True)
class Reply:
    """An error reply as the rules read it: status, (lower-cased) headers, body, and what the
    server said in it (clipped)."""

    status: int
    headers: dict[str, str]
    body: str
    payload: Any
    said: str

    @classmethod
    def of(cls, status: int, headers: dict[str, str], body: str) -> Reply:
        """Parse `body` once for every rule."""
        payload = parse_json(body)
        return cls(status, headers, body, payload, _server_message(payload, body, headers))


#: Template values for the message, and fields for the error's constructor.
Extra = tuple[dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """One row of the failure table: the replies it takes, the error it makes, the message.

    `statuses` None takes any status; `when` None takes any body. `message` is a template
    over `{status}`, `{said}` and the words `extra` adds (which also gives the error's own
    fields: categories, details, retry_after).
    """

    statuses: Container[int] | None
    error: type[errors.APIStatusError]
    message: str
    when: Callable[[Reply], bool] | None = None
    extra: Callable[[Reply], Extra] | None = None

    def takes(self, reply: Reply) -> bool:
        """True when this rule explains `reply`."""
        if self.statuses is not None and reply.status not in self.statuses:
            return False
        return self.when is None or self.when(reply)

    def build(self, reply: Reply) -> errors.APIStatusError:
        """The error for `reply`, with its message filled in."""
        words, fields = self.extra(reply) if self.extra is not None else ({}, {})
        return self.error(
            self.message.format(status=reply.status, said=reply.said, **words),
            status_code=reply.status,
            body=reply.body,
            request_id=request_id_from(reply.headers),
            headers=reply.headers,
            **fields,
        )


def _asks_for_auth_header(reply: Reply) -> bool:
    return any(hint in reply.said.lower() for hint in _AUTH_HEADER_HINTS)


def _is_content_filter(reply: Reply) -> bool:
    return _error_code(reply.payload) == "content_filter"


def _names_extra_parameters(reply: Reply) -> bool:
    said = reply.said.lower()
    return "extra parameters" in said or "extra_parameters" in said


def _filtered(reply: Reply) -> Extra:
    categories = content_filter_categories(reply.payload)
    return {"flagged": _describe(categories)}, {"categories": categories, "where": "prompt"}


def _invalid(reply: Reply) -> Extra:
    details = validation_details(reply.payload)
    return {"shown": "; ".join(details) or reply.said}, {"details": details}


def _redirected(reply: Reply) -> Extra:
    location = clip(reply.headers.get("location", ""))
    return {"where": f"to {location}" if location else "elsewhere"}, {"location": location}


def _limited(reply: Reply) -> Extra:
    retry_after = retry_after_seconds(reply.headers, reply.said)
    when = f"in {retry_after:g} s" if retry_after is not None else "in a few seconds"
    return {"when": when}, {"retry_after": retry_after}


_CHECK_KEY = "Check the key in the sidebar and that it belongs to this endpoint."
_FAILED = "The endpoint failed ({status}: {said}). "

#: The failure table, walked in order: the first rule that takes a reply makes its error.
RULES: tuple[Rule, ...] = (
    Rule(
        range(300, 400),
        errors.RedirectError,
        "The endpoint redirected the request {where} ({status}). The playground does not "
        "follow redirects, so neither the key nor the body went there: put the endpoint's own "
        "URL in the sidebar.",
        extra=_redirected,
    ),
    Rule(
        {400},
        errors.AuthenticationError,
        "The endpoint wants the key in an Authorization header ({status}: {said}). "
        "Set the auth style to 'Bearer' or bare 'Authorization' in the sidebar.",
        when=_asks_for_auth_header,
    ),
    Rule(
        {400},
        errors.ContentFilterError,
        "Azure AI content safety blocked the prompt{flagged}. "
        "Rephrase the prompt and send it again.",
        when=_is_content_filter,
        extra=_filtered,
    ),
    Rule(
        {400},
        errors.ExtraParametersError,
        "The endpoint rejected parameters outside its API: {said} Remove them, or set "
        "extra-parameters to 'pass-through' (or 'drop') in the request headers.",
        when=_names_extra_parameters,
    ),
    Rule(
        {401},
        errors.AuthenticationError,
        "The endpoint rejected the key ({status}: {said}). " + _CHECK_KEY,
    ),
    Rule(
        {403},
        errors.AuthenticationError,
        "The endpoint refused this key access ({status}: {said}). " + _CHECK_KEY,
    ),
    Rule(
        {404},
        errors.NotFoundError,
        "The endpoint has no such route ({status}: {said}). Check the URL and that this "
        "model serves the route (chat vs text completions).",
    ),
    Rule(
        {408},
        errors.RequestTimeoutError,
        "The endpoint timed out the request ({status}: {said}). Try again, or ask for "
        "fewer tokens.",
    ),
    Rule(
        {422},
        errors.ValidationError,
        "The model does not accept a parameter value ({status}: {shown}). Change or "
        "remove it and send again.",
        extra=_invalid,
    ),
    Rule(
        {429},
        errors.RateLimitError,
        "The endpoint's rate limit was reached ({status}: {said}). Retry {when}.",
        extra=_limited,
    ),
    Rule(
        {503},
        errors.ServerError,
        _FAILED + "The endpoint is overloaded or starting; retry in a few seconds.",
    ),
    Rule(
        range(500, 1000),
        errors.ServerError,
        _FAILED + "Retry later; if it persists, check the deployment's health in Azure.",
    ),
    Rule(
        None,
        errors.BadRequestError,
        "The endpoint refused the request ({status}: {said}). Check the body and headers.",
    ),
)


def rule_for(reply: Reply) -> Rule:
    """The first rule in `RULES` that takes `reply` (the last one takes every reply)."""
    return next(rule for rule in RULES if rule.takes(reply))


def error_from_response(status: int, headers: dict[str, str], body: str) -> errors.APIStatusError:
    """Map an error status with its (lower-cased) headers and body text to an exception."""
    reply = Reply.of(status, headers, body)
    return rule_for(reply).build(reply)


def stream_problem(reason: str, detail: str, partial_text: str) -> errors.InterruptedStreamError:
    """An InterruptedStreamError for a stream that is well framed but wrong in content."""
    return errors.InterruptedStreamError(
        f"{detail}{partial_note(partial_text)}", partial_text=partial_text, reason=reason
    )


def error_event(data: str, partial_text: str) -> errors.InterruptedStreamError:
    """The stream carried an error (an `event: error`, or a chunk with only `error`)."""
    payload = parse_json(data)
    error = payload.get("error") if isinstance(payload, dict) else None
    status = error.get("status") or error.get("code") if isinstance(error, dict) else None
    said = _server_message(payload, data, {})
    detail = f"{status}: {said}" if status else said
    return stream_problem(
        "error-event", f"The endpoint reported an error mid-stream ({detail}).", partial_text
    )


def content_filter_categories(payload: Any) -> tuple[errors.FilterCategory, ...]:
    """Categories from `innererror.content_filter_result` or `content_filter_results`."""
    error = payload.get("error", payload) if isinstance(payload, dict) else {}
    if not isinstance(error, dict):
        return ()
    inner = error.get("innererror") or {}
    results = (
        (inner.get("content_filter_result") if isinstance(inner, dict) else None)
        or error.get("content_filter_results")
        or error.get("content_filter_result")
        or {}
    )
    if not isinstance(results, dict):
        return ()
    found = []
    for name, verdict in results.items():
        if isinstance(verdict, dict) and "severity" in verdict:
            found.append(
                errors.FilterCategory(
                    name=name.replace("-", "_"),
                    filtered=bool(verdict.get("filtered")),
                    severity=str(verdict.get("severity")),
                )
            )
    return tuple(found)


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


def _server_message(payload: Any, body: str, headers: dict[str, str]) -> str:
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


def _error_code(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    source = error if isinstance(error, dict) else payload
    code = source.get("code")
    return str(code) if code is not None else None


def _describe(categories: tuple[errors.FilterCategory, ...]) -> str:
    flagged = [f"{c.name} ({c.severity})" for c in categories if c.filtered]
    return f": {', '.join(flagged)}" if flagged else ""


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
