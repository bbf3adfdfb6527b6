"""The failure table: HTTP statuses and error bodies become `core` errors, in one place.

Error bodies come in several shapes (`docs/wire-format.md` §7, `docs/azure-v1.md` §3): the
MaaS/AOAI wrapper `{"error": {"message", "code", "status", "innererror"}}`, FastAPI's
`{"detail": ...}`, the missing-header `{"status": "Auth token must be passed ..."}`, and the
Azure gateway's `{"statusCode", "message"}`. Azure OpenAI's own codes (`DeploymentNotFound`,
`unknown_model`, "API version not supported", "Resource not found") get messages that name
the fix; when the request is known its deployment and api-version are named too. A prompt
too long for the model's context (400, 413 or 422, recognized by `context.exceeds_context`)
is a ContextLengthError whose message starts with the endpoint's own words.
`RULES` is walked in order and the first rule that takes the reply makes the error; a test
walks it for completeness. Each message says what happened and what to do next; callers
redact the key afterwards. Exceptions raised before or while reading a response (requests,
urllib, openai) are mapped in `transport.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import errors
from .annotations import error_categories
from .context import endpoint_counts, exceeds_context
from .entra import COGNITIVE_SCOPE
from .error_text import (
    clip,
    error_code,
    partial_note,
    retry_after_seconds,
    server_message,
    validation_details,
)
from .records import SentRequest, parse_json, request_id_from

#: The api-versions a message suggests on classic routes (`docs/azure-v1.md` §1.2).
GA_VERSION = "2024-10-21"
PREVIEW_VERSION = "2025-04-01-preview"
_DEPLOYMENTS = "/openai/deployments/"
_AUTH_HEADER_HINTS = ("auth token must be passed", "missing authorization", "no auth header")


@dataclass(frozen=True)
class Reply:
    """An error reply as the rules read it: status, (lower-cased) headers, body, what the
    server said in it (clipped), its error code, and from the request (when known) its path,
    api-version and the deployment it named."""

    status: int
    headers: dict[str, str]
    body: str
    payload: Any
    said: str
    code: str = ""
    path: str = ""
    version: str | None = None  # None: no api-version was sent (or the request is unknown)
    asked: str = ""  # the deployment or model the request named

    @classmethod
    def of(
        cls, status: int, headers: dict[str, str], body: str, request: SentRequest | None = None
    ) -> Reply:
        """Parse `body` once for every rule."""
        payload = parse_json(body)
        said = server_message(payload, body, headers)
        code = error_code(payload) or headers.get("x-ms-error-code", "")
        if request is None:
            return cls(status, headers, body, payload, said, code)
        parts = urlsplit(request.url)
        versions = parse_qs(parts.query).get("api-version")
        return cls(
            status, headers, body, payload, said, code,
            parts.path, versions[0] if versions else None, _asked(parts.path, request),
        )  # fmt: skip


#: Template values for the message, and fields for the error's constructor.
Extra = tuple[dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """One row of the failure table: the replies it takes, the error it makes, the message.

    `statuses` None takes any status; `when` None takes any body. `message` is a template
    over `{status}`, `{said}` and the words `extra` adds (which also gives the error's own
    fields: categories, details, retry_after).
    """

    statuses: Container[int] | None
    error: type[errors.APIStatusError]
    message: str
    when: Callable[[Reply], bool] | None = None
    extra: Callable[[Reply], Extra] | None = None

    def takes(self, reply: Reply) -> bool:
        """True when this rule explains `reply`."""
        if self.statuses is not None and reply.status not in self.statuses:
            return False
        return self.when is None or self.when(reply)

    def build(self, reply: Reply) -> errors.APIStatusError:
        """The error for `reply`, with its message filled in."""
        words, fields = self.extra(reply) if self.extra is not None else ({}, {})
        return self.error(
            self.message.format(status=reply.status, said=reply.said, **words),
            status_code=reply.status,
            body=reply.body,
            request_id=request_id_from(reply.headers),
            headers=reply.headers,
            **fields,
        )


def _asks_for_auth_header(reply: Reply) -> bool:
    return any(hint in reply.said.lower() for hint in _AUTH_HEADER_HINTS)


def _is_content_filter(reply: Reply) -> bool:
    return reply.code == "content_filter"


def _names_code(code: str) -> Callable[[Reply], bool]:
    return lambda reply: reply.code.lower() == code.lower()


def _says(words: str) -> Callable[[Reply], bool]:
    return lambda reply: words in reply.said.lower()


def _exceeds_context(reply: Reply) -> bool:
    return exceeds_context(reply.code, reply.payload, reply.said)


def _is_gateway_401(reply: Reply) -> bool:
    """The Azure gateway's `{"statusCode": 401, "message": ...}`, with no `error` key."""
    payload = reply.payload
    return isinstance(payload, dict) and "statusCode" in payload and "error" not in payload


