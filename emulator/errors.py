"""Error responses, one builder per status the emulator can send (wire-format §2, §4, §7).

Where the sources give a body, it is copied; where they do not (wire-format §11), the
body follows the documented `{"error": {"code", "message", "status"}}` shape and the
choice is listed in emulator/README.md.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse, JSONResponse

AUTH_MISSING = "Auth token must be passed as a header called Authorization"
CONTENT_FILTER_MESSAGE = (
    "The response was filtered due to the prompt triggering Microsoft's content management "
    "policy. Please modify your prompt and retry."
)
NOT_FOUND_MESSAGE = (
    "Modality not supported by the model. Check the documentation of the model to see which "
    "routes are available."
)
EXTRA_OPTIONS = ["error", "drop", "pass-through"]


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "status": status}}
    return JSONResponse(body, status_code=status, headers=headers)


def detail(status: int, text: str) -> JSONResponse:
    """A FastAPI-style `{"detail": ...}` body, as the serving container sends (§4)."""
    return JSONResponse({"detail": text}, status_code=status)


def auth_missing() -> JSONResponse:
    """400 when no Authorization header came (§2.2; body is the inferred one, exactly)."""
    return JSONResponse({"status": AUTH_MISSING}, status_code=400)


def unauthorized() -> JSONResponse:
    """401 for a wrong key: UnauthorizedError with `x-ms-error-code` (§2.2, §7.3)."""
    headers = {"x-ms-error-code": "Unauthorized"}
    return _error(401, "Unauthorized", "Access token is missing or invalid", headers)


def forbidden() -> JSONResponse:
    """403: the key is valid but not allowed here (no MaaS source; AOAI wording)."""
    message = "Access denied due to Virtual Network/Firewall rules."
    return _error(403, "Forbidden", message)


def not_found() -> JSONResponse:
    """404: the route or modality is not served (§7.3, D-CHAT)."""
    return _error(404, "NotFound", NOT_FOUND_MESSAGE)


def request_timeout() -> JSONResponse:
    """408: the gateway gave up waiting for the model (§7.3, D-TS)."""
    return _error(408, "RequestTimeout", "The request timed out. Please retry.")


def rate_limited(seconds: float) -> JSONResponse:
    """429 with Retry-After, in the AOAI wording (§7.3; no MaaS body was found)."""
    shown = f"{seconds:g}"
    message = f"Rate limit is exceeded. Try again in {shown} seconds."
    return _error(429, "429", message, {"Retry-After": shown})


def server_error(reason: str = "the model server failed") -> JSONResponse:
    """500 in the serving container's shape (§7.3, C-FMS)."""
    message = f"An error occurred during the request processing: {reason}"
    return _error(500, "Internal Server Error", message)


def unavailable(
    message: str = "The model is temporarily unavailable. Retry later.",
) -> JSONResponse:
    """503: the model is loading or overloaded (§7.3, D-TS)."""
    return _error(503, "ServiceUnavailable", message, {"Retry-After": "1"})


def bad_gateway_html() -> HTMLResponse:
    """502 with an HTML page, as a proxy in front of the model would send."""
    page = (
        "<html><head><title>502 Bad Gateway</title></head><body>"
        "<center><h1>502 Bad Gateway</h1></center><hr><center>emulator</center>"
        "</body></html>"
    )
    return HTMLResponse(page, status_code=502)


def unprocessable(code: str, loc: list[str | int], value: object, message: str) -> JSONResponse:
    """422 in the documented shape (§4, D-API), with a readable `message`."""
    body = {"status": 422, "code": code, "detail": {"loc": loc, "input": value}, "message": message}
    return JSONResponse(body, status_code=422)


def extra_parameters_not_allowed(names: list[str]) -> JSONResponse:
    """400 for unknown keys without `extra-parameters: pass-through` (§4, exact text)."""
    return detail(
        400,
        f"Extra parameters {names!r} are not allowed when extra-parameters is not set or set "
        "to be 'error'. Set extra-parameters to 'pass-through' to pass to the model.",
    )


def extra_parameters_option(value: str) -> JSONResponse:
    """400 for an `extra-parameters` value other than error/drop/pass-through (§4)."""
    return detail(
        400, f"Unexpected EXTRA_PARAMETERS option {value}, expected options are {EXTRA_OPTIONS!r}"
    )


def content_filtered(result: dict[str, dict[str, object]]) -> JSONResponse:
    """400 for a filtered prompt: the MaaS body plus AOAI `innererror` (§7.1)."""
    error = {
        "message": CONTENT_FILTER_MESSAGE,
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": result},
    }
    return JSONResponse({"error": error}, status_code=400)
