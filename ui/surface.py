"""What the sidebar knows about the endpoint's surface: what a pasted URL says (`core.recognize`),
the deployment (model) to address and the api-version, kept with each profile.

State (per session, in `st.session_state`):

- `sb_deployment`: sent as `model` where the surface takes it there (v1, Foundry Models,
  serverless), or put in the path (classic deployments); `sb_api_version`: the api-version
  sent, pre-filled with the profile's default;
- `sb_recognized`: the one line saying what the last URL typed or pasted was recognised as.

When the URL changes, `session_settings.on_url_change` asks `decide` which profile it belongs
to, then `apply` fills the fields. The picked profile is kept when the URL fits it too: a
loopback URL fits every profile (the local endpoint serves every surface, so its URL cannot
say which one you want), a serverless host fits the Llama 2 profiles, and a bare Azure
resource fits classic deployments and Foundry Models as well as v1 (which it means by
default). No widgets here: `ui/sidebar_surface.py` draws the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from core import PROFILES, EndpointError, ModelPlace, Profile, Recognition, recognize

# Which picked profiles a recognised profile leaves in place (besides itself).
_ALSO_FITS = {
    "serverless": ("llama2-chat", "llama2-text"),
    "llama2-text": ("serverless",),
}
_RESOURCE_FITS = ("azure-classic", "foundry-models")  # for a bare resource URL (v1 by default)


@dataclass(frozen=True)
class Decision:
    """What a URL typed into the sidebar does: the recognition, the profile to use (the one
    picked when the URL fits it), and the URL to put in the field."""

    found: Recognition
    profile: str
    url: str

    @property
    def kept(self) -> bool:
        """True when the picked profile stays although another was recognised."""
        return self.profile != self.found.profile


def init_state() -> None:
    """The fields' first values."""
    state = st.session_state
    state.setdefault("sb_deployment", "")
    state.setdefault("sb_recognized", "")


def saved() -> dict[str, Any]:
    """What a profile keeps of these fields when another is picked."""
    state = st.session_state
    return {"deployment": state["sb_deployment"], "api_version": state["sb_api_version"]}


def load(profile: Profile, entry: dict[str, Any]) -> None:
    """Put a profile's saved fields back (its defaults the first time)."""
    state = st.session_state
    state["sb_deployment"] = entry.get("deployment", "")
    state["sb_api_version"] = entry.get("api_version", profile.api_version)
    state["sb_recognized"] = ""


def decide(pasted: str, active: str) -> Decision | None:
    """What the URL `pasted` means while profile `active` is picked; None when it is no
    usable URL (the sidebar's warning then says why)."""
    try:
        found = recognize(pasted)
    except EndpointError:
        return None
    profile = active if fits(active, found, pasted) else found.profile
    url = found.url
    if profile == "openai" and found.profile != "openai":
        url = _as_typed(pasted, found.url)  # the generic profile takes the URL as it is
    return Decision(found, profile, url)


def fits(active: str, found: Recognition, pasted: str) -> bool:
    """True when the picked profile `active` can serve the URL `found` was made from."""
    if active == found.profile or found.profile == "local":
        return True
    if active in _ALSO_FITS.get(found.profile, ()):
        return True
    return found.profile == "azure-v1" and active in _RESOURCE_FITS and _bare_resource(pasted)


def apply(decision: Decision) -> None:
    """Put what the URL says into the fields: the URL (without its query), the deployment
    and api-version it names, and the line saying what was recognised."""
    state = st.session_state
    found, profile = decision.found, PROFILES[decision.profile]
    state["sb_url"] = decision.url
    if found.deployment and profile.model is not ModelPlace.NONE:
        state["sb_deployment"] = found.deployment
    if found.api_version and (profile.api_versions or profile.api_version):
        state["sb_api_version"] = found.api_version
    state["sb_recognized"] = line(decision)


def line(decision: Decision) -> str:
    """One line: what the URL was recognised as, and what stays from the picked profile."""
    found = decision.found
    text = found.summary.rstrip(".")
    if found.profile == "local" and found.deployment:
        text += f", deployment '{found.deployment}'"
    if decision.kept:
        why = "it serves every surface" if found.profile == "local" else "the URL fits it too"
        text += f". Kept the profile {PROFILES[decision.profile].label} ({why})"
    return text + "."


def _bare_resource(pasted: str) -> bool:
    """True for a resource URL naming no API (`https://<resource>.openai.azure.com/`)."""
    text = pasted.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    return parts.path.rstrip("/") in ("", "/openai")


def _as_typed(pasted: str, fallback: str) -> str:
    """The URL as typed, without its query and fragment (which an endpoint URL may not
    carry); `fallback` when it has no scheme."""
    text = pasted.strip()
    if "://" not in text:
        return fallback
    return urlsplit(text)._replace(query="", fragment="").geturl().rstrip("/")
