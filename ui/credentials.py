"""How the sidebar's endpoint authenticates: a key in one of the profile's styles, or a
Microsoft Entra ID token (`docs/azure-v1.md` §2).

The sidebar's Auth picker (`sb_auth`) holds a `core.AuthStyle`, or one of two Entra choices
on surfaces that take Entra tokens (`Profile.takes_entra`):

- `ENTRA_TOKEN`: a token pasted into `sb_entra_token`, a password field (the user's own
  token, as the key field holds the user's own key): the raw token, or what
  `az account get-access-token --resource https://cognitiveservices.azure.com` prints, from
  which `core.StaticToken` keeps the expiry;
- `ENTRA_LOGIN`: this machine's Azure login (azure-identity's `DefaultAzureCredential`) for
  the scope in `sb_entra_scope`. One `core.CredentialToken` per scope and session, kept in
  `st.session_state[SOURCES]`, caches its token and gets a new one 5 minutes before it
  expires. A playground hosted for others (`PLAYGROUND_HOSTED=1`) does not offer it unless
  its host sets `PLAYGROUND_ALLOW_SERVER_IDENTITY=1` (`core.server_identity_allowed`).

Tokens live in this session only: the page shows when one expires, never the token; the
client's redactor masks it everywhere else, and exported code gets its own token from
azure-identity.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from core import (
    COGNITIVE_SCOPE,
    FOUNDRY_SCOPE,
    HOSTED_ENV,
    SERVER_IDENTITY_ENV,
    AuthStyle,
    CredentialToken,
    EndpointError,
    Profile,
    StaticToken,
    TokenSource,
    machine_login,
    server_identity_allowed,
)
from core.entra import ML_SCOPE

ENTRA_TOKEN = "entra-token"
ENTRA_LOGIN = "entra-login"
SOURCES = "_entra_sources"  # st.session_state key: {scope: CredentialToken}
CHECKED = "_entra_checked"  # st.session_state key: what "Check the login" found, by scope
AUTH_LABELS: dict[str, str] = {
    AuthStyle.API_KEY: "api-key: <key>",
    AuthStyle.BEARER: "Authorization: Bearer <key>",
    AuthStyle.BARE: "Authorization: <key> (notebooks)",
    ENTRA_TOKEN: "Microsoft Entra ID: paste a token",
    ENTRA_LOGIN: "Microsoft Entra ID: this machine's Azure login",
}
SCOPE_LABELS = {
    COGNITIVE_SCOPE: "cognitiveservices.azure.com (Azure OpenAI, Foundry resources)",
    FOUNDRY_SCOPE: "ai.azure.com (Foundry projects)",
    ML_SCOPE: "ml.azure.com (Model Inference SDK)",
}
_TRUE = ("1", "true", "yes", "on")


def hosted() -> bool:
    """True when the playground is hosted for others (`PLAYGROUND_HOSTED=1`)."""
    return os.environ.get(HOSTED_ENV, "").strip().lower() in _TRUE


def login_allowed() -> bool:
    """Whether this machine's Azure login may be offered (see the module docstring)."""
    return server_identity_allowed(os.environ, hosted=hosted())


def login_off_note() -> str:
    """Why this machine's login is not offered ("" when it is)."""
    if login_allowed():
        return ""
    return (
        f"This machine's Azure login is off: the playground is hosted ({HOSTED_ENV}=1), and "
        f"its host has not set {SERVER_IDENTITY_ENV}=1. Paste a token instead."
    )


def choices(profile: Profile) -> list[str]:
    """The Auth picker's options for `profile`: its key styles, then the Entra choices."""
    found: list[str] = list(profile.auths)
    if profile.takes_entra:
        found.append(ENTRA_TOKEN)
        if login_allowed():
            found.append(ENTRA_LOGIN)
    return found


def uses_entra(choice: Any) -> bool:
    """True when the Auth choice is one of the Entra ones."""
    return choice in (ENTRA_TOKEN, ENTRA_LOGIN)


