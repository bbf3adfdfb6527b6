"""Request Builder state: the draft in the editor, sending it live, and the history.

Widget keys start with `rb_` and use `persist_state="session"`, so they survive page switches;
the history is `rb_history`, a list of `Entry`, newest last. An entry goes into the history
before anything is sent, so a Stop or a cancelled retry (both end the run) keeps it.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core import (
    AuthStyle,
    Client,
    Completion,
    EndpointError,
    Exchange,
    ExtraParameters,
    Profile,
    RawResponse,
    RequestSpec,
    RetryCancelled,
    RetryNotice,
    TextStream,
    completion_from_json,
    is_auto_retried,
    parse_body_text,
)
from core.client import MAX_REQUEST_BYTES
from ui import settings, starters, widgets

ROUTES = {
    "chat": "Chat completions",
    "text": "Text completions",
    "info": "Model info",
    "custom": "Custom path",
}
METHODS = ("POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BODILESS = ("GET", "HEAD", "OPTIONS", "DELETE")
FROM_SIDEBAR = "Chat with the sidebar's system prompt and parameters"
AS_SIDEBAR = "as in the sidebar"  # the header pickers' first choice: no override
AUTH_CHOICES = (AS_SIDEBAR, *AuthStyle)
EXTRA_CHOICES = (AS_SIDEBAR, *ExtraParameters)
LIVE_INTERVAL = 0.1  # seconds between redraws of a live stream: smooth, yet cheap for long ones
LIVE_LINES = 40  # newest events shown while streaming; the full log follows at the end
MAX_HISTORY = 50
RETRIED_STATUSES = (429, 503)  # read and handed to the retry loop; see `send`


@dataclass(frozen=True)
class Draft:
    """What the editor holds: enough to send the request again."""

    route: str = starters.DEFAULT.route
    method: str = "POST"
    path: str = "/chat/completions"
    headers: str = ""
    body: str = ""
    auth: AuthStyle | None = None  # None: as in the sidebar
    extra: ExtraParameters | None = None

    @classmethod
    def from_state(cls) -> Draft:
        """The draft as the editor widgets show it."""
        state = st.session_state
        return cls(
            state["rb_route"],
            state["rb_method"],
            state["rb_path"],
            state["rb_headers"],
            state["rb_body"],
            _override(state["rb_auth"]),
            _override(state["rb_extra"]),
        )

    def to_state(self) -> None:
        """Put this draft into the editor (call before the widgets are drawn)."""
        state = st.session_state
        state["rb_route"], state["rb_method"], state["rb_path"] = self.route, self.method, self.path
        state["rb_headers"], state["rb_body"] = self.headers, self.body
        state["rb_auth"] = AS_SIDEBAR if self.auth is None else self.auth
        state["rb_extra"] = AS_SIDEBAR if self.extra is None else self.extra

    @property
    def sends_body(self) -> bool:
        """False for methods that carry no body here."""
        return self.method not in BODILESS and bool(self.body.strip())


@dataclass
class Entry:
    """One sent request and what came back, filled in while the response arrives."""

    draft: Draft
    path: str
    sent_at: str
    exchange: Exchange | None = None
    error: EndpointError | None = None
    stream: TextStream | None = None
    completion: Completion | None = None
    finished: bool = False
    stopped: bool = False
    header_problems: tuple[str, ...] = field(default=())
    retries: list[str] = field(default_factory=list)  # the retry notices, in order
    waiting: EndpointError | None = None  # set while waiting to retry after this error

    @property
    def reply_text(self) -> str | None:
        """The assembled text of a stream, or a completion's text."""
        if self.stream is not None:
            return self.stream.text
        return self.completion.text if self.completion is not None else None


# State ----------------------------------------------------------------------------------