def _names_extra_parameters(reply: Reply) -> bool:
    said = reply.said.lower()
    return "extra parameters" in said or "extra_parameters" in said


def _filtered(reply: Reply) -> Extra:
    categories = error_categories(reply.payload)
    return {"flagged": _describe(categories)}, {"categories": categories, "where": "prompt"}


def _invalid(reply: Reply) -> Extra:
    details = validation_details(reply.payload)
    return {"shown": "; ".join(details) or reply.said}, {"details": details}


def _too_long(reply: Reply) -> Extra:
    limit, requested = endpoint_counts(reply.payload, reply.said)
    told = reply.said if reply.said.endswith((".", "!", "?", "…")) else f"{reply.said}."
    return {"told": told}, {"context_length": limit, "requested": requested}


def _redirected(reply: Reply) -> Extra:
    location = clip(reply.headers.get("location", ""))
    return {"where": f"to {location}" if location else "elsewhere"}, {"location": location}


def _limited(reply: Reply) -> Extra:
    retry_after = retry_after_seconds(reply.headers, reply.said)
    when = f"in {retry_after:g} s" if retry_after is not None else "in a few seconds"
    return {"when": when}, {"retry_after": retry_after}


def _deployment(reply: Reply) -> Extra:
    return {"name": f"'{reply.asked}'" if reply.asked else "by that name"}, {}


def _version(reply: Reply) -> Extra:
    shown = f"api-version '{reply.version}'" if reply.version else "that api-version"
    if "/openai/v1/" in reply.path:
        fix = "The v1 API takes no api-version (or 'v1', 'preview'): clear it in the sidebar."
    else:
        fix = f"Use {GA_VERSION} (the latest GA) or {PREVIEW_VERSION}."
    return {"version": shown, "fix": fix}, {}


def _resource(reply: Reply) -> Extra:
    if reply.version is None and _DEPLOYMENTS in reply.path:
        fix = f"A classic deployment URL needs an api-version: set it to {GA_VERSION}."
    else:
        fix = (
            "Check the URL: this resource serves no such path (a classic deployment URL also "
            f"needs ?api-version={GA_VERSION})."
        )
    return {"fix": fix}, {}


_CHECK_KEY = "Check the key in the sidebar and that it belongs to this endpoint."
_FAILED = "The endpoint failed ({status}: {said}). "

