"""Memory Chatbot: a conversation that sends only the last k exchanges, and shows which."""

from collections.abc import Sequence

import streamlit as st

from core.memory import (
    DEFAULT_K,
    MAX_K,
    MIN_K,
    HistoryImportError,
    Mode,
    Turn,
    build_turn,
    chat_messages,
    export_history,
    import_history,
    notebook_prompt,
)
from ui import navigation, widgets

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Memory Chatbot", anchor=False)
st.caption(
    "A chatbot that remembers the last k exchanges, as the notebooks' "
    "`ConversationBufferWindowMemory(k=5)` did. Under each reply, **What the model saw** shows "
    "exactly what was sent and which older exchanges fell outside the window."
)

# LangChain takes seconds to import, once per server process: the title shows first.
with st.spinner("Loading LangChain…"):
    from core.langchain import memory_chain, memory_inputs, memory_prompt
    from ui import chains

MODES = {
    Mode.NOTEBOOK.value: "Notebook prompt (User: / Assistant:)",
    Mode.MESSAGES.value: "Chat messages + system prompt",
}
MAX_DROPPED_ROWS = 10  # older exchanges outside the window are counted, not listed
AGAIN = "Fix the cause, then press **Ask again** below: your question is kept."
CELL_LIMIT = 500  # characters of a message drawn in the window table
WHOLE = "**Export JSON** below holds the whole reply once it finished."


def exchanges() -> list[chains.ChatExchange]:
    """The conversation, in the session; replies cut off by a Stop are marked stopped."""
    found: list[chains.ChatExchange] = st.session_state.setdefault("mc_exchanges", [])
    for exchange in found:
        chains.settle(exchange.reply)
    return found


def clear() -> None:
    """Forget the conversation."""
    st.session_state["mc_exchanges"] = []
    st.session_state.pop("mc_import", None)


def ask_again() -> None:
    """Drop the last, unfinished exchange and send its question again."""
    history = st.session_state.get("mc_exchanges", [])
    if history and history[-1].reply.status != chains.DONE:
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
    st.session_state["mc_exchanges"] = [
        chains.ChatExchange(t.user, chains.Reply(t.assistant, chains.DONE), imported=True)
        for t in turns
    ]
    st.session_state["mc_import"] = f"Imported {len(turns)} exchanges from {upload.name}."


def window_table(exchange: chains.ChatExchange, memory: Sequence[Turn]) -> None:
    """The exchanges before this turn, each marked as sent or outside the window."""
    earlier = memory[: exchange.memory_before]
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


def what_the_model_saw(exchange: chains.ChatExchange, memory: Sequence[Turn]) -> None:
    """The window, the exact messages or prompt sent, and the raw request."""
    with st.expander("What the model saw", icon=":material/visibility:"):
        window_tab, sent_tab, request_tab = st.tabs(["Window", "Sent", "Request"])
        with window_tab:
            window_table(exchange, memory)
        with sent_tab:
            if exchange.backend == chains.COMMUNITY:
                st.caption(
                    "As the prompt rendered it; the notebook class then escapes quotes and "
                    "newlines in each message before sending (see **Request**)."
                )
            if exchange.mode == Mode.NOTEBOOK:
                st.caption("One user message: the notebook's prompt.")
                widgets.text_view(exchange.sent[0]["content"], chains.REQUEST_WHOLE)
            else:
                st.caption("The chat messages, in order.")
                widgets.json_view(exchange.sent, chains.REQUEST_WHOLE, expanded=True)
        with request_tab:
            chains.request_panel(exchange.reply.request, rebuilt=exchange.reply.rebuilt)


def reply_details(exchange: chains.ChatExchange, memory: Sequence[Turn]) -> None:
    """The reply, then one line on what was sent, then what the model saw."""
    chains.reply_body(exchange.reply, again=AGAIN, where=WHOLE)
    if exchange.imported:
        st.caption(":material/upload: Imported")
        return
    kept = exchange.memory_before - exchange.dropped
    seen = f"saw {kept} of {exchange.memory_before} earlier exchanges (k={exchange.k})"
    if exchange.reply.status != chains.DONE and exchange.reply.text:
        seen += " · not kept in memory"
    st.caption(f"{seen} · {MODES[exchange.mode]} · {chains.stats_text(exchange.reply)}")
    what_the_model_saw(exchange, memory)


def unwindowed_bytes(exchange: chains.ChatExchange, memory: Sequence[Turn]) -> int:
    """What the same request would weigh if it carried the whole history, not the window."""
    earlier = memory[: exchange.memory_before]
    if exchange.mode == Mode.NOTEBOOK:
        messages = [{"role": "user", "content": notebook_prompt(earlier, exchange.question)}]
    else:
        system = exchange.sent[0]["content"] if exchange.sent[0]["role"] == "system" else ""
        messages = chat_messages(earlier, exchange.question, system)
    body = {**exchange.reply.request["body"], "messages": messages}
    return chains.request_bytes({"body": body}) or 0


