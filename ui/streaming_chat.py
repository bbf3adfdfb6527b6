"""Streaming Chat: the conversation, asking for a reply, drawing each turn, downloads and import.

The conversation is a `core.conversation.Conversation` in `st.session_state["chat_conversation"]`
(`PAGE`): each message of yours with its answers, each answer with the request it sent. What a
request carries is core's rule: earlier turns whose answer finished, and unfinished ones only
when kept, so a failed or over-long message never rides along with the next ones.

A reply streams in a worker thread under the stream key `chat` (`ui.follow`); it is in the
conversation before its first token, so a rerun during the stream (any click) draws it again
and keeps following it, and Stop keeps the text that arrived. Every answer is drawn by
`draw_answer`, live or finished; the controls on each message are `ui.chat_turns`'.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st

from core import APIStatusError, Client, RetryPolicy
from core.conversation import Alternative, Ask, ChatTurn, Conversation
from core.live import TextStreamSource
from core.reply import Reply, ReplyStatus, RequestRecord
from core.transcript import MAX_IMPORT_BYTES, export_json, import_json, to_markdown
from ui import (
    chat_notes,
    chat_turns,
    exchange_views,
    follow,
    presentation,
    safe_text,
    service_views,
    session_settings,
    widgets,
)
from ui.chat_turns import ChatPage

PAGE = ChatPage("chat")
KEY = PAGE.key  # the stream key, and the prefix of the page's widget keys
WHERE = "The JSON and Markdown downloads below hold the whole reply."
AGAIN = (
    "Fix the cause, then ask again: :material/refresh: under this answer, or :material/edit: "
    "to change your message."
)


def conversation() -> Conversation:
    """The conversation so far."""
    return PAGE.conversation()


def next_messages(chat: Conversation) -> list[dict[str, Any]]:
    """What the next request carries before its new message: the system prompt and the turns
    that are context (core's rule), for estimating its size."""
    probe = Conversation([*chat.turns, ChatTurn("")])
    return session_settings.current().with_system_prompt(probe.context())


# Asking and drawing ---------------------------------------------------------------------


def start(
    client: Client,
    chat: Conversation,
    ask: Ask,
    params: Mapping[str, Any],
    policy: RetryPolicy | None,
) -> Reply:
    """Start streaming the reply `ask` plans (a new answer, or the continuation of one); a
    reply still streaming is stopped first, keeping its text. The reply records the body and
    the parameters it is asked with."""
    follow.stop(KEY)
    messages = session_settings.current().with_system_prompt(ask.messages)
    body = json.dumps({"messages": messages, **params, "stream": True}, indent=2)
    reply = Reply(request=RequestRecord(body, dict(params), client.profile.id))
    chat.attach(ask, reply)
    source = TextStreamSource(lambda: client.stream_chat(messages, **params))
    follow.start(KEY, reply, source, policy)
    return reply


def draw_answer(turn: ChatTurn, answer: Alternative) -> None:
    """An answer, live or finished: text, how it ended, error, what it was made with, what
    the model saw, and the request and raw events. In presentation mode the numbers and
    parameters fold into the request's expander."""
    shown = chat_notes.shown_reply(answer)
    follow.reply_text(shown, WHERE)
    if answer.live:  # redrawn many times a second: the text only (the follower adds Stop)
        return
    latest = answer.latest
    if answer.error is not None:
        widgets.error_box(answer.error)
        st.caption(AGAIN)
    follow.retries_note(latest)
    if latest.status == ReplyStatus.DONE:
        widgets.stream_end_note(latest.events, latest.finish_reason)
    chat_notes.cut_note(answer)
    chat_notes.context_note(turn)
    service_views.filter_line(latest.annotations)
    presenting = presentation.on()
    if not presenting:
        numbers(answer)
    chat_notes.what_the_model_saw(answer)
    with st.expander("Request and raw events", icon=":material/data_object:"):
        if presenting:
            numbers(answer)
        request_and_events(latest)


def numbers(answer: Alternative) -> None:
    """The developer's line under an answer: speed, usage, finish, and the parameters."""
    if stats := follow.stats_line(chat_notes.shown_reply(answer), safe_text.literal):
        st.caption(stats)
    chat_notes.params_line(answer)


def request_and_events(reply: Reply) -> None:
    """The request body as sent, the events (parsed, raw on demand) and an error's body."""
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


def toolbar(chat: Conversation, *, can_send: bool) -> None:
    """Regenerate (the last message), Clear, the two downloads and Import, in one row."""
    turns = chat.turns
    with st.container(horizontal=True):
        st.button(
            "Regenerate", key="btn_chat_regenerate", icon=":material/refresh:",
            on_click=chat_turns.retry, args=(PAGE, len(turns) - 1),
            disabled=not turns or not can_send,
            help="Another answer to the last message; the earlier ones stay (◀ ▶).",
        )  # fmt: skip
        st.button(
            "Clear", key="btn_chat_clear", icon=":material/delete:",
            on_click=chat_notes.forget, args=(PAGE,), disabled=not turns,
        )  # fmt: skip
        for label, data, name, mime in (
            ("JSON", export_json(chat), "conversation.json", "application/json"),
            ("Markdown", to_markdown(chat), "conversation.md", "text/markdown"),
        ):
            st.download_button(
                label, data, file_name=name, mime=mime, key=f"btn_chat_{label.lower()}",
                icon=":material/download:", on_click="ignore", disabled=not turns,
            )  # fmt: skip
        chat_notes.import_picker(
            PAGE, import_json, label="A conversation exported from this page (JSON)",
            help="Replaces the current conversation, every answer with the request it sent.",
            mb=max(1, MAX_IMPORT_BYTES // 1_000_000), button="Import",
        )  # fmt: skip
    chat_notes.import_notice(PAGE)


def fit(chat: Conversation, client: Client) -> None:
    """The next request's estimated size against the model's context window, when near or over."""
    params = session_settings.request_params(client)
    chat_notes.fit_note(next_messages(chat), params.get("max_tokens"), client.profile)
