"""Paste any URL: which profile it belongs to, and the clean base URL, deployment and
api-version it carries.

    recognize("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
              "?api-version=2024-10-21")
    -> Recognition("azure-classic", "https://res.openai.azure.com", "gpt-4o", "2024-10-21",
                   "Azure OpenAI classic deployment 'gpt-4o', api-version 2024-10-21")

The shapes are those of `docs/azure-v1.md` §1 and `docs/wire-format.md` §1: the portal's
Target URI (a classic URL with `?api-version=`), a v1 base or chat URL, a Foundry project,
a Foundry Models `/models` URL, serverless hosts (`*.models.ai.azure.com`,
`*.inference.ai.azure.com`), and any loopback URL (the local endpoint, whatever route it
names). Anything else is an OpenAI-compatible server. A pure function: nothing is fetched.
The query string (which `validate_url` refuses in an endpoint URL) is read, then dropped.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from .config import ROUTE_SUFFIXES, validate_url
from .profiles import PROFILES

_SERVERLESS_HOSTS = (".models.ai.azure.com", ".inference.ai.azure.com")
_RESOURCE_HOSTS = (".openai.azure.com", ".services.ai.azure.com", ".cognitiveservices.azure.com")
_V1_ROUTES = ("", "/chat/completions", "/models", "/responses")
_V1_VERSIONS = ("v1", "preview")
_DEPLOYMENTS = "/openai/deployments/"


@dataclass(frozen=True)
class Recognition:
    """What a pasted URL says: the profile id, the URL to use as the endpoint's (no query,
    no route where the profile supplies it), the deployment and api-version it names
    ("" when none: for api-version, the profile's default applies), and one line saying
    what was recognised."""

    profile: str
    url: str
    deployment: str = ""
    api_version: str = ""
    summary: str = ""


def recognize(url: str) -> Recognition:
    """Recognise a pasted URL (see the module docstring). Raises InvalidRequestError only for
    text that is no usable URL; a URL of unknown shape is an OpenAI-compatible server."""
    text = (url or "").strip()
    if text and "://" not in text:  # a bare host name, as often copied
        text = ("http://" if _is_loopback(urlsplit("//" + text).hostname) else "https://") + text
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    version = (query.get("api-version") or [""])[0].strip()
    clean = validate_url(parts._replace(query="", fragment="").geturl())
    parts = urlsplit(clean)
    origin, path = f"{parts.scheme}://{parts.netloc}", unquote(parts.path)
    host = (parts.hostname or "").lower()
    if _is_loopback(host):
        return _local(origin, path)
    head, marker, rest = path.partition("/openai")
    if marker and (rest == "" or rest.startswith("/")):
        return _azure_openai(origin + head, rest, version)
    pieces = path.rstrip("/").split("/")
    if len(pieces) == 4 and pieces[1:3] == ["api", "projects"] and pieces[3]:
        return _v1(origin + path.rstrip("/"), version, "Foundry project's")
    if host.endswith(_RESOURCE_HOSTS):
        return _resource(origin, path, version, (query.get("model") or [""])[0].strip())
    if host.endswith(_SERVERLESS_HOSTS):
        return _serverless(origin, path, version, clean)
    return _other(clean, version, host)


def _local(origin: str, path: str) -> Recognition:
    """Loopback: the local endpoint at its origin, whatever Azure route the URL names (a
    path that is no known route, such as another server's `/v1`, stays)."""
    _, found, rest = path.partition(_DEPLOYMENTS)
    deployment = rest.split("/", 1)[0] if found else ""
    kept = _strip_route(path)
    if kept.startswith(("/openai", "/models")):
        kept = ""
    return Recognition(
        "local", origin + kept, deployment, "", f"The local endpoint at {origin + kept}."
    )


def _azure_openai(base: str, rest: str, version: str) -> Recognition:
    """`rest` is what follows `/openai` in the path."""
    pieces = rest.split("/")  # "", "deployments", name, ...
    if len(pieces) >= 3 and pieces[1] == "deployments" and pieces[2]:
        deployment = pieces[2]
        default = PROFILES["azure-classic"].api_version
        shown = version or f"{default} (none in the URL: the latest GA)"
        return Recognition(
            "azure-classic",
            base,
            deployment,
            version or default,
            f"Azure OpenAI classic deployment '{deployment}', api-version {shown}.",
        )
    rest = rest.rstrip("/")
    if rest in ("", "/v1") or (rest.startswith("/v1/") and rest[3:] in _V1_ROUTES):
        return _v1(base, version, "Azure OpenAI")
    return _other(base + "/openai" + rest, version, urlsplit(base).hostname or "")


def _v1(base: str, version: str, whose: str) -> Recognition:
    """The v1 API under `base`; of api-versions only `preview` is worth keeping."""
    kept = version if version == "preview" else ""
    note = f", api-version {kept}" if kept else ""
    if version and version not in _V1_VERSIONS:
        note = f" (api-version {version} dropped: v1 takes none)"
    return Recognition("azure-v1", base, "", kept, f"{whose} v1 API at {base}/openai/v1{note}.")


def _resource(origin: str, path: str, version: str, model: str) -> Recognition:
    """A Foundry or Azure OpenAI resource host, outside `/openai`."""
    rest = path.rstrip("/")
    if rest == "/models" or rest.startswith("/models/"):
        default = PROFILES["foundry-models"].api_version
        shown = version or f"{default} (none in the URL)"
        named = f" '{model}'" if model else ""
        return Recognition(
            "foundry-models",
            origin,
            model,
            version or default,
            f"Foundry Models deployment{named} at {origin}/models, api-version {shown}.",
        )
    if rest == "":
        return _v1(origin, version, "Azure OpenAI")
    return _other(origin + path, version, urlsplit(origin).hostname or "")


def _serverless(origin: str, path: str, version: str, clean: str) -> Recognition:
    """A serverless (MaaS) endpoint; Llama 2's native text route is its own (retired)."""
    rest = path.rstrip("/")
    if rest == "/v1/completions":
        return Recognition(
            "llama2-text", clean, "", version, "Llama 2 text completions (retired 2025-06-30)."
        )
    if _strip_route(rest) != "":
        return _other(clean, version, urlsplit(origin).hostname or "")
    shown = f", api-version {version}" if version else ""
    return Recognition("serverless", origin, "", version, f"Serverless API at {origin}{shown}.")


def _other(url: str, version: str, host: str) -> Recognition:
    return Recognition(
        "openai",
        url.rstrip("/"),
        "",
        version,
        f"Not a URL shape this playground knows: {host} is treated as an OpenAI-compatible server.",
    )


def _strip_route(path: str) -> str:
    """`path` without a known route suffix (and trailing slashes)."""
    path = path.rstrip("/")
    for suffix in ROUTE_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _is_loopback(host: str | None) -> bool:
    """True for `localhost` and loopback addresses (`host` as `urlsplit` gives it)."""
    host = (host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["Recognition", "recognize"]
