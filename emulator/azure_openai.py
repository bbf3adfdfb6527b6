"""Azure OpenAI facts as data: API versions, error bodies, filter annotations (azure-v1 §1–§5).

Bodies seen live are copied; where the sources are silent the choice is written in
docs/azure-v1.md ("Project choice") and emulator/README.md.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse, Response

from emulator import content_filter, errors, faults, wire

REGION = "local"
# Body `model` is a dated snapshot of the model the deployment runs (azure-v1 §4).
SNAPSHOT_DATE = "2025-01-01"
# v1 takes no version, `v1` or `preview` (azure-v1 §1.1, C-V1).
V1_VERSIONS = frozenset({"v1", "preview"})
# Classic deployment routes need one of these (azure-v1 §1.2; GA, then previews).
CLASSIC_VERSIONS = frozenset(
    {
        *("2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21"),
        *("2023-03-15-preview", "2023-06-01-preview", "2023-07-01-preview"),
        *("2023-08-01-preview", "2023-09-01-preview", "2023-12-01-preview"),
        *("2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview"),
        *("2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview"),
        *("2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview"),
        *("2025-01-01-preview", "2025-02-01-preview", "2025-03-01-preview"),
        "2025-04-01-preview",
    }
)

ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)
KEY_MISSING = (
    "Access denied due to missing subscription key. Make sure to include subscription key when "
    "making requests to an API."
)
TOKEN_REFUSED = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within "
    "the last 5 minutes, please wait a moment and try again."
)
SERVER_ERROR = (
    "The server had an error while processing your request. Sorry about that! You can retry "
    "your request, or contact us through an Azure support request at: "
    "https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists."
)
FILTER_MESSAGE = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management "
    "policy. Please modify your prompt and retry. To learn more about our content filtering "
    "policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)
# wire.Invalid codes, in the OpenAI spelling of invalid_request_error codes.
_INVALID_CODES = {
    "invalid_input": "invalid_value",
    "parameter_not_supported": "unsupported_parameter",
}


def snapshot(model: str) -> str:
    """The dated snapshot name a body reports for `model`."""
    return f"{model}-{SNAPSHOT_DATE}"


def fingerprint(model: str) -> str:
    """A stable `system_fingerprint` for `model` (fp_ and ten hex digits, as Azure's look)."""
    return "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10]


def _error(status: int, code: str | None, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def resource_not_found() -> JSONResponse:
    """404 for a classic route without `api-version`, or an unknown /openai path."""
    return _error(404, "404", "Resource not found")


def version_unsupported() -> JSONResponse:
    """400 for an `api-version` the surface does not take."""
    return _error(400, "BadRequest", "API version not supported")


def deployment_not_found() -> JSONResponse:
    """404 for a deployment (classic path or v1 body `model`) that does not exist."""
    return _error(404, "DeploymentNotFound", DEPLOYMENT_NOT_FOUND)


def key_invalid() -> JSONResponse:
    """401 for a wrong `api-key` (or, on v1, a wrong `Bearer` key)."""
    return _error(401, "401", ACCESS_DENIED)


def key_missing() -> JSONResponse:
    """401 when neither `api-key` nor `Authorization` came (APIM wording; a project choice)."""
    return _error(401, "401", KEY_MISSING)


def token_refused() -> JSONResponse:
    """401 for a Bearer value that is not a valid token here; this body has no `error` key."""
    return JSONResponse({"statusCode": 401, "message": TOKEN_REFUSED}, status_code=401)


def forbidden() -> JSONResponse:
    """403: the network rules of the resource refuse the caller."""
    return _error(403, "403", "Access denied due to Virtual Network/Firewall rules.")


def timeout() -> JSONResponse:
    """408: the request took too long (project choice of body)."""
    return _error(408, "Timeout", "The operation was timeout.")


def retry_headers(seconds: float) -> dict[str, str]:
    """`retry-after` in whole seconds (rounded up) and `retry-after-ms` (azure-v1 §5)."""
    return {"retry-after": str(math.ceil(seconds)), "retry-after-ms": str(round(seconds * 1000))}


def rate_limited(seconds: float, deployment: str, model: str, kind: str = "call") -> JSONResponse:
    """429 in the newer wording that names deployment, model and region (azure-v1 §3)."""
    message = (
        f"Your requests to {deployment} for {model} in {REGION} have exceeded the {kind} rate "
        f"limit for your current pricing tier. Please retry after {math.ceil(seconds)} seconds."
    )
    response = _error(429, "429", message)
    response.headers.update(retry_headers(seconds))
    return response


def server_error() -> JSONResponse:
    """500 in the OpenAI `server_error` shape (azure-v1 §3; request id left out)."""
    body = {"message": SERVER_ERROR, "type": "server_error", "param": None, "code": None}
    return JSONResponse({"error": body}, status_code=500)


def unavailable(message: str = "The service is temporarily unavailable. Retry later.") -> Response:
    """503 with `retry-after` 1 s (project choice of body)."""
    response = _error(503, "ServiceUnavailable", message)
    response.headers.update(retry_headers(1))
    return response


def invalid(message: str, param: str | None, code: str | None, status: int = 400) -> JSONResponse:
    """A request the model refuses, in the `invalid_request_error` shape (azure-v1 §3)."""
    body = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return JSONResponse({"error": body}, status_code=status)


def refused(exc: wire.RequestError) -> Response:
    """The v1/classic answer to a body that wire.parse refused: 400, OpenAI shape."""
    if not isinstance(exc, wire.Invalid):  # extra-parameters does not apply to these routes
        return exc.response()
    names = [str(part) for part in exc.loc[1:2]]  # the top-level field, if any
    return invalid(exc.message, names[0] if names else None, _INVALID_CODES.get(exc.code))


def content_filtered(severity: dict[str, str]) -> JSONResponse:
    """400 for a filtered prompt, as Azure OpenAI sends it (azure-v1 §3)."""
    result = content_filter.filter_result(severity)
    inner = {"code": "ResponsibleAIPolicyViolation", "content_filter_result": result}
    error: dict[str, object] = {"message": FILTER_MESSAGE, "type": None, "param": "prompt"}
    error |= {"code": "content_filter", "status": 400, "innererror": inner}
    return JSONResponse({"error": error}, status_code=400)


def prompt_filter_results(severity: dict[str, str]) -> list[dict[str, Any]]:
    """`prompt_filter_results` for one prompt (azure-v1 §4)."""
    results = content_filter.filter_result(severity)
    return [{"prompt_index": 0, "content_filter_results": results}]


def choice_filter_results(filtered: bool = False) -> dict[str, dict[str, object]]:
    """A choice's `content_filter_results`: all safe, or violence filtered at medium."""
    safe: dict[str, object] = {"filtered": False, "severity": "safe"}
    undetected: dict[str, object] = {"filtered": False, "detected": False}
    results = {category: dict(safe) for category in content_filter.CATEGORIES}
    results |= {"protected_material_code": undetected, "protected_material_text": undetected}
    if filtered:
        results["violence"] = {"filtered": True, "severity": "medium"}
    return dict(sorted(results.items()))


def fault_bodies(deployment: str, model: str) -> faults.Bodies:
    """What a status fault answers on the v1 and classic routes."""
    status: dict[str, Callable[[], Response]] = {
        "401": key_invalid,
        "auth-header": key_missing,
        "403": forbidden,
        "404": deployment_not_found,
        "408": timeout,
        "422": lambda: invalid(
            "response_format 'json_object' is not supported by this model.",
            "response_format",
            "unsupported_parameter",
            status=422,
        ),
        "500": server_error,
        "503": unavailable,
        "html": errors.bad_gateway_html,
        "empty": lambda: Response(b"", media_type="application/json"),
    }
    return faults.Bodies(
        status=status,
        rate_limited=lambda seconds: rate_limited(seconds, deployment, model),
        unavailable=unavailable,
    )
