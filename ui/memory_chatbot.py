"""Memory Chatbot: the exchanges, the memory they make, asking, and what each turn sent.

The conversation is `st.session_state["mc_exchanges"]`, a list of `ChatExchange`. A reply
streams in a worker thread under the stream key `mc` (`ui.follow`; its Stop is
`btn_mc_stop`); it is in the conversation before its first token, so a rerun during the stream
draws it again and keeps following it. Only replies that finished make the memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from core.langchain import memory_chain, memory_inputs, memory_prompt
from core.memory import (
    HistoryImportError,
    Mode,
    Turn,
    build_turn,
    chat_messages,
    import_history,
    notebook_prompt,
)
from core.reply import Reply, ReplyStatus
from ui import follow, langchain_pages, safe_text, widgets
from ui.langchain_pages import ADAPTER, COMMUNITY, REQUEST_WHOLE, Setup

KEY = "mc"  # the stream key, and the prefix of its Stop and Cancel retry widget keys
MODES = {
    Mode.NOTEBOOK.value: "Notebook prompt (User: / Assistant:)",
    Mode.MESSAGES.value: "Chat messages + system prompt",
}
MAX_DROPPED_ROWS = 10  # older exchanges outside the window are counted, not listed
AGAIN = "Fix the cause, then press **Ask again** below: your question is kept."
CELL_LIMIT = 500  # characters of a message drawn in the window table
WHOLE = "**Export JSON** below holds the whole reply once it finished."


@dataclass
class ChatExchange:
    """One Memory Chatbot turn: the question, the reply, and the window it was sent with."""

    question: str
    reply: Reply
    k: int = 0
    mode: str = ""
    memory_before: int = 0  # completed exchanges before this one; the last `k` were sent
    sent: list[dict[str, str]] = field(default_factory=list)  # the exact messages sent
    backend: str = ADAPTER
    imported: bool = False

    @property
    def dropped(self) -> int:
        """How many earlier exchanges were outside the window."""
        return max(0, self.memory_before - self.k)


# The conversation ---------------------------------------------------------------------------


def exchanges() -> list[ChatExchange]:
    """The conversation, in the session."""
    found: list[ChatExchange] = st.session_state.setdefault("mc_exchanges", [])
    return found


def memory(history: Sequence[ChatExchange]) -> list[Turn]:
    """The conversation's memory: the exchanges that finished (failed or cut ones are not)."""
    return [Turn(e.question, e.reply.text) for e in history if e.reply.status == ReplyStatus.DONE]


def unfinished(history: Sequence[ChatExchange]) -> bool:
    """True when the last reply did not finish (it can be asked again)."""
    return bool(history) and history[-1].reply.status != ReplyStatus.DONE


def ask(
    history: list[ChatExchange], question: str, k: int, mode: str, system_prompt: str, setup: Setup
) -> None:
    """Append the exchange for `question` and start streaming its reply (draw it with
    `show`); a reply still streaming is stopped first, keeping its text."""
    follow.stop(KEY)
    remembered = memory(history)
    turn = build_turn(remembered, question, k, mode, system_prompt)
    exchange = ChatExchange(
        question, Reply(), k=k, mode=mode, memory_before=len(remembered),
        sent=turn.messages, backend=setup.backend,
    )  # fmt: skip
    history.append(exchange)
    inputs = memory_inputs(turn)
    messages = memory_prompt(mode, system_prompt).invoke(inputs).to_messages()
    langchain_pages.stream(
        KEY,
        exchange.reply,
        lambda model: memory_chain(model, mode, system_prompt),
        inputs,
        setup,
        messages,
    )


def clear() -> None:
    """Forget the conversation (stopping a reply still streaming)."""
    follow.stop(KEY)
    st.session_state["mc_exchanges"] = []
    st.session_state.pop("mc_import", None)


def ask_again() -> None:
    """Drop the last, unfinished exchange and send its question again."""
    follow.stop(KEY)
    history = st.session_state.get("mc_exchanges", [])
    if unfinished(history):
        st.session_state["mc_retry"] = history.pop().question


def import_file(key: str) -> None:
    """Replace the conversation with an exported one; a bad file changes nothing."""
    upload = st.session_state.get(key)
    st.session_state["mc_upload"] = st.session_state.get("mc_upload", 0) + 1  # a fresh picker
    if upload is None:
        return
    try:
        turns = import_history(upload.getvalue())
    except HistoryImportError as exc:
        st.session_state["mc_import"] = exc
        return
    follow.stop(KEY)
    st.session_state["mc_exchanges"] = [
        ChatExchange(t.user, Reply(t.assistant, ReplyStatus.DONE), imported=True) for t in turns
    ]
    st.session_state["mc_import"] = f"Imported {len(turns)} exchanges from {upload.name}."


def import_notice() -> None:
    """What the last import did, shown once."""
    notice = st.session_state.pop("mc_import", None)
    if isinstance(notice, HistoryImportError):
        widgets.error_box(notice)
        st.caption("Nothing was imported; the conversation is unchanged.")
    elif notice:
        st.success(notice, icon=":material/check_circle:")