def key_style(choice: Any, profile: Profile) -> AuthStyle:
    """The auth style a key travels in: the choice when it is one, else the profile's."""
    return AuthStyle(choice) if choice in list(AuthStyle) else profile.auth


# State --------------------------------------------------------------------------------------


def init_state() -> None:
    """The Entra fields' first values."""
    state = st.session_state
    state.setdefault("sb_entra_token", "")
    state.setdefault("sb_entra_scope", COGNITIVE_SCOPE)


def saved() -> dict[str, Any]:
    """What a profile keeps of these fields when another is picked (the token stays put)."""
    state = st.session_state
    return {"auth": state["sb_auth"], "entra_scope": state["sb_entra_scope"]}


def load(profile: Profile, entry: dict[str, Any]) -> None:
    """Put a profile's saved choices back; one the profile does not offer becomes its own."""
    state = st.session_state
    auth = entry.get("auth", profile.auth)
    state["sb_auth"] = auth if auth in choices(profile) else profile.auth
    scope = entry.get("entra_scope", state.get("sb_entra_scope"))
    scopes = profile.entra_scopes or (COGNITIVE_SCOPE,)
    state["sb_entra_scope"] = scope if scope in scopes else scopes[0]


def adopt(profile: Profile) -> None:
    """A pasted URL moved the sidebar to `profile`: an Entra choice stays when the profile
    takes Entra tokens too; a key travels in the profile's usual style."""
    state = st.session_state
    auth = state["sb_auth"]
    load(profile, {"auth": auth if uses_entra(auth) else profile.auth})


def token_source(profile: Profile) -> TokenSource | None:
    """The Entra token source the Auth choice asks for, or None for a key.

    Raises EndpointError (what the sidebar then shows) when there is none: nothing pasted,
    pasted text that is no token, or this machine's login not allowed or not installed.
    """
    state = st.session_state
    choice = state["sb_auth"]
    if not profile.takes_entra or not uses_entra(choice):
        return None
    if choice == ENTRA_TOKEN:
        return StaticToken.parse(state["sb_entra_token"])
    return login(state["sb_entra_scope"])


def login(scope: str) -> CredentialToken:
    """This machine's login for `scope`, made once per session and scope (it caches tokens)."""
    state = st.session_state
    sources: dict[str, CredentialToken] = state.setdefault(SOURCES, {})
    if scope not in sources:
        sources[scope] = machine_login(scope, allowed=login_allowed())
    return sources[scope]


def login_scope() -> str:
    """The scope picked for this machine's login, when that is the Auth choice (else "")."""
    state = st.session_state
    return state["sb_entra_scope"] if state.get("sb_auth") == ENTRA_LOGIN else ""


def check_login() -> None:
    """Callback of "Check the login": get a token now and keep when it expires, or why not."""
    state = st.session_state
    scope = state["sb_entra_scope"]
    found: tuple[bool, Any]
    try:
        found = True, login(scope).token().expires_on
    except EndpointError as exc:
        found = False, str(exc)
    state.setdefault(CHECKED, {})[scope] = found


def checked(scope: str) -> tuple[bool, Any] | None:
    """What the last check of `scope` found: (True, when the token expires) or (False, why
    there is none); None before any check."""
    found: tuple[bool, Any] | None = st.session_state.get(CHECKED, {}).get(scope)
    return found


def expiry_text(expires_on: float | None, *, now: float | None = None) -> str:
    """ "Expires at 14:05 UTC (in 52 min)." for people; the token itself is never shown."""
    if expires_on is None:
        return "The token does not say when it expires."
    when = datetime.fromtimestamp(expires_on, UTC).strftime("%H:%M UTC on %Y-%m-%d")
    left = expires_on - (time.time() if now is None else now)
    if left <= 0:
        return f"Expired at {when}: get a new one."
    shown = f"{left / 3600:.1f} h" if left >= 5400 else f"{max(1, round(left / 60))} min"
    return f"Expires at {when} (in {shown})."
