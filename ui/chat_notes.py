"""What both chat pages say about an answer and about the next request: the answer's whole
text, the parameters it was made with, a cut at max_tokens, whether later requests carry it,
what the model saw, the prompt's size against the context window, and importing a file.

Everything about an answer is read from its own replies' records (`core.reply.Reply.request`),
never from the sidebar's current values: an answer made with max_tokens 40 says 40 after the
sidebar changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from core import Profile
from core.context import FitLevel, fits
from core.conversation import Alternative, ChatTurn, Conversation
from core.reply import Reply, ReplyStatus
from core.transcript import HistoryImportError, params_caption, sent_messages
from ui import widgets
from ui.chat_turns import ChatPage

SENT_WHOLE = "The request as sent holds the whole of it; only this view is clipped."


def shown_reply(answer: Alternative) -> Reply:
    """The reply to draw for an answer: its first reply, or for a continued answer one with
    the whole text and the status the answer ended with (each part keeps its own record)."""
    if not answer.continuations:
        return answer.reply
    outcome = answer.latest if answer.live else answer.outcome
    return dataclasses.replace(outcome, text=answer.text, status=answer.status, error=answer.error)


def params_line(answer: Alternative) -> None:
    """`temperature 0.7 · max_tokens 40 · stop ,`: what the answer was made with, from its
    record; each continuation's too when they differ."""
    first = answer.reply.request
    asked = params_caption(first.params) if first is not None else "not sent"
    line = f":material/tune: {asked}"
    for number, part in enumerate(answer.continuations, start=2):
        if part.request is not None and part.request.params != (first.params if first else None):
            line += f" · part {number}: {params_caption(part.request.params)}"
    st.caption(line)


def cut_note(answer: Alternative) -> None:
    """A warning-coloured note under an answer cut at max_tokens (finish reason `length`)."""
    if answer.cut:
        st.warning(
            "Cut at max_tokens (finish reason `length`): the answer is incomplete. "
            "**Continue** asks the model for the rest; raising max_tokens helps the next ones.",
            icon=":material/content_cut:",
        )
    if answer.continuations:
        st.caption(f":material/forward: Continued {len(answer.continuations)} time(s).")


def context_note(turn: ChatTurn) -> None:
    """Say when later requests leave this turn out, or carry it because it was kept."""
    answer = turn.answer
    if answer is None or answer.live or answer.status == ReplyStatus.DONE:
        return
    if turn.kept:
        st.caption(":material/keep: Kept as context: later requests carry this answer as it is.")
    elif turn.can_keep:
        st.caption(
            ":material/block: Not sent with later messages, as it did not finish. "
            "**Keep as context** sends it all the same."
        )
    else:
        what = "failed" if answer.status == ReplyStatus.FAILED else "empty"
        st.caption(
            f":material/block: This message and its {what} answer are not sent with later "
            "messages: send it again, edit it, or delete it."
        )


def what_the_model_saw(
    answer: Alternative, describe: Callable[[Reply], None] | None = None
) -> None:
    """An expander with the exact messages each part of the answer sent, from its record.

    `describe(part)` adds a page's own view of a part (the Memory Chatbot's window).
    """
    with st.expander("What the model saw", icon=":material/visibility:"):
        parts = answer.parts
        for number, part in enumerate(parts, start=1):
            if len(parts) > 1:
                st.markdown(f"**Part {number}**" + (" (the continuation)" if number > 1 else ""))
            if describe is not None:
                describe(part)
                continue
            messages = sent_messages(part)
            if not messages:
                st.caption("Nothing was recorded for this request.")
                continue
            widgets.json_view(messages, SENT_WHOLE, expanded=2)
            if part.request is not None and part.request.rebuilt:
                st.caption("Rebuilt: the backend sends it itself.")


def fit_note(messages: Sequence[Mapping[str, Any]], max_tokens: Any, profile: Profile) -> None:
    """Warn when the next request (these messages and max_tokens) is near or over the model's
    context window, by `core.context.fits`' estimate; nothing when it fits or is not known.
    Sending is never blocked: the estimate can be off, and the user may know better."""
    room = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else 0
    fit = fits(messages, room, profile)
    if fit.level is FitLevel.OVER:
        st.warning(f"Next request: {fit.message}", icon=":material/warning:")
    elif fit.level is FitLevel.NEAR:
        st.caption(f":orange[:material/warning: Next request: {fit.message}]")


# Importing a file ----------------------------------------------------------------------------


def import_picker(
    page: ChatPage,
    read: Callable[[bytes], Conversation],
    *,
    label: str,
    help: str,
    mb: int,
    button: str = "Import JSON",
) -> None:
    """A popover (`button`) whose file replaces the conversation; a bad file changes nothing
    (`import_notice` says what happened)."""
    with st.popover(button, icon=":material/upload:"):
        upload_key = f"{page.key}_upload_{st.session_state.get(f'{page.key}_upload', 0)}"
        st.file_uploader(
            label, type=["json"], key=upload_key, on_change=_import_file,
            args=(page, upload_key, read), max_upload_size=mb, help=help,
        )  # fmt: skip


def _import_file(page: ChatPage, key: str, read: Callable[[bytes], Conversation]) -> None:
    upload = st.session_state.get(key)
    counter = f"{page.key}_upload"
    st.session_state[counter] = st.session_state.get(counter, 0) + 1  # a fresh picker
    if upload is None:
        return
    try:
        conversation = read(upload.getvalue())
    except HistoryImportError as exc:
        st.session_state[f"{page.key}_import"] = exc
        return
    page.replace(conversation)
    done = f"Imported {len(conversation.turns)} exchanges from {upload.name}."
    st.session_state[f"{page.key}_import"] = done


def import_notice(page: ChatPage) -> None:
    """What the last import did, shown once."""
    notice = st.session_state.pop(f"{page.key}_import", None)
    if isinstance(notice, HistoryImportError):
        widgets.error_box(notice)
        st.caption("Nothing was imported; the conversation is unchanged.")
    elif notice:
        st.success(notice, icon=":material/check_circle:")


def forget(page: ChatPage) -> None:
    """Clear the conversation (stopping a reply still streaming)."""
    page.replace(Conversation())
    st.session_state.pop(f"{page.key}_import", None)
