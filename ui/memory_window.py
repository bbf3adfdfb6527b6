"""What a Memory Chatbot request carried from memory, and the views of it: the window table
(which earlier exchanges were sent, which fell outside, which were cut or kept), the messages
as sent, and the request size per turn.

Each reply keeps its own window (`WindowReply.sent`), as it was when the request went out: a
later edit, delete or import never changes what an earlier reply says it saw.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from core.conversation import CONTINUE_PROMPT, Conversation
from core.memory import (
    Mode,
    Turn,
    TurnRequest,
    Window,
    build_turn,
    chat_messages,
    notebook_prompt,
    remember,
    window,
)
from core.reply import Reply
from core.transcript import sent_messages
from ui import langchain_pages, widgets
from ui.langchain_backends import ADAPTER, COMMUNITY
from ui.langchain_pages import REQUEST_WHOLE

MODES = {
    Mode.NOTEBOOK.value: "Notebook prompt (User: / Assistant:)",
    Mode.MESSAGES.value: "Chat messages + system prompt",
}
MAX_DROPPED_ROWS = 10  # older exchanges outside the window are counted, not listed
CELL_LIMIT = 500  # characters of a message drawn in the window table


@dataclass(frozen=True)
class Sent:
    """What one request carried from memory: its window, k, prompt form and backend."""

    window: Window
    k: int
    mode: str
    backend: str = ADAPTER

    @property
    def before(self) -> int:
        """The exchanges memory held before this request (sent or not)."""
        return len(self.window.kept) + len(self.window.dropped)


@dataclass
class WindowReply(Reply):
    """A Memory Chatbot reply with what its request carried from memory (None: imported)."""

    sent: Sent | None = None


def sent_of(reply: Reply) -> Sent | None:
    """The window a reply was sent with, or None for an imported one."""
    return reply.sent if isinstance(reply, WindowReply) else None


def memory(conversation: Conversation, upto: int | None = None) -> list[Turn]:
    """What memory holds from the turns before `upto` (all by default), by the chat's rule
    (`core.memory.remember`): finished answers, cut ones marked, unfinished ones if kept."""
    held = []
    for turn in conversation.turns[:upto]:
        answer = turn.answer
        if answer is not None:
            found = remember(turn.user, answer.text, answer.status, answer.finish_reason, turn.kept)
            if found is not None:
                held.append(found)
    return held


def turn_request(
    remembered: Sequence[Turn],
    question: str,
    so_far: str | None,
    *,
    k: int,
    mode: str,
    system_prompt: str,
) -> TurnRequest:
    """The messages one turn sends; with `so_far` (an answer cut at max_tokens), the request
    that continues it: the window, the cut exchange, then `CONTINUE_PROMPT` as the question."""
    if so_far is None:
        return build_turn(remembered, question, k, mode, system_prompt)
    shown = window(remembered, k)
    kept = (*shown.kept, Turn(question, so_far, cut=True))
    if Mode(mode) is Mode.NOTEBOOK:
        messages = [{"role": "user", "content": notebook_prompt(kept, CONTINUE_PROMPT)}]
    else:
        messages = chat_messages(kept, CONTINUE_PROMPT, system_prompt)
    return TurnRequest(messages, Window(kept, shown.dropped), Mode(mode), CONTINUE_PROMPT)


# Views ----------------------------------------------------------------------------------------


def part_view(part: Reply) -> None:
    """One request of an answer: its window, the messages it sent, the request itself."""
    window_tab, sent_tab, request_tab = st.tabs(["Window", "Sent", "Request"])
    sent = sent_of(part)
    with window_tab:
        if sent is None:
            st.caption("Imported: the window it was sent with is not known.")
        else:
            window_table(sent)
    with sent_tab:
        sent_view(part, sent)
    with request_tab:
        langchain_pages.request_panel(part.request, part.service)


def sent_view(part: Reply, sent: Sent | None) -> None:
    """The messages as sent, from the reply's record."""
    messages = sent_messages(part)
    if not messages:
        st.caption("Nothing was recorded for this request.")
        return
    if sent is not None and sent.backend == COMMUNITY:
        st.caption("As the notebook class sends them: it escapes quotes and newlines first.")
    if len(messages) == 1 and isinstance(content := messages[0].get("content"), str):
        st.caption("One user message: the notebook's prompt.")
        widgets.text_view(content, REQUEST_WHOLE)
    else:
        st.caption("The chat messages, in order.")
        widgets.json_view(messages, REQUEST_WHOLE, expanded=True)


