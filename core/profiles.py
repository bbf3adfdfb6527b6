"""Endpoint profiles as frozen data: routes, auth styles, model, api-version, parameters.

Adding an endpoint kind adds a `Profile` here, not code elsewhere. The 2024 serverless ranges
and defaults follow `docs/wire-format.md` §3; the 2026 surfaces (Azure OpenAI v1, classic
deployments, Foundry Models) follow `docs/azure-v1.md` §1 (routes, api-version), §2 (auth),
§4 (stream usage) and §6 (model lifecycle). `default` is what the playground pre-fills, which
for `max_tokens` is larger than some documented API defaults (16 on Llama 2 native) so that
replies are readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .config import KEY_ENV, AuthStyle, ExtraParameters
from .entra import COGNITIVE_SCOPE, FOUNDRY_SCOPE, ML_SCOPE

#: The key variable Microsoft's Azure OpenAI samples (and the openai SDK's AzureOpenAI) read.
AZURE_OPENAI_KEY_ENV = "AZURE_OPENAI_API_KEY"


@dataclass(frozen=True)
class Param:
    """A request parameter the playground offers, with its range and pre-filled default."""

    name: str
    kind: type  # float, int or str; `stop` is a list of str on the wire
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    help: str = ""

    def check(self, value: Any) -> str | None:
        """An error message when `value` is outside the range, else None."""
        if value is None or self.kind is str:
            return None
        if self.minimum is not None and value < self.minimum:
            return f"{self.name} must be at least {self.minimum}, got {value}."
        if self.maximum is not None and value > self.maximum:
            return f"{self.name} must be at most {self.maximum}, got {value}."
        return None


TEMPERATURE = Param(
    "temperature", float, 0.7, 0.0, 2.0, 0.05,
    "Randomness. 0 is greedy; the API default is 1.",
)  # fmt: skip
TOP_P = Param("top_p", float, 1.0, 0.0, 1.0, 0.05, "Nucleus sampling mass.")
STOP = Param("stop", str, "", help="Stop sequences, one per line.")
SEED = Param("seed", int, None, 0, 2**31 - 1, 1, "Same seed, same reply (best effort).")
PRESENCE = Param("presence_penalty", float, 0.0, -2.0, 2.0, 0.1, "Penalise tokens already used.")
FREQUENCY = Param(
    "frequency_penalty", float, 0.0, -2.0, 2.0, 0.1, "Penalise tokens by how often they appear."
)


def max_tokens(default: int, maximum: int, note: str = "", name: str = "max_tokens") -> Param:
    """The reply-length parameter with a per-model ceiling."""
    return Param(name, int, default, 1, maximum, 1, note or "Upper bound on reply length.")


class ModelPlace(StrEnum):
    """Where the deployment (model) name goes: nowhere, body `model`, or the URL path."""

    NONE = ""
    BODY = "body"
    PATH = "path"  # `{deployment}` in the route (classic deployments)


class SdkForm(StrEnum):
    """Which openai SDK client the code export writes for a surface (NONE: none)."""

    NONE = ""
    OPENAI = "openai"  # OpenAI(base_url=...), as Azure's v1 docs and OpenAI-compatible servers
    AZURE_OPENAI = "azure-openai"  # AzureOpenAI(azure_endpoint=..., api_version=...)


@dataclass(frozen=True)
class Retirement:
    """When a model family was retired (`docs/azure-v1.md` §6) and what replaces it."""

    date: str  # ISO date
    replacement: str


@dataclass(frozen=True)
class Profile:
    """One kind of endpoint: its routes, how it authenticates, where the model goes, its
    api-version and parameters.

    - `auths`: how it takes a key, the first being the default (`auth`); it takes Microsoft
      Entra ID tokens too when `entra_scopes` is set (`takes_entra`).
    - `route_root`: set for Azure resource surfaces ("/openai", "/models"): their routes are
      always the profile's, hung off the URL cut at this segment; other profiles use the route
      a pasted URL names. `chat_route` may hold `{deployment}` (`ModelPlace.PATH`).
    - `model`, `model_required`: where the deployment goes and whether a request needs one.
    - `api_version`: sent by default ("" none; the user can change it); `api_versions` the
      values worth suggesting.
    - `stream_usage`: streams ask for usage (`stream_options.include_usage`) on api-versions
      dated `stream_usage_since` or later ("" any).
    - `context_length`: tokens of context when one model is known (None otherwise).
    - `models`: names worth suggesting; `retired`: set for retired model families.
    - `key_env`: the variable exported code reads a key from; `sdk`: the openai SDK form
      exported; `entra_scopes`: Entra token scopes, the first being the default.
    """

    id: str
    label: str
    example_url: str
    chat_route: str | None
    completions_route: str | None
    info_route: str | None
    auths: tuple[AuthStyle, ...]
    params: tuple[Param, ...]
    extra_parameters: ExtraParameters = ExtraParameters.OMIT
    notes: str = ""
    models_route: str | None = None
    route_root: str = ""
    model: ModelPlace = ModelPlace.BODY
    model_required: bool = False
    api_version: str = ""
    api_versions: tuple[str, ...] = ()
    stream_usage: bool = False
    stream_usage_since: str = ""
    context_length: int | None = None
    models: tuple[str, ...] = ()
    retired: Retirement | None = None
    key_env: str = KEY_ENV
    sdk: SdkForm = SdkForm.NONE
    entra_scopes: tuple[str, ...] = ()

    @property
    def auth(self) -> AuthStyle:
        """The default auth style."""
        return self.auths[0]

    @property
    def takes_entra(self) -> bool:
        """True when the surface takes Microsoft Entra ID tokens (`docs/azure-v1.md` §2)."""
        return bool(self.entra_scopes)

    def param(self, name: str) -> Param | None:
        """The parameter called `name`, if this profile offers it."""
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        """Parameter name to pre-filled default."""
        return {p.name: p.default for p in self.params}

    def sends_stream_usage(self, api_version: str) -> bool:
        """True when a stream on this surface, at `api_version`, asks for usage."""
        if not self.stream_usage:
            return False
        return not self.stream_usage_since or api_version[:10] >= self.stream_usage_since


# Llama 2 native routes list presence_penalty but no frequency_penalty or seed
# (`docs/wire-format.md` §3.1).
_LLAMA2_PARAMS = (TEMPERATURE, TOP_P, max_tokens(256, 4096, "API default 16."), STOP, PRESENCE)
_UNIFIED_PARAMS = (TEMPERATURE, TOP_P, STOP, SEED, PRESENCE, FREQUENCY)
# Azure OpenAI models refuse `max_tokens` for `max_completion_tokens` (reasoning models:
# `docs/azure-v1.md` §3 "bad parameter"); the emulator takes either.
_AOAI_PARAMS = (
    *_UNIFIED_PARAMS,
    max_tokens(1024, 128_000, "Upper bound on reply length (reasoning included).",
               name="max_completion_tokens"),
)  # fmt: skip
_LLAMA2_RETIRED = Retirement(
    "2025-06-30", "Meta-Llama-3.1-8B-Instruct or Llama-3.3-70B-Instruct (serverless API)"
)
_LLAMA2_NOTE = (
    " Retired on 2025-06-30: Azure answers 404. Kept for the notebooks' requests and the "
    "local endpoint."
)
# Current serverless model names (`docs/azure-v1.md` §6, listed Feb 2026).
_SERVERLESS_MODELS = (
    "Meta-Llama-3.1-8B-Instruct",
    "Llama-3.3-70B-Instruct",
    "Llama-4-Maverick-17B-128E-Instruct-FP8",
    "Llama-4-Scout-17B-16E-Instruct",
    "Mistral-small-2503",
    "Mistral-medium-2505",
)

PROFILES: dict[str, Profile] = {
    p.id: p
    for p in (
        Profile(
            id="local",
            label="Local endpoint (SmolLM2, offline)",
            example_url="http://127.0.0.1:8765",
            chat_route="/chat/completions",
            completions_route="/completions",
            info_route="/info",
            auths=(AuthStyle.BEARER, AuthStyle.BARE),
            params=(*_UNIFIED_PARAMS, max_tokens(256, 2048, "The local model's context is 2048.")),
            notes="The emulator in this repository; `make run` starts it.",
            context_length=2048,
            sdk=SdkForm.OPENAI,
        ),
        Profile(
            id="azure-v1",
            label="Azure OpenAI / Foundry (v1 API)",
            example_url="https://<resource>.openai.azure.com",
            chat_route="/openai/v1/chat/completions",
            completions_route=None,
            info_route=None,
            models_route="/openai/v1/models",
            route_root="/openai",
            auths=(AuthStyle.API_KEY, AuthStyle.BEARER),
            params=_AOAI_PARAMS,
            model_required=True,
            api_versions=("v1", "preview"),
            stream_usage=True,
            key_env=AZURE_OPENAI_KEY_ENV,
            sdk=SdkForm.OPENAI,
            entra_scopes=(COGNITIVE_SCOPE, FOUNDRY_SCOPE),
            notes="Azure's current API (GA Aug 2025), on *.openai.azure.com, "
            "*.services.ai.azure.com and *.cognitiveservices.azure.com. Model = the "
            "deployment name.",
        ),
        Profile(
            id="azure-classic",
            label="Azure OpenAI classic deployment",
            example_url="https://<resource>.openai.azure.com",
            chat_route="/openai/deployments/{deployment}/chat/completions",
            completions_route=None,
            info_route=None,
            route_root="/openai",
            auths=(AuthStyle.API_KEY,),
            params=_AOAI_PARAMS,
            model=ModelPlace.PATH,
            model_required=True,
            api_version="2024-10-21",
            api_versions=("2024-10-21", "2025-04-01-preview", "2024-06-01"),
            # Not in the 2024-10-21 reference table, yet taken by it (azure-v1 §4).
            stream_usage=True,
            stream_usage_since="2024-09-01",
            key_env=AZURE_OPENAI_KEY_ENV,
            sdk=SdkForm.AZURE_OPENAI,
            entra_scopes=(COGNITIVE_SCOPE,),
            notes="/openai/deployments/<deployment>/chat/completions?api-version=…, the "
            "portal's Target URI. Deployment = the name you gave it, not the model's.",
        ),
        Profile(
            id="foundry-models",
            label="Foundry Models (/models)",
            example_url="https://<resource>.services.ai.azure.com/models",
            chat_route="/models/chat/completions",
            completions_route=None,
            info_route="/models/info",
            route_root="/models",
            auths=(AuthStyle.API_KEY,),
            model_required=True,
            api_version="2024-05-01-preview",
            api_versions=("2024-05-01-preview", "2025-04-01", "2025-05-01"),
            params=(*_UNIFIED_PARAMS, max_tokens(512, 32_768)),
            entra_scopes=(COGNITIVE_SCOPE, FOUNDRY_SCOPE, ML_SCOPE),
            notes="Azure AI Model Inference on a Foundry resource; the body's model picks "
            "the deployment. Its SDK retires on 2026-08-26: the v1 API is preferred.",
        ),
        Profile(
            id="serverless",
            label="Serverless API (Models as a Service)",
            example_url="https://<endpoint>.<region>.models.ai.azure.com",
            chat_route="/chat/completions",
            completions_route=None,
            info_route="/info",
            auths=(AuthStyle.BEARER, AuthStyle.BARE),
            params=(*_UNIFIED_PARAMS, max_tokens(512, 8192)),
            models=_SERVERLESS_MODELS,
            sdk=SdkForm.OPENAI,
            notes="One model per endpoint (Llama, Mistral, ...), key only; found in AI Hub "
            "projects. JSON mode is not supported by Llama.",
        ),
        Profile(
            id="llama2-chat",
            label="Llama 2 chat (native API, retired)",
            example_url="https://<name>.<region>.inference.ai.azure.com/v1/chat/completions",
            chat_route="/v1/chat/completions",
            completions_route=None,
            info_route=None,
            auths=(AuthStyle.BARE, AuthStyle.BEARER),
            params=_LLAMA2_PARAMS,
            model=ModelPlace.NONE,
            context_length=4096,
            retired=_LLAMA2_RETIRED,
            notes="The Llama 2 notebook's route and bare Authorization header." + _LLAMA2_NOTE,
        ),
        Profile(
            id="llama2-text",
            label="Llama 2 text (native API, retired)",
            example_url="https://<name>.<region>.inference.ai.azure.com/v1/completions",
            chat_route=None,
            completions_route="/v1/completions",
            info_route=None,
            auths=(AuthStyle.BARE, AuthStyle.BEARER),
            params=_LLAMA2_PARAMS,
            model=ModelPlace.NONE,
            context_length=4096,
            retired=_LLAMA2_RETIRED,
            notes="Pretrained Llama 2: a prompt in, text out." + _LLAMA2_NOTE,
        ),
        Profile(
            id="openai",
            label="OpenAI-compatible server",
            example_url="http://localhost:8000/v1",
            chat_route="/chat/completions",
            completions_route="/completions",
            info_route=None,
            models_route="/models",
            auths=(AuthStyle.BEARER, AuthStyle.API_KEY, AuthStyle.BARE),
            params=(*_UNIFIED_PARAMS, max_tokens(512, 32768)),
            sdk=SdkForm.OPENAI,
            notes="Any server that speaks OpenAI chat completions; the URL usually ends in /v1.",
        ),
    )
}

__all__ = [
    "AZURE_OPENAI_KEY_ENV",
    "PROFILES",
    "ModelPlace",
    "Param",
    "Profile",
    "Retirement",
    "SdkForm",
]