def size_chart(history: Sequence[chains.ChatExchange], memory: Sequence[Turn], k: int) -> None:
    """Request bytes per turn, against the whole history: flat once the window is full."""
    sent = [(n, e) for n, e in enumerate(history, 1) if e.reply.request is not None]
    last = chains.request_bytes(sent[-1][1].reply.request) if sent else None
    widgets.metrics_row(
        {
            "In memory": f"{len(memory)} exchanges",
            "Next turn sends": f"{min(len(memory), k)} of them",
            "Last request": f"{last:,} B" if last is not None else "—",
        }
    )
    if len(sent) < 2:
        return
    st.line_chart(
        {
            "turn": [n for n, _ in sent],
            "sent (the window)": [chains.request_bytes(e.reply.request) for _, e in sent],
            "with the whole history": [unwindowed_bytes(e, memory) for _, e in sent],
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


backend = chains.backend_picker()
mode_column, k_column = st.columns([3, 2])
mode = mode_column.segmented_control(
    "Prompt form", list(MODES), format_func=MODES.__getitem__, default=Mode.NOTEBOOK.value,
    required=True, key="mc_mode", persist_state=chains.SESSION,
    help="Notebook: one user message, `Current conversation: ... User question:...`, no system "
    "prompt. Chat messages: the sidebar's system prompt, each exchange as user/assistant "
    "messages, then the question.",
)  # fmt: skip
k = k_column.slider(
    "Exchanges the model sees (k)", MIN_K, MAX_K, DEFAULT_K, key="mc_k",
    persist_state=chains.SESSION,
)  # fmt: skip
setup = chains.setup(backend)
system_prompt = setup.system_prompt if mode == Mode.MESSAGES else ""
chains.community_caveats(setup)
chains.notebook_differences()

history = exchanges()
memory = chains.memory(history)
if not history:
    st.caption(
        "Ask something below. Try several questions, then lower k: older exchanges drop out "
        "of what the model sees."
    )
for exchange in history:
    with st.chat_message("user"):
        st.markdown(exchange.question)
    with st.chat_message("assistant"):
        reply_details(exchange, memory)

prompt = st.chat_input("Ask something", key="mc_input", submit_mode="stop")
question = (prompt or st.session_state.pop("mc_retry", None) or "").strip()
if question:
    turn = build_turn(memory, question, k, mode, system_prompt)
    exchange = chains.ChatExchange(
        question, chains.Reply(), k=k, mode=mode, memory_before=len(memory),
        sent=turn.messages, backend=backend,
    )  # fmt: skip
    history.append(exchange)
    inputs = memory_inputs(turn)
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        chains.stream_reply(
            exchange.reply,
            lambda model: memory_chain(model, mode, system_prompt),
            inputs,
            setup,
            memory_prompt(mode, system_prompt).invoke(inputs).to_messages(),
            stop_key="btn_mc_stop",
            where=WHOLE,
        )
        reply_details(exchange, memory)
    memory = chains.memory(history)

unfinished = bool(history) and history[-1].reply.status != chains.DONE
with st.container(horizontal=True, vertical_alignment="center"):
    if unfinished:
        st.button(
            "Ask again", key="btn_mc_again", icon=":material/refresh:", on_click=ask_again,
            type="primary", help="Send the last question again, in place of the failed reply.",
        )  # fmt: skip
    if history:
        st.button("Clear", key="btn_mc_clear", icon=":material/delete:", on_click=clear)
        st.download_button(
            "Export JSON", export_history(memory), file_name="memory-chat.json",
            mime="application/json", key="btn_mc_export", icon=":material/download:",
            on_click="ignore", disabled=not memory,
            help="The exchanges in memory (finished replies), to import here later.",
        )  # fmt: skip
    with st.popover("Import JSON", icon=":material/upload:"):
        upload_key = f"mc_upload_{st.session_state.get('mc_upload', 0)}"
        st.file_uploader(
            "A conversation exported from this page", type=["json"], key=upload_key,
            on_change=import_file, args=(upload_key,), max_upload_size=2,
            help="Replaces the current conversation. A list of [user, assistant] pairs, "
            "as Gradio keeps them, works too.",
        )  # fmt: skip
notice = st.session_state.pop("mc_import", None)  # shown once
if isinstance(notice, HistoryImportError):
    widgets.error_box(notice)
    st.caption("Nothing was imported; the conversation is unchanged.")
elif notice:
    st.success(notice, icon=":material/check_circle:")

with st.expander("Request size per turn", icon=":material/bar_chart:", expanded=len(history) > 1):
    size_chart(history, memory, k)
with st.expander("The same chatbot as Python", icon=":material/code:"):
    chains.code_tabs("memory", setup, k=k, mode=mode, system_prompt=system_prompt)
