"""Foundry Models (Azure AI Model Inference) on `/models/*`, beside the serverless routes.

The serverless unified API and Foundry Models share paths and the C-MI body shapes, so one
path serves both (azure-v1 §1.3). A request is a Foundry one when it carries an `api-key`
header or names a model (body `model` on chat, `?model=` on /models/info); anything else keeps
the serverless rules exactly, so the notebooks' requests work as before. A Foundry request:

- authenticates as Azure OpenAI does (`api-key`, or the Entra token as Bearer; a Bearer key
  gets the access-token 401), see emulator/auth.py;
- must name the deployment when it names a model: else 404 `unknown_model`;
- gets `x-ms-error-code` on every error whose body has a code (C-MI).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers

from emulator import azure_openai, faults

CHAT_PATH = "/models/chat/completions"
INFO_PATH = "/models/info"
ERROR_CODE_HEADER = "x-ms-error-code"

BODIES = faults.Bodies(
    status={
        **faults.SERVERLESS.status,
        "401": azure_openai.key_invalid,
        "auth-header": azure_openai.key_missing,
    },
    rate_limited=faults.SERVERLESS.rate_limited,
    unavailable=faults.SERVERLESS.unavailable,
)


def is_foundry(headers: Headers, model: str | None) -> bool:
    """True for a Foundry Models request: an `api-key` header or a named model."""
    return "api-key" in headers or model is not None


def unknown_model(model: str) -> JSONResponse:
    """404 for a model the resource does not deploy, as seen live (azure-v1 §1.3)."""
    message = f"Unknown model: {model}"
    body = {"error": {"code": "unknown_model", "message": message, "details": message}}
    return JSONResponse(body, status_code=404)


def _code(body: bytes) -> str | None:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if code is None and isinstance(data, dict):
        code = data.get("code")  # the 422 body keeps its code at the top
    return str(code) if code is not None else None


def tag_error(response: Response) -> Response:
    """Add `x-ms-error-code` to an error response that names a code (C-MI)."""
    if response.status_code < 400 or not isinstance(response, JSONResponse):
        return response
    if (code := _code(bytes(response.body))) is not None:
        response.headers[ERROR_CODE_HEADER] = code
    return response
