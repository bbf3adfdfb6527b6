"""The shared sidebar and the settings every page reads from it.

Everything lives in `st.session_state`, per browser session, never on disk:

- widget keys starting with `sb_` hold what the sidebar shows (profile, URL, key, ...);
- `sb_endpoints` keeps URL, key and auth style per profile, so switching profile and back
  restores them, while the profile's parameters reset to its defaults;
- `_clients` holds the `Client` built for the current settings, rebuilt when they change.

Pages call `current()` for the settings, `client()` / `require_client()` for a client,
`request_params()` for the sidebar's parameters as they go into a request body, and
`retry_policy()` for the Connection section's retry choice (see `widgets.run_with_retries`).
Every client gets `host_policy()`, the outbound allow-list (issue 5): a URL whose host is
not on it makes the endpoint unusable, with a message naming the allowed hosts.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core import (
    ALLOWED_HOSTS_ENV,
    ENDPOINT_ENV,
    KEY_ENV,
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
    Secret,
)
from core.headers import parse_headers

LOCAL_URL_ENV = "PLAYGROUND_LOCAL_URL"
LOCAL_KEY_ENV = "PLAYGROUND_LOCAL_KEY"
DEFAULT_LOCAL_URL = "http://127.0.0.1:8765"
DEFAULT_PROFILE = "local"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
MAX_CLIENTS = 4  # per session: the sidebar's client plus a few Request Builder overrides

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
RETRY_BUDGET = 30.0  # seconds of waiting, at most, before a request is given up


@dataclass(frozen=True)
class Settings:
    """What the sidebar says right now. `endpoint` is None when `problem` explains why."""

    profile: Profile
    endpoint: Endpoint | None
    problem: str
    params: Mapping[str, Any]
    system_prompt: str
    header_problems: tuple[str, ...] = ()


# Reading --------------------------------------------------------------------------------


def current() -> Settings:
    """The sidebar's settings; safe to call from any page after `sidebar()` ran."""
    _init_state()
    state = st.session_state
    profile = PROFILES[state["sb_profile"]]
    headers, header_problems = parse_headers(state["sb_headers"])
    try:
        endpoint: Endpoint | None = Endpoint(
            url=state["sb_url"],
            key=Secret(state["sb_key"].strip()),
            auth=state["sb_auth"],
            extra_parameters=state["sb_extra"],
            api_version=state["sb_api_version"].strip(),
            connect_timeout=float(state["sb_connect_timeout"]),
            read_timeout=float(state["sb_read_timeout"]),
            headers=headers,
        )
        problem = ""
        host_policy().check(endpoint.url)
    except EndpointError as exc:
        endpoint, problem = None, str(exc)
    params = {p.name: state.get(_param_key(p), p.default) for p in profile.params}
    return Settings(profile, endpoint, problem, params, state["sb_system"], header_problems)


def client(
    *, auth: AuthStyle | None = None, extra_parameters: ExtraParameters | None = None
) -> Client | None:
    """The session's client for the current settings (None when the endpoint is unusable).

    `auth` and `extra_parameters` override the sidebar for one page (the Request Builder).
    Clients are kept per session in `st.session_state`, never shared between visitors.
    """
    settings = current()
    if settings.endpoint is None:
        return None
    endpoint = settings.endpoint
    if auth is not None:
        endpoint = dataclasses.replace(endpoint, auth=auth)
    if extra_parameters is not None:
        endpoint = dataclasses.replace(endpoint, extra_parameters=extra_parameters)
    hosts = host_policy()
    cache: dict[tuple[str, Endpoint, HostPolicy], Client] = st.session_state.setdefault(
        "_clients", {}
    )
    key = (settings.profile.id, endpoint, hosts)
    if key not in cache:
        while len(cache) >= MAX_CLIENTS:
            cache.pop(next(iter(cache))).close()
        cache[key] = Client(endpoint, settings.profile, hosts=hosts)
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


def host_policy() -> HostPolicy:
    """The outbound allow-list: PLAYGROUND_ALLOWED_HOSTS from the environment, else from
    secrets (a string or a list), else loopback and the Azure inference domains."""
    value = os.environ.get(ALLOWED_HOSTS_ENV)
    if value is None:
        found = _secret(ALLOWED_HOSTS_ENV, allow_list=True)
        value = ",".join(found) if isinstance(found, list) else found
    return HostPolicy.from_setting(value)


def retry_policy() -> RetryPolicy | None:
    """The sidebar's automatic retries for 429 and 503, or None when they are off."""
    _init_state()
    state = st.session_state
    if not state["sb_retry"]:
        return None
    return RetryPolicy(attempts=int(state["sb_retry_attempts"]), max_total=RETRY_BUDGET)


