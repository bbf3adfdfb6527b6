"""The sidebar's parameters and system prompt, ordered by use (issue 14): the reply length,
the temperature and the system prompt near the top; the rarely changed ones (top_p,
penalties, seed, stop) under "More parameters". Labels are plain words; the help names the
API field. A page that does not use a group (`ui.navigation.PageSpec.uses`) gets it folded
into an expander marked "not used here", with the page's reason: the values stay for the
other pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core import Param, Profile
from ui import session_settings
from ui.navigation import PARAMS, SYSTEM_PROMPT
from ui.session_settings import param_key
from ui.widgets import bound

COMMON = ("max_tokens", "max_completion_tokens", "temperature")  # first, in this order
LABELS = {
    "max_tokens": "Max tokens",
    "max_completion_tokens": "Max tokens",
    "temperature": "Temperature",
    "top_p": "Top p",
    "stop": "Stop sequences",
    "seed": "Seed",
    "presence_penalty": "Presence penalty",
    "frequency_penalty": "Frequency penalty",
}
NOT_USED = "not used here"


def label(param: Param) -> str:
    """A parameter's plain label ("Top p" for `top_p`)."""
    return LABELS.get(param.name, param.name.replace("_", " ").capitalize())


def common(profile: Profile) -> list[Param]:
    """The parameters people change most, in `COMMON`'s order."""
    found = {param.name: param for param in profile.params}
    return [found[name] for name in COMMON if name in found]


def draw(profile: Profile, uses: frozenset[str], reason: str) -> None:
    """Max tokens, temperature, the system prompt, then "More parameters"."""
    with _unless_used(PARAMS in uses, "Parameters", reason):
        for param in common(profile):
            _param_widget(param)
    with _unless_used(SYSTEM_PROMPT in uses, "System prompt", reason):
        st.text_area(
            "System prompt",
            height=90,
            help="Sent first, as the `system` message, with every chat request.",
            **bound("sb_system"),
        )
    rare = [param for param in profile.params if param not in common(profile)]
    more = "More parameters" + ("" if PARAMS in uses else f" · {NOT_USED}")
    with st.expander(more, icon=":material/tune:"):
        if PARAMS not in uses:
            st.caption(reason)
        for param in rare:
            _param_widget(param)
        st.button(
            "Reset to profile defaults",
            key="btn_reset_params",
            on_click=session_settings.reset_params,
            args=(profile,),
            icon=":material/restart_alt:",
        )


@contextmanager
def _unless_used(used: bool, name: str, reason: str) -> Iterator[None]:
    """Draw in place when the page uses it, else in a folded expander marked "not used here"."""
    if used:
        yield
        return
    with st.expander(f"{name} · {NOT_USED}", icon=":material/block:"):
        st.caption(reason)
        yield


def _param_widget(param: Param) -> None:
    key = param_key(param)
    help_text = f"`{param.name}`: {param.help}"
    if param.kind is float:
        st.slider(
            label(param),
            min_value=float(param.minimum or 0.0),
            max_value=float(param.maximum or 1.0),
            step=float(param.step or 0.01),
            help=help_text,
            **bound(key),
        )
    elif param.kind is int:
        st.number_input(
            label(param),
            min_value=int(param.minimum) if param.minimum is not None else None,
            max_value=int(param.maximum) if param.maximum is not None else None,
            step=int(param.step or 1),
            help=help_text,
            placeholder="not set",
            **bound(key),
        )
    else:
        st.text_area(label(param), help=help_text, height=68, **bound(key))
