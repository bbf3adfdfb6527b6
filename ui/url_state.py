"""The sidebar's non-secret settings in the URL query, so a reload (or a bookmark) keeps them.

    url_state.restore()   # the entry point's first step: a new session takes the URL's values
    url_state.write()     # its last: the URL holds this run's values

What travels: the profile (`profile`), the parameters (`p_<name>`, JSON values) and the saved
endpoints without their keys (`endpoints`: urlsafe base64 of JSON, the active one's name and
each one's `SavedEndpoint.public()` fields). Never a key or token: an endpoint whose URL
carries credentials or a query is left out, and nothing is written when the text would hold
a secret the session knows. Values read back are checked (profile known, parameter in range,
URL usable); anything else is ignored, never half-applied to one field.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from urllib.parse import urlsplit

import streamlit as st

from core import PROFILES
from core.compare import value_problem
from ui import saved_endpoints, session_settings
from ui.saved_endpoints import SavedEndpoint

PROFILE, ENDPOINTS, PARAM_PREFIX = "profile", "endpoints", "p_"
MAX_CHARS = 4_000  # an endpoints text longer than this is not read


def restore() -> None:
    """A session's first run: the URL's profile, parameters and saved endpoints."""
    if "sb_profile" in st.session_state:
        return
    query = st.query_params
    session_settings.init_state()
    saved_endpoints.init_state()
    found = _endpoints(query.get(ENDPOINTS, ""))
    if found is not None:
        active, entries = found
        saved_endpoints.replace_all(entries, active if active in entries else next(iter(entries)))
    elif query.get(PROFILE) in PROFILES and query.get(PROFILE) != st.session_state["sb_profile"]:
        st.session_state["sb_profile"] = query[PROFILE]
        session_settings.switch_profile()
    _params(query)


def _params(query: Mapping[str, str]) -> None:
    profile = PROFILES[st.session_state["sb_profile"]]
    for param in profile.params:
        raw = query.get(PARAM_PREFIX + param.name)
        if raw is None:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if value_problem(param, value) is None:
            if param.kind is float and value is not None:
                value = float(value)  # the slider's kind: 1 becomes 1.0
            st.session_state[session_settings.param_key(param)] = value


def _endpoints(text: str) -> tuple[str, dict[str, SavedEndpoint]] | None:
    """(active name, endpoints) from the query's text, or None when it is not usable."""
    if not text or len(text) > MAX_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
        active, items = payload["active"], payload["saved"]
        entries = {
            str(name): SavedEndpoint(**{k: str(v) for k, v in fields.items()})
            for name, fields in items.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return None
    usable = {n: e for n, e in entries.items() if e.profile in PROFILES and _plain_url(e.url)}
    return (str(active), usable) if usable else None


def _plain_url(url: str) -> bool:
    """True for a URL that carries no credentials and no query (where keys hide)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return not (parts.username or parts.password or parts.query or parts.fragment)


def wanted() -> dict[str, str]:
    """The query entries this run's sidebar calls for."""
    state = st.session_state
    profile = PROFILES[state["sb_profile"]]
    found = {PROFILE: profile.id}
    for param in profile.params:
        value = state.get(session_settings.param_key(param))
        if value is not None and value != param.default:
            found[PARAM_PREFIX + param.name] = json.dumps(value)
    saved = {n: e.public() for n, e in saved_endpoints.every().items() if _plain_url(e.url)}
    if saved:
        blob = json.dumps(
            {"active": saved_endpoints.active(), "saved": saved}, separators=(",", ":")
        )
        found[ENDPOINTS] = base64.urlsafe_b64encode(blob.encode()).decode().rstrip("=")
    return found


def write() -> None:
    """Put this run's values in the URL query (only what changed; no secret ever)."""
    found = wanted()
    if _holds_secret(found):
        found.pop(ENDPOINTS, None)
    query = st.query_params
    for name in [n for n in query if n.startswith(PARAM_PREFIX) and n not in found]:
        del query[name]
    for name, value in found.items():
        if query.get(name) != value:
            query[name] = value


def _holds_secret(found: Mapping[str, str]) -> bool:
    text = json.dumps(found)
    decoded = found.get(ENDPOINTS, "")
    text += base64.urlsafe_b64decode(decoded + "=" * (-len(decoded) % 4)).decode()
    secrets = [e.key for e in saved_endpoints.every().values() if e.key.strip()]
    secrets += [str(st.session_state.get("sb_entra_token", ""))]
    return any(secret.strip() and secret.strip() in text for secret in secrets)
