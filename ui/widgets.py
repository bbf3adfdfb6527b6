"""Widgets every page shares: error box, notes, metrics row, numbers for people, the retry
countdown, clipping of long text (the page shows a part, downloads hold all), and `bound`,
which ties a widget to its session state. The views of one HTTP exchange (event log, headers,
body, the request as sent, code to copy) are in `ui/exchange_views.py`."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

import streamlit as st

from core import (
    APIStatusError,
    ContentFilterError,
    EndpointError,
    FilterCategory,
    InterruptedStreamError,
    RateLimitError,
    RetryNotice,
    RetryPolicy,
    TimedEvent,
    call_with_retries,
)
from ui import extra_headers, safe_text

T = TypeVar("T")
SESSION: Final = "session"  # persist_state: a widget keeps its value across page switches
RENDER_LIMIT = 20_000  # characters of one reply or body drawn on the page; downloads keep all
RETRY_TICK = 0.25  # seconds between countdown redraws; each redraw is where Cancel can stop
# What to do next after a stream broke, by `InterruptedStreamError.reason`; core's message
# says what happened and what was kept.
NEXT_STEPS = {
    "cut": "Send it again; if it keeps happening, check the network and the endpoint's health.",
    "stall": "Raise the read timeout (sidebar → Connection) or ask for fewer tokens, "
    "then send it again.",
    "malformed": "Send it again; if it persists, something between you and the endpoint "
    "garbles the stream (the raw events show where).",
    "error-event": "Send it again; if it persists, check the endpoint's health.",
    "incomplete": "Send it again for the whole reply.",
    "empty": "Check the route and the endpoint's health, then send it again.",
}


def seconds(value: float | None) -> str:
    """A duration for people: `85 ms`, `1.24 s`, or an em dash when unknown."""
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def error_box(error: EndpointError) -> None:
    """The error in words, plus what it carries: filter categories, retry time, request id,
    and the sidebar's extra headers its request carried."""
    icon = ":material/shield:" if isinstance(error, ContentFilterError) else ":material/error:"
    words = (str(error), next_step(error), extra_headers.error_note(error))
    # The message quotes the server's words: shown as written, never as Markdown.
    st.error(safe_text.literal(" ".join(filter(None, words))), icon=icon)
    if isinstance(error, ContentFilterError) and error.categories:
        st.markdown("Content safety verdicts: " + " ".join(map(_verdict, error.categories)))
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        st.caption(f"The endpoint asks to wait {error.retry_after:g} s before the next request.")
    if isinstance(error, APIStatusError) and error.request_id:
        shown = safe_text.code(error.request_id)
        st.caption(f"Request id {shown}: quote it when asking for support.")


def next_step(error: EndpointError) -> str:
    """The next step for errors whose message only says what happened ("" for the rest)."""
    if isinstance(error, InterruptedStreamError):
        return NEXT_STEPS.get(error.reason, "")
    return ""


def stream_end_note(events: Sequence[TimedEvent], finish_reason: str | None) -> None:
    """Say so when a stream that ended cleanly lacked `data: [DONE]` or a finish reason."""
    if not events:
        return
    if finish_reason and events[-1].data != "[DONE]":
        st.caption(
            f"The stream ended without `data: [DONE]`, after the model finished (finish "
            f"reason {safe_text.literal(finish_reason)}): the reply is complete."
        )
    elif not finish_reason and events[-1].data == "[DONE]":
        st.caption(
            "The stream ended with `data: [DONE]` but no chunk gave a finish reason (nor "
            "usage): the reply is likely whole, but the endpoint did not say why it stopped."
        )


def _verdict(category: FilterCategory) -> str:
    """A badge such as `violence: high (blocked)`; red when it blocked the request."""
    label = f"{category.name.replace('_', ' ')}: {category.level}"  # a detector: "detected"
    label = re.sub(r"[^\w :.-]", "", label) + (" (blocked)" if category.filtered else "")
    return f":{'red' if category.filtered else 'gray'}-badge[{label}]"


