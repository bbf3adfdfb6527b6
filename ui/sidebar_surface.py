"""The sidebar's surface fields: what the pasted URL was recognised as, the deployment (with
the models the endpoint lists), the api-version, and how requests authenticate (a key style,
or a Microsoft Entra ID token). The state behind them is `ui/surface.py` and
`ui/credentials.py`; `ui/sidebar.py` places these where they belong.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import EndpointError, ModelPlace, Profile, StaticToken
from ui import credentials, session_settings
from ui.credentials import AUTH_LABELS, ENTRA_LOGIN, ENTRA_TOKEN, SCOPE_LABELS
from ui.session_settings import Settings
from ui.widgets import bound

LISTS = "_model_lists"  # st.session_state key: {(profile id, URL): [model ids] or a message}
CATALOG_NOTE = (
    "On Azure OpenAI v1 the list is Microsoft's model catalog, not your deployments: its ids "
    "may not answer here. Type your deployment's name (Azure portal → Deployments)."
)


def recognition_line() -> None:
    """The one line saying what the last URL typed was recognised as."""
    if found := st.session_state.get("sb_recognized"):
        st.caption(f":material/travel_explore: {found}")


# Deployment and api-version -----------------------------------------------------------------


def deployment_field(settings: Settings) -> None:
    """The deployment (model) name, free text, with the endpoint's listed models on demand."""
    profile = settings.profile
    if profile.model is ModelPlace.NONE:
        return
    azure = bool(profile.route_root)
    st.text_input(
        "Deployment" if azure else "Model",
        placeholder="the deployment's name" if azure else "optional: the model to ask for",
        help=_deployment_help(profile),
        **bound("sb_deployment"),
    )
    listed = _listed(settings)
    named = listed if isinstance(listed, list) else []
    suggestions = list(dict.fromkeys([*named, *profile.models]))
    if suggestions:
        st.selectbox(
            "Suggestions",
            suggestions,
            index=None,
            key="sb_model_pick",
            placeholder="or pick a listed model…",
            on_change=_pick,
            args=("sb_model_pick", "sb_deployment"),
            label_visibility="collapsed",
        )
    if profile.models_route or profile.info_route:  # classic deployments list nothing
        _list_button(settings, azure)
    if isinstance(listed, str):
        st.caption(f":material/error: {listed}")
    elif listed is not None:
        shown = ", ".join(listed[:5]) + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")
        st.caption(f"Listed: {shown or 'none'}." + (f" {CATALOG_NOTE}" if azure else ""))
    if profile.model_required and not st.session_state["sb_deployment"].strip():
        st.caption(":material/edit: This surface needs the deployment's name.")


def _list_button(settings: Settings, azure: bool) -> None:
    st.button(
        "List the endpoint's models",
        key="btn_sb_list_models",
        icon=":material/list:",
        type="tertiary",
        on_click=fetch_models,
        disabled=settings.endpoint is None,
        help="Ask the endpoint which models it names (once; the list is kept for this "
        "session). " + (CATALOG_NOTE if settings.profile.models_route and azure else ""),
    )


def _deployment_help(profile: Profile) -> str:
    if profile.model is ModelPlace.PATH:
        return (
            "The name you gave the deployment in the Azure portal (not the model's name); it "
            "goes in the URL path."
        )
    if profile.route_root:
        return (
            "The name you gave the deployment in the Azure portal (not the model's name); it is "
            "sent as `model`. " + CATALOG_NOTE
        )
    return "Sent as `model` when set; an endpoint serving one model may ignore it."


def api_version_field(profile: Profile) -> None:
    """The api-version sent ("" none), with the profile's suggestions one click away."""
    default = profile.api_version or "none"
    st.text_input(
        "api-version",
        placeholder="none: not sent",
        help=f"This profile's default: {default}. Empty: no api-version is sent.",
        **bound("sb_api_version"),
    )
    versions = [v for v in profile.api_versions if v != st.session_state["sb_api_version"]]
    if versions:
        st.pills(
            "Other api-versions",
            versions,
            key="sb_version_pick",
            on_change=_pick,
            args=("sb_version_pick", "sb_api_version"),
            label_visibility="collapsed",
        )


