"""The playground's pages, in one list: add a `PageSpec` here and it gets a menu entry,
a link and a description on the home view, and the shared sidebar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st


@dataclass(frozen=True)
class PageSpec:
    """One page: its script under `pages/`, how the menu shows it, and what it is for.

    `url_path` must differ from the file name (see `streamlit_pages`); by default it is the
    file name with dashes (`memory_chatbot.py` -> `memory-chatbot`).
    """

    path: str
    title: str
    icon: str
    summary: str
    url_path: str = ""

    @property
    def url(self) -> str:
        """The page's URL path, never equal to its file name."""
        stem = Path(self.path).stem
        path = self.url_path or stem.replace("_", "-")
        return path if path != stem else f"{path}-page"


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
        path="pages/translator.py",
        title="Translator",
        icon=":material/translate:",
        summary=(
            "The notebooks' LangChain translator, streamed: edit its prompt, translate a "
            "batch of lines at once, see the request LangChain sent, copy the chain as code."
        ),
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
    """`st.Page` objects for `PAGES`, in order.

    The URL paths must differ from the file names. Because the folder is called `pages/`,
    Streamlit's legacy multipage mode wraps the first run of a new server process (and
    every AppTest run): a page whose URL matched its file name would then run on its own,
    without this app's sidebar. With distinct paths the wrapper falls back to the entry
    point, which draws the sidebar and runs the page.
    """
    return [
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url) for spec in PAGES
    ]