def init_state() -> None:
    """First visit: the default starter in the editor; later visits: mark stopped sends."""
    if "rb_body" not in st.session_state:
        Draft(body=_pretty(starters.DEFAULT.body)).to_state()
        st.session_state["rb_starter"] = None
    for entry in history():
        if entry.finished:
            continue
        entry.finished = True  # its run was interrupted: Stop, Cancel, or another click
        if entry.waiting is not None:
            entry.error, entry.waiting = RetryCancelled(entry.waiting), None
        else:
            entry.stopped = True


def overrides() -> dict[str, Any]:
    """The header pickers' choices as `settings.client` overrides (None: the sidebar's)."""
    draft = Draft.from_state()
    return {"auth": draft.auth, "extra_parameters": draft.extra}


def _override(choice: Any) -> Any:
    return None if choice == AS_SIDEBAR else choice


def history() -> list[Entry]:
    """The session's sent requests, oldest first."""
    return st.session_state.setdefault("rb_history", [])


def selected() -> Entry | None:
    """The entry whose response is shown (the newest unless one was loaded)."""
    entries = history()
    index = st.session_state.get("rb_selected", len(entries) - 1)
    return entries[index] if 0 <= index < len(entries) else None


def route_path(active: Client, route: str, custom: str) -> str:
    """The path a route choice sends to."""
    if route == "chat":
        return active.chat_route
    if route == "text":
        return active.completions_route
    if route == "info":
        return active.profile.info_route or "/info"
    return custom.strip()


# Callbacks (run before the widgets are drawn) ---------------------------------------------


def on_route_change() -> None:
    """Info is a GET; the completion routes are POSTs."""
    state = st.session_state
    state["rb_method"] = "GET" if state["rb_route"] == "info" else "POST"


def on_starter() -> None:
    """Load the picked starter into the editor, then clear the picker."""
    state = st.session_state
    label = state["rb_starter"]
    if label == FROM_SIDEBAR:
        active = settings.client()
        params = settings.request_params(active) if active else {}
        body = {"messages": settings.with_system_prompt([{"role": "user", "content": "Hello!"}])}
        state["rb_route"], state["rb_body"] = "chat", _pretty({**body, **params})
    else:
        for starter in starters.STARTERS:
            if starter.label == label:
                state["rb_route"] = starter.route
                state["rb_body"] = _pretty(starter.body) if starter.body is not None else ""
    on_route_change()
    state["rb_starter"] = None


def on_format() -> None:
    """Re-indent the body when it is valid JSON."""
    # On invalid JSON the message under the editor already says what is wrong.
    with contextlib.suppress(EndpointError):
        st.session_state["rb_body"] = _pretty(parse_body_text(st.session_state["rb_body"]))


def on_load(index: int) -> None:
    """Put a past request back into the editor and show its response."""
    history()[index].draft.to_state()
    st.session_state["rb_selected"] = index


def starter_labels() -> list[str]:
    """The starter picker's options."""
    return [s.label for s in starters.STARTERS] + [FROM_SIDEBAR]


# Checking and exporting ------------------------------------------------------------------


def path_problem(active: Client, path: str) -> str | None:
    """Why the route or path cannot be sent, or None."""
    try:
        active.url_for(path)
    except EndpointError as exc:
        return str(exc)
    return None