def _pick(source: str, target: str) -> None:
    """Copy a picked suggestion into its field, and clear the picker."""
    state = st.session_state
    if state.get(source):
        state[target] = state[source]
    state[source] = None


def fetch_models() -> None:
    """Callback of "List models": ask the endpoint once, keep the list (or why there is none)."""
    settings = session_settings.resolve()  # callbacks run before this run's settings
    client = session_settings.client(settings=settings)
    if client is None:
        return
    try:
        found: list[str] | str = client.list_models()
    except EndpointError as exc:
        found = str(exc)
    st.session_state.setdefault(LISTS, {})[(settings.profile.id, client.endpoint.url)] = found


def _listed(settings: Settings) -> list[str] | str | None:
    if settings.endpoint is None:
        return None
    lists: dict[tuple[str, str], Any] = st.session_state.get(LISTS, {})
    found: list[str] | str | None = lists.get((settings.profile.id, settings.endpoint.url))
    return found


# Auth ---------------------------------------------------------------------------------------


def auth_picker(profile: Profile) -> None:
    """How requests authenticate: the profile's key styles, then Microsoft Entra ID."""
    options = credentials.choices(profile)
    if st.session_state["sb_auth"] not in options:  # e.g. hosting turned the login off
        st.session_state["sb_auth"] = profile.auth
    st.selectbox(
        "Auth",
        options,
        format_func=lambda choice: AUTH_LABELS.get(choice, str(choice)),
        help="How the key travels (the styles this surface accepts, its usual one first), "
        "or a Microsoft Entra ID token instead of a key.",
        **bound("sb_auth", options),
    )
    if profile.takes_entra and (note := credentials.login_off_note()):
        st.caption(f":material/lock: {note}")


def entra_fields(profile: Profile) -> None:
    """The pasted token (its expiry, never its value), or the login's scope and a check."""
    choice = st.session_state["sb_auth"]
    if not profile.takes_entra or not credentials.uses_entra(choice):
        return
    if choice == ENTRA_TOKEN:
        _token_field()
    elif choice == ENTRA_LOGIN:
        _login_fields(profile)
    st.caption("Requests carry the Entra token as `Authorization: Bearer`; no key is sent.")


def _token_field() -> None:
    st.text_input(
        "Entra ID token",
        type="password",
        placeholder="paste the token, or the whole JSON",
        help="What `az account get-access-token --resource "
        "https://cognitiveservices.azure.com` prints (the JSON, or its accessToken). Kept "
        "in this browser session only, never shown, logged or exported.",
        **bound("sb_entra_token"),
    )
    text = st.session_state["sb_entra_token"]
    if not text.strip():
        return
    try:
        token = StaticToken.parse(text)
    except EndpointError:
        return  # the sidebar's warning says what is wrong with it
    st.caption(f":material/schedule: {credentials.expiry_text(token.expires_on)}")


def _login_fields(profile: Profile) -> None:
    scopes = list(profile.entra_scopes)
    st.selectbox(
        "Token scope",
        scopes,
        format_func=lambda scope: SCOPE_LABELS.get(scope, scope),
        help="Azure OpenAI and Foundry resources take cognitiveservices.azure.com; Foundry "
        "projects use ai.azure.com.",
        **bound("sb_entra_scope", scopes),
    )
    st.button(
        "Check the login",
        key="btn_sb_check_login",
        icon=":material/how_to_reg:",
        on_click=credentials.check_login,
        help="Get a token now (DefaultAzureCredential: az login, environment, managed "
        "identity…). Tokens are renewed 5 minutes before they expire.",
    )
    found = credentials.checked(st.session_state["sb_entra_scope"])
    if found is None:
        return
    signed_in, detail = found
    if signed_in:
        st.caption(f":material/how_to_reg: Signed in. {credentials.expiry_text(detail)}")
    else:
        st.caption(f":material/error: {detail}")
