"""Streaming Chat: a conversation whose replies stream token by token, with their numbers."""

import streamlit as st

from ui import conversation, follow, navigation, settings

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Streaming Chat", anchor=False)
st.caption(
    "Replies stream as the model writes them. The sidebar's profile, parameters and system "
    "prompt apply to every message."
)
client = settings.client()
history = conversation.turns()
if client is None:  # the conversation stays readable; sending waits for a usable endpoint
    st.info(
        f"Set up the endpoint in the sidebar first: {settings.current().problem}",
        icon=":material/arrow_back:",
    )

# "disable", not "stop": stopping the script does not stop a reply (it streams in a worker
# and the next run follows it); the reply's own Stop button does.
prompt = st.chat_input("Message the model", submit_mode="disable", disabled=client is None)
if not history and not prompt:
    st.caption(
        "Say something below to start. Try the local endpoint's faults from the "
        "sidebar's extra headers, e.g. `x-emulator-fault: cut`."
    )
if prompt:
    history.append(conversation.Turn("user", prompt))
if client is not None and (conversation.take_regenerate() or prompt):
    conversation.ask(client, history, settings.request_params(client), settings.retry_policy())
# Every turn, then the live reply (a new one, or one still streaming after a rerun) followed
# until it ends.
follow.follow([conversation.show(turn) for turn in history])

# Below the conversation, drawn after any new reply so the downloads include it.
conversation.toolbar(history, can_send=client is not None)
