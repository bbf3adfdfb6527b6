"""The four surfaces the emulator speaks, each as one table of rules and error bodies.

| surface | routes | auth | error bodies |
|---|---|---|---|
| serverless | `/v1/*`, `/chat/completions`, `/completions`, `/info`, `/models/*` (no key, no model) | Authorization, bare or Bearer | wire-format §7 |
| Azure OpenAI v1 | `/openai/v1/*` | `api-key`; Bearer key or token | azure-v1 §3 |
| classic deployments | `/openai/deployments/{name}/*` | `api-key`; Bearer token | azure-v1 §3 |
| Foundry Models | `/models/*` with `api-key` or a model | `api-key`; Bearer token | C-MI + `x-ms-error-code` |
"""  # noqa: E501 (a table reads better on one line a row)

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi.responses import Response
from starlette.datastructures import Headers

from emulator import auth, azure_openai, content_filter, errors, faults, foundry, wire

LOADING = "The model is loading. Retry in a moment."


@dataclass(frozen=True)
class Surface:
    """How one family of routes admits callers and words its refusals."""

    name: str
    authorize: Callable[[Headers], Response | None]
    bodies: faults.Bodies
    loading: Callable[[], Response]
    refused: Callable[[wire.RequestError], Response]
    too_long: Callable[[list[str | int], str], Response]
    filtered: Callable[[dict[str, str]], Response]
    # Azure OpenAI bodies (annotations, fingerprint, dated model) instead of the C-MI ones.
    annotated: bool = False


def _serverless_too_long(loc: list[str | int], message: str) -> Response:
    return errors.unprocessable("invalid_input", loc, None, message)


def _serverless_filtered(severity: dict[str, str]) -> Response:
    return errors.content_filtered(content_filter.filter_result(severity, with_detections=False))


def _azure_too_long(loc: list[str | int], message: str) -> Response:
    return azure_openai.invalid(message, str(loc[-1]), "context_length_exceeded")


def serverless(credentials: auth.Credentials) -> Surface:
    """The 2024 serverless rules, unchanged (wire-format §2, §7)."""
    return Surface(
        name="serverless",
        authorize=lambda headers: auth.check(headers, credentials),
        bodies=faults.SERVERLESS,
        loading=lambda: errors.unavailable(LOADING),
        refused=lambda exc: exc.response(),
        too_long=_serverless_too_long,
        filtered=_serverless_filtered,
    )


def foundry_models(credentials: auth.Credentials) -> Surface:
    """Foundry Models on `/models/*`: serverless bodies, Azure auth (azure-v1 §1.3, §2)."""
    return Surface(
        name="foundry",
        authorize=lambda headers: auth.check_azure(headers, credentials, bearer_key=False),
        bodies=foundry.BODIES,
        loading=lambda: errors.unavailable(LOADING),
        refused=lambda exc: exc.response(),
        too_long=_serverless_too_long,
        filtered=_serverless_filtered,
    )


def azure_openai_surface(
    credentials: auth.Credentials, deployment: str, model: str, *, v1: bool
) -> Surface:
    """Azure OpenAI: v1 (Bearer key accepted) or classic deployments (azure-v1 §1–§3)."""
    return Surface(
        name="v1" if v1 else "classic",
        authorize=lambda headers: auth.check_azure(headers, credentials, bearer_key=v1),
        bodies=azure_openai.fault_bodies(deployment, model),
        loading=lambda: azure_openai.unavailable(LOADING),
        refused=azure_openai.refused,
        too_long=_azure_too_long,
        filtered=azure_openai.content_filtered,
        annotated=True,
    )
