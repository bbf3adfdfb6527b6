"""Where a request goes and what its body names, for one endpoint under one profile.

    Routes(Endpoint("https://res.openai.azure.com", deployment="gpt-4o"), PROFILES["azure-v1"])
        .url_for(routes.chat_route)  -> https://res.openai.azure.com/openai/v1/chat/completions
        .body({"messages": [...]}, {"max_completion_tokens": 50}) -> {"model": "gpt-4o", ...}

Azure resource surfaces (a profile with `route_root`) hang the profile's routes off the URL
cut at that segment, so a resource URL, a v1 URL, a Foundry project URL or a classic
deployment URL all lead to the same place (`docs/azure-v1.md` §1); the deployment goes in the
body's `model` (v1, Foundry Models) or the classic path. Other profiles use the route a
pasted URL names, else their own. `api-version` is the endpoint's, else the profile's
default. No HTTP here: the client sends what this builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from .config import Endpoint
from .errors import InvalidRequestError
from .params import clean_params
from .profiles import ModelPlace, Profile, SdkForm
from .snippets import SdkTarget

_DEPLOYMENTS = "/openai/deployments/"
_CHAT = "/chat/completions"


@dataclass(frozen=True)
class Routes:
    """The URLs and body fields an endpoint's requests get under `profile`."""

    endpoint: Endpoint
    profile: Profile

    @property
    def base(self) -> str:
        """The URL the routes hang off: for Azure resource surfaces the URL cut at the
        profile's `route_root` (the resource, or a Foundry project), else the URL without a
        known route suffix."""
        root = self.profile.route_root
        if not root:
            return self.endpoint.base_url
        parts = urlsplit(self.endpoint.url)
        at = (parts.path + "/").find(root + "/")
        if at < 0:
            return self.endpoint.url
        return f"{parts.scheme}://{parts.netloc}{parts.path[:at]}"

    @property
    def deployment(self) -> str:
        """The endpoint's deployment, else the one a classic deployment URL names."""
        if self.endpoint.deployment:
            return self.endpoint.deployment
        path = urlsplit(self.endpoint.url).path
        _, found, rest = path.partition(_DEPLOYMENTS)
        return rest.split("/", 1)[0] if found and self.profile.route_root else ""

    @property
    def api_version(self) -> str:
        """The api-version sent: the endpoint's, else the profile's default ("" none)."""
        return self.endpoint.api_version or self.profile.api_version

    @property
    def chat_route(self) -> str:
        """The chat route: the profile's on Azure resource surfaces (with the deployment in
        it, for classic), else the one in the URL if it names one, else the profile's."""
        if self.profile.route_root:
            return self._filled(self.profile.chat_route or "/chat/completions")
        route = self.endpoint.route
        if route.endswith("chat/completions"):
            return route
        return self.profile.chat_route or "/chat/completions"

    @property
    def completions_route(self) -> str:
        """The text-completions route: the one in the URL if it names one, else the profile's."""
        route = "" if self.profile.route_root else self.endpoint.route
        if route.endswith("completions") and not route.endswith("chat/completions"):
            return route
        return self._filled(self.profile.completions_route or "/completions")

    @property
    def info_route(self) -> str:
        """The model-information route (`/info` unless the profile says otherwise)."""
        return self.profile.info_route or "/info"

    def url_for(self, path: str) -> str:
        """The full URL for a route, with `api-version` when one is set."""
        if not path.startswith("/"):
            raise InvalidRequestError(f"A route must start with '/', got {path!r}.")
        url = self.base + path
        if self.api_version:
            url += "?" + urlencode({"api-version": self.api_version})
        return url

    def body(self, base: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        """A request body: `model` where the surface takes it from the deployment, `base`,
        then the parameters that are set (a `model` among them wins)."""
        named = self.deployment if self.profile.model is ModelPlace.BODY else ""
        head = {"model": named} if named else {}
        return {**head, **base, **clean_params(params)}

    def stream_extras(self) -> dict[str, Any]:
        """What a stream request adds to its body: usage at the end, where the surface and
        api-version take `stream_options` (`docs/azure-v1.md` §4)."""
        if self.profile.sends_stream_usage(self.api_version):
            return {"stream_options": {"include_usage": True}}
        return {}

    def check_model(self, body: dict[str, Any]) -> None:
        """InvalidRequestError, before sending, when the surface needs a deployment and the
        request names none."""
        profile = self.profile
        if not profile.model_required:
            return
        if profile.model is ModelPlace.PATH and not self.deployment:
            where = "its name is part of the classic URL"
        elif profile.model is ModelPlace.BODY and not body.get("model"):
            where = "it goes in the body as `model`"
        else:
            return
        raise InvalidRequestError(
            f"Name the deployment ({where}): the name you gave it in the Azure portal, "
            "not the model's name."
        )

    def sdk_target(self, method: str, path: str, *, entra: bool) -> SdkTarget | None:
        """What the openai SDK export needs, for a chat request on a surface it speaks:
        `AzureOpenAI` takes the resource, `OpenAI` the URL its `/chat/completions` hangs off."""
        form = self.profile.sdk
        chat = self.chat_route
        if not form or method.strip().upper() != "POST" or path != chat or not path.endswith(_CHAT):
            return None
        scopes = self.profile.entra_scopes
        return SdkTarget(
            form=form.value,
            base_url=self.base if form is SdkForm.AZURE_OPENAI else self.base + chat[: -len(_CHAT)],
            deployment=self.deployment,
            api_version=self.api_version,
            entra_scope=(scopes[0] if scopes else "") if entra else "",
        )

    def _filled(self, route: str) -> str:
        if "{deployment}" not in route or not self.deployment:
            return route
        return route.replace("{deployment}", quote(self.deployment, safe=""))


__all__ = ["Routes"]
