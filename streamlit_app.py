"""Azure AI Playground: the entry point. This run's settings, the navigation, the sidebar.

Run with `make run` (starts the local endpoint too) or `streamlit run streamlit_app.py`.
Pages are listed once, in `ui/navigation.py`; each is a script under `pages/`.
"""

import streamlit as st

import ui.langchain_preload  # noqa: F401  (its import starts importing LangChain in the background)
from ui import navigation, session_settings, sidebar

st.set_page_config(page_title="Azure AI Playground", page_icon=":material/science:", layout="wide")
settings = session_settings.refresh()  # once per run; pages read it with `current()`
page = st.navigation(navigation.streamlit_pages())
sidebar.draw(settings)
navigation.run(page)
