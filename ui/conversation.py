"""Streaming Chat state: the turns of the conversation, streaming a reply, and exports.

The conversation is `st.session_state["chat_turns"]`, a list of `Turn`. A reply is
appended before its first token and grows as deltas arrive, so when the user stops a
reply (which ends the run) the next run finds it still `streaming` and marks it stopped;
likewise a reply cancelled while waiting to retry a 429/503 is found `retrying` and marked
failed, with the error it was waiting on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core import (
    APIStatusError,
    Client,
    EndpointError,
    RetryCancelled,
    RetryNotice,
    TextStream,
    TimedEvent,
)
from ui import settings, widgets

# Turn.status values.
STREAMING = "streaming"
DONE = "done"
STOPPED = "stopped"  # the user pressed Stop (or started something else) mid-reply
INTERRUPTED = "interrupted"  # the stream broke; the text that arrived is kept
FAILED = "failed"  # the request failed before any text
STILL_STREAMING = "Still streaming; the downloads will hold the whole reply."
RETRYING = "retrying"  # waiting to retry a 429/503; found so by a later run: cancelled
LIVE_INTERVAL = 0.03  # seconds between redraws: every token at human speeds, fewer when fast


@dataclass
class Turn:
    """One message; assistant turns also carry how the reply went."""

    role: str
    content: str
    status: str = DONE
    error: EndpointError | None = None
    request: str = ""  # the request body as sent, key redacted
    events: list[TimedEvent] = field(default_factory=list)
    pieces: int = 0  # text deltas received
    time_to_first_token: float | None = None
    elapsed: float | None = None
    finish_reason: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)
    retries: list[str] = field(default_factory=list)  # retry notices shown while waiting

    @property
    def tokens(self) -> int:
        """Completion tokens: the endpoint's count when reported, else the deltas seen."""
        return int(self.usage.get("completion_tokens") or self.pieces)

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed after the first token."""
        if self.elapsed is None or self.time_to_first_token is None:
            return None
        generating = self.elapsed - self.time_to_first_token
        return self.tokens / generating if generating > 0 else None


def turns() -> list[Turn]:
    """The conversation so far; replies cut off by a Stop or a Cancel are marked so."""
    found: list[Turn] = st.session_state.setdefault("chat_turns", [])
    for turn in found:
        if turn.status == STREAMING:
            turn.status = STOPPED
        elif turn.status == RETRYING and turn.error is not None:
            turn.status, turn.error = FAILED, RetryCancelled(turn.error)
    return found


def api_messages(history: Sequence[Turn]) -> list[dict[str, Any]]:
    """The messages to send: the system prompt, then every turn that has text."""
    said = [{"role": t.role, "content": t.content} for t in history if t.content]
    return settings.with_system_prompt(said)


def clear() -> None:
    """Forget the conversation."""
    st.session_state["chat_turns"] = []


def drop_last_reply() -> None:
    """Remove the trailing assistant turn so that it can be generated again."""
    history = st.session_state.get("chat_turns", [])
    if history and history[-1].role == "assistant":
        history.pop()
    st.session_state["chat_regenerate"] = bool(history) and history[-1].role == "user"


def take_regenerate() -> bool:
    """True once after `drop_last_reply` asked for a new reply."""
    return bool(st.session_state.pop("chat_regenerate", False))


# Streaming ------------------------------------------------------------------------------


def stream_reply(client: Client, history: list[Turn], params: Mapping[str, Any]) -> Turn:
    """Stream the next assistant reply into a chat message, keeping it in `history`."""
    messages = api_messages(history)
    reply = Turn("assistant", "", status=STREAMING)
    reply.request = json.dumps({"messages": messages, **params, "stream": True}, indent=2)
    history.append(reply)
    with st.chat_message("assistant"):
        text = st.empty()
        text.caption("Waiting for the first token…")
        stop = st.empty()
        stop.button("Stop", key="btn_chat_stop", icon=":material/stop_circle:", type="tertiary")

        def start() -> TextStream:
            reply.status, reply.error = STREAMING, None
            return client.stream_chat(messages, **params)

        def on_wait(notice: RetryNotice) -> None:
            reply.status, reply.error = RETRYING, notice.error
            reply.retries.append(notice.message)

        try:
            stream = widgets.run_with_retries(
                start, settings.retry_policy(), key="btn_chat_cancel_retry", on_wait=on_wait
            )
        except EndpointError as exc:
            reply.status, reply.error = FAILED, exc
        else:
            reply.request = stream.exchange.request.body
            reply.events = stream.events  # the same list: it fills while the reply streams
            drawn = 0.0
            try:
                for _ in stream:
                    reply.pieces += 1
                    if time.monotonic() - drawn >= LIVE_INTERVAL:
                        # Kept before drawing: a Stop ends the run inside the draw, and the
                        # next run finds the reply with everything that had arrived.
                        _keep(reply, stream)
                        draw_live(text, reply.content, STILL_STREAMING)
                        drawn = time.monotonic()
            except EndpointError as exc:
                reply.status, reply.error = INTERRUPTED, exc
                reply.content = getattr(exc, "partial_text", "") or stream.text
            else:
                reply.status = DONE
            _keep(reply, stream)
            reply.elapsed = stream.exchange.elapsed or reply.elapsed
            reply.finish_reason, reply.usage = stream.finish_reason, stream.usage
        stop.empty()
        text.empty()
        _reply_body(reply)
    return reply


def _keep(reply: Turn, stream: TextStream) -> None:
    """Copy what has arrived into the turn (joined here, not per token: replies can be huge)."""
    if reply.status != INTERRUPTED:
        reply.content = stream.text
    reply.time_to_first_token = stream.time_to_first_token
    if stream.events:
        reply.elapsed = stream.events[-1].at


def draw_live(slot: Any, content: str, where: str) -> None:
    """A reply still streaming, drawn into `slot` clipped like a finished one."""
    shown, note = widgets.clipped(content)
    with slot.container():
        st.markdown(shown)
        widgets.clip_note(note, where)


def reply_text(content: str, status: str, where: str) -> None:
    """A reply's text, clipped (`where` says where the whole is), and how it ended."""
    shown, note = widgets.clipped(content)
    if shown:
        st.markdown(shown)
    widgets.clip_note(note, where)
    widgets.replacement_note(content)
    if status == STOPPED:
        st.caption(":material/stop_circle: Stopped by you: the text above is what arrived.")
    elif status == INTERRUPTED:
        kept = "the text above is what arrived before the failure" if content else "no text"
        st.caption(f":material/content_cut: Interrupted: {kept}.")


