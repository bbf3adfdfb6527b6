"""The playground's pages, in one list: add a `PageSpec` to `PAGES` and it gets a menu entry,
a card on the home page, and the shared sidebar. Its script starts with `navigation.in_app()`.
The home page (`HOME`, the default, at `/`) is listed apart: it is the one with the cards.

Why: the folder is called `pages/`, so Streamlit (1.67, streamlit/streamlit#8860) starts
each server process in its legacy multipage mode and leaves it only at the first
`st.navigation` call. In that mode a script run (the first visit of a fresh server, and
every AppTest run) does not start with the entry point: Streamlit first looks the URL up
by file name among `pages/*.py` itself. A name it does not know gets its "Page not found"
dialog, sent before any code of ours runs, so it stays even when `st.navigation` then finds
the page; a name it knows runs that page script alone, without the navigation and sidebar.
No setting turns the mode off. So a page's URL path is its file name, and a page script run
alone first runs the entry point (`in_app`), which draws the navigation and the sidebar,
ends the legacy mode, and leaves the page to the script (`run` does not run it again).
tests/browser/test_deep_links.py opens every page's URL as a fresh server's first visit.
"""

from __future__ import annotations

import runpy
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

ENTRY_POINT = Path(__file__).resolve().parent.parent / "streamlit_app.py"

# Within one script run: "" before any page, "page" while `run` runs the chosen page,
# "frame" while `in_app` runs the entry point for a page script Streamlit runs alone.
_STAGE: ContextVar[str] = ContextVar("playground_page_stage", default="")


#: What a page may take from the sidebar besides the endpoint (`PageSpec.uses`): the sampling
#: parameters, and the system prompt.
PARAMS = "params"
SYSTEM_PROMPT = "system prompt"
EVERYTHING = frozenset({PARAMS, SYSTEM_PROMPT})


@dataclass(frozen=True)
class PageSpec:
    """One page: its script under `pages/`, how the menu shows it, what it is for, and what it
    takes from the sidebar (`uses`; the sidebar marks the rest "not used here", saying
    `unused_reason`)."""

    path: str
    title: str
    icon: str
    summary: str
    uses: frozenset[str] = EVERYTHING
    unused_reason: str = ""

    @property
    def url(self) -> str:
        """The page's URL path: its file name (`pages/memory_chatbot.py` -> `memory_chatbot`),
        the name Streamlit's legacy mode knows it by (see the module docstring)."""
        return Path(self.path).stem


HOME = PageSpec(
    path="pages/home.py",
    title="Home",
    icon=":material/home:",
    summary="What each page is for, and whether the selected endpoint answers.",
)
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        path="pages/request_builder.py",
        title="Request Builder",
        icon=":material/send:",
        summary=(
            "Compose any request (route, method, headers, JSON body), send it and read the "
            "status, timings, headers and JSON, or watch a stream event by event. "
            "Copy the same call as curl or Python."
        ),
        uses=frozenset(),
        unused_reason=(
            'The Request Builder sends its body as typed; only the starter "Chat with the '
            "sidebar's system prompt and parameters\" copies these into it."
        ),
    ),
    PageSpec(
        path="pages/streaming_chat.py",
        title="Streaming Chat",
        icon=":material/chat:",
        summary=(
            "Hold a conversation with the model, replies streamed token by token, with time "
            "to first token, speed and usage per reply. Stop, regenerate, download."
        ),
    ),
    PageSpec(
        path="pages/compare.py",
        title="Compare",
        icon=":material/view_column:",
        summary=(
            "Two to four endpoints, parameter sets or system prompts side by side, streamed "
            "at once: speed per column, a word diff, a blind vote, a report to send and a "
            "link that shares the setup."
        ),
    ),
    PageSpec(
        path="pages/translator.py",
        title="Translator",
        icon=":material/translate:",
        summary=(
            "The notebooks' LangChain translator, streamed: edit its prompt, translate a "
            "batch of lines at once, see the request LangChain sent, copy the chain as code."
        ),
        uses=frozenset({PARAMS}),
        unused_reason="The Translator's prompt template is the whole prompt: no system message.",
    ),
    PageSpec(
        path="pages/memory_chatbot.py",
        title="Memory Chatbot",
        icon=":material/forum:",
        summary=(
            "A chatbot that remembers the last k exchanges. See exactly what the model saw "
            "each turn and which exchanges fell outside the window; export and import."
        ),
    ),
)


def streamlit_pages() -> list[st.Page]:
    """`st.Page` objects: `HOME` (the default, at `/`), then `PAGES` in order, at their file
    names' URL paths."""
    home = st.Page(HOME.path, title=HOME.title, icon=HOME.icon, default=True)
    return [home] + [
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url) for spec in PAGES
    ]


def spec_of(page: st.Page) -> PageSpec:
    """The `PageSpec` of a page `st.navigation` chose (`HOME` for the default)."""
    return next((spec for spec in PAGES if spec.title == page.title), HOME)


def run(page: st.Page) -> None:
    """Run the page `st.navigation` chose: the entry point's last step.

    When `in_app` ran the entry point for a page script, that script is the page and goes
    on by itself once the entry point returns: running it here too would draw it twice.
    """
    if _STAGE.get() == "frame":
        return
    stage = _STAGE.set("page")
    try:
        page.run()
    finally:
        _STAGE.reset(stage)


def in_app() -> None:
    """The first step of every page script: be drawn inside the app.

    A no-op when the entry point runs the page (`run`). When Streamlit runs the script on
    its own (legacy mode, see the module docstring), run the entry point first: its
    `st.navigation` call resolves this same page from the URL, draws the menu and the
    shared sidebar, and ends Streamlit's legacy mode for the server process.
    """
    ctx = get_script_run_ctx()
    if _STAGE.get() or ctx is None:
        return
    stage = _STAGE.set("frame")
    # The one Streamlit internal used here (1.67), `ctx.run_with_active_hash`: the ids of
    # this page's widgets depend on the run's "active script", which `st.navigation` sets
    # to the entry point until the enclosing scope ends. Scope the entry point as
    # `st.Page.run` scopes a page, so the rest of this script keeps the page's own, as in
    # every later run; otherwise the first click after a deep link is lost
    # (tests/browser/test_deep_links.py opens a page cold and sends a message).
    try:
        with ctx.run_with_active_hash(ctx.page_script_hash):
            runpy.run_path(str(ENTRY_POINT))
    finally:
        _STAGE.reset(stage)
