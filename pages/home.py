"""Home: what each page is for, and whether the selected endpoint answers."""

import streamlit as st

from ui import home, navigation, session_settings

navigation.in_app()  # drawn inside the app even when Streamlit runs this file alone

st.title("Azure AI Playground", anchor=False)
st.markdown(
    "Try models deployed as **Azure AI serverless endpoints** (Llama 2, Llama 3.1, "
    "Mistral) or any OpenAI-compatible chat server: tweak parameters, watch replies "
    "stream, read the raw JSON, and copy the call as code. Settings live in the sidebar "
    "and stay in this browser tab only."
)
home.page_cards(navigation.PAGES)

st.subheader("Endpoint", anchor=False)
settings = session_settings.current()
client = session_settings.client()
if client is None:
    st.info(f"No endpoint yet: {settings.problem}", icon=":material/arrow_back:")
else:
    found = home.check(client, settings)
    st.caption(f"{settings.profile.label} · `{client.endpoint.base_url}`")
    home.info_result(found)
    home.connection_test(client, settings)
    st.button(
        "Check again",
        key="btn_home_check",
        icon=":material/refresh:",
        on_click=home.forget,
        args=(client, settings),
    )
if settings.profile.id == "local":
    st.caption(
        "Demo tip: the local endpoint misbehaves on request. Put `x-emulator-fault: 429` "
        "(or 401, 500, 503, cut, stall=5, malformed, content-filter-output, …) or "
        "`x-emulator-token-delay: 0.2` in the sidebar under Connection → Extra headers."
    )
