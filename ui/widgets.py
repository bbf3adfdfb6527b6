"""Widgets every page shares: error box, metrics row, code tabs, event log, exchange views."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from core import (
    APIStatusError,
    ContentFilterError,
    EndpointError,
    Exchange,
    FilterCategory,
    InterruptedStreamError,
    RateLimitError,
    RequestSpec,
    TimedEvent,
    to_curl,
    to_requests,
    to_urllib,
)


def seconds(value: float | None) -> str:
    """A duration for people: `85 ms`, `1.24 s`, or an em dash when unknown."""
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def error_box(error: EndpointError) -> None:
    """The error in words, plus what it carries: filter categories, retry time, request id."""
    icon = ":material/shield:" if isinstance(error, ContentFilterError) else ":material/error:"
    st.error(str(error), icon=icon)
    if isinstance(error, ContentFilterError) and error.categories:
        st.markdown("Content safety verdicts: " + " ".join(map(_verdict, error.categories)))
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        st.caption(f"The endpoint asks to wait {error.retry_after:g} s before the next request.")
    if isinstance(error, APIStatusError) and error.request_id:
        st.caption(f"Request id `{error.request_id}`: quote it when asking for support.")


def _verdict(category: FilterCategory) -> str:
    """A badge such as `violence: high (blocked)`; red when it blocked the request."""
    label = f"{category.name.replace('_', ' ')}: {category.severity}"
    label = re.sub(r"[^\w :.-]", "", label) + (" (blocked)" if category.filtered else "")
    return f":{'red' if category.filtered else 'gray'}-badge[{label}]"


def metrics_row(metrics: Mapping[str, str]) -> None:
    """One bordered metric per entry, side by side."""
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
        column.metric(label, value, border=True)


def status_text(exchange: Exchange) -> str:
    """`200 OK`, or `no response` when none arrived."""
    if exchange.status is None:
        return "no response"
    return f"{exchange.status} {exchange.reason}".strip()


def usage_text(usage: Mapping[str, Any]) -> str:
    """`12 in → 40 out (52 total)` from an OpenAI-style usage object."""
    if not usage:
        return "not reported"
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    total = usage.get("total_tokens")
    return f"{prompt} in → {completion} out" + (f" ({total} total)" if total else "")


def event_log_text(events: Sequence[TimedEvent], *, last: int | None = None) -> str:
    """Events one per line with arrival times; `last` keeps only the newest lines."""
    shown = events[-last:] if last else events
    skipped = len(events) - len(shown)
    lines = [f"… {skipped} earlier events"] if skipped else []
    for event in shown:
        name = "" if event.event == "message" else f"event: {event.event}  "
        lines.append(f"+{event.at:7.3f} s  {name}data: {event.data}")
    return "\n".join(lines) or "(no events)"


def event_log(events: Sequence[TimedEvent], *, last: int | None = None) -> None:
    """The SSE event log as a scrolling code block."""
    # One line per event, scrolled sideways: the arrival times stay in one column.
    st.code(event_log_text(events, last=last), language=None, height=320)


def headers_table(headers: Mapping[str, str]) -> None:
    """Headers as a plain two-column table."""
    st.table(
        {"header": list(headers), "value": list(headers.values())},
        hide_index=True,
        border="horizontal",
    )


def called_out_headers(exchange: Exchange) -> None:
    """The request id and date, which the notebooks advise quoting when debugging."""
    found = {"Request id": exchange.request_id, "Date": exchange.headers.get("date")}
    shown = [f"{name} `{value}`" for name, value in found.items() if value]
    if shown:
        st.caption(" · ".join(shown) + " — quote these when asking for support.")


def body_view(exchange: Exchange) -> None:
    """The response body: pretty JSON when it parses, raw text always."""
    payload = exchange.json
    if payload is not None:
        st.json(payload, expanded=2)
    raw = exchange.body or "(empty body)"
    with st.expander("Raw body", expanded=payload is None):
        language = "json" if payload is not None else None
        st.code(raw, language=language, wrap_lines=True, height=min(400, 60 + 20 * raw.count("\n")))


def request_view(exchange: Exchange) -> None:
    """What was sent, key redacted."""
    request = exchange.request
    st.code(f"{request.method} {request.url}", language=None, wrap_lines=True)
    headers_table(request.headers)
    sent = request.json()
    if sent is not None:
        st.json(sent, expanded=2)
    elif request.body:
        st.code(request.body, language=None, wrap_lines=True)


def code_tabs(spec: RequestSpec, key: str, *, widget_key: str) -> None:
    """The request as curl, Python `requests` and Python `urllib`; key hidden unless ticked."""
    include = st.checkbox(
        "Include the key in the code",
        key=widget_key,
        help="Off: the code reads the key from the AZURE_AI_CHAT_KEY environment variable.",
    )
    shown_key = key if include else None
    if include:
        st.warning("The code below contains your key: do not paste it anywhere public.")
    curl, requests_tab, urllib_tab = st.tabs(["curl", "Python requests", "Python urllib"])
    curl.code(to_curl(spec, key=shown_key), language="bash", wrap_lines=True)
    requests_tab.code(to_requests(spec, key=shown_key), language="python")
    urllib_tab.code(to_urllib(spec, key=shown_key), language="python")


def interrupted_note(error: EndpointError | None, kept: str) -> None:
    """A one-line note under a reply that did not finish normally."""
    if isinstance(error, InterruptedStreamError | ContentFilterError) and kept:
        st.caption(":material/content_cut: Interrupted: the text above is what arrived before.")
