"""Streamlit helpers shared by every page: the sidebar, settings, and common widgets.

    navigation.py    the list of pages (add a page here and it appears everywhere);
                     `in_app()`, the first step of every page script
    settings.py      the shared sidebar and `current()` / `client()` for pages
    widgets.py       error box, metrics row, code tabs, event log, response views,
                     the retry countdown (`run_with_retries`), clipping of long text
    follow.py        the one stream follower: every reply on screen, live or finished,
                     with Stop, the retry countdown and Cancel, and its numbers
    starters.py      the notebooks' starter request bodies
    builder.py       Request Builder state: drafts, live send, history
    conversation.py  Streaming Chat state: turns, asking for a reply, exports

Only this package and the pages import Streamlit; `core` never does.
"""
