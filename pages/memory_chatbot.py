"""Memory Chatbot: a conversation that sends only the last k exchanges, and shows which."""

import streamlit as st

from core.memory import DEFAULT_K, MAX_K, MIN_K, Mode, build_turn, export_history
from ui import navigation
from ui.widgets import SESSION

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Memory Chatbot", anchor=False)
st.caption(
    "A chatbot that remembers the last k exchanges, as the notebooks' "
    "`ConversationBufferWindowMemory(k=5)` did. Under each reply, **What the model saw** shows "
    "exactly what was sent and which older exchanges fell outside the window."
)

# The title shows first, should LangChain still be importing (ui/langchain_preload.py).
with st.spinner("Loading LangChain…"):
    from ui import (
        chat_notes,
        chat_turns,
        kept,
        langchain_backends,
        langchain_pages,
        memory_chatbot,
        memory_window,
        migration_guide,
    )
    from ui.memory_window import MODES

# Once, after a reload: this browser's copy, with its k and prompt form (before their widgets).
kept.conversation(
    memory_chatbot.PAGE, lambda value: kept.read_memory(value, MODES, memory_chatbot.read_file)
)
backend = langchain_backends.backend_picker()
one_prompt = backend == langchain_backends.LLAMA2  # a text LLM: the notebook's prompt only
mode_column, k_column = st.columns([3, 2])
mode = mode_column.segmented_control(
    "Prompt form", list(MODES), format_func=MODES.__getitem__, default=Mode.NOTEBOOK.value,
    required=True, key="mc_mode", persist_state=SESSION, disabled=one_prompt,
    help="Notebook: one user message, `Current conversation: ... User question:...`, no system "
    "prompt. Chat messages: the sidebar's system prompt, each exchange as user/assistant "
    "messages, then the question.",
)  # fmt: skip
k = k_column.slider(
    "Exchanges the model sees (k)", MIN_K, MAX_K, DEFAULT_K, key="mc_k", persist_state=SESSION,
)  # fmt: skip
if one_prompt:
    mode = Mode.NOTEBOOK.value
    st.caption("The Llama 2 notebook class takes one text prompt: the notebook's form.")
setup = langchain_backends.setup(backend, "memory")
system_prompt = setup.system_prompt if mode == Mode.MESSAGES else ""
langchain_pages.caveats(setup)

chat = memory_chatbot.conversation()
prompt = st.chat_input("Ask something", key="mc_input", submit_mode="stop")
if not chat.turns and not prompt:
    st.caption(
        "Ask something below. Try several questions, then lower k: older exchanges drop out "
        "of what the model sees."
    )
ask = memory_chatbot.PAGE.take()  # what a control under a message asked for
if prompt and prompt.strip():
    ask = chat.ask(prompt.strip())
kept.restored_note(memory_chatbot.PAGE)  # until the conversation changes
if ask is not None:
    memory_chatbot.start(chat, ask, k, mode, system_prompt, setup)
# Every exchange, then the live reply (a new one, or one still streaming after a rerun)
# followed until it ends.
chat_turns.show_all(memory_chatbot.PAGE, memory_chatbot.draw_answer, can_send=True)
remembered = memory_window.memory(chat)

with st.container(horizontal=True, vertical_alignment="center"):
    if memory_chatbot.unfinished(chat):
        st.button(
            "Ask again", key="btn_mc_again", icon=":material/refresh:",
            on_click=memory_chatbot.ask_again, type="primary",
            help="Another answer to the last question; the unfinished one stays (◀ ▶).",
        )  # fmt: skip
    if chat.turns:
        st.button(
            "Clear", key="btn_mc_clear", icon=":material/delete:", on_click=chat_notes.forget,
            args=(memory_chatbot.PAGE,),
        )  # fmt: skip
        st.download_button(
            "Export JSON", export_history(remembered), file_name="memory-chat.json",
            mime="application/json", key="btn_mc_export", icon=":material/download:",
            on_click="ignore", disabled=not remembered,
            help="The exchanges in memory (cut and kept ones marked), to import here later.",
        )  # fmt: skip
    memory_chatbot.import_picker()
chat_notes.import_notice(memory_chatbot.PAGE)
kept.keep(memory_chatbot.PAGE, kept.memory_value(chat, remembered, k, mode))
next_turn = build_turn(remembered, "", k, mode, system_prompt)
chat_notes.fit_note(next_turn.messages, setup.params.get("max_tokens"), setup.profile)

with st.expander(
    "Request size per turn", icon=":material/bar_chart:", expanded=len(chat.turns) > 1
):
    memory_window.size_chart(chat, remembered, k)
with langchain_pages.lazy_expander(
    "The same chatbot as Python", key="lc_code_memory", icon=":material/code:"
) as opened:
    if opened:
        langchain_pages.code_tabs("memory", setup, k=k, mode=mode, system_prompt=system_prompt)
migration_guide.guide("memory", setup, k=k, mode=mode, system_prompt=system_prompt)
