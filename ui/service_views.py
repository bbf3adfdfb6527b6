"""What Azure says about a reply besides its text: the content filter's verdicts on the prompt
and the reply (`docs/azure-v1.md` §4), and the rate-limit and routing headers (§5).

A compact line under each chat reply (`filter_line`), a per-category panel in the Request
Builder (`filter_panel`), and one line of the service headers in a reply's details
(`service_line`). Endpoints that send none (serverless, the local endpoint's serverless
routes) get nothing drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core import FilterCategory, FilterResults, ServiceHeaders

NOT_JUDGED = "—"


def filter_line(results: FilterResults) -> None:
    """One line: "Content filter: prompt safe; reply safe." (nothing when none came)."""
    if results:
        st.caption(f":material/shield: {results.summary()}")


def filter_panel(results: FilterResults) -> None:
    """Each category's verdict on the prompt and on the reply, one row per category."""
    if not results:
        return
    prompt = {c.name: c for c in results.prompt}
    reply = {c.name: c for c in results.completion}
    names = list(dict.fromkeys([*prompt, *reply]))
    st.table(
        {
            "category": [name.replace("_", " ") for name in names],
            "prompt": [verdict(prompt.get(name)) for name in names],
            "reply": [verdict(reply.get(name)) for name in names],
        },
        hide_index=True,
        border="horizontal",
    )
    flagged = results.flagged
    if flagged:
        st.caption(
            ":material/shield: Flagged: "
            + ", ".join(f"{c.name.replace('_', ' ')} ({verdict(c)})" for c in flagged)
            + "."
        )
    else:
        st.caption(":material/shield: Nothing was flagged: every category is safe.")


def verdict(category: FilterCategory | None) -> str:
    """`low`, `medium (filtered)`, `detected (filtered)`, `not detected`, or a dash."""
    if category is None:
        return NOT_JUDGED
    return (category.level or "judged") + (" (filtered)" if category.filtered else "")


def service_line(service: ServiceHeaders) -> None:
    """Deployment and region, requests and tokens left, apim-request-id (when any came)."""
    if service:
        st.caption(f":material/speed: {service.summary()}")


def from_metadata(meta: Mapping[str, Any]) -> tuple[FilterResults, ServiceHeaders]:
    """The verdicts and headers a LangChain reply carries in its `response_metadata` (as
    `core.langchain.ChatAzureServerless` puts them there: plain dicts)."""
    found = meta.get("content_filter")
    results = FilterResults()
    if isinstance(found, Mapping):
        results = FilterResults(
            _categories(found.get("prompt")), _categories(found.get("completion"))
        )
    service = meta.get("service")
    known = ServiceHeaders.__dataclass_fields__
    if isinstance(service, Mapping):
        return results, ServiceHeaders(**{k: v for k, v in service.items() if k in known})
    return results, ServiceHeaders()


def _categories(items: Any) -> tuple[FilterCategory, ...]:
    if not isinstance(items, list | tuple):
        return ()
    known = FilterCategory.__dataclass_fields__
    return tuple(
        FilterCategory(**{k: v for k, v in item.items() if k in known})
        for item in items
        if isinstance(item, Mapping)
    )
