"""The shared sidebar: every page shows it, and it draws this run's settings.

What it edits is `st.session_state` (the `sb_` keys, see `ui/session_settings.py`); what it
shows about them (the endpoint's problem, header problems, the allowed hosts) comes from the
`Settings` the entry point computed once for this run.
"""

from __future__ import annotations

import streamlit as st

from core import PROFILES, AuthStyle, ExtraParameters, Param, Profile
from ui import hosting, session_settings
from ui.session_settings import RETRY_BUDGET, Settings, param_key
from ui.widgets import bound

AUTH_LABELS = {
    AuthStyle.BEARER: "Authorization: Bearer <key>",
    AuthStyle.BARE: "Authorization: <key> (notebooks)",
    AuthStyle.API_KEY: "api-key: <key>",
}
EXTRA_PARAMETERS_LABELS = {
    ExtraParameters.OMIT: "not sent",
    ExtraParameters.ERROR: "error",
    ExtraParameters.DROP: "drop",
    ExtraParameters.PASS_THROUGH: "pass-through",
}


def draw(settings: Settings) -> None:
    """The sidebar: profile, URL and key, then the Connection and Parameters sections."""
    profile = settings.profile
    with st.sidebar:
        st.selectbox(
            "Endpoint profile",
            list(PROFILES),
            format_func=lambda pid: PROFILES[pid].label,
            **bound("sb_profile", list(PROFILES)),
            on_change=session_settings.switch_profile,
            help="Switching profile resets the parameters to its defaults; "
            "each profile keeps its own URL and key.",
        )
        if profile.notes:
            st.caption(profile.notes)
        st.text_input("Endpoint URL", placeholder=profile.example_url, **bound("sb_url"))
        hosting.key_field(settings)  # the visitor's own key; the host's stays on the server
        if settings.problem:
            st.warning(settings.problem, icon=":material/link_off:")
        _connection_section(settings)
        _parameter_section(profile)
        st.text_area("System prompt", height=90, **bound("sb_system"))


def _connection_section(settings: Settings) -> None:
    with st.expander("Connection", icon=":material/settings_ethernet:"):
        st.selectbox(
            "Auth header",
            list(AuthStyle),
            format_func=AUTH_LABELS.__getitem__,
            **bound("sb_auth", list(AuthStyle)),
        )
        st.selectbox(
            "extra-parameters header",
            list(ExtraParameters),
            format_func=EXTRA_PARAMETERS_LABELS.__getitem__,
            **bound("sb_extra", list(ExtraParameters)),
            help="What the endpoint does with parameters outside its API: "
            "error (400), drop them, or pass them through to the model.",
        )
        st.text_input(
            "api-version", placeholder="none (e.g. 2024-05-01-preview)", **bound("sb_api_version")
        )
        left, right = st.columns(2)
        left.number_input(
            "Connect timeout (s)",
            min_value=0.5,
            max_value=120.0,
            step=0.5,
            **bound("sb_connect_timeout"),
        )
        right.number_input(
            "Read timeout (s)",
            min_value=0.5,
            max_value=600.0,
            step=1.0,
            **bound("sb_read_timeout"),
        )
        _retry_widgets()
        st.text_area(
            "Extra headers",
            **bound("sb_headers"),
            placeholder="x-emulator-fault: 429\nx-emulator-token-delay: 0.1",
            help="One `name: value` per line, sent with every request. The local endpoint "
            "reads x-emulator-fault (401, 429=2, 500, cut, stall=5, ...) and "
            "x-emulator-token-delay (seconds per token).",
        )
        for problem in settings.header_problems:
            st.warning(problem)
        hosting.server_notes(settings.hosts)


def _retry_widgets() -> None:
    st.toggle(
        "Retry 429 and 503 automatically",
        help="Rate limited (429) or unavailable (503) means the endpoint did not serve the "
        f"request, so the page waits (honouring Retry-After) and tries again, at most "
        f"{RETRY_BUDGET:g} s in all; Cancel stops waiting. Nothing else is retried, and a "
        "reply that already started is never sent again.",
        **bound("sb_retry"),
    )
    st.number_input(
        "Retries",
        min_value=1,
        max_value=5,
        step=1,
        disabled=not st.session_state["sb_retry"],
        **bound("sb_retry_attempts"),
    )


def _parameter_section(profile: Profile) -> None:
    with st.expander("Parameters", expanded=True, icon=":material/tune:"):
        for param in profile.params:
            _param_widget(param)
        st.button(
            "Reset to profile defaults",
            key="btn_reset_params",
            on_click=session_settings.reset_params,
            args=(profile,),
            icon=":material/restart_alt:",
        )


def _param_widget(param: Param) -> None:
    key = param_key(param)
    if param.kind is float:
        st.slider(
            param.name,
            min_value=float(param.minimum or 0.0),
            max_value=float(param.maximum or 1.0),
            step=float(param.step or 0.01),
            help=param.help,
            **bound(key),
        )
    elif param.kind is int:
        st.number_input(
            param.name,
            min_value=int(param.minimum) if param.minimum is not None else None,
            max_value=int(param.maximum) if param.maximum is not None else None,
            step=int(param.step or 1),
            help=param.help,
            placeholder="not set",
            **bound(key),
        )
    else:
        st.text_area(param.name, help=param.help, height=68, **bound(key))
