"""How one HTTP exchange is shown: the Request Builder's response (live while it arrives, then
status, timings, reply, events, body, headers and the request as sent), and its parts, which
other pages use too: the event log, the headers table, the request view, code to copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING

import streamlit as st

from core import ContentFilterError, Exchange, FilterResults, RequestSpec, TimedEvent, exports
from core.annotations import completion_results
from core.event_summary import summarize
from core.reply import ReplyStatus
from ui import follow, safe_text, service_views, widgets

if TYPE_CHECKING:  # ui.request_builder imports this module
    from ui.request_builder import Entry

LOG_LIMIT = 500  # newest events drawn in an event log
LOG_LINE_LIMIT = 2_000  # characters of one event drawn in the log
LIVE_LINES = 40  # newest events shown while streaming; the full log follows at the end
CODE_TABS = {
    "curl": "curl",
    "requests": "Python requests",
    "urllib": "Python urllib",
    "openai": "Python openai SDK",
}


# The Request Builder's response ---------------------------------------------------------


def response(entry: Entry) -> None:
    """The entry's response: the live view while it arrives, then everything about it."""
    if entry.reply.live:
        live_view(entry)
    else:
        response_panel(entry)


def live_view(entry: Entry) -> None:
    """What has arrived so far: the newest events and the text (the follower adds Stop and
    the retry countdown below)."""
    reply, exchange = entry.reply, entry.exchange
    if reply.status == ReplyStatus.RETRYING:
        st.caption("Waiting to send it again…")
    elif exchange is None:
        st.caption("Waiting for the response headers…")
    elif entry.text_from != "stream":
        st.caption(f"{safe_text.literal(status_text(exchange))}: reading the body…")
    else:
        st.caption(f"Streaming… {len(exchange.events)} events so far")
        event_log(exchange.events, live=True, last=LIVE_LINES)
        text, note = widgets.clipped(reply.text)
        st.markdown(safe_text.markdown(text))
        widgets.clip_note(note, "The whole reply will be in the download.")


def response_panel(entry: Entry) -> None:
    """Everything about one sent request: status, timings, error, reply, body, headers."""
    reply, exchange = entry.reply, entry.exchange
    if reply.status == ReplyStatus.STOPPED:
        st.warning("Stopped by you: below is what had arrived.", icon=":material/stop_circle:")
    for problem in entry.header_problems:
        st.warning(problem)
    if reply.error is not None:
        widgets.error_box(reply.error)
    follow.retries_note(reply)
    if exchange is None:
        return
    size = str(len(exchange.events)) if exchange.is_stream else widgets.size_text(exchange.body)
    # The status alone on its row: beside three others, "503 Service Unavailable" was cut.
    widgets.metrics_row({"Status": safe_text.literal(status_text(exchange))})
    widgets.metrics_row(
        {
            "First byte": widgets.seconds(exchange.time_to_first_byte),
            "Total": widgets.seconds(exchange.elapsed),
            "Events" if exchange.is_stream else "Body": size,
        }
    )
    called_out_headers(exchange)
    service_views.service_line(exchange.service)
    verdicts = filter_results(entry)
    names = ["Reply"] if entry.text_from else []
    names += ["Content filter"] if verdicts else []
    names += ["Events"] if exchange.is_stream else []
    names += ["Body", "Headers", "Request sent"]
    tabs = dict(zip(names, st.tabs(names), strict=True))
    if "Reply" in tabs:
        with tabs["Reply"]:
            _reply(entry)
    if "Content filter" in tabs:
        with tabs["Content filter"]:
            st.caption("Azure's content filter, per category: on the prompt, and on the reply.")
            service_views.filter_panel(verdicts)
    if "Events" in tabs:
        with tabs["Events"]:
            st.caption("Each event with its arrival time after the request was sent.")
            event_log(exchange.events)
    with tabs["Body"]:
        body_view(exchange, download_key="btn_rb_download_body")
    with tabs["Headers"]:
        headers_table(exchange.headers)
    with tabs["Request sent"]:
        request_view(exchange)