def body_problems(draft: Draft, profile: Profile) -> tuple[str | None, list[str]]:
    """(error that blocks sending, warnings) for the body in the editor."""
    if not draft.sends_body:
        return None, []
    try:
        size = len(draft.body.encode("utf-8"))
    except UnicodeEncodeError:
        return "The body has characters that are not valid text (lone surrogates): retype them.", []
    if size > MAX_REQUEST_BYTES:
        return (
            f"The body is {size:,} bytes; the limit is {MAX_REQUEST_BYTES:,}. "
            "Shorten it before sending.",
            [],
        )
    try:
        payload = parse_body_text(draft.body)
    except EndpointError as exc:
        return str(exc), []
    warnings = []
    if isinstance(payload, dict):
        for param in profile.params:
            value = payload.get(param.name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and (message := param.check(value)):
                warnings.append(f"{message} The endpoint will likely refuse it.")
        if draft.route == "chat" and "messages" not in payload:
            warnings.append('A chat request needs "messages".')
        if draft.route == "text" and "prompt" not in payload:
            warnings.append('A text completion needs "prompt".')
    return None, warnings


def export(active: Client, draft: Draft, path: str) -> RequestSpec:
    """The draft as the code exporter sees it; raises EndpointError for unusable input."""
    headers, _ = settings.parse_headers(draft.headers)
    body = draft.body if draft.sends_body else None
    return active.export_spec(draft.method, path, headers=dict(headers), body=body)


def headers_preview(active: Client, draft: Draft, path: str) -> dict[str, str]:
    """The headers the draft will send, the key shown as `***`."""
    spec = export(active, draft, path)
    shown = dict(spec.headers)
    if spec.auth_header:
        shown[spec.auth_header] = f"{spec.auth_prefix}***"
    return shown


# Sending --------------------------------------------------------------------------------


def send(active: Client, draft: Draft, path: str) -> Entry:
    """Send the draft, drawing events live as they arrive, and record it in the history.

    The entry is in the history before the first byte, so a Stop (which ends this run)
    keeps whatever had arrived. A 429 or 503 is retried as the sidebar says, counting down
    on the page; once a response with another status starts, nothing is sent again.
    """
    headers, problems = settings.parse_headers(draft.headers)
    entry = Entry(draft, path, time.strftime("%H:%M:%S"), header_problems=problems)
    entries = history()
    entries.append(entry)
    del entries[:-MAX_HISTORY]
    st.session_state["rb_selected"] = len(entries) - 1
    body = draft.body if draft.sends_body else None
    stop_slot, live = st.empty(), st.empty()

    def start() -> RawResponse:
        entry.waiting = entry.exchange = None
        with st.spinner("Waiting for the response headers…"):
            raw = active.open(draft.method, path, headers=dict(headers), body=body)
        entry.exchange = raw.exchange
        if raw.exchange.status in RETRIED_STATUSES:
            error = raw.read().error  # a short error body; its error decides whether to retry
            if error is not None and is_auto_retried(error):
                raise error
        return raw

    def on_wait(notice: RetryNotice) -> None:
        entry.waiting = notice.error
        entry.retries.append(notice.message)

    try:
        raw = widgets.run_with_retries(
            start, settings.retry_policy(), key="btn_rb_cancel_retry", on_wait=on_wait
        )
    except EndpointError as exc:
        entry.error, entry.finished = exc, True
        return entry
    with raw:
        if raw.ok and raw.exchange.is_stream:
            stop_slot.button("Stop", key="btn_rb_stop", icon=":material/stop_circle:")
            _follow(raw, entry, live)
        else:
            with st.spinner("Reading the body…"):
                raw.read()
            if draft.route in ("chat", "text") and raw.ok:
                _read_completion(entry, raw.exchange)
    stop_slot.empty()
    live.empty()
    entry.error = entry.error or raw.exchange.error
    entry.finished = True
    return entry


def _follow(raw: RawResponse, entry: Entry, live: Any) -> None:
    entry.stream = stream = raw.text_stream()
    drawn = 0.0
    try:
        for _ in stream:
            if time.monotonic() - drawn >= LIVE_INTERVAL:
                _draw_live(live, stream)
                drawn = time.monotonic()
    except EndpointError as exc:
        entry.error = exc


def _draw_live(live: Any, stream: TextStream) -> None:
    text, note = widgets.clipped(stream.text)
    with live.container():
        st.caption(f"Streaming… {len(stream.events)} events so far")
        widgets.event_log(stream.events, last=LIVE_LINES)
        st.markdown(text)
        widgets.clip_note(note, "The whole reply will be in the download.")


def _read_completion(entry: Entry, exchange: Exchange) -> None:
    try:
        entry.completion = completion_from_json(exchange.json, exchange)
    except EndpointError as exc:
        entry.error = exc


def _pretty(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)


# Rendering ------------------------------------------------------------------------------


def response_panel(entry: Entry) -> None:
    """Everything about one sent request: status, timings, error, reply, body, headers."""
    exchange = entry.exchange
    if entry.stopped:
        st.warning("Stopped by you: below is what had arrived.", icon=":material/stop_circle:")
    for problem in entry.header_problems:
        st.warning(problem)
    if entry.error is not None:
        widgets.error_box(entry.error)
    if entry.retries:
        st.caption(":material/replay: Automatic retries: " + " ".join(entry.retries))
    if exchange is None:
        return
    size = str(len(exchange.events)) if exchange.is_stream else _size(exchange.body)
    widgets.metrics_row(
        {
            "Status": widgets.status_text(exchange),
            "First byte": widgets.seconds(exchange.time_to_first_byte),
            "Total": widgets.seconds(exchange.elapsed),
            "Events" if exchange.is_stream else "Body": size,
        }
    )
    widgets.called_out_headers(exchange)
    names = ["Reply"] if entry.reply_text is not None else []
    names += ["Events"] if exchange.is_stream else []
    names += ["Body", "Headers", "Request sent"]
    tabs = dict(zip(names, st.tabs(names), strict=True))
    if "Reply" in tabs:
        with tabs["Reply"]:
            _reply(entry)
    if "Events" in tabs:
        with tabs["Events"]:
            st.caption("Each `data:` line with its arrival time after the request was sent.")
            widgets.event_log(exchange.events)
    with tabs["Body"]:
        widgets.body_view(exchange, download_key="btn_rb_download_body")
    with tabs["Headers"]:
        widgets.headers_table(exchange.headers)
    with tabs["Request sent"]:
        widgets.request_view(exchange)


def _reply(entry: Entry) -> None:
    source = entry.stream if entry.stream is not None else entry.completion
    text = entry.reply_text or ""
    shown, note = widgets.clipped(text)
    with st.container(border=True):
        st.markdown(shown or "_(no text)_")
    widgets.interrupted_note(entry.error, text)
    widgets.clip_note(note, "The Body tab's download holds the whole response.")
    widgets.replacement_note(text)
    if entry.stream is not None and entry.error is None:
        widgets.stream_end_note(entry.stream.events, entry.stream.finish_reason)
    finish = getattr(source, "finish_reason", None) or "—"
    usage = getattr(source, "usage", None) or {}
    line = f"finish reason **{finish}** · usage {widgets.usage_text(usage)}"
    if entry.stream is not None:
        line += f" · first token {widgets.seconds(entry.stream.time_to_first_token)}"
    st.markdown(line)


def history_list() -> None:
    """Sent requests, newest first, each with a button that loads it back."""
    entries = history()
    if not entries:
        st.caption("Requests you send appear here; **Load** puts one back into the editor.")
        return
    current = st.session_state.get("rb_selected")
    for index in reversed(range(len(entries))):
        entry = entries[index]
        exchange = entry.exchange
        status = widgets.status_text(exchange) if exchange else "not sent"
        if entry.stopped:
            status += " (stopped)"
        elapsed = widgets.seconds(exchange.elapsed) if exchange else "—"
        marker = " ◀ shown" if index == current else ""
        when, what, result, button = st.columns([1.2, 5, 2.5, 1.3], vertical_alignment="center")
        when.caption(entry.sent_at)
        what.markdown(f"`{entry.draft.method} {entry.path}`{marker}")
        result.markdown(f"{_status_badge(exchange)} {status} · {elapsed}")
        button.button("Load", key=f"btn_rb_load_{index}", on_click=on_load, args=(index,))


def _status_badge(exchange: Exchange | None) -> str:
    status = exchange.status if exchange else None
    if status is None:
        return ":gray[●]"
    return ":green[●]" if 200 <= status < 300 else ":orange[●]" if status < 500 else ":red[●]"


def _size(body: str) -> str:
    size = len(body.encode())
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} kB"
