"""Presentation mode (issue 14): a screen for a demo. The page header names the model and the
endpoint's host, developer details (the numbers under a reply, raw events, request JSON)
fold away, and the type is larger. It is the sidebar's toggle (`sb_present`, in
`st.session_state`), or `?present=1` in the URL, so it works with the sidebar closed.

`header` is the top of every page, drawn by the entry point: the extra headers badge (any
mode) and, presenting, the model and host. Pages ask `on()` before drawing developer details.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ui import extra_headers, safe_text
from ui.session_settings import Settings
from ui.widgets import bound

KEY = "sb_present"
QUERY = "present"  # ?present=1
# Scoped to the main area: the sidebar keeps its size, code blocks and tables theirs.
STYLE = """<style>
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li,
[data-testid="stBottom"] [data-testid="stChatInputTextArea"] { font-size: 1.3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 3rem; }
</style>"""


def init_state() -> None:
    """The first value, once per session: on when the URL says `?present=1`."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(QUERY) == "1"


def on() -> bool:
    """True in presentation mode."""
    init_state()
    return bool(st.session_state[KEY])


def toggle() -> None:
    """The sidebar's toggle; the URL follows it, so a reload (or a link) keeps the mode."""
    init_state()
    st.toggle(
        "Presentation mode",
        **bound(KEY),
        on_change=_sync_query,
        help="For a demo: the model and endpoint named at the top of the page, developer "
        "details folded away, larger type. Also `?present=1` in the page's address.",
    )


def _sync_query() -> None:
    if st.session_state[KEY]:
        st.query_params[QUERY] = "1"
    else:
        st.query_params.pop(QUERY, None)


def header(settings: Settings) -> None:
    """The top of every page: the extra headers badge, and presenting, the model and host."""
    extra_headers.badge()
    # Places held either way, so the page's own elements keep theirs when the mode changes.
    style, names = st.empty(), st.empty()
    if not on():
        return
    style.html(STYLE)
    names.markdown(
        f":blue-badge[:material/smart_toy: {safe_text.literal(model_and_host(settings))}]"
    )


def model_and_host(settings: Settings) -> str:
    """`gpt-4o-mini · myresource.openai.azure.com`: the deployment (or the profile) and the
    endpoint's host (and port, when not the scheme's own)."""
    endpoint = settings.endpoint
    model = (endpoint.deployment.strip() if endpoint else "") or settings.profile.label
    if endpoint is None:
        return f"{model} · no endpoint yet"
    return f"{model} · {urlsplit(endpoint.url).netloc or endpoint.url}"