def filter_results(entry: Entry) -> FilterResults:
    """The content filter's verdicts on the entry: the reply's annotations (or those of a
    JSON body the page did not read as a completion), with those of the error when the
    filter blocked the prompt or cut the reply."""
    found = entry.reply.annotations
    exchange = entry.exchange
    if not found and exchange is not None and isinstance(exchange.json, dict):
        found = completion_results(exchange.json)
    error = entry.reply.error
    if isinstance(error, ContentFilterError) and error.categories:
        if error.where == "prompt":
            return FilterResults(error.categories, found.completion)
        return FilterResults(found.prompt, error.categories)
    return found


def _reply(entry: Entry) -> None:
    reply = entry.reply
    shown, note = widgets.clipped(reply.text)
    with st.container(border=True):
        st.markdown(safe_text.markdown(shown) or "_(no text)_")
    if reply.status != ReplyStatus.STOPPED:  # the warning above says so already
        follow.ending_note(reply)
    widgets.clip_note(note, "The Body tab's download holds the whole response.")
    widgets.replacement_note(reply.text)
    streamed = entry.text_from == "stream"
    if streamed and reply.status == ReplyStatus.DONE:
        widgets.stream_end_note(reply.events, reply.finish_reason)
    finish = safe_text.literal(reply.finish_reason or "—")
    line = (
        f"finish reason **{finish}** · usage {safe_text.literal(widgets.usage_text(reply.usage))}"
    )
    if streamed:
        line += f" · first token {widgets.seconds(reply.time_to_first_token)}"
    st.markdown(line)


# The parts ------------------------------------------------------------------------------


def status_text(exchange: Exchange) -> str:
    """`200 OK`, `400 Bad Request` (the standard phrase when the server gave none), or
    `no response` when none arrived."""
    if exchange.status is None:
        return "no response"
    reason = exchange.reason
    if not reason.strip():
        with contextlib.suppress(ValueError):
            reason = HTTPStatus(exchange.status).phrase
    return f"{exchange.status} {reason}".strip()


def event_log_text(events: Sequence[TimedEvent], *, last: int | None = None) -> str:
    """Events one per line with arrival times; `last` keeps only the newest lines."""
    shown = events[-last:] if last else events
    skipped = len(events) - len(shown)
    lines = [f"… {skipped} earlier events"] if skipped else []
    for event in shown:
        name = "" if event.event == "message" else f"event: {event.event}  "
        data = event.data
        if len(data) > LOG_LINE_LIMIT:
            data = f"{data[:LOG_LINE_LIMIT]} … ({len(event.data):,} characters)"
        lines.append(f"+{event.at:7.3f} s  {name}data: {data}")
    return "\n".join(lines) or "(no events)"


def event_log(events: Sequence[TimedEvent], *, live: bool = False, last: int = LOG_LIMIT) -> None:
    """The SSE events, readable: a table of the newest `last` (arrival time, kind, the text
    each adds, finish reason), then the raw `data:` lines on demand, one line each or
    wrapped. No widget here: a drawing may be redrawn within one run (the stream follower),
    where a widget key would be drawn twice. `live`: the table only (redrawn many times a
    second)."""
    shown = events[-last:]
    rows = [summarize(event) for event in shown]
    if len(events) > len(shown):
        st.caption(f"The newest {len(shown)} of {len(events)} events.")
    st.dataframe(
        {
            "arrived": [f"+{row.at:.3f} s" for row in rows],
            "kind": [row.kind for row in rows],
            "text": [row.text for row in rows],
            "finish reason": [row.finish_reason for row in rows],
        },
        hide_index=True,
        height=min(320, 38 + 35 * max(1, len(rows))),
        width="stretch",
    )
    if live:
        return
    with st.expander("Raw JSON", icon=":material/data_object:"):
        text = event_log_text(events, last=last)
        one_line, wrapped = st.tabs(["One line each", "Wrapped"])
        one_line.code(text, language=None, height=320)
        wrapped.code(text, language=None, height=320, wrap_lines=True)