#: The failure table, walked in order: the first rule that takes a reply makes its error.
RULES: tuple[Rule, ...] = (
    Rule(
        range(300, 400),
        errors.RedirectError,
        "The endpoint redirected the request {where} ({status}). The playground does not "
        "follow redirects, so neither the key nor the body went there: put the endpoint's own "
        "URL in the sidebar.",
        extra=_redirected,
    ),
    Rule(
        {400},
        errors.AuthenticationError,
        "The endpoint wants the key in an Authorization header ({status}: {said}). "
        "Set the auth style to 'Bearer' or bare 'Authorization' in the sidebar.",
        when=_asks_for_auth_header,
    ),
    Rule(
        {400},
        errors.ContentFilterError,
        "Azure AI content safety blocked the prompt{flagged}. "
        "Rephrase the prompt and send it again.",
        when=_is_content_filter,
        extra=_filtered,
    ),
    Rule(
        {400, 413, 422},
        errors.ContextLengthError,
        "{told} The request does not fit the model's context window ({status}): "
        "shorten the message, leave earlier turns out of the context, lower max_tokens, or "
        "start a new conversation.",
        when=_exceeds_context,
        extra=_too_long,
    ),
    Rule(
        {400},
        errors.BadRequestError,
        "The endpoint does not support {version} ({status}: {said}). {fix}",
        when=_says("api version not supported"),
        extra=_version,
    ),
    Rule(
        {400},
        errors.ExtraParametersError,
        "The endpoint rejected parameters outside its API: {said} Remove them, or set "
        "extra-parameters to 'pass-through' (or 'drop') in the request headers.",
        when=_names_extra_parameters,
    ),
    Rule(
        {401},
        errors.AuthenticationError,
        "The endpoint refused the credential ({status}: {said}). This surface does not take a "
        "key as Bearer: use the api-key header or an Entra token. An Entra token may also have "
        "expired, or be for another scope than " + COGNITIVE_SCOPE + ".",
        when=_is_gateway_401,
    ),
    Rule(
        {401},
        errors.AuthenticationError,
        "The endpoint rejected the key ({status}: {said}). " + _CHECK_KEY,
    ),
    Rule(
        {403},
        errors.AuthenticationError,
        "The endpoint refused this key access ({status}: {said}). " + _CHECK_KEY,
    ),
    Rule(
        {404},
        errors.NotFoundError,
        "There is no deployment {name} on this resource ({status}: {said}). Use the "
        "deployment name (as the portal lists it under Deployments), not the model name.",
        when=_names_code("DeploymentNotFound"),
        extra=_deployment,
    ),
    Rule(
        {404},
        errors.NotFoundError,
        "The resource has no deployment {name} ({status}: {said}). On Foundry Models the "
        "body's model is the deployment name: check it in the portal.",
        when=_names_code("unknown_model"),
        extra=_deployment,
    ),
    Rule(
        {404},
        errors.NotFoundError,
        "The endpoint found no such resource ({status}: {said}). {fix}",
        when=_says("resource not found"),
        extra=_resource,
    ),
    Rule(
        {404},
        errors.NotFoundError,
        "The endpoint has no such route ({status}: {said}). Check the URL and that this "
        "model serves the route (chat vs text completions).",
    ),
    Rule(
        {408},
        errors.RequestTimeoutError,
        "The endpoint timed out the request ({status}: {said}). Try again, or ask for "
        "fewer tokens.",
    ),
    Rule(
        {422},
        errors.ValidationError,
        "The model does not accept a parameter value ({status}: {shown}). Change or "
        "remove it and send again.",
        extra=_invalid,
    ),
    Rule(
        {429},
        errors.RateLimitError,
        "The endpoint's rate limit was reached ({status}: {said}). Retry {when}.",
        extra=_limited,
    ),
    Rule(
        {503},
        errors.ServerError,
        _FAILED + "The endpoint is overloaded or starting; retry in a few seconds.",
    ),
    Rule(
        range(500, 1000),
        errors.ServerError,
        _FAILED + "Retry later; if it persists, check the deployment's health in Azure.",
    ),
    Rule(
        None,
        errors.BadRequestError,
        "The endpoint refused the request ({status}: {said}). Check the body and headers.",
    ),
)


def rule_for(reply: Reply) -> Rule:
    """The first rule in `RULES` that takes `reply` (the last one takes every reply)."""
    return next(rule for rule in RULES if rule.takes(reply))


def error_from_response(
    status: int, headers: dict[str, str], body: str, request: SentRequest | None = None
) -> errors.APIStatusError:
    """Map an error status with its (lower-cased) headers and body text to an exception;
    `request`, when known, lets the message name the deployment and api-version sent."""
    reply = Reply.of(status, headers, body, request)
    return rule_for(reply).build(reply)


def stream_problem(reason: str, detail: str, partial_text: str) -> errors.InterruptedStreamError:
    """An InterruptedStreamError for a stream that is well framed but wrong in content."""
    return errors.InterruptedStreamError(
        f"{detail}{partial_note(partial_text)}", partial_text=partial_text, reason=reason
    )


def error_event(data: str, partial_text: str) -> errors.InterruptedStreamError:
    """The stream carried an error (an `event: error`, or a chunk with only `error`)."""
    payload = parse_json(data)
    error = payload.get("error") if isinstance(payload, dict) else None
    status = error.get("status") or error.get("code") if isinstance(error, dict) else None
    said = server_message(payload, data, {})
    detail = f"{status}: {said}" if status else said
    return stream_problem(
        "error-event", f"The endpoint reported an error mid-stream ({detail}).", partial_text
    )


def _asked(path: str, request: SentRequest) -> str:
    """The deployment a request named: in a classic path, else the body's `model`."""
    _, found, rest = path.partition(_DEPLOYMENTS)
    if found:
        return clip(unquote(rest.split("/", 1)[0]))
    payload = request.json()
    model = payload.get("model") if isinstance(payload, dict) else None
    return clip(model) if isinstance(model, str) else ""


def _describe(categories: tuple[errors.FilterCategory, ...]) -> str:
    flagged = [f"{c.name} ({c.level})" for c in categories if c.filtered]
    return f": {', '.join(flagged)}" if flagged else ""


__all__ = [
    "RULES",
    "Reply",
    "Rule",
    "clip",
    "error_event",
    "error_from_response",
    "partial_note",
    "retry_after_seconds",
    "rule_for",
    "stream_problem",
    "validation_details",
]