class RetryCountdown:
    """The visible, cancellable wait between retries of a 429 or 503, drawn where it is made.

    Give `on_retry` and `sleep` to `core.call_with_retries` (or to the LangChain adapter's
    `on_retry` / `retry_sleep`); `run_with_retries` below does that for a plain call. Each wait
    counts down ("Rate limited (429): retrying in 2 s (1 of 3).") beside a Cancel button
    (widget key `key`). Cancel, like any click, makes Streamlit rerun the page, which ends
    this run during the wait: `on_wait` is told before each wait, so the caller can record it
    in `st.session_state` and the next run can say the retry was cancelled.
    """

    def __init__(self, *, key: str, on_wait: Callable[[RetryNotice], None] | None = None):
        self.key = key
        self.on_wait = on_wait
        self.notices: list[RetryNotice] = []
        self._status, self._cancel = st.empty(), st.empty()

    def on_retry(self, notice: RetryNotice) -> None:
        """Record the notice, tell the caller, and show the Cancel button (once)."""
        if self.on_wait is not None:
            self.on_wait(notice)
        if not self.notices:
            self._cancel.button("Cancel retry", key=self.key, icon=":material/cancel:")
        self.notices.append(notice)

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`, redrawing the countdown; each redraw is where a Cancel lands."""
        end = time.monotonic() + seconds
        last = self.notices[-1] if self.notices else None
        while (left := end - time.monotonic()) > 0:
            if last is not None:
                notice = dataclasses.replace(last, wait=math.ceil(left))
                self._status.info(notice.message, icon=":material/hourglass_top:")
            time.sleep(min(RETRY_TICK, left))
        if last is not None:
            self._status.caption(f"Retrying ({last.retry} of {last.of})…")

    def clear(self) -> None:
        """Remove the countdown and the button."""
        self._status.empty()
        self._cancel.empty()


def run_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy | None,
    *,
    key: str,
    on_wait: Callable[[RetryNotice], None] | None = None,
) -> T:
    """Run `call` (the start of a request), retrying 429/503 per `policy` with a visible,
    cancellable countdown (see `RetryCountdown`; `key` is its Cancel button's widget key).

    `policy` None (retries off in the sidebar) calls once. Raises what `call` raised last.
    Put only the start of a request in `call` (up to its first byte), never the reading of a
    stream: text that has arrived must not be asked for again.
    """
    if policy is None:
        return call()
    countdown = RetryCountdown(key=key, on_wait=on_wait)
    try:
        result = call_with_retries(call, policy, on_retry=countdown.on_retry, sleep=countdown.sleep)
    except EndpointError:
        countdown.clear()
        raise
    countdown.clear()
    return result


def size_text(text: str) -> str:
    """The UTF-8 size of `text` for people: `812 B`, `14.2 kB`, `21.4 MB`."""
    size = len(text.encode("utf-8", "replace"))
    if size < 1000:
        return f"{size} B"
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def clipped(text: str, limit: int = RENDER_LIMIT) -> tuple[str, str]:
    """`text` cut to `limit` characters for drawing, and a note saying so ("" when whole).

    Drawing a multi-megabyte reply would stall the browser; what the user downloads is
    never cut (issue 5).
    """
    if len(text) <= limit:
        return text, ""
    return text[:limit], (
        f"Showing the first {limit:,} of {len(text):,} characters ({size_text(text)})."
    )


def clip_note(note: str, where: str) -> None:
    """The clipping note with where the whole text is, when something was clipped."""
    if note:
        st.caption(f":material/content_cut: {note} {where}".rstrip())


def json_view(payload: Any, where: str, *, expanded: bool | int = 3) -> None:
    """`payload` as an interactive JSON view, or as clipped text when too big to draw."""
    shown, note = clipped(json.dumps(payload, ensure_ascii=False, indent=2))
    if not note:
        st.json(payload, expanded=expanded)
        return
    st.code(shown, language="json", wrap_lines=True, height=400)
    clip_note(note, where)


def text_view(text: str, where: str) -> None:
    """Plain text in a code block, clipped when too big to draw."""
    shown, note = clipped(text)
    st.code(shown, language=None, wrap_lines=True, height=400 if note else "content")
    clip_note(note, where)


def replacement_note(text: str) -> None:
    """Say why U+FFFD shows: bytes that were not valid UTF-8 were replaced on decoding."""
    if "\ufffd" in text:
        st.caption(
            "Some characters show as � (U+FFFD): the endpoint sent bytes that are not valid "
            "UTF-8 there, and they were replaced."
        )


def metrics_row(metrics: Mapping[str, str]) -> None:
    """One bordered metric per entry, side by side."""
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
        column.metric(label, value, border=True)


def usage_text(usage: Mapping[str, Any]) -> str:
    """`12 in → 40 out (52 total)` from an OpenAI-style usage object."""
    if not usage:
        return "not reported"
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    total = usage.get("total_tokens")
    return f"{prompt} in → {completion} out" + (f" ({total} total)" if total else "")


def bound(key: str, options: Sequence[Any] | None = None) -> dict[str, Any]:
    """Widget arguments tying a widget to `st.session_state[key]`, value included.

    Passing the current value as the widget's default as well as its key keeps the browser
    right when a run that set the value through `st.session_state` was interrupted before
    the browser received it (a click while the first run is still going): the browser then
    falls back to the default, which is the value, instead of an empty field.

    The value persists for the session (`persist_state`): a widget hidden for a while (another
    profile, another auth) or a run that ended before drawing it does not lose it.
    """
    value = st.session_state[key]
    kept = {"key": key, "persist_state": SESSION}
    if options is None:
        return {**kept, "value": value}
    return {**kept, "index": list(options).index(value)}
