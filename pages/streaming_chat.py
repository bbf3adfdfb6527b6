"""Streaming Chat: a conversation whose replies stream token by token, with their numbers."""

import streamlit as st

from ui import chat_turns, kept, navigation, session_settings, streaming_chat

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Streaming Chat", anchor=False)
st.caption(
    "Replies stream as the model writes them. The sidebar's profile, parameters and system "
    "prompt apply to each new request; every answer keeps what it was asked with. Failed and "
    "stopped answers are left out of later requests unless you keep them."
)
settings = session_settings.current()
client = session_settings.client()
kept.conversation(streaming_chat.PAGE, kept.read_chat)  # once, after a reload
chat = streaming_chat.conversation()
if client is None:  # the conversation stays readable; sending waits for a usable endpoint
    st.info(
        f"Set up the endpoint in the sidebar first: {settings.problem}",
        icon=":material/arrow_back:",
    )

# "disable", not "stop": stopping the script does not stop a reply (it streams in a worker
# and the next run follows it); the reply's own Stop button does.
prompt = st.chat_input("Message the model", submit_mode="disable", disabled=client is None)
if not chat.turns and not prompt:
    st.caption(
        "Say something below to start. Try the local endpoint's faults from the "
        "sidebar's extra headers, e.g. `x-emulator-fault: cut`."
    )
ask = streaming_chat.PAGE.take()  # what a control under a message asked for
if prompt and prompt.strip():
    ask = chat.ask(prompt)
kept.restored_note(streaming_chat.PAGE)  # until the conversation changes
if client is not None and ask is not None:
    params = session_settings.request_params(client)
    streaming_chat.start(client, chat, ask, params, settings.retry)
if chat.live:  # kept before the reply is followed too: a reload meanwhile keeps the question
    kept.keep(streaming_chat.PAGE, kept.chat_value(chat), quiet=True)
# Every turn, then the live reply (a new one, or one still streaming after a rerun) followed
# until it ends.
chat_turns.show_all(streaming_chat.PAGE, streaming_chat.draw_answer, can_send=client is not None)

# Below the conversation, drawn after any new reply so the downloads include it.
streaming_chat.toolbar(chat, can_send=client is not None)
if client is not None:
    streaming_chat.fit(chat, client)
kept.keep(streaming_chat.PAGE, kept.chat_value(chat))  # this browser's copy, for a reload
