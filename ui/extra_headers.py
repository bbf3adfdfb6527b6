"""The sidebar's extra headers made visible wherever they act (issue 14): a badge in the
sidebar and on the page header while any are set, and a sentence under every error whose
request carried them. A forgotten `x-emulator-fault: 500` under a collapsed Connection
otherwise makes every page fail with no hint.

The headers are read from the sidebar's own state (`sb_headers`), parsed as the client
parses them; values of secret headers (`core.headers.SECRET_HEADERS`) show as `***`.
"""

from __future__ import annotations

import streamlit as st

from core import EndpointError
from core.headers import SECRET_HEADERS, Pairs, parse_headers
from ui import safe_text

MAX_SHOWN = 3  # headers named in a badge; the rest are counted


def active() -> Pairs:
    """The sidebar's extra headers as they go with every request (lines that are not
    headers left out)."""
    return parse_headers(str(st.session_state.get("sb_headers", "")))[0]


def shown(name: str, value: str) -> str:
    """`name: value`, the value of a secret header as `***`."""
    return f"{name}: {'***' if name.lower() in SECRET_HEADERS else value}"


def summary(pairs: Pairs) -> str:
    """`x-emulator-fault: 500, x-b: 1 and 2 more`, for a badge."""
    names = [shown(name, value) for name, value in pairs[:MAX_SHOWN]]
    more = f" and {len(pairs) - MAX_SHOWN} more" if len(pairs) > MAX_SHOWN else ""
    return ", ".join(names) + more


def badge() -> None:
    """An orange badge naming the extra headers, while any are set (nothing otherwise).

    Its place is held either way: an element appearing above an expander would make
    Streamlit draw the expander anew, folded (Connection would close as headers are set)."""
    holder = st.empty()
    pairs = active()
    if not pairs:
        return
    text = safe_text.literal(f"Extra headers: {summary(pairs)}")
    holder.markdown(
        f":orange-badge[:material/warning: {text}]",
        help="Sent with every request from every page. Edit or clear them in the sidebar "
        "under Connection → Extra headers.",
    )


def carried(error: EndpointError) -> Pairs:
    """The sidebar's extra headers that `error`'s request carried (all of them when the
    error came before a request was sent)."""
    pairs = active()
    request = error.request
    if request is None:
        return pairs
    sent = {name.lower(): value for name, value in request.headers.items()}
    return tuple((name, value) for name, value in pairs if sent.get(name.lower()) == value)


def error_note(error: EndpointError) -> str:
    """A sentence for an error box: the extra headers this request carried ("" for none)."""
    pairs = carried(error)
    if not pairs:
        return ""
    named = "; ".join(shown(name, value) for name, value in pairs)
    return (
        f"This request carried {named} from the sidebar's extra headers (Connection): "
        "clear them there if they were left over."
    )
