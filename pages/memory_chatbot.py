"""Memory Chatbot: a conversation that sends only the last k exchanges, and shows which."""

import streamlit as st

from core.memory import DEFAULT_K, MAX_K, MIN_K, Mode, export_history
from ui import follow, navigation
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
    from ui import langchain_pages, memory_chatbot
    from ui.memory_chatbot import MODES

backend = langchain_pages.backend_picker()
mode_column, k_column = st.columns([3, 2])
mode = mode_column.segmented_control(
    "Prompt form", list(MODES), format_func=MODES.__getitem__, default=Mode.NOTEBOOK.value,
    required=True, key="mc_mode", persist_state=SESSION,
    help="Notebook: one user message, `Current conversation: ... User question:...`, no system "
    "prompt. Chat messages: the sidebar's system prompt, each exchange as user/assistant "
    "messages, then the question.",
)  # fmt: skip
k = k_column.slider(
    "Exchanges the model sees (k)", MIN_K, MAX_K, DEFAULT_K, key="mc_k", persist_state=SESSION,
)  # fmt: skip
setup = langchain_pages.setup(backend)
system_prompt = setup.system_prompt if mode == Mode.MESSAGES else ""
langchain_pages.community_caveats(setup)
langchain_pages.notebook_differences()

history = memory_chatbot.exchanges()
prompt = st.chat_input("Ask something", key="mc_input", submit_mode="stop")
question = (prompt or st.session_state.pop("mc_retry", None) or "").strip()
if not history and not question:
    st.caption(
        "Ask something below. Try several questions, then lower k: older exchanges drop out "
        "of what the model sees."
    )
if question:
    memory_chatbot.ask(history, question, k, mode, system_prompt, setup)
# Every exchange, then the live reply (a new one, or one still streaming after a rerun)
# followed until it ends. The windows are drawn against the memory before the new reply.
remembered = memory_chatbot.memory(history)
follow.follow([memory_chatbot.show(exchange, remembered) for exchange in history])
remembered = memory_chatbot.memory(history)

with st.container(horizontal=True, vertical_alignment="center"):
    if memory_chatbot.unfinished(history):
        st.button(
            "Ask again", key="btn_mc_again", icon=":material/refresh:",
            on_click=memory_chatbot.ask_again, type="primary",
            help="Send the last question again, in place of the failed reply.",
        )  # fmt: skip
    if history:
        st.button(
            "Clear", key="btn_mc_clear", icon=":material/delete:", on_click=memory_chatbot.clear
        )
        st.download_button(
            "Export JSON", export_history(remembered), file_name="memory-chat.json",
            mime="application/json", key="btn_mc_export", icon=":material/download:",
            on_click="ignore", disabled=not remembered,
            help="The exchanges in memory (finished replies), to import here later.",
        )  # fmt: skip
    with st.popover("Import JSON", icon=":material/upload:"):
        upload_key = f"mc_upload_{st.session_state.get('mc_upload', 0)}"
        st.file_uploader(
            "A conversation exported from this page", type=["json"], key=upload_key,
            on_change=memory_chatbot.import_file, args=(upload_key,), max_upload_size=2,
            help="Replaces the current conversation. A list of [user, assistant] pairs, "
            "as Gradio keeps them, works too.",
        )  # fmt: skip
memory_chatbot.import_notice()

with st.expander("Request size per turn", icon=":material/bar_chart:", expanded=len(history) > 1):
    memory_chatbot.size_chart(history, remembered, k)
with st.expander("The same chatbot as Python", icon=":material/code:"):
    langchain_pages.code_tabs("memory", setup, k=k, mode=mode, system_prompt=system_prompt)
