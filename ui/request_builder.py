"""Request Builder: the draft in the editor, sending it, and the history of what was sent.

Widget keys start with `rb_` and use `persist_state="session"`, so they survive page switches;
the history is `rb_history`, a list of `Entry`, newest last. Sending runs in a worker thread
under the stream key `rb` (`ui.follow`; its Stop is `btn_rb_stop`, its Cancel retry
`btn_rb_cancel_retry`): `Send` opens the request, retries a 429 or 503 as the sidebar says,
and reads a stream's text as it arrives. An entry goes into the history before anything is
sent, so a Stop keeps what had arrived. The response views are in `ui/exchange_views.py`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
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
    RetryPolicy,
    completion_from_json,
    is_auto_retried,
    parse_body_text,
)
from core.client import MAX_REQUEST_BYTES
from core.headers import Pairs, parse_headers
from core.live import RetryHooks, TextStreamSource, unexpected_error
from core.reply import Reply, ReplyStatus, RequestRecord
from core.starters import DEFAULT, STARTERS
from ui import builder_body, follow, safe_text, session_settings, widgets
from ui import exchange_views as views

KEY = "rb"  # the stream key, and the prefix of its Stop and Cancel retry widget keys
ROUTES = {
    "chat": "Chat completions",
    "text": "Text completions",
    "info": "Model info",
    "custom": "Custom path",
}
TEXT_ROUTES = ("chat", "text")  # a JSON answer on these is read as a completion
METHODS = ("POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BODILESS = ("GET", "HEAD", "OPTIONS", "DELETE")
FROM_SIDEBAR = "Chat with the sidebar's system prompt and parameters"
AS_SIDEBAR = "as in the sidebar"  # the header pickers' first choice: no override
AUTH_CHOICES = (AS_SIDEBAR, *AuthStyle)
EXTRA_CHOICES = (AS_SIDEBAR, *ExtraParameters)
MAX_HISTORY = 50
RETRIED_STATUSES = (429, 503)  # read and handed to the retry loop; see `Send`


@dataclass(frozen=True)
class Draft:
    """What the editor holds: enough to send the request again."""

    route: str = DEFAULT.route
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
    """One sent request: its draft, its reply (text, status, error, retries, numbers) and the
    exchange as the endpoint answered it (the last attempt's, once its headers arrived)."""

    draft: Draft
    path: str
    sent_at: str
    reply: Reply = field(default_factory=Reply)
    exchange: Exchange | None = None
    header_problems: tuple[str, ...] = ()
    text_from: str = ""  # "stream" or "completion": where `reply.text` came from; "" if none
    words: str = ""  # the first words of the prompt sent ("" for none)
    model: str = ""  # the body's `model`, else the sidebar's deployment ("" for none)

    def describe(self) -> str:
        """What the request was, for its history row: the prompt's first words, the model,
        the method and path (Markdown, the words and model shown as written)."""
        said = [f"“{self.words}”"] if self.words else []
        said += [self.model] if self.model else []
        where = safe_text.code(f"{self.draft.method} {self.path}")
        return " · ".join([safe_text.literal(part) for part in said] + [where])


# State ----------------------------------------------------------------------------------


def init_state() -> None:
    """First visit: the default starter in the editor."""
    if "rb_body" not in st.session_state:
        Draft(body=_pretty(DEFAULT.body)).to_state()
        st.session_state["rb_starter"] = None


def overrides() -> dict[str, Any]:
    """The header pickers' choices as `session_settings.client` overrides (None: the
    sidebar's)."""
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
        settings = session_settings.resolve()  # a callback runs before this run's settings
        active = session_settings.client(settings=settings)
        params = session_settings.request_params(active, settings) if active else {}
        body = {"messages": settings.with_system_prompt([{"role": "user", "content": "Hello!"}])}
        state["rb_route"], state["rb_body"] = "chat", _pretty({**body, **params})
    else:
        for starter in STARTERS:
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
    return [s.label for s in STARTERS] + [FROM_SIDEBAR]


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
    headers, _ = parse_headers(draft.headers)
    body = builder_body.filled(active, draft.route, draft.body)[0] if draft.sends_body else None
    return active.export_spec(draft.method, path, headers=dict(headers), body=body)


def headers_preview(active: Client, draft: Draft, path: str) -> dict[str, str]:
    """The headers the draft will send, the key shown as `***`."""
    spec = export(active, draft, path)
    shown = dict(spec.headers)
    if spec.auth_header:
        shown[spec.auth_header] = f"{spec.auth_prefix}***"
    return shown


def _pretty(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)


# Sending --------------------------------------------------------------------------------


def send(active: Client, draft: Draft, path: str, policy: RetryPolicy | None) -> Entry:
    """Record the draft in the history and start sending it (show it with `slot`).

    A 429 or 503 is retried per `policy`, counting down on the page; once a response with
    another status starts, nothing is sent again. A send still running is stopped first.
    """
    headers, problems = parse_headers(draft.headers)
    body = builder_body.filled(active, draft.route, draft.body)[0] if draft.sends_body else None
    entry = Entry(draft, path, time.strftime("%H:%M:%S"), header_problems=problems)
    entry.words, model = builder_body.summary(body or "")
    entry.model = model or active.endpoint.deployment
    entries = history()
    entries.append(entry)
    del entries[:-MAX_HISTORY]
    st.session_state["rb_selected"] = len(entries) - 1
    follow.start(KEY, entry.reply, Send(entry, active, headers, body), policy)
    return entry


class Send:
    """One Builder request as a `core.live.Source`, run in the stream's worker thread.

    Any method, route and body: a stream's text arrives piece by piece (through a
    `TextStreamSource` once its headers are in), a JSON completion's text as one piece, and
    any other answer is read whole. The entry gets each attempt's exchange as it arrives.
    """

    def __init__(self, entry: Entry, active: Client, headers: Pairs, body: str | None) -> None:
        self.entry = entry
        self._client = active
        self._headers = dict(headers)
        self._body = body  # as `builder_body.filled` completes the editor's
        self._raw: RawResponse | None = None
        self._text: TextStreamSource | None = None
        self._completion: Completion | None = None

    def open(self, hooks: RetryHooks) -> Iterator[str]:
        """Send (retrying a 429/503 through `hooks`); then the text, as it arrives."""
        raw = hooks.call(self._start)
        if raw.ok and raw.exchange.is_stream:
            self.entry.text_from = "stream"
            self._text = TextStreamSource(raw.text_stream)
            # The response is open already: `hooks` has nothing left to retry here.
            return self._text.open(hooks)
        exchange = raw.read()
        if exchange.error is not None:
            raise exchange.error
        if self.entry.draft.route not in TEXT_ROUTES:
            return iter(())
        completion = completion_from_json(exchange.json, exchange)  # raises when it is none
        self.entry.text_from, self._completion = "completion", completion
        return iter([completion.text])

    def _start(self) -> RawResponse:
        """One attempt, up to the response headers; a 429/503 is read and raised for retry."""
        entry = self.entry
        entry.exchange = None
        self._raw = raw = self._client.open(
            entry.draft.method, entry.path, headers=self._headers, body=self._body
        )
        entry.exchange = raw.exchange
        if raw.exchange.status in RETRIED_STATUSES:
            error = raw.read().error  # a short error body; its error decides whether to retry
            if error is not None and is_auto_retried(error):
                raise error
        return raw

    def describe(self, reply: Reply) -> None:
        """The request as sent and, for a stream, its events and numbers; for a completion,
        its finish reason and usage."""
        if self._text is not None:
            self._text.describe(reply)
            return
        exchange = self.entry.exchange
        if exchange is None:
            return
        reply.request = RequestRecord(exchange.request.body, sent=exchange.request)
        reply.elapsed = exchange.elapsed
        reply.service = exchange.service
        if self._completion is not None:
            reply.finish_reason = self._completion.finish_reason
            reply.usage = self._completion.usage
            reply.annotations = self._completion.annotations

    def close(self) -> None:
        """Wake a read blocked in the worker: the stream's, or the body's."""
        if self._text is not None:
            self._text.close()
        elif self._raw is not None:
            self._raw.close()

    def error(self, exc: Exception, text: str) -> EndpointError:
        """Only `core` errors are expected here; anything else is named, not shown."""
        return unexpected_error(exc)


# Drawing --------------------------------------------------------------------------------


def slot(entry: Entry) -> follow.Slot:
    """The entry's response, live while it arrives, then in full; pass it to `follow.follow`."""
    return follow.slot(KEY, entry.reply, lambda reply: views.response(entry))


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
        status = views.status_text(exchange) if exchange else "not sent"
        if entry.reply.status in (ReplyStatus.STOPPED, ReplyStatus.STREAMING):
            status += f" ({entry.reply.status})"
        elapsed = widgets.seconds(exchange.elapsed) if exchange else "—"
        marker = " ◀ shown" if index == current else ""
        when, what, result, button = st.columns([1.2, 5, 2.5, 1.3], vertical_alignment="center")
        when.caption(entry.sent_at)
        what.markdown(entry.describe() + marker)
        result.markdown(f"{_status_badge(exchange)} {safe_text.literal(status)} · {elapsed}")
        button.button("Load", key=f"btn_rb_load_{index}", on_click=on_load, args=(index,))


def _status_badge(exchange: Exchange | None) -> str:
    status = exchange.status if exchange else None
    if status is None:
        return ":gray[●]"
    return ":green[●]" if 200 <= status < 300 else ":orange[●]" if status < 500 else ":red[●]"
