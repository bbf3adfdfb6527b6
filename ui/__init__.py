"""The Streamlit layer: one module per page, named after it, plus the shared ones.

    home.py, request_builder.py, streaming_chat.py, translator.py, memory_chatbot.py
                        each page's state, actions and drawing (pages/<name>.py is the screen)
    langchain_pages.py  what Translator and Memory Chatbot share: chain streaming, the
                        request each reply sent, request and code views
    langchain_backends.py  the four LangChain backends: which fit the sidebar, the picker
                        under Advanced, the model each builds, its errors
    migration_guide.py  the notebook's code, the maintained class's and the adapter's, side
                        by side, with each changed line and why
    session_settings.py this run's settings (computed once), the state schema, env/secrets,
                        the per-session clients
    sidebar.py          the shared sidebar that draws and edits them
    follow.py           the one stream follower: every reply on screen, live or finished,
                        with Stop, the retry countdown and Cancel, and its numbers
    exchange_views.py   one HTTP exchange on screen: the Builder's response, event log,
                        headers, body, the request as sent, code tabs
    widgets.py          error box, notes, metrics, clipping of long text, the retry countdown
                        of one-shot calls, `bound`
    navigation.py       the list of pages; `in_app()`, the first step of every page script
    langchain_preload.py  imports LangChain in the background, once per server process

Only this package and the pages import Streamlit; `core` never does.
"""
