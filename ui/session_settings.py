"""This session's settings: the state the sidebar edits, and what one script run reads from it.

Everything lives in `st.session_state`, per browser session, never on disk:

- widget keys starting with `sb_` hold what the sidebar shows (profile, URL, key, ...);
  `init_state` puts the first values there (the local endpoint's URL from `make run`'s
  environment, other profiles' URL from the environment or secrets). The key field holds
  only a key the visitor typed: a key the server provides stays on the server
  (`ui/hosting.py`) and is added to the endpoint here, bound to its origin;
- `sb_endpoints` keeps URL, key, auth choice, deployment and api-version per profile, so
  switching profile and back restores them, while the profile's parameters reset to its
  defaults; a URL typed or pasted (`on_url_change`) moves to the profile it belongs to
  (`ui/surface.py`) with the URL and key being entered (`adopt_profile`); the Entra ID
  fields and token sources are `ui/credentials.py`'s;
- `_settings` holds this run's `Settings`, computed once by the entry point (`refresh`);
- `_clients` holds the `Client`s built for them, rebuilt when they change.

Pages read `current()` for the settings, `client()` / `require_client()` for a client and
`request_params()` for the sidebar's parameters as they go into a request body. Callbacks run
before the entry point, so they `resolve()` their own. Every client gets the outbound
allow-list (`Settings.hosts`, from `ui/hosting.py`): a URL whose host is not on it makes the
endpoint unusable, with a message naming the allowed hosts; and the reply limits
(`hosting.limits`). The sidebar that draws all this is `ui/sidebar.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import (
    ENDPOINT_ENV,
    PROFILES,
    AuthStyle,
    Client,
    Endpoint,
    EndpointError,
    ExtraParameters,
    HostPolicy,
    Param,
    Profile,
    RetryPolicy,
)
from core.headers import parse_headers
from ui import credentials, hosting, surface

DEFAULT_PROFILE = hosting.LOCAL_PROFILE
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
MAX_CLIENTS = 4  # per session: the sidebar's client plus a few Request Builder overrides
RETRY_BUDGET = 30.0  # seconds of waiting, at most, before a request is given up
SETTINGS = "_settings"  # st.session_state key: this run's Settings
CLIENTS = "_clients"  # st.session_state key: {(profile id, endpoint, hosts): Client}


@dataclass(frozen=True)
class Settings:
    """What the sidebar says in this run. `endpoint` is None when `problem` explains why."""

    profile: Profile
    endpoint: Endpoint | None
    problem: str
    params: Mapping[str, Any]
    system_prompt: str
    hosts: HostPolicy  # the outbound allow-list
    retry: RetryPolicy | None  # automatic retries of 429 and 503; None when off
    header_problems: tuple[str, ...] = ()

    def with_system_prompt(self, messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """`messages` preceded by the system prompt, when there is one."""
        system = self.system_prompt.strip()
        head = [{"role": "system", "content": system}] if system else []
        return head + [dict(m) for m in messages]


# This run -------------------------------------------------------------------------------


def refresh() -> Settings:
    """Compute this run's settings and keep them for `current()`: the entry point's first step."""
    settings = resolve()
    st.session_state[SETTINGS] = settings
    return settings


def current() -> Settings:
    """This run's settings, as `refresh` computed them (computed now if it has not run)."""
    found = st.session_state.get(SETTINGS)
    return found if isinstance(found, Settings) else refresh()


def resolve() -> Settings:
    """The settings as the session state holds them now (callbacks, which run before the
    entry point, use this rather than `current()`)."""
    init_state()
    state = st.session_state
    profile = PROFILES[state["sb_profile"]]
    headers, header_problems = parse_headers(state["sb_headers"])
    hosts = hosting.host_policy()
    endpoint: Endpoint | None = None
    try:
        key, key_origin = hosting.endpoint_key(state["sb_profile"], state["sb_key"])
        usable = Endpoint(
            url=state["sb_url"],
            key=key,
            key_origin=key_origin,
            auth=credentials.key_style(state["sb_auth"], profile),
            extra_parameters=state["sb_extra"],
            api_version=state["sb_api_version"].strip(),
            connect_timeout=float(state["sb_connect_timeout"]),
            read_timeout=float(state["sb_read_timeout"]),
            headers=headers,
            deployment=state["sb_deployment"],
            token=credentials.token_source(profile),
        )
        hosts.check(usable.url)
        endpoint, problem = usable, ""
    except EndpointError as exc:
        problem = str(exc)
    retry = None
    if state["sb_retry"]:
        retry = RetryPolicy(attempts=int(state["sb_retry_attempts"]), max_total=RETRY_BUDGET)
    params = {p.name: state.get(param_key(p), p.default) for p in profile.params}
    return Settings(
        profile, endpoint, problem, params, state["sb_system"], hosts, retry, header_problems
    )


