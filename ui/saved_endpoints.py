"""Saved endpoints: several named endpoints in this session, one of them the sidebar's.

    saved_endpoints.picker()                  # the sidebar's "Saved endpoint" choice and tools
    saved_endpoints.names()                   # every saved endpoint's name, in order
    saved_endpoints.get("Local endpoint")     # a `SavedEndpoint` (the active one as edited now)
    saved_endpoints.settings_for("Azure")     # `Settings` for a client of that endpoint

Each holds a profile, URL, deployment, api-version, auth style and key (or, for an Entra
choice, the sidebar's pasted token or login). The active one is what the sidebar's fields
show: they are its live copy, written back when another is picked (`activate`), so every
other page keeps using the sidebar as before. Everything lives in `st.session_state`; keys
never leave it (`public` is the part that may go into the URL, see `ui/url_state.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import PROFILES, Endpoint, EndpointError, StaticToken, TokenSource
from core.headers import parse_headers
from ui import credentials, hosting, session_settings, surface
from ui.session_settings import Settings
from ui.widgets import bound

SAVED = "se_saved"  # st.session_state key: {name: SavedEndpoint}, in order
ACTIVE = "se_active"  # st.session_state key: the name of the sidebar's endpoint
PICK = "se_pick"  # the picker's widget key
NAME = "se_name"  # the name field's widget key
FIRST_NAME = "Local endpoint"
MAX_SAVED = 12


@dataclass(frozen=True)
class SavedEndpoint:
    """One named endpoint. `repr` leaves the key out."""

    profile: str
    url: str
    deployment: str = ""
    api_version: str = ""
    auth: str = ""
    key: str = dataclasses.field(default="", repr=False)

    def public(self) -> dict[str, str]:
        """Everything but the key: what may travel in a URL."""
        found = dataclasses.asdict(self)
        del found["key"]
        return found


def init_state() -> None:
    """One saved endpoint, the sidebar's, on a session's first run."""
    session_settings.init_state()
    state = st.session_state
    if SAVED not in state:
        state[SAVED] = {FIRST_NAME: _from_sidebar()}
        state[ACTIVE] = FIRST_NAME


def names() -> list[str]:
    """Every saved endpoint's name, in order."""
    init_state()
    return list(st.session_state[SAVED])


def active() -> str:
    """The name of the sidebar's endpoint."""
    init_state()
    name: str = st.session_state[ACTIVE]
    return name


def get(name: str) -> SavedEndpoint:
    """The saved endpoint `name`; the active one as the sidebar holds it now."""
    init_state()
    return _from_sidebar() if name == active() else st.session_state[SAVED][name]


def every() -> dict[str, SavedEndpoint]:
    """Every saved endpoint by name, the active one as the sidebar holds it now."""
    return {name: get(name) for name in names()}


def _from_sidebar() -> SavedEndpoint:
    state = st.session_state
    return SavedEndpoint(
        profile=state["sb_profile"],
        url=state["sb_url"],
        deployment=state["sb_deployment"],
        api_version=state["sb_api_version"],
        auth=str(state["sb_auth"]),
        key=state["sb_key"],
    )


def activate(name: str) -> None:
    """Make `name` the sidebar's endpoint: the sidebar's fields go back into the one left."""
    state = st.session_state
    state[SAVED][state[ACTIVE]] = _from_sidebar()
    _load(name)


def replace_all(entries: Mapping[str, SavedEndpoint], name: str) -> None:
    """Make `entries` the saved endpoints (`name` the sidebar's): a reload's from the URL."""
    init_state()
    st.session_state[SAVED] = dict(entries)
    _load(name)


def _load(name: str) -> None:
    """The sidebar's fields from the saved endpoint `name`."""
    state = st.session_state
    entry = state[SAVED][name]
    profile = PROFILES[entry.profile]
    if state["sb_profile"] != entry.profile:
        session_settings.reset_params(profile)
    state["sb_profile"] = state["sb_active"] = entry.profile
    state["sb_url"], state["sb_key"] = entry.url, entry.key
    state["sb_extra"] = profile.extra_parameters
    credentials.load(profile, {"auth": entry.auth or profile.auth})
    surface.load(profile, {"deployment": entry.deployment, "api_version": entry.api_version})
    state[ACTIVE] = state[PICK] = name


def put(name: str, entry: SavedEndpoint) -> str:
    """Save `entry` under `name` (numbered when taken); returns the name used."""
    init_state()
    saved = st.session_state[SAVED]
    unique = _unique(name.strip() or "Endpoint", saved)
    saved[unique] = entry
    return unique


