"""What the server provides, and what a visitor may do with it (README, "Hosting it for a team").

A playground hosted for a team serves visitors the host does not have to trust. So:

- **Hosted or not.** `hosted()`: `PLAYGROUND_HOSTED` (environment or secrets) says so; unset,
  the playground counts as hosted when Streamlit listens beyond loopback (`server.address`
  unset, which listens on every interface, or any address that is not loopback). The
  project's `.streamlit/config.toml` and `make run` bind 127.0.0.1: one user, today's
  defaults. `PLAYGROUND_HOSTED=0` says "one user" whatever the address.
- **Where it may call.** `host_policy()`: `PLAYGROUND_ALLOWED_HOSTS`, else loopback and the
  Azure domains; hosted, never loopback by default, and the endpoints the host configured
  (`PLAYGROUND_LOCAL_URL`, `AZURE_AI_CHAT_ENDPOINT`) at their exact origins only
  (`core.HostPolicy.for_app`).
- **The host's key stays on the server.** `host_key(profile)` is the key the server was given
  (`PLAYGROUND_LOCAL_KEY` for the local endpoint, `AZURE_AI_CHAT_KEY` for the others) and the
  origin (scheme, host, port) of the URL it was given with. It is never a widget's value
  (which the browser holds), never in exported code, and it goes only to that origin
  (`core.Endpoint.key_origin`): a visitor who points the URL elsewhere sends no key, and the
  sidebar says so. A key the visitor types is theirs, and goes where their URL says.
- **What one reply may take.** `limits()`: `core.Limits`, from `PLAYGROUND_LIMITS`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from core import (
    ALLOWED_HOSTS_ENV,
    DEFAULT_LIMITS,
    ENDPOINT_ENV,
    HOSTED_ENV,
    KEY_ENV,
    Endpoint,
    HostPolicy,
    InvalidRequestError,
    Limits,
    Secret,
    origin_of,
)
from ui.widgets import bound

if TYPE_CHECKING:  # ui.session_settings imports this module
    from ui.session_settings import Settings

LOCAL_PROFILE = "local"  # the profile of the local endpoint `make run` starts
LOCAL_URL_ENV = "PLAYGROUND_LOCAL_URL"
LOCAL_KEY_ENV = "PLAYGROUND_LOCAL_KEY"
DEFAULT_LOCAL_URL = "http://127.0.0.1:8765"
LIMITS_ENV = "PLAYGROUND_LIMITS"
NOT_HOSTED = ("0", "false", "no", "off")
KEY_PLACEHOLDER = "provided by the host"


# Settings the server was given ---------------------------------------------------------------


def setting(name: str) -> str:
    """`name` from the environment, else from `.streamlit/secrets.toml` (a string), else ""."""
    return os.environ.get(name) or secret(name)


def secret(name: str, *, allow_list: bool = False) -> Any:
    """`st.secrets[name]`, or "" when there is no secrets file (reading one would raise).

    Only a string counts, or with `allow_list` a list of strings too.
    """
    if not st.secrets.load_if_toml_exists():
        return ""
    value = st.secrets.get(name, "")
    if allow_list and isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value if isinstance(value, str) else ""


def local_url() -> str:
    """The local endpoint's URL: `make run` sets it."""
    return os.environ.get(LOCAL_URL_ENV) or DEFAULT_LOCAL_URL


# Hosted for others -----------------------------------------------------------------------------


def hosted() -> bool:
    """True when this playground serves others (see the module docstring)."""
    return is_hosted(setting(HOSTED_ENV), st.get_option("server.address"))


def is_hosted(value: str, address: str | None) -> bool:
    """The rule of `hosted()`: the setting when there is one (anything but 0, false, no, off
    means hosted), else whether `address` reaches beyond loopback."""
    if value.strip():
        return value.strip().lower() not in NOT_HOSTED
    address = (address or "").strip().strip("[]").lower()
    if address == "localhost":
        return False
    try:
        return not ipaddress.ip_address(address).is_loopback
    except ValueError:  # unset (every interface), or a host name
        return True


def host_policy() -> HostPolicy:
    """The outbound allow-list: PLAYGROUND_ALLOWED_HOSTS from the environment, else from
    secrets (a string or a list), else the default; hosted, without loopback but with the
    configured endpoints at their exact origins."""
    value = os.environ.get(ALLOWED_HOSTS_ENV)
    if value is None:
        found = secret(ALLOWED_HOSTS_ENV, allow_list=True)
        value = ",".join(found) if isinstance(found, list) else found
    configured = (os.environ.get(LOCAL_URL_ENV, ""), setting(ENDPOINT_ENV))
    return HostPolicy.for_app(value, hosted=hosted(), configured=configured)


# The host's key ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostKey:
    """A key the server was given: it is sent only to `origin`, and never leaves the server
    otherwise."""

    key: Secret
    origin: str


