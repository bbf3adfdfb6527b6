"""The shared sidebar: every page shows it, and it draws this run's settings.

What it edits is `st.session_state` (the `sb_` keys, see `ui/session_settings.py`); what it
shows about them (the endpoint's problem, header problems, the allowed hosts) comes from the
`Settings` the entry point computed once for this run. It is ordered by use (issue 14): the
endpoint, the parameters people change most and the system prompt (`ui/sidebar_params.py`),
then the rarely used folded away, then presentation mode (`ui/presentation.py`).
"""

from __future__ import annotations

import streamlit as st

from core import PROFILES, ExtraParameters
from ui import (
    extra_headers,
    hosting,
    presentation,
    saved_endpoints,
    session_settings,
    sidebar_params,
    sidebar_surface,
)
from ui.navigation import EVERYTHING
from ui.session_settings import RETRY_BUDGET, Settings
from ui.widgets import bound

EXTRA_PARAMETERS_LABELS = {
    ExtraParameters.OMIT: "not sent",
    ExtraParameters.ERROR: "error",
    ExtraParameters.DROP: "drop",
    ExtraParameters.PASS_THROUGH: "pass-through",
}


def draw(settings: Settings, uses: frozenset[str] = EVERYTHING, unused_reason: str = "") -> None:
    """The sidebar, ordered by use: the endpoint (profile, URL, deployment, auth, key), the
    parameters people change most and the system prompt, then the rarely used ones folded
    away (more parameters, Connection), then presentation mode.

    `uses` is what the page takes from the sidebar besides the endpoint
    (`ui.navigation.PageSpec.uses`): the rest is marked "not used here", saying
    `unused_reason`."""
    with st.sidebar:
        saved_endpoints.picker()
        _endpoint_section(settings)
        extra_headers.badge()  # visible while Connection is folded
        sidebar_params.draw(settings.profile, uses, unused_reason)
        _connection_section(settings)
        presentation.toggle()


def _endpoint_section(settings: Settings) -> None:
    """Profile, URL (recognised), deployment, api-version, auth, the key or Entra token."""
    profile = settings.profile
    st.radio(  # a radio, not a select box: the sidebar would cut long names short
        "Endpoint profile",
        list(PROFILES),
        format_func=profile_label,
        **bound("sb_profile", list(PROFILES)),
        on_change=session_settings.switch_profile,
        help="Pasting a URL below picks the profile for you. Switching profile resets "
        "the parameters to its defaults; each profile keeps its own URL and key.",
    )
    if profile.notes:
        st.caption(profile.notes)
    st.text_input(
        "Endpoint URL",
        placeholder=profile.example_url,
        help="Paste any URL of the endpoint (the portal's Target URI, a v1 or /models "
        "URL, a serverless endpoint): the profile, deployment and api-version follow it.",
        on_change=session_settings.on_url_change,
        **bound("sb_url"),
    )
    _surface_fields(settings)
    hosting.key_field(settings)  # the visitor's own key; the host's stays on the server
    sidebar_surface.entra_fields(profile)
    if settings.problem:
        st.warning(settings.problem, icon=":material/link_off:")


def profile_label(profile_id: str) -> str:
    """A profile's whole name, marked when its models are retired."""
    profile = PROFILES[profile_id]
    retired = profile.retired
    if retired is None or "retired" in profile.label.lower():
        return profile.label
    return f"{profile.label} (retired {retired.date})"


def _surface_fields(settings: Settings) -> None:
    """What the URL was recognised as, the deployment, the api-version, and the auth."""
    profile = settings.profile
    sidebar_surface.recognition_line()
    sidebar_surface.deployment_field(settings)
    if profile.api_versions or profile.api_version:
        sidebar_surface.api_version_field(profile)
    sidebar_surface.auth_picker(profile)


def _connection_section(settings: Settings) -> None:
    profile = settings.profile
    with st.expander("Connection", icon=":material/settings_ethernet:"):
        st.selectbox(
            "Extra parameters header",
            list(ExtraParameters),
            format_func=EXTRA_PARAMETERS_LABELS.__getitem__,
            **bound("sb_extra", list(ExtraParameters)),
            help="The `extra-parameters` header: what the endpoint does with parameters "
            "outside its API: error (400), drop them, or pass them through to the model.",
        )
        if not (profile.api_versions or profile.api_version):
            sidebar_surface.api_version_field(profile)
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
