"""The one place where HTTP statuses, error bodies and transport failures become `core` errors.

Error bodies come in several shapes (wire-format section 7): the MaaS/AOAI wrapper
`{"error": {"message", "code", "status", "innererror"}}`, FastAPI's `{"detail": ...}`,
the missing-header `{"status": "Auth token must be passed ..."}`, and `{"statusCode", "message"}`.
Each message says what happened and what to do next; callers scrub the key afterwards.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from . import errors
from .records import parse_json, request_id_from

if TYPE_CHECKING:
    import requests

_AUTH_HEADER_HINTS = ("auth token must be passed", "missing authorization", "no auth header")
_RETRY_IN_TEXT = re.compile(r"(?:try again in|retry after)\s+(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_MAX_SERVER_TEXT = 300


def error_from_response(status: int, headers: dict[str, str], body: str) -> errors.APIStatusError:
    """Map an error status with its (lower-cased) headers and body text to an exception."""
    payload = parse_json(body)
    said = _server_message(payload, body, headers)
    common: dict[str, Any] = {
        "status_code": status,
        "body": body,
        "request_id": request_id_from(headers),
        "headers": headers,
    }
    lowered = said.lower()
    if status == 400 and any(hint in lowered for hint in _AUTH_HEADER_HINTS):
        return errors.AuthenticationError(
            f"The endpoint wants the key in an Authorization header ({status}: {said}). "
            "Set the auth style to 'Bearer' or bare 'Authorization' in the sidebar.",
            **common,
        )
    if status == 400 and _error_code(payload) == "content_filter":
        categories = content_filter_categories(payload)
        return errors.ContentFilterError(
            f"Azure AI content safety blocked the prompt{_describe(categories)}. "
            "Rephrase the prompt and send it again.",
            categories=categories,
            where="prompt",
            **common,
        )
    if status == 400 and ("extra parameters" in lowered or "extra_parameters" in lowered):
        return errors.ExtraParametersError(
            f"The endpoint rejected parameters outside its API: {said} Remove them, or set "
            "extra-parameters to 'pass-through' (or 'drop') in the request headers.",
            **common,
        )
    if status in (401, 403):
        what = "rejected the key" if status == 401 else "refused this key access"
        return errors.AuthenticationError(
            f"The endpoint {what} ({status}: {said}). Check the key in the sidebar and that it "
            "belongs to this endpoint.",
            **common,
        )
    if status == 404:
        return errors.NotFoundError(
            f"The endpoint has no such route ({status}: {said}). Check the URL and that this "
            "model serves the route (chat vs text completions).",
            **common,
        )
    if status == 408:
        return errors.RequestTimeoutError(
            f"The endpoint timed out the request ({status}: {said}). Try again, or ask for "
            "fewer tokens.",
            **common,
        )
    if status == 422:
        details = validation_details(payload)
        shown = "; ".join(details) or said
        return errors.ValidationError(
            f"The model does not accept a parameter value ({status}: {shown}). Change or "
            "remove it and send again.",
            details=details,
            **common,
        )
    if status == 429:
        retry_after = retry_after_seconds(headers, said)
        when = f"in {retry_after:g} s" if retry_after is not None else "in a few seconds"
        return errors.RateLimitError(
            f"The endpoint's rate limit was reached ({status}: {said}). Retry {when}.",
            retry_after=retry_after,
            **common,
        )
    if status >= 500:
        advice = (
            "The endpoint is overloaded or starting; retry in a few seconds."
            if status == 503
            else "Retry later; if it persists, check the deployment's health in Azure."
        )
        return errors.ServerError(f"The endpoint failed ({status}: {said}). {advice}", **common)
    return errors.BadRequestError(
        f"The endpoint refused the request ({status}: {said}). Check the body and headers.",
        **common,
    )


def transport_error(
    exc: requests.RequestException, *, connect_timeout: float, read_timeout: float
) -> errors.EndpointError:
    """Map a `requests` exception raised before the response started to an exception."""
    import requests  # loaded already: `exc` came from it

    host = _host_of(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return errors.TimeoutError(
            f"Could not connect to {host} within {connect_timeout:g} s. Check the URL and your "
            "network, or raise the connect timeout."
        )
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return errors.TimeoutError(
            f"{host} accepted the request but did not start answering within {read_timeout:g} s. "
            "Try again, raise the read timeout, or ask for fewer tokens."
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return errors.ConnectError(
            f"The TLS handshake with {host} failed. Check that the URL is right and uses https."
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return errors.ConnectError(f"The proxy refused the connection to {host}.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.ConnectError(
            f"Could not reach {host}: {_reason(exc)}. Check the URL, and that the endpoint is "
            "running (for the local endpoint: `make run`)."
        )
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | requests.exceptions.InvalidHeader
        | requests.exceptions.InvalidJSONError,
    ):
        return errors.InvalidRequestError(f"The request cannot be sent: {_reason(exc)}.")
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return errors.TransportError(
            f"{host} redirected too many times. Check that the URL is the endpoint's own."
        )
    return errors.TransportError(f"The request to {host} failed: {_reason(exc)}.")


def interrupted_error(
    exc: BaseException, *, partial_text: str | None, read_timeout: float
) -> errors.InterruptedStreamError:
    """Map a failure while reading a started response body to InterruptedStreamError.

    `partial_text` None means the caller does not track text (raw calls keep the events).
    """
    kept = "" if partial_text is None else _kept(partial_text)
    partial_text = partial_text or ""
    if _is_read_timeout(exc):
        return errors.InterruptedStreamError(
            f"The stream stalled: nothing arrived for {read_timeout:g} s (read timeout).{kept}",
            partial_text=partial_text,
            reason="stall",
        )
    return errors.InterruptedStreamError(
        f"The connection broke while the reply was streaming.{kept}",
        partial_text=partial_text,
        reason="cut",
    )


def stream_problem(reason: str, detail: str, partial_text: str) -> errors.InterruptedStreamError:
    """An InterruptedStreamError for a stream that is well framed but wrong in content."""
    return errors.InterruptedStreamError(
        f"{detail}{_kept(partial_text)}", partial_text=partial_text, reason=reason
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
            return _clip(str(error["message"]))
        if isinstance(error, str):
            return _clip(error)
        for key in ("detail", "message", "status"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return _clip(value)
        if payload.get("detail"):
            return _clip(str(payload["detail"]))
    if not body.strip():
        return "empty body"
    if "html" in headers.get("content-type", "").lower() or body.lstrip().startswith("<"):
        return "an HTML page instead of JSON, likely from a gateway or proxy"
    return _clip(body.strip())


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


def _kept(partial_text: str) -> str:
    if partial_text:
        return f" The {len(partial_text)} characters received so far are kept."
    return " Nothing had been received yet."


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SERVER_TEXT else text[: _MAX_SERVER_TEXT - 1] + "…"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_read_timeout(exc: BaseException) -> bool:
    import requests
    import urllib3

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError
        ):
            return True
        nested = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        current = nested[0] if nested else current.__cause__ or current.__context__
    return False


def _host_of(exc: requests.RequestException) -> str:
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None) or ""
    import urllib3

    host = urllib3.util.parse_url(url).netloc if url else ""
    return host or "the endpoint"


def _reason(exc: BaseException) -> str:
    """A short cause without URLs' query strings; keys never travel in URLs here."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "No route to host",
        "Connection reset",
        "Temporary failure in name resolution",
        "timed out",
    ):
        if marker in text:
            return marker.lower()
    return _clip(text) or type(exc).__name__