def headers_table(headers: Mapping[str, str]) -> None:
    """Headers as a plain two-column table (cells as written: st.table reads Markdown)."""
    st.table(
        {
            "header": [safe_text.literal(name) for name in headers],
            "value": [safe_text.literal(value) for value in headers.values()],
        },
        hide_index=True,
        border="horizontal",
    )


def called_out_headers(exchange: Exchange) -> None:
    """The request id and date, which the notebooks advise quoting when debugging."""
    found = {"Request id": exchange.request_id, "Date": exchange.headers.get("date")}
    shown = [f"{name} {safe_text.code(value)}" for name, value in found.items() if value]
    if shown:
        st.caption(" · ".join(shown) + " — quote these when asking for support.")


def body_view(exchange: Exchange, *, download_key: str) -> None:
    """The response body: pretty JSON when it parses, raw text always (clipped when long),
    and a download of the whole body."""
    raw, note = widgets.clipped(exchange.body)
    payload = exchange.json if not note else None
    if payload is not None:
        st.json(payload, expanded=2)
    raw = raw or "(empty body)"
    with st.expander("Raw body", expanded=payload is None):
        language = "json" if payload is not None else None
        st.code(raw, language=language, wrap_lines=True, height=min(400, 60 + 20 * raw.count("\n")))
    widgets.clip_note(note, "The download below holds the whole body.")
    widgets.replacement_note(exchange.body)
    st.download_button(
        f"Download the raw body ({widgets.size_text(exchange.body)})",
        exchange.body,
        file_name="response-body.txt",
        mime="text/plain",
        key=download_key,
        icon=":material/download:",
        on_click="ignore",
        disabled=not exchange.body,
    )


def request_view(exchange: Exchange) -> None:
    """What was sent, key redacted."""
    request = exchange.request
    st.code(f"{request.method} {request.url}", language=None, wrap_lines=True)
    headers_table(request.headers)
    body, note = widgets.clipped(request.body)
    sent = request.json() if not note else None
    if sent is not None:
        st.json(sent, expanded=2)
    elif body:
        st.code(body, language=None, wrap_lines=True)
    widgets.clip_note(note, "")


def code_tabs(
    spec: RequestSpec, key: str, *, widget_key: str, entra: bool = False, entra_scope: str = ""
) -> None:
    """The request as curl, Python `requests` and `urllib`, and the openai SDK where it speaks
    the surface (`core.exports`). The key is read from the environment unless ticked in; an
    Entra token is never written out: the code gets its own (`entra_scope`: the scope picked
    for this machine's login, else the surface's usual one)."""
    if entra:
        st.caption(
            ":material/lock: Microsoft Entra ID: the openai SDK form gets a token from "
            "azure-identity (`DefaultAzureCredential`), the others read it from "
            f"`{spec.key_env}`. A token is never written into the code."
        )
        if entra_scope and spec.sdk is not None and spec.sdk.entra_scope:
            spec = dataclasses.replace(
                spec, sdk=dataclasses.replace(spec.sdk, entra_scope=entra_scope)
            )
    include = not entra and st.checkbox(
        "Include the key in the code",
        key=widget_key,
        help=f"Off: the code reads the key from the {spec.key_env} environment variable.",
    )
    shown_key = key if include and not spec.hosts_key else None
    if include and shown_key is None:
        st.info(
            f"The host's key stays on the server: the code reads the key from ${spec.key_env}. "
            "Set it to your own key.",
            icon=":material/key_off:",
        )
    elif include:
        st.warning("The code below contains your key: do not paste it anywhere public.")
    forms = exports(spec, shown_key)
    tabs = st.tabs([CODE_TABS.get(name, name) for name in forms])
    for tab, (name, code) in zip(tabs, forms.items(), strict=True):
        tab.code(code, language="bash" if name == "curl" else "python", wrap_lines=name == "curl")