def client(
    *,
    auth: AuthStyle | None = None,
    extra_parameters: ExtraParameters | None = None,
    settings: Settings | None = None,
) -> Client | None:
    """The session's client for `settings` (this run's by default); None when the endpoint
    is unusable.

    `auth` and `extra_parameters` override the sidebar for one page (the Request Builder).
    Clients are kept per session in `st.session_state`, never shared between visitors.
    """
    settings = settings or current()
    if settings.endpoint is None:
        return None
    endpoint = settings.endpoint
    if auth is not None:
        endpoint = dataclasses.replace(endpoint, auth=auth)
    if extra_parameters is not None:
        endpoint = dataclasses.replace(endpoint, extra_parameters=extra_parameters)
    cache: dict[tuple[str, Endpoint, HostPolicy], Client] = st.session_state.setdefault(CLIENTS, {})
    key = (settings.profile.id, endpoint, settings.hosts)
    if key not in cache:
        while len(cache) >= MAX_CLIENTS:
            cache.pop(next(iter(cache))).close()
        cache[key] = Client(
            endpoint, settings.profile, hosts=settings.hosts, limits=hosting.limits()
        )
    return cache[key]


def require_client(**overrides: Any) -> Client:
    """The client, or a note pointing at the sidebar and the end of this page's run."""
    found = client(**overrides)
    if found is None:
        st.info(
            f"Set up the endpoint in the sidebar first: {current().problem}",
            icon=":material/arrow_back:",
        )
        st.stop()
    return found


def request_params(active: Client, settings: Settings | None = None) -> dict[str, Any]:
    """The sidebar's parameters as they go into a request body (unset ones left out)."""
    return active.build_body({}, (settings or current()).params)


# Where values come from -------------------------------------------------------------------


def _prefill(profile_id: str) -> dict[str, Any]:
    """URL and auth style: the local endpoint's from `make run`, others' from env or secrets.

    Never the key: a key the server provides stays there (`hosting.endpoint_key`)."""
    url = hosting.local_url() if profile_id == DEFAULT_PROFILE else hosting.setting(ENDPOINT_ENV)
    return {"url": url, "key": "", "auth": PROFILES[profile_id].auth}


# The state schema -------------------------------------------------------------------------


def init_state() -> None:
    """The sidebar's first values, once per session."""
    state = st.session_state
    if "sb_profile" in state:
        return
    state["sb_profile"] = DEFAULT_PROFILE
    state["sb_endpoints"] = {}
    state["sb_api_version"] = ""
    state["sb_connect_timeout"] = 5.0
    state["sb_read_timeout"] = 60.0
    state["sb_headers"] = ""
    state["sb_retry"] = True
    state["sb_retry_attempts"] = 3
    state["sb_system"] = DEFAULT_SYSTEM_PROMPT
    surface.init_state()
    credentials.init_state()
    _load_profile(DEFAULT_PROFILE)


def switch_profile() -> None:
    """Keep the URL, key and auth style of the profile left; load the one picked."""
    state = st.session_state
    state["sb_endpoints"][state["sb_active"]] = {
        "url": state["sb_url"],
        "key": state["sb_key"],
        **credentials.saved(),
        **surface.saved(),
    }
    _load_profile(state["sb_profile"])


def _load_profile(profile_id: str) -> None:
    state = st.session_state
    saved = state["sb_endpoints"].get(profile_id) or _prefill(profile_id)
    state["sb_url"], state["sb_key"], state["sb_auth"] = saved["url"], saved["key"], saved["auth"]
    state["sb_extra"] = PROFILES[profile_id].extra_parameters
    state["sb_active"] = profile_id
    reset_params(PROFILES[profile_id])
    credentials.load(PROFILES[profile_id], saved)
    surface.load(PROFILES[profile_id], saved)


def on_url_change() -> None:
    """The URL field changed: recognise the URL, move to the profile it belongs to (unless
    the picked one fits it too), and fill the deployment and api-version it names."""
    state = st.session_state
    decision = surface.decide(state["sb_url"], state["sb_active"])
    if decision is None:
        state["sb_recognized"] = ""  # the sidebar's warning says what is wrong with it
        return
    typed = state["sb_url"].strip()
    if decision.profile != state["sb_active"]:
        adopt_profile(decision.profile)
    surface.apply(decision)
    if "://" not in typed:  # recognition added the scheme: say so (issue 14)
        scheme = decision.url.partition("://")[0]
        state["sb_recognized"] = (
            f"The URL had no scheme: {scheme}:// was added. {state['sb_recognized']}"
        )


def adopt_profile(profile_id: str) -> None:
    """Move to another profile for the URL and key being entered: they stay, with the auth
    choice when the profile offers it; the rest takes the profile's defaults."""
    state, profile = st.session_state, PROFILES[profile_id]
    state["sb_profile"] = state["sb_active"] = profile_id
    state["sb_extra"] = profile.extra_parameters
    reset_params(profile)
    credentials.adopt(profile)
    surface.load(profile, {})


def reset_params(profile: Profile) -> None:
    """Put the profile's default parameters back."""
    for param in profile.params:
        st.session_state[param_key(param)] = param.default


def param_key(param: Param) -> str:
    """The widget key of a parameter's sidebar input."""
    return f"sb_param_{param.name}"
