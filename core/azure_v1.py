"""Azure OpenAI v1 URLs: the base a v1 client needs, from whatever URL a person pastes.

    v1_base("https://res.openai.azure.com")                       -> .../openai/v1, ""
    v1_base("https://res.openai.azure.com/openai/v1/chat/completions") -> .../openai/v1, ""
    v1_base("https://res.openai.azure.com/openai/deployments/my-chat/chat/completions")
                                                                   -> .../openai/v1, "my-chat"

The v1 API lives at `<resource>/openai/v1` (`docs/azure-v1.md` §1.1), also under a Foundry
project (`/api/projects/<p>/openai/v1`). The body's `model` is the deployment name; a classic
deployment URL names it, so it is returned too. No LangChain here: the code export uses it.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

from .config import split_route, validate_url
from .entra import COGNITIVE_SCOPE
from .errors import InvalidRequestError

#: The scope of an Entra token for Azure OpenAI (azure-identity `get_bearer_token_provider`).
ENTRA_SCOPE = COGNITIVE_SCOPE
V1_PATH = "/openai/v1"
# Route endings a pasted v1 URL may carry besides the serverless ones (core.config).
_V1_ROUTES = ("/chat/completions", "/responses", "/models")


class V1Url(NamedTuple):
    """Where the v1 API is, and the deployment the URL names ("" when it names none)."""

    base: str
    deployment: str


def v1_base(url: str) -> V1Url:
    """The `<resource>/openai/v1` base for any URL of an Azure resource, and its deployment.

    Accepts the resource URL, `/openai`, `/openai/v1` with or without a route, a classic
    `/openai/deployments/<name>/...` URL, a Foundry project URL, and the serverless and
    Foundry Models forms (`/models/chat/completions`, `/v1/chat/completions`), which reduce to
    the host's `/openai/v1`. Raises InvalidRequestError for any other path.
    """
    url = validate_url(url)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    head, marker, rest = path.partition("/openai")
    if marker and (not rest or rest.startswith("/")):
        return _under_openai(url, origin + head, rest)
    if _is_project(path):
        return V1Url(origin + path + V1_PATH, "")
    remaining = split_route(path)[0].removesuffix("/models").removesuffix("/v1")
    if remaining == "":
        return V1Url(origin + V1_PATH, "")
    raise _unknown_path(url, parts.path)


def _under_openai(url: str, prefix: str, rest: str) -> V1Url:
    """`rest` is what follows `/openai` in the path."""
    if rest == "" or rest == "/v1":
        return V1Url(prefix + V1_PATH, "")
    if rest.startswith("/v1/") and rest[3:] in _V1_ROUTES:
        return V1Url(prefix + V1_PATH, "")
    pieces = rest.split("/")  # "", "deployments", name, ...
    if len(pieces) >= 3 and pieces[1] == "deployments" and pieces[2]:
        return V1Url(prefix + V1_PATH, pieces[2])
    raise _unknown_path(url, urlsplit(url).path)


def _is_project(path: str) -> bool:
    pieces = path.split("/")  # "", "api", "projects", name
    return len(pieces) == 4 and pieces[1:3] == ["api", "projects"] and bool(pieces[3])


def _unknown_path(url: str, path: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Cannot tell where the Azure OpenAI v1 API is from the path {path!r} of {url}. "
        "Paste the resource URL (https://<resource>.openai.azure.com) or its /openai/v1 URL."
    )


__all__ = ["ENTRA_SCOPE", "V1_PATH", "V1Url", "v1_base"]
