"""Endpoint and model profiles as frozen data: routes, auth style, parameters with ranges.

Adding an endpoint kind adds a `Profile` here, not code elsewhere. Ranges and defaults follow
`docs/wire-format.md` §3; where the sources disagree the choice is noted beside it.
`default` is what the playground pre-fills, which for `max_tokens` is larger than some
documented API defaults (16 on Llama 2 native) so that replies are readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import AuthStyle, ExtraParameters


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


def max_tokens(default: int, maximum: int, note: str = "") -> Param:
    """The `max_tokens` parameter with a per-model ceiling."""
    return Param("max_tokens", int, default, 1, maximum, 1, note or "Upper bound on reply length.")


@dataclass(frozen=True)
class Profile:
    """One kind of endpoint: where its routes are and which parameters it takes."""

    id: str
    label: str
    example_url: str
    chat_route: str | None
    completions_route: str | None
    info_route: str | None
    auth: AuthStyle
    params: tuple[Param, ...]
    extra_parameters: ExtraParameters = ExtraParameters.OMIT
    notes: str = ""

    def param(self, name: str) -> Param | None:
        """The parameter called `name`, if this profile offers it."""
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        """Parameter name to pre-filled default."""
        return {p.name: p.default for p in self.params}


# Llama 2 native routes list presence_penalty but no frequency_penalty or seed
# (`docs/wire-format.md` §3.1).
_LLAMA2_PARAMS = (TEMPERATURE, TOP_P, max_tokens(256, 4096, "API default 16."), STOP, PRESENCE)
_UNIFIED_PARAMS = (TEMPERATURE, TOP_P, STOP, SEED, PRESENCE, FREQUENCY)

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
            auth=AuthStyle.BEARER,
            params=(*_UNIFIED_PARAMS, max_tokens(256, 2048, "The local model's context is 2048.")),
            notes="The emulator in this repository; `make run` starts it.",
        ),
        Profile(
            id="llama2-chat",
            label="Llama 2 chat (native API)",
            example_url="https://<name>.<region>.inference.ai.azure.com/v1/chat/completions",
            chat_route="/v1/chat/completions",
            completions_route=None,
            info_route=None,
            auth=AuthStyle.BARE,
            params=_LLAMA2_PARAMS,
            notes="The Llama 2 notebook's route and bare Authorization header.",
        ),
        Profile(
            id="llama2-text",
            label="Llama 2 text (native API)",
            example_url="https://<name>.<region>.inference.ai.azure.com/v1/completions",
            chat_route=None,
            completions_route="/v1/completions",
            info_route=None,
            auth=AuthStyle.BARE,
            params=_LLAMA2_PARAMS,
            notes="Pretrained Llama 2: a prompt in, text out.",
        ),
        Profile(
            id="llama31",
            label="Llama 3.1 Instruct",
            example_url="https://<name>.<region>.models.ai.azure.com",
            chat_route="/chat/completions",
            completions_route=None,
            info_route="/info",
            auth=AuthStyle.BEARER,
            params=(*_UNIFIED_PARAMS, max_tokens(512, 8192)),
            notes="Unified inference API; JSON mode is not supported by Llama.",
        ),
        Profile(
            id="mistral-large",
            label="Mistral Large",
            example_url="https://<name>.<region>.models.ai.azure.com",
            chat_route="/chat/completions",
            completions_route=None,
            info_route="/info",
            auth=AuthStyle.BEARER,
            params=(*_UNIFIED_PARAMS, max_tokens(512, 8192, "API default 8192.")),
            notes="Unified inference API; the native /v1/chat/completions route also works.",
        ),
        Profile(
            id="openai",
            label="OpenAI-compatible server",
            example_url="http://localhost:8000/v1",
            chat_route="/chat/completions",
            completions_route="/completions",
            info_route=None,
            auth=AuthStyle.BEARER,
            params=(*_UNIFIED_PARAMS, max_tokens(512, 32768)),
            notes="Any server that speaks OpenAI chat completions; the URL usually ends in /v1.",
        ),
    )
}