def window_table(sent: Sent) -> None:
    """The exchanges in memory before this request, each marked as sent or outside the window,
    and as cut at max_tokens or kept unfinished."""
    earlier = (*sent.window.dropped, *sent.window.kept)
    dropped = len(sent.window.dropped)
    if not earlier:
        st.caption("No earlier exchanges: the model saw only the question.")
        return
    st.caption(
        f"The window holds the last {sent.k} exchanges; the {dropped} before them were not sent."
        if dropped
        else f"All {len(earlier)} earlier exchanges fit in the window (k={sent.k})."
    )
    first = max(0, len(earlier) - max(sent.k, 1) - MAX_DROPPED_ROWS)
    if first:
        st.caption(f"The {first} oldest exchanges, also outside the window, are not listed.")
    rows = earlier[first:]
    st.dataframe(
        {
            "#": list(range(first + 1, len(earlier) + 1)),
            "sent": [
                "✗ outside the window" if i < dropped else "✓ sent"
                for i in range(first, len(earlier))
            ],
            "mark": [_mark(t) for t in rows],
            "user": [widgets.clipped(t.user, CELL_LIMIT)[0] for t in rows],
            "assistant": [widgets.clipped(t.assistant, CELL_LIMIT)[0] for t in rows],
        },
        hide_index=True,
        width="stretch",
    )


def _mark(turn: Turn) -> str:
    if turn.cut:
        return "✂ cut at max_tokens"
    return "kept (unfinished)" if turn.kept else ""


def size_chart(conversation: Conversation, remembered: Sequence[Turn], k: int) -> None:
    """Request bytes per turn, against the whole history: flat once the window is full."""
    sent = [
        (n, turn.user, answer.reply)
        for n, turn in enumerate(conversation.turns, 1)
        if (answer := turn.answer) is not None
        and answer.reply.request is not None
        and sent_of(answer.reply) is not None
    ]
    last = langchain_pages.request_bytes(sent[-1][2].request) if sent else None
    widgets.metrics_row(
        {
            "In memory": f"{len(remembered)} exchanges",
            "Next turn sends": f"{min(len(remembered), k)} of them",
            "Last request": f"{last:,} B" if last is not None else "—",
        }
    )
    if len(sent) < 2:
        return
    st.line_chart(
        {
            "turn": [n for n, _, _ in sent],
            "sent (the window)": [langchain_pages.request_bytes(r.request) for _, _, r in sent],
            "with the whole history": [_unwindowed_bytes(r, q) for _, q, r in sent],
        },
        x="turn",
        y=["sent (the window)", "with the whole history"],
        y_label="request bytes",
        height=220,
    )
    st.caption(
        "Each request carries at most k exchanges, so its size levels off once the window is "
        "full, while the whole history would keep growing."
    )


def _unwindowed_bytes(reply: Reply, question: str) -> int:
    """What the same request would weigh if it carried the whole memory, not the window."""
    sent = sent_of(reply)
    earlier = (*sent.window.dropped, *sent.window.kept) if sent is not None else ()
    if sent is None or sent.mode == Mode.NOTEBOOK:
        messages = [{"role": "user", "content": notebook_prompt(earlier, question)}]
    else:
        first = (sent_messages(reply) or [{}])[0]
        system = first.get("content", "") if first.get("role") == "system" else ""
        messages = chat_messages(earlier, question, system if isinstance(system, str) else "")
    request = reply.request
    body = request.sent.json() if request is not None and request.sent is not None else None
    whole = {**(body if isinstance(body, dict) else {}), "messages": messages}
    return len(json.dumps(whole, ensure_ascii=False).encode())
