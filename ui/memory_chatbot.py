"""Memory Chatbot: the conversation, the memory it makes, asking, drawing each turn, and the
memory's export and import.

The conversation is a `core.conversation.Conversation` in `st.session_state["mc_conversation"]`
(`PAGE`), with the same controls on each message as Streaming Chat (`ui.chat_turns`). What
memory holds is the chat's rule (`ui.memory_window.memory`): finished answers (cut ones
marked), unfinished ones only when kept. Each turn sends the last k exchanges of the memory
before it; each reply keeps that window (`WindowReply.sent`). A reply streams in a worker
thread under the stream key `mc` (`ui.follow`; its Stop is `btn_mc_stop`).
"""

from __future__ import annotations

import json

import streamlit as st

from core.conversation import LENGTH, Alternative, Ask, ChatTurn, Conversation
from core.langchain import memory_chain, memory_inputs, memory_prompt
from core.memory import MAX_IMPORT_BYTES, import_history
from core.reply import Reply, ReplyStatus, RequestRecord
from ui import chat_notes, chat_turns, follow, langchain_pages
from ui.chat_turns import ChatPage
from ui.langchain_backends import Setup
from ui.memory_window import MODES, Sent, WindowReply, memory, part_view, sent_of, turn_request

PAGE = ChatPage("mc")
KEY = PAGE.key  # the stream key, and the prefix of its widget keys
AGAIN = (
    "Fix the cause, then ask again: :material/refresh: under this answer (**Ask again** below "
    "for the last question), or :material/edit: to change the question."
)
WHOLE = "**Export JSON** below holds the whole reply once it finished."


def conversation() -> Conversation:
    """The conversation, in the session."""
    return PAGE.conversation()


def unfinished(chat: Conversation) -> bool:
    """True when the last message has no finished answer (it can be asked again)."""
    if not chat.turns:
        return False
    answer = chat.turns[-1].answer
    return answer is None or (not answer.live and answer.status != ReplyStatus.DONE)


def ask_again() -> None:
    """Another answer to the last message, in place of the unfinished one (which stays, ◀ ▶)."""
    chat_turns.retry(PAGE, len(conversation().turns) - 1)


def start(
    chat: Conversation, ask: Ask, k: int, mode: str, system_prompt: str, setup: Setup
) -> WindowReply:
    """Start streaming the reply `ask` plans, with the window of the memory before its turn
    (a continuation also sends the cut answer, then asks to go on); a reply still streaming
    is stopped first, keeping its text."""
    follow.stop(KEY)
    turn = chat.turns[ask.turn]
    so_far = None if ask.continues is None else turn.alternatives[ask.continues].text
    request = turn_request(
        memory(chat, ask.turn), turn.user, so_far, k=k, mode=mode, system_prompt=system_prompt
    )
    body = json.dumps({"messages": request.messages, **setup.params, "stream": True}, indent=2)
    reply = WindowReply(
        request=RequestRecord(body, dict(setup.params), setup.profile.id),
        sent=Sent(request.window, k, mode, setup.backend),
    )
    chat.attach(ask, reply)
    inputs = memory_inputs(request)
    messages = memory_prompt(mode, system_prompt).invoke(inputs).to_messages()
    langchain_pages.stream(
        KEY,
        reply,
        lambda model: memory_chain(model, mode, system_prompt),
        inputs,
        setup,
        messages,
    )
    return reply


def read_file(data: bytes) -> Conversation:
    """A conversation from an exported memory: each exchange a finished answer, a cut one
    marked by its finish reason, a kept one as a stopped answer kept as context."""
    turns = []
    for exchange in import_history(data):
        status = ReplyStatus.STOPPED if exchange.kept else ReplyStatus.DONE
        reply = Reply(exchange.assistant, status, finish_reason=LENGTH if exchange.cut else None)
        turns.append(ChatTurn(exchange.user, [Alternative(reply)], kept=exchange.kept))
    return Conversation(turns)


def import_picker() -> None:
    """The "Import JSON" popover: an exported memory replaces the conversation."""
    chat_notes.import_picker(
        PAGE, read_file, label="A conversation exported from this page",
        help="Replaces the current conversation. A list of [user, assistant] pairs, "
        "as Gradio keeps them, works too.", mb=max(1, MAX_IMPORT_BYTES // 1_000_000),
    )  # fmt: skip


# Drawing ------------------------------------------------------------------------------------


def draw_answer(turn: ChatTurn, answer: Alternative) -> None:
    """The answer, then one line on what was sent, what it was made with, and what the model
    saw."""
    shown = chat_notes.shown_reply(answer)
    langchain_pages.reply_body(shown, again=AGAIN, where=WHOLE)
    if answer.live:
        return
    chat_notes.cut_note(answer)
    chat_notes.context_note(turn)
    sent = sent_of(answer.reply)
    if sent is None:
        st.caption(":material/upload: Imported" + (" · cut at max_tokens" if answer.cut else ""))
        return
    seen = f"saw {len(sent.window.kept)} of {sent.before} earlier exchanges (k={sent.k})"
    if not turn.in_context and answer.text:
        seen += " · not kept in memory"
    elif turn.kept:
        seen += " · kept in memory"
    st.caption(f"{seen} · {MODES[sent.mode]} · {langchain_pages.stats_text(shown)}")
    chat_notes.params_line(answer)
    chat_notes.what_the_model_saw(answer, describe=part_view)
