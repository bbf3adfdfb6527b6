"""Streaming Chat: the turns of the conversation, asking for a reply, drawing it, and exports.

The conversation is `st.session_state["chat_turns"]`, a list of `Turn`: the user's messages
and the assistant's replies (`core.reply.Reply`). A reply streams in a worker thread under the
stream key `chat` (`ui.follow`); it is in the history before its first token, so a rerun
during the stream (any click) draws it again and keeps following it, and Stop keeps the text
that arrived. Every reply is drawn by `draw_reply`, live or finished.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import PROFILES, APIStatusError, Client, RetryPolicy
from core.live import TextStreamSource
from core.records import parse_json
from core.reply import Reply, ReplyStatus, RequestRecord
from ui import exchange_views, follow, safe_text, service_views, session_settings, widgets

KEY = "chat"  # the stream key, and the prefix of the Stop and Cancel retry widget keys
WHERE = "The JSON and Markdown downloads below hold the whole reply."


@dataclass
class Turn:
    """One message: what the user wrote (`content`), or the assistant's `reply`."""

    role: str
    content: str = ""
    reply: Reply | None = None

    @property
    def text(self) -> str:
        """The message's text: the user's words or the reply's text."""
        return self.reply.text if self.reply is not None else self.content


def turns() -> list[Turn]:
    """The conversation so far."""
    return st.session_state.setdefault("chat_turns", [])


def api_messages(history: Sequence[Turn]) -> list[dict[str, Any]]:
    """The messages to send: the system prompt, then every turn that has text."""
    said = [{"role": t.role, "content": t.text} for t in history if t.text]
    return session_settings.current().with_system_prompt(said)


def clear() -> None:
    """Forget the conversation (stopping a reply still streaming)."""
    follow.stop(KEY)
    st.session_state["chat_turns"] = []


def drop_last_reply() -> None:
    """Remove the trailing assistant turn so that it can be generated again."""
    follow.stop(KEY)
    history = st.session_state.get("chat_turns", [])
    if history and history[-1].role == "assistant":
        history.pop()
    st.session_state["chat_regenerate"] = bool(history) and history[-1].role == "user"


def take_regenerate() -> bool:
    """True once after `drop_last_reply` asked for a new reply."""
    return bool(st.session_state.pop("chat_regenerate", False))


# Asking and drawing ---------------------------------------------------------------------


def ask(
    client: Client,
    history: list[Turn],
    params: Mapping[str, Any],
    policy: RetryPolicy | None,
) -> Reply:
    """Append the next assistant reply to `history` and start streaming it (draw it with
    `show`); a reply still streaming is stopped first, keeping its text."""
    follow.stop(KEY)  # a reply still streaming ends here, with the text it has
    messages = api_messages(history)
    body = json.dumps({"messages": messages, **params, "stream": True}, indent=2)
    reply = Reply(request=RequestRecord(body, dict(params), client.profile.id))
    history.append(Turn("assistant", reply=reply))
    source = TextStreamSource(lambda: client.stream_chat(messages, **params))
    follow.start(KEY, reply, source, policy)
    return reply


def show(turn: Turn) -> follow.Slot | None:
    """One turn as a chat message; a reply's slot, for `follow.follow`."""
    with st.chat_message(turn.role):
        if turn.reply is not None:
            return follow.slot(KEY, turn.reply, draw_reply)
        shown, note = widgets.clipped(turn.content)
        st.markdown(safe_text.markdown(shown))
        widgets.clip_note(note, "The downloads below hold the whole message.")
    return None


def draw_reply(reply: Reply) -> None:
    """A reply, live or finished: text, how it ended, error, numbers, request and events."""
    follow.reply_text(reply, WHERE)
    if reply.live:  # redrawn many times a second: the text only (the follower adds Stop)
        return
    if reply.error is not None:
        widgets.error_box(reply.error)
        st.caption("Fix the cause, then press **Regenerate** to ask again.")
    follow.retries_note(reply)
    if reply.status == ReplyStatus.DONE:
        widgets.stream_end_note(reply.events, reply.finish_reason)
    if stats := follow.stats_line(reply, safe_text.literal):
        st.caption(stats)
    service_views.filter_line(reply.annotations)
    with st.expander("Request and raw events", icon=":material/data_object:"):
        service_views.service_line(reply.service)
        st.markdown("**Request body as sent**")
        request, note = widgets.clipped(reply.request.body if reply.request else "")
        st.code(request or "(not sent)", language="json", wrap_lines=True)
        widgets.clip_note(note, "")
        if reply.events:
            st.markdown(f"**{len(reply.events)} server-sent events**")
            exchange_views.event_log(reply.events)
        if isinstance(reply.error, APIStatusError):
            st.markdown(f"**Response body ({reply.error.status_code})**")
            body, note = widgets.clipped(reply.error.body)
            st.code(body or "(empty)", language=None, wrap_lines=True)
            widgets.clip_note(note, "")


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
    """The conversation, what each reply was asked with (never the key) and its numbers.

    The top-level settings are those of the latest reply.
    """
    latest = _latest_request(history)
    document = {
        **_asked_with(latest),
        "messages": [_turn_json(turn) for turn in history],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _turn_json(turn: Turn) -> dict[str, Any]:
    item: dict[str, Any] = {"role": turn.role, "content": turn.text}
    reply = turn.reply
    if reply is not None:
        item |= {
            "status": reply.status,
            "finish_reason": reply.finish_reason,
            "usage": dict(reply.usage),
            "time_to_first_token_s": reply.time_to_first_token,
            "tokens_per_second": reply.tokens_per_second,
            "error": str(reply.error) if reply.error else None,
            "request": _asked_with(reply.request),
        }
    return item


def to_markdown(history: Sequence[Turn]) -> str:
    """The conversation as a Markdown transcript."""
    asked = _asked_with(_latest_request(history))
    profile = PROFILES.get(asked["profile"])
    lines = [f"# Conversation with {profile.label if profile else 'a chat model'}", ""]
    if asked["system_prompt"].strip():
        lines += [f"_System prompt:_ {asked['system_prompt'].strip()}", ""]
    for turn in history:
        lines += [f"## {'You' if turn.role == 'user' else 'Assistant'}", "", turn.text, ""]
        reply = turn.reply
        if reply is not None:
            if reply.status != ReplyStatus.DONE:
                lines += [f"_({reply.status}{': ' + str(reply.error) if reply.error else ''})_", ""]
            if stats := follow.stats_line(reply):
                lines += [f"_{stats}_", ""]
    return "\n".join(lines)


def _latest_request(history: Sequence[Turn]) -> RequestRecord | None:
    replies = [turn.reply for turn in history if turn.reply is not None]
    return replies[-1].request if replies else None


def _asked_with(record: RequestRecord | None) -> dict[str, Any]:
    """Profile, URL, system prompt and parameters of one request, as the reply recorded them."""
    record = record or RequestRecord()
    body = parse_json(record.body)
    messages = body.get("messages") if isinstance(body, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else {}
    is_system = isinstance(first, dict) and first.get("role") == "system"
    system = first.get("content") if is_system else ""
    return {
        "profile": record.profile,
        "endpoint": record.sent.url if record.sent else "",
        "system_prompt": system if isinstance(system, str) else "",
        "parameters": dict(record.params),
    }