def request_params(active: Client) -> dict[str, Any]:
    """The sidebar's parameters as they go into a request body (unset ones left out)."""
    return active.build_body({}, current().params)


def with_system_prompt(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`messages` preceded by the sidebar's system prompt, when there is one."""
    system = current().system_prompt.strip()
    head = [{"role": "system", "content": system}] if system else []
    return head + [dict(m) for m in messages]


# Sidebar --------------------------------------------------------------------------------


def sidebar() -> Settings:
    """Draw the shared sidebar (every page) and return the settings it holds."""
    _init_state()
    profile = PROFILES[st.session_state["sb_profile"]]
    with st.sidebar:
        st.selectbox(
            "Endpoint profile",
            list(PROFILES),
            format_func=lambda pid: PROFILES[pid].label,
            **bound("sb_profile", list(PROFILES)),
            on_change=_switch_profile,
            help="Switching profile resets the parameters to its defaults; "
            "each profile keeps its own URL and key.",
        )
        if profile.notes:
            st.caption(profile.notes)
        st.text_input("Endpoint URL", placeholder=profile.example_url, **bound("sb_url"))
        st.text_input(
            "Key",
            **bound("sb_key"),
            type="password",
            placeholder="paste the endpoint's key",
            help="Kept in this browser session only, never written to disk or shown.",
        )
        settings = current()
        if settings.problem:
            st.warning(settings.problem, icon=":material/link_off:")
        _connection_section(settings)
        _parameter_section(profile)
        st.text_area("System prompt", height=90, **bound("sb_system"))
    return settings


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
        st.caption(f"Outbound hosts allowed ({ALLOWED_HOSTS_ENV}): {host_policy().describe()}.")


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
            on_click=_reset_params,
            args=(profile,),
            icon=":material/restart_alt:",
        )


def _param_widget(param: Param) -> None:
    key = _param_key(param)
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


# State ----------------------------------------------------------------------------------


def _init_state() -> None:
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
    _load_profile(DEFAULT_PROFILE)


def _switch_profile() -> None:
    state = st.session_state
    state["sb_endpoints"][state["sb_active"]] = {
        "url": state["sb_url"],
        "key": state["sb_key"],
        "auth": state["sb_auth"],
    }
    _load_profile(state["sb_profile"])


def _load_profile(profile_id: str) -> None:
    state = st.session_state
    saved = state["sb_endpoints"].get(profile_id) or _prefill(profile_id)
    state["sb_url"], state["sb_key"], state["sb_auth"] = saved["url"], saved["key"], saved["auth"]
    state["sb_extra"] = PROFILES[profile_id].extra_parameters
    state["sb_active"] = profile_id
    _reset_params(PROFILES[profile_id])


def _reset_params(profile: Profile) -> None:
    for param in profile.params:
        st.session_state[_param_key(param)] = param.default


def _prefill(profile_id: str) -> dict[str, Any]:
    """URL and key: the local endpoint's from `make run`, others from env or secrets."""
    if profile_id == DEFAULT_PROFILE:
        url = os.environ.get(LOCAL_URL_ENV) or DEFAULT_LOCAL_URL
        key = os.environ.get(LOCAL_KEY_ENV, "")
    else:
        url = os.environ.get(ENDPOINT_ENV) or _secret(ENDPOINT_ENV)
        key = os.environ.get(KEY_ENV) or _secret(KEY_ENV)
    return {"url": url, "key": key, "auth": PROFILES[profile_id].auth}


def _secret(name: str, *, allow_list: bool = False) -> Any:
    """`st.secrets[name]`, or "" when there is no secrets file (reading one would raise).

    Only a string counts, or with `allow_list` a list of strings too.
    """
    if not st.secrets.load_if_toml_exists():
        return ""
    value = st.secrets.get(name, "")
    if allow_list and isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value if isinstance(value, str) else ""


def bound(key: str, options: Sequence[Any] | None = None) -> dict[str, Any]:
    """Widget arguments tying a widget to `st.session_state[key]`, value included.

    Passing the current value as the widget's default as well as its key keeps the browser
    right when a run that set the value through `st.session_state` was interrupted before
    the browser received it (a click while the first run is still going): the browser then
    falls back to the default, which is the value, instead of an empty field.
    """
    value = st.session_state[key]
    if options is None:
        return {"key": key, "value": value}
    return {"key": key, "index": list(options).index(value)}


def _param_key(param: Param) -> str:
    return f"sb_param_{param.name}"