# Rendering ------------------------------------------------------------------------------


def show(turn: Turn) -> None:
    """One turn as a chat message."""
    with st.chat_message(turn.role):
        if turn.role == "user":
            shown, note = widgets.clipped(turn.content)
            st.markdown(shown)
            widgets.clip_note(note, "The downloads below hold the whole message.")
        else:
            _reply_body(turn)


def _reply_body(turn: Turn) -> None:
    reply_text(
        turn.content, turn.status, "The JSON and Markdown downloads below hold the whole reply."
    )
    if turn.error is not None:
        widgets.error_box(turn.error)
        st.caption("Fix the cause, then press **Regenerate** to ask again.")
    if turn.retries:
        st.caption(":material/replay: Automatic retries: " + " ".join(turn.retries))
    if turn.status == DONE:
        widgets.stream_end_note(turn.events, turn.finish_reason)
    if stats := stats_line(turn):
        st.caption(stats)
    with st.expander("Request and raw events", icon=":material/data_object:"):
        st.markdown("**Request body as sent**")
        request, note = widgets.clipped(turn.request)
        st.code(request or "(not sent)", language="json", wrap_lines=True)
        widgets.clip_note(note, "")
        if turn.events:
            st.markdown(f"**{len(turn.events)} server-sent events**")
            widgets.event_log(turn.events)
        if isinstance(turn.error, APIStatusError):
            st.markdown(f"**Response body ({turn.error.status_code})**")
            body, note = widgets.clipped(turn.error.body)
            st.code(body or "(empty)", language=None, wrap_lines=True)
            widgets.clip_note(note, "")


def stats_line(turn: Turn) -> str:
    """`first token 85 ms · 41.2 tokens/s · usage 12 in → 40 out · finish stop`, as known."""
    speed = turn.tokens_per_second
    parts = [
        f"first token {widgets.seconds(turn.time_to_first_token)}"
        if turn.time_to_first_token is not None
        else "",
        f"{speed:.1f} tokens/s" if speed is not None else "",
        f"{turn.tokens} tokens" if turn.pieces and not turn.usage else "",
        f"usage {widgets.usage_text(turn.usage)}" if turn.usage else "",
        f"finish {turn.finish_reason}" if turn.finish_reason else "",
    ]
    return " · ".join(part for part in parts if part)


def toolbar(history: Sequence[Turn], *, can_send: bool) -> None:
    """Regenerate, Clear, and the two downloads, in one row."""
    with st.container(horizontal=True):
        st.button(
            "Regenerate",
            key="btn_chat_regenerate",
            icon=":material/refresh:",
            on_click=drop_last_reply,
            disabled=not history or not can_send,
        )
        st.button(
            "Clear",
            key="btn_chat_clear",
            icon=":material/delete:",
            on_click=clear,
            disabled=not history,
        )
        for label, data, name, mime in (
            ("JSON", to_json(history), "conversation.json", "application/json"),
            ("Markdown", to_markdown(history), "conversation.md", "text/markdown"),
        ):
            st.download_button(
                label,
                data,
                file_name=name,
                mime=mime,
                key=f"btn_chat_{label.lower()}",
                icon=":material/download:",
                on_click="ignore",
                disabled=not history,
            )


# Export ---------------------------------------------------------------------------------


def to_json(history: Sequence[Turn]) -> str:
    """The conversation, its settings (never the key) and per-reply statistics."""
    current = settings.current()
    endpoint = current.endpoint
    document = {
        "profile": current.profile.id,
        "endpoint": endpoint.url if endpoint else "",
        "system_prompt": current.system_prompt,
        "parameters": dict(current.params),
        "messages": [_turn_json(turn) for turn in history],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _turn_json(turn: Turn) -> dict[str, Any]:
    item: dict[str, Any] = {"role": turn.role, "content": turn.content}
    if turn.role == "assistant":
        item |= {
            "status": turn.status,
            "finish_reason": turn.finish_reason,
            "usage": dict(turn.usage),
            "time_to_first_token_s": turn.time_to_first_token,
            "tokens_per_second": turn.tokens_per_second,
            "error": str(turn.error) if turn.error else None,
        }
    return item


def to_markdown(history: Sequence[Turn]) -> str:
    """The conversation as a Markdown transcript."""
    current = settings.current()
    lines = [f"# Conversation with {current.profile.label}", ""]
    if current.system_prompt.strip():
        lines += [f"_System prompt:_ {current.system_prompt.strip()}", ""]
    for turn in history:
        lines += [f"## {'You' if turn.role == 'user' else 'Assistant'}", "", turn.content, ""]
        if turn.role == "assistant":
            if turn.status != DONE:
                lines += [f"_({turn.status}{': ' + str(turn.error) if turn.error else ''})_", ""]
            if stats := stats_line(turn):
                lines += [f"_{stats}_", ""]
    return "\n".join(lines)
