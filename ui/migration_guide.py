"""The migration guide on the LangChain pages: the Llama 2 notebook's code (as it runs today),
the same with the maintained class and LangChain 1.x idioms, and with this project's adapter,
side by side; then each line that changed with its reason (`core/langchain/migration.toml`),
and the fixes the notebooks' own code needed to run at all (the two `*_differences.toml`).

The three programs are `core.chain_snippets`' code for the sidebar's endpoint and this page's
options, or for example endpoints where the sidebar's cannot take that form. No LangChain here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from core import Endpoint, EndpointError
from core.chain_snippets import App
from core.langchain import NOTEBOOK_DIFFERENCES, Difference, llama2_differences, migration_steps
from core.memory import Mode
from ui.langchain_backends import ADAPTER, LLAMA2, MAINTAINED, Setup
from ui.langchain_pages import lazy_expander, program

TITLE = "Migration guide: from the notebook to LangChain 1.x"
COLUMNS = (
    "The Llama 2 notebook, as it runs today",
    "Maintained class (langchain-azure-ai), LangChain 1.x",
    "This project's adapter",
)
# Stand-ins for an endpoint of the kind the sidebar does not point at.
EXAMPLE_V1 = Endpoint("https://my-resource.openai.azure.com", deployment="my-chat")
EXAMPLE_SERVERLESS = Endpoint("https://my-llama-2-chat.eastus2.inference.ai.azure.com")
CODE_HEIGHT = 460  # pixels: the three programs scroll side by side


def programs(app: App, setup: Setup, **options: Any) -> tuple[str, str, str]:
    """The notebook's, the maintained class's and the adapter's program for this page.

    The Llama 2 class takes only the notebook's prompt form, with its own system message: its
    program always uses them; the other two follow the page (`options`: translator
    `template`, `inputs`; memory `k`, `mode`, `system_prompt`).
    """
    notebook_options = {**options, "mode": Mode.NOTEBOOK} if app == "memory" else dict(options)
    notebook_options.pop("system_prompt", None)
    return (
        _first(LLAMA2, app, setup, EXAMPLE_SERVERLESS, notebook_options),
        _first(MAINTAINED, app, setup, EXAMPLE_V1, options),
        program(ADAPTER, app, setup, **options),
    )


def _first(backend: str, app: App, setup: Setup, example: Endpoint, options: dict[str, Any]) -> str:
    """`backend`'s program for the sidebar's endpoint, or for `example` when it cannot take
    that endpoint."""
    try:
        return program(backend, app, setup, **options)
    except EndpointError:
        return program(backend, app, replace(setup, endpoint=example), **options)


def guide(app: App, setup: Setup, **options: Any) -> None:
    """The expander: the three programs side by side, each changed line and why, and the
    notebooks' own fixes."""
    with lazy_expander(TITLE, key=f"lc_guide_{app}", icon=":material/compare:") as opened:
        if opened:
            _content(app, setup, **options)


def _content(app: App, setup: Setup, **options: Any) -> None:
    """The guide itself (drawn only while its expander is open)."""
    st.caption(
        "The notebooks' LangChain code uses classes on their way out (langchain-community "
        "is being sunset; `LLMChain` and the memory classes live on in langchain-classic, "
        "with security fixes until December 2026). Here is the same page three ways, each "
        "runnable as shown against the sidebar's endpoint (or an example one)."
    )
    columns = st.columns(3)
    for column, title, code in zip(columns, COLUMNS, programs(app, setup, **options), strict=True):
        column.markdown(f"**{title}**")
        column.code(code, language="python", height=CODE_HEIGHT)
    st.markdown("**What changed, line by line**")
    for number, step in enumerate(migration_steps(app), start=1):
        with st.container(border=True, key=f"lc_step_{app}_{number}"):
            cells = st.columns(3)
            for cell, line in zip(
                cells, (step.notebook, step.maintained, step.adapter), strict=True
            ):
                _line(cell, line)
            st.caption(step.why)
    st.markdown("**What the notebooks' own code needed to run today**")
    llama2, community = st.tabs(["Llama 2 notebook", "Llama 3.1 and Mistral notebooks"])
    with llama2:
        _differences(llama2_differences())
    with community:
        _differences(NOTEBOOK_DIFFERENCES)


def _line(cell: Any, line: str) -> None:
    """One cell of a step: code, or a description (in parentheses), or "the same"."""
    if line.startswith("(") or line == "the same":
        cell.caption(line.strip("()"))
    else:
        cell.code(line, language="python", wrap_lines=True)


def _differences(rows: tuple[Difference, ...]) -> None:
    """Each fix: the notebook's line, the line that runs today, and why."""
    for row in rows:
        with st.container(border=True):
            st.markdown(f"**Notebook** `{row.notebook}`  \n**Today** `{row.ours}`")
            st.caption(row.why)


__all__ = ["COLUMNS", "TITLE", "guide", "programs"]
