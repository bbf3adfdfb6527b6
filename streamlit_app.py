"""Azure AI Playground: the entry point. This run's settings, the navigation, the sidebar.

Run with `make run` (starts the local endpoint too) or `streamlit run streamlit_app.py`.
Pages are listed once, in `ui/navigation.py`; each is a script under `pages/`.
"""

import streamlit as st

from ui import browser_store, kept, navigation, presentation, session_settings, sidebar, url_state

st.set_page_config(page_title="Azure AI Playground", page_icon=":material/science:", layout="wide")
url_state.restore()  # a new session (a reload) takes the sidebar's values from the URL
settings = session_settings.refresh()  # once per run; pages read it with `current()`
page = st.navigation(navigation.streamlit_pages())
kept.system_prompt()  # this browser's copy, before the sidebar draws it
spec = navigation.spec_of(page)
sidebar.draw(settings, spec.uses, spec.unused_reason)  # what the page does not use is marked
url_state.write()  # the sidebar's non-secret values in the URL, for the next reload
presentation.header(settings)  # the extra headers badge; presenting, the model and host
try:
    navigation.run(page)
finally:
    browser_store.sync()  # after the page: what it saved in this run reaches the browser
    # This run's page is drawn: LangChain starts importing in the background, so that the
    # first visit to Translator or Memory Chatbot does not wait for it. The module's import
    # starts it, so once per server process.
    import ui.langchain_preload  # noqa: F401