# Drawing ------------------------------------------------------------------------------------


def show(exchange: ChatExchange, remembered: Sequence[Turn]) -> follow.Slot:
    """One exchange as two chat messages; the reply's slot, for `follow.follow`.

    `remembered` is the memory as this run found it, before any new reply.
    """
    with st.chat_message("user"):
        st.markdown(safe_text.markdown(exchange.question))
    with st.chat_message("assistant"):
        return follow.slot(KEY, exchange.reply, lambda _: reply_details(exchange, remembered))


def reply_details(exchange: ChatExchange, remembered: Sequence[Turn]) -> None:
    """The reply, then one line on what was sent, then what the model saw."""
    reply = exchange.reply
    langchain_pages.reply_body(reply, again=AGAIN, where=WHOLE)
    if reply.live:
        return
    if exchange.imported:
        st.caption(":material/upload: Imported")
        return
    kept = exchange.memory_before - exchange.dropped
    seen = f"saw {kept} of {exchange.memory_before} earlier exchanges (k={exchange.k})"
    if reply.status != ReplyStatus.DONE and reply.text:
        seen += " · not kept in memory"
    st.caption(f"{seen} · {MODES[exchange.mode]} · {langchain_pages.stats_text(reply)}")
    what_the_model_saw(exchange, remembered)


def what_the_model_saw(exchange: ChatExchange, remembered: Sequence[Turn]) -> None:
    """The window, the exact messages or prompt sent, and the raw request."""
    with st.expander("What the model saw", icon=":material/visibility:"):
        window_tab, sent_tab, request_tab = st.tabs(["Window", "Sent", "Request"])
        with window_tab:
            window_table(exchange, remembered)
        with sent_tab:
            if exchange.backend == COMMUNITY:
                st.caption(
                    "As the prompt rendered it; the notebook class then escapes quotes and "
                    "newlines in each message before sending (see **Request**)."
                )
            if exchange.mode == Mode.NOTEBOOK:
                st.caption("One user message: the notebook's prompt.")
                widgets.text_view(exchange.sent[0]["content"], REQUEST_WHOLE)
            else:
                st.caption("The chat messages, in order.")
                widgets.json_view(exchange.sent, REQUEST_WHOLE, expanded=True)
        with request_tab:
            langchain_pages.request_panel(exchange.reply.request, exchange.reply.service)


def window_table(exchange: ChatExchange, remembered: Sequence[Turn]) -> None:
    """The exchanges before this turn, each marked as sent or outside the window."""
    earlier = remembered[: exchange.memory_before]
    if not earlier:
        st.caption("No earlier exchanges: the model saw only the question.")
        return
    st.caption(
        f"The window holds the last {exchange.k} exchanges; the {exchange.dropped} before "
        "them were not sent."
        if exchange.dropped
        else f"All {len(earlier)} earlier exchanges fit in the window (k={exchange.k})."
    )
    first = max(0, len(earlier) - max(exchange.k, 1) - MAX_DROPPED_ROWS)
    if first:
        st.caption(f"The {first} oldest exchanges, also outside the window, are not listed.")
    st.dataframe(
        {
            "#": list(range(first + 1, len(earlier) + 1)),
            "sent": [
                "✗ outside the window" if i < exchange.dropped else "✓ sent"
                for i in range(first, len(earlier))
            ],
            "user": [widgets.clipped(t.user, CELL_LIMIT)[0] for t in earlier[first:]],
            "assistant": [widgets.clipped(t.assistant, CELL_LIMIT)[0] for t in earlier[first:]],
        },
        hide_index=True,
        width="stretch",
    )


def size_chart(history: Sequence[ChatExchange], remembered: Sequence[Turn], k: int) -> None:
    """Request bytes per turn, against the whole history: flat once the window is full."""
    sent = [(n, e) for n, e in enumerate(history, 1) if e.reply.request is not None]
    last = langchain_pages.request_bytes(sent[-1][1].reply.request) if sent else None
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
            "turn": [n for n, _ in sent],
            "sent (the window)": [langchain_pages.request_bytes(e.reply.request) for _, e in sent],
            "with the whole history": [_unwindowed_bytes(e, remembered) for _, e in sent],
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


def _unwindowed_bytes(exchange: ChatExchange, remembered: Sequence[Turn]) -> int:
    """What the same request would weigh if it carried the whole history, not the window."""
    earlier = remembered[: exchange.memory_before]
    if exchange.mode == Mode.NOTEBOOK:
        messages = [{"role": "user", "content": notebook_prompt(earlier, exchange.question)}]
    else:
        system = exchange.sent[0]["content"] if exchange.sent[0]["role"] == "system" else ""
        messages = chat_messages(earlier, exchange.question, system)
    request = exchange.reply.request
    body = request.sent.json() if request is not None and request.sent is not None else None
    whole = {**(body if isinstance(body, dict) else {}), "messages": messages}
    return len(json.dumps(whole, ensure_ascii=False).encode())