def host_key(profile_id: str) -> HostKey | None:
    """The key the server provides for this profile's endpoint, or None (no key, or no URL
    to bind it to)."""
    if profile_id == LOCAL_PROFILE:
        key, url = os.environ.get(LOCAL_KEY_ENV, ""), local_url()
    else:
        key, url = setting(KEY_ENV), setting(ENDPOINT_ENV)
    if not key.strip() or not url.strip():
        return None
    try:
        return HostKey(Secret(key.strip()), origin_of(url))
    except InvalidRequestError:
        return None  # a URL that cannot be read binds nothing; the sidebar says what is wrong


def endpoint_key(profile_id: str, typed: str) -> tuple[Secret, str]:
    """The key for the endpoint and the origin it is bound to ("" for none): the visitor's own
    (`typed`) goes where their URL says; else the host's, bound to its origin."""
    if typed.strip():
        return Secret(typed.strip()), ""
    found = host_key(profile_id)
    return (found.key, found.origin) if found is not None else (Secret(""), "")


def own_key(endpoint: Endpoint) -> str:
    """The endpoint's key when it is the visitor's own (export may include it), else ""."""
    return "" if endpoint.key_origin else endpoint.key.reveal()


def outbound(endpoint: Endpoint) -> Endpoint:
    """`endpoint` as code that does its own HTTP (the LangChain backends) may see it: without
    the host's key or token once the URL has left the host's origin."""
    if endpoint.sends_key:
        return endpoint
    return dataclasses.replace(endpoint, key=Secret(""), key_origin="", token=None)


def key_field(settings: Settings) -> None:
    """The sidebar's key field (the visitor's own key), and what happens to the host's."""
    found = host_key(settings.profile.id)
    st.text_input(
        "Key",
        **bound("sb_key"),
        type="password",
        placeholder=KEY_PLACEHOLDER if found else "paste the endpoint's key",
        help="Kept in this browser session only, never written to disk or shown."
        + (" Empty: the host's key, which stays on the server." if found else ""),
    )
    if found is not None:
        _host_key_note(found, st.session_state["sb_key"], settings.endpoint)


def _host_key_note(found: HostKey, typed: str, endpoint: Endpoint | None) -> None:
    if typed.strip():
        st.caption(
            f"Your own key is used. Empty the field to use the host's, which goes only to "
            f"{found.origin}."
        )
    elif endpoint is not None and not endpoint.sends_key:  # (None: the problem is shown)
        st.warning(
            f"The host's key only goes to the host's endpoint ({found.origin}), so requests to "
            "this URL carry no key. Paste your own key to call it.",
            icon=":material/key_off:",
        )
    else:
        st.caption(
            f":material/key: The host provides the key for {found.origin}. It stays on the "
            "server and is sent nowhere else; paste your own to use yours."
        )


# What one reply may take ---------------------------------------------------------------------


def limits() -> Limits:
    """`core.Limits` from PLAYGROUND_LIMITS (the defaults when unset or unreadable)."""
    try:
        return parse_limits(setting(LIMITS_ENV))
    except InvalidRequestError:
        return DEFAULT_LIMITS  # `server_notes` says why


def parse_limits(value: str) -> Limits:
    """`max_body_bytes=1048576, max_seconds=120`: the named `core.Limits` fields changed.

    Raises InvalidRequestError, naming the item, for anything else.
    """
    names = {field.name: field.type for field in dataclasses.fields(Limits)}
    changes: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, number = (piece.strip() for piece in item.partition("="))
        try:
            changes[name] = int(number) if names[name] in (int, "int") else float(number)
        except (KeyError, ValueError):
            raise InvalidRequestError(
                f"{LIMITS_ENV}: {item!r} is not `name=number` with a name among {', '.join(names)}."
            ) from None
    try:
        return dataclasses.replace(DEFAULT_LIMITS, **changes)
    except InvalidRequestError as exc:  # a limit that is not positive
        raise InvalidRequestError(f"{LIMITS_ENV}: {exc}") from None


def server_notes(hosts: HostPolicy) -> None:
    """Under Connection: the allowed hosts, whether the playground is hosted, and a limits
    setting that could not be read."""
    where = (
        " Hosted for others: the endpoints the host configured are called at their exact "
        "origin only."
        if hosted()
        else ""
    )
    st.caption(f"Outbound hosts allowed ({ALLOWED_HOSTS_ENV}): {hosts.describe()}.{where}")
    try:
        parse_limits(setting(LIMITS_ENV))
    except InvalidRequestError as exc:
        st.warning(f"{exc} The default limits apply.")


__all__ = [
    "DEFAULT_LOCAL_URL",
    "LIMITS_ENV",
    "LOCAL_KEY_ENV",
    "LOCAL_URL_ENV",
    "HostKey",
    "endpoint_key",
    "host_key",
    "host_policy",
    "hosted",
    "is_hosted",
    "key_field",
    "limits",
    "outbound",
    "own_key",
    "parse_limits",
    "server_notes",
]