def set_key(name: str, key: str) -> None:
    """Give the saved endpoint `name` its key (the sidebar's field when it is the active one)."""
    state = st.session_state
    if name == active():
        state["sb_key"] = key
    else:
        state[SAVED][name] = dataclasses.replace(state[SAVED][name], key=key)


def find(profile: str, url: str, deployment: str) -> str | None:
    """The name of a saved endpoint asking `profile` at `url` for `deployment`, if any."""
    for name, entry in every().items():
        if (entry.profile, entry.url, entry.deployment) == (profile, url, deployment):
            return name
    return None


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


# The sidebar's tools --------------------------------------------------------------------


def _typed_name() -> str:
    return " ".join(str(st.session_state.get(NAME, "")).split())


def _add() -> None:
    profile = PROFILES[session_settings.DEFAULT_PROFILE]
    name = put(_typed_name() or "New endpoint", SavedEndpoint(profile.id, hosting.local_url()))
    activate(name)
    st.session_state[NAME] = ""


def _duplicate() -> None:
    current = active()
    name = put(_typed_name() or f"{current} copy", get(current))
    activate(name)
    st.session_state[NAME] = ""


def _rename() -> None:
    state, new = st.session_state, _typed_name()
    old = state[ACTIVE]
    if not new or new == old or new in state[SAVED]:
        return
    state[SAVED] = {(new if n == old else n): e for n, e in state[SAVED].items()}
    state[ACTIVE] = state[PICK] = new
    state[NAME] = ""


def _remove() -> None:
    state = st.session_state
    old = state[ACTIVE]
    if len(state[SAVED]) < 2:
        return
    rest = [n for n in state[SAVED] if n != old]
    activate(rest[0])
    del state[SAVED][old]


def _pick() -> None:
    activate(st.session_state[PICK])


def picker() -> None:
    """The sidebar's "Saved endpoint" choice, and a name field with Add, Duplicate, Rename
    and Remove (Add and Duplicate switch to the new one)."""
    choices = names()
    # Again on every run: Streamlit drops a widget's state when a run did not draw it.
    st.session_state.setdefault(NAME, "")
    if st.session_state.get(PICK) != active():
        st.session_state[PICK] = active()
    st.selectbox(
        "Saved endpoint",
        choices,
        **bound(PICK, choices),
        on_change=_pick,
        help="Endpoints kept in this session, each with its URL, deployment, auth and key. "
        "The fields below edit the one picked; Compare can put several side by side.",
    )
    with st.popover("Manage saved endpoints", icon=":material/bookmarks:"):
        st.text_input("Name", **bound(NAME), placeholder="a name for the new or renamed endpoint")
        full = len(choices) >= MAX_SAVED
        with st.container(horizontal=True):
            st.button("Add", key="btn_se_add", on_click=_add, disabled=full)
            st.button("Duplicate", key="btn_se_duplicate", on_click=_duplicate, disabled=full)
            st.button("Rename", key="btn_se_rename", on_click=_rename)
            st.button("Remove", key="btn_se_remove", on_click=_remove, disabled=len(choices) < 2)


# Clients for saved endpoints --------------------------------------------------------------


def settings_for(entry: SavedEndpoint, headers: str = "") -> Settings:
    """This run's settings with the endpoint `entry` (plus the extra header lines `headers`,
    after the sidebar's): the sidebar's connection options, the endpoint's own fields."""
    base = session_settings.current()
    profile = PROFILES[entry.profile]
    state = st.session_state
    sent, problems = parse_headers("\n".join((state["sb_headers"], headers)))
    endpoint: Endpoint | None = None
    try:
        key, origin = hosting.endpoint_key(entry.profile, entry.key)
        endpoint = Endpoint(
            url=entry.url,
            key=key,
            key_origin=origin,
            auth=credentials.key_style(entry.auth, profile),
            extra_parameters=profile.extra_parameters,
            api_version=entry.api_version.strip(),
            connect_timeout=float(state["sb_connect_timeout"]),
            read_timeout=float(state["sb_read_timeout"]),
            headers=sent,
            deployment=entry.deployment,
            token=_token(entry),
        )
        base.hosts.check(endpoint.url)
        problem = ""
    except EndpointError as exc:
        endpoint, problem = None, str(exc)
    return dataclasses.replace(
        base, profile=profile, endpoint=endpoint, problem=problem, header_problems=problems
    )


def _token(entry: SavedEndpoint) -> TokenSource | None:
    """The sidebar's pasted token or this machine's login, when `entry` uses Entra ID."""
    if not PROFILES[entry.profile].takes_entra or not credentials.uses_entra(entry.auth):
        return None
    state = st.session_state
    if entry.auth == credentials.ENTRA_TOKEN:
        return StaticToken.parse(state["sb_entra_token"])
    return credentials.login(state["sb_entra_scope"])
