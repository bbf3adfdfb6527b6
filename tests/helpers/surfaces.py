"""The surfaces a newcomer points the sidebar at, as the local endpoint serves them, and how a
person sets one up in the sidebar through AppTest: pick the profile, paste the URL shape,
type the deployment, pick the auth, type the key or paste the Entra token.

The local endpoint serves every surface on one loopback origin, so a loopback URL cannot say
which one is meant: the profile is picked first, and pasting the URL keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

from tests.helpers.azure_emulator import SCRIPTED_DEPLOYMENT, TOKEN
from ui.credentials import ENTRA_LOGIN, ENTRA_TOKEN

KEY_AUTHS = ("api-key", "bearer", "bare")


@dataclass(frozen=True)
class Surface:
    """One surface: its profile, the URL shape pasted (after the origin), the auth choices it
    offers, whether the deployment must be typed (the URL names none), and whether its
    replies carry Azure's content-filter annotations and its rate-limit headers."""

    profile: str
    path: str
    auths: tuple[str, ...]
    type_deployment: bool = False
    annotated: bool = False
    service: bool = False


SURFACES = {
    "azure-v1": Surface(
        "azure-v1",
        "/openai/v1/",
        ("api-key", "bearer", ENTRA_TOKEN, ENTRA_LOGIN),
        type_deployment=True,
        annotated=True,
        service=True,
    ),
    "azure-classic": Surface(
        "azure-classic",
        f"/openai/deployments/{SCRIPTED_DEPLOYMENT}/chat/completions?api-version=2024-10-21",
        ("api-key", ENTRA_TOKEN, ENTRA_LOGIN),
        annotated=True,
        service=True,
    ),
    "foundry-models": Surface(
        "foundry-models",
        "/models/chat/completions?api-version=2024-05-01-preview",
        ("api-key", ENTRA_TOKEN, ENTRA_LOGIN),
        type_deployment=True,
        service=True,
    ),
    "serverless": Surface("serverless", "/chat/completions", ("bearer", "bare")),
    "llama2-chat": Surface("llama2-chat", "/v1/chat/completions", ("bare", "bearer")),
    "local": Surface("local", "", ("bearer", "bare")),
}
# Every (surface, auth) pair a person can pick.
PAIRS = [(name, auth) for name, surface in SURFACES.items() for auth in surface.auths]


def set_up(
    at: AppTest, surface: Surface, origin: str, auth: str, key: str, *, token: str = TOKEN
) -> AppTest:
    """Point the sidebar at `surface` on `origin` with `auth`, as a person does it: `key` for
    the key styles, `token` pasted for Entra (this machine's login is the caller's)."""
    if surface.profile != at.session_state["sb_profile"]:
        at.radio(key="sb_profile").set_value(surface.profile).run()
    at.text_input(key="sb_url").input(origin + surface.path).run()
    if surface.type_deployment:
        at.text_input(key="sb_deployment").input(SCRIPTED_DEPLOYMENT).run()
    at.selectbox(key="sb_auth").select(auth).run()
    if auth in KEY_AUTHS:
        at.text_input(key="sb_key").input(key).run()
    elif auth == ENTRA_TOKEN:
        at.text_input(key="sb_entra_token").input(token).run()
    assert not at.exception, at.exception
    assert not at.sidebar.warning, [w.value for w in at.sidebar.warning]
    return at
