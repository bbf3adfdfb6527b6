"""Request bodies: parse, check and normalise one completion request (wire-format §3, §4).

`parse` turns raw bytes into a `Call` or raises a `RequestError` that knows its response.
Checks run in the serving container's order (C-FMS): the JSON body and its fields first
(422), then the `extra-parameters` rules (400), which apply to unified routes only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response

from emulator import errors, tools

CHAT = "chat"
TEXT = "text"
# The one max_tokens default for every route: D-L2 says 16 (too short to read), D-CMPL
# says 256, D-CHAT says "null means max context". 256 keeps answers readable and bounded.
DEFAULT_MAX_TOKENS = 256

_SHARED = {"model", "frequency_penalty", "presence_penalty", "max_tokens", "temperature"}
_SHARED |= {"top_p", "stop", "stream", "seed"}
# Unified schema keys (§3.3, §3.4); `model` is accepted on /completions too, because
# OpenAI-style clients always send it.
KNOWN_KEYS = {
    CHAT: _SHARED | {"messages", "response_format", "tools", "tool_choice"},
    TEXT: _SHARED | {"prompt"},
}
EXTRA_OPTIONS = ("error", "drop", "pass-through")
_CHAT_ROLES = {"system", "user", "assistant"}
_UNIFIED_ROLES = _CHAT_ROLES | {"tool"}
_TRUE, _FALSE = "true", "false"


@dataclass(frozen=True)
class Route:
    """Which body a route takes, whether it is a unified-API route, and whether an OpenAI one.

    OpenAI routes (Azure OpenAI v1 and classic deployments) take the unified roles, skip
    `extra-parameters` (unknown keys are ignored), and read `stream_options` and
    `max_completion_tokens` (azure-v1 §4).
    """

    kind: str
    unified: bool
    openai: bool = False


@dataclass(frozen=True)
class Message:
    """One chat message reduced to its role and its text."""

    role: str
    content: str


@dataclass(frozen=True)
class Call:
    """A checked request, in the terms the engines need."""

    kind: str
    messages: tuple[Message, ...]
    prompt: str
    stream: bool
    max_tokens: int
    temperature: float | None
    top_p: float | None
    frequency_penalty: float | None
    presence_penalty: float | None
    stop: tuple[str, ...]
    seed: int | None
    model: str | None = None
    include_usage: bool = False
    json_mode: bool = False  # response_format json_object (OpenAI routes)
    tool: str = ""  # the function a tool call names ("" none; OpenAI routes)
    tool_arguments: str = "{}"  # its arguments, as JSON text

    def screened_texts(self) -> list[str]:
        """What the content filter reads: system and user messages, or the prompt (§7.1)."""
        if self.kind == TEXT:
            return [self.prompt]
        return [m.content for m in self.messages if m.role in ("system", "user")]

    def input_text(self) -> str:
        """All the text the model receives, message contents joined by newlines."""
        if self.kind == TEXT:
            return self.prompt
        return "\n".join(m.content for m in self.messages)

    def last_user_text(self) -> str:
        """The last user message (the prompt for text completions), or the last message."""
        if self.kind == TEXT:
            return self.prompt
        users = [m.content for m in self.messages if m.role == "user"]
        return users[-1] if users else self.messages[-1].content


class RequestError(Exception):
    """A request the emulator refuses; `response()` is what goes back to the client."""

    def response(self) -> Response:
        """The HTTP response for this error."""
        raise NotImplementedError


class Invalid(RequestError):
    """A 422: a field has the wrong type or range, or the model does not support it."""

    def __init__(
        self, loc: list[str | int], value: Any, message: str, code: str = "invalid_input"
    ) -> None:
        super().__init__(message)
        self.loc, self.value, self.message, self.code = ["body", *loc], value, message, code

    def response(self) -> Response:
        """422 with the documented `{status, code, detail{loc, input}, message}` body."""
        return errors.unprocessable(self.code, self.loc, self.value, self.message)


class ExtraParameters(RequestError):
    """A 400 from the `extra-parameters` rules (§4)."""

    def __init__(self, names: list[str] | None = None, option: str | None = None) -> None:
        super().__init__(option or names)
        self.names, self.option = names or [], option

    def response(self) -> Response:
        """The exact `{"detail": ...}` texts of the serving container."""
        if self.option is not None:
            return errors.extra_parameters_option(self.option)
        return errors.extra_parameters_not_allowed(self.names)


def parse(raw: bytes, route: Route, extra_parameters: str | None) -> Call:
    """Check a request body for `route`; raise RequestError when it must be refused."""
    body = _load(raw)
    features: dict[str, Any] = {}
    if route.kind == CHAT:
        messages, prompt = _messages(body, route.unified), ""
        if route.openai:  # the models behind these routes take JSON mode and tools
            try:
                said = [m.content for m in messages if m.role == "user"]
                features = tools.features(body, said)
            except tools.ToolError as exc:
                raise Invalid(exc.loc, exc.value, exc.message) from None
        else:
            _unsupported_chat_features(body)
    else:
        messages, prompt = (), _prompt(body)
    max_tokens = body.get("max_tokens")
    if route.openai and max_tokens is None:
        max_tokens = body.get("max_completion_tokens")
    call = Call(
        kind=route.kind,
        messages=messages,
        prompt=prompt,
        stream=_stream(body.get("stream")),
        max_tokens=_max_tokens(max_tokens),
        temperature=_number(body, "temperature", 0.0, 2.0),
        top_p=_number(body, "top_p", 0.0, 1.0),
        frequency_penalty=_number(body, "frequency_penalty", -2.0, 2.0),
        presence_penalty=_number(body, "presence_penalty", -2.0, 2.0),
        stop=_stop(body.get("stop")),
        seed=_seed(body.get("seed")),
        model=_model(body.get("model")),
        include_usage=route.openai and _include_usage(body.get("stream_options")),
        **features,
    )
    if route.unified and not route.openai:
        _check_extras(body, KNOWN_KEYS[route.kind], extra_parameters)
    # Legacy /v1 routes skip the check, like the serving container (§4, C-FMS), so the
    # vLLM extras (n, best_of, logprobs, ignore_eos, ...) pass; the engines ignore them.
    return call


def peek_model(raw: bytes) -> str | None:
    """The body's `model` before any check (it routes the request); None if there is none."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return _model(body.get("model")) if isinstance(body, dict) else None


def _load(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        shown = raw[:200].decode("utf-8", "replace")
        raise Invalid([], shown, f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Invalid([], body, "The request body must be a JSON object.")
    return body


def _check_extras(body: dict[str, Any], known: set[str], option: str | None) -> None:
    if option is not None and option not in EXTRA_OPTIONS:
        raise ExtraParameters(option=option)
    extras = [key for key in body if key not in known]
    if extras and option in (None, "error"):
        raise ExtraParameters(names=extras)
    # "drop" and "pass-through" both end here: the engines only read known fields, which
    # is what a model that ignores unknown keys does with passed-through ones.


def _messages(body: dict[str, Any], unified: bool) -> tuple[Message, ...]:
    raw = body.get("messages")
    if not isinstance(raw, list):
        raise Invalid(["messages"], raw, "`messages` is required and must be a list.")
    if not raw:
        raise Invalid(["messages"], raw, "`messages` must contain at least one message.")
    roles = _UNIFIED_ROLES if unified else _CHAT_ROLES
    return tuple(_message(item, index, roles) for index, item in enumerate(raw))


def _message(item: Any, index: int, roles: set[str]) -> Message:
    if not isinstance(item, dict):
        raise Invalid(["messages", index], item, f"Message {index} must be an object.")
    role = item.get("role")
    if role not in roles:
        allowed = ", ".join(sorted(roles))
        message = f"Message {index} has role {role!r}; expected one of: {allowed}."
        raise Invalid(["messages", index, "role"], role, message)
    content = item.get("content")
    if content is None and role == "assistant" and item.get("tool_calls"):
        return Message(role, "")
    return Message(role, _content(content, index))


def _content(content: Any, index: int) -> str:
    loc: list[str | int] = ["messages", index, "content"]
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        message = f"Message {index} needs `content`: a string or a list of text parts."
        raise Invalid(loc, content, message)
    texts = []
    for number, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind == "image_url":
            message = f"Message {index} part {number}: this model reads text only."
            raise Invalid([*loc, number], kind, message, "parameter_not_supported")
        else:
            message = f"Message {index} part {number} must be {{'type': 'text', 'text': ...}}."
            raise Invalid([*loc, number], part, message)
    return "\n".join(texts)


def _unsupported_chat_features(body: dict[str, Any]) -> None:
    fmt = body.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, dict) else fmt
    if kind in ("json_object", "json_schema"):
        # "Meta Llama models don't support JSON output formatting" (§3.3, D-L31).
        message = f"response_format {kind!r} is not supported by this model; use 'text'."
        raise Invalid(["response_format"], kind, message, "parameter_not_supported")
    if kind not in (None, "text"):
        raise Invalid(["response_format"], fmt, "response_format must be {'type': 'text'}.")
    if body.get("tools"):
        # "Returns a 422 error if the tool is not supported by the model." (§3.3, D-CHAT)
        message = "This model does not support tools."
        raise Invalid(["tools"], "tools", message, "parameter_not_supported")


def _prompt(body: dict[str, Any]) -> str:
    prompt = body.get("prompt")
    if not isinstance(prompt, str):
        raise Invalid(["prompt"], prompt, "`prompt` is required and must be a string.")
    return prompt


def _stream(value: Any) -> bool:
    # Meta's notebooks send "stream": "True" (§3.5); "true"/"false" in any case are read
    # as booleans, as pydantic's lax mode does. Anything else is refused rather than
    # guessed, because the legacy service's reading of "false" is unknown.
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in (_TRUE, _FALSE):
        return value.lower() == _TRUE
    raise Invalid(["stream"], value, "`stream` must be true or false.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if not _is_number(value) or not math.isfinite(value) or not low <= value <= high:
        raise Invalid([name], value, f"`{name}` must be a number from {low:g} to {high:g}.")
    return float(value)


def _max_tokens(value: Any) -> int:
    if value is None:
        return DEFAULT_MAX_TOKENS
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Invalid(["max_tokens"], value, "`max_tokens` must be a whole number of at least 1.")
    return value


def _seed(value: Any) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise Invalid(["seed"], value, "`seed` must be a whole number.")
    return value


def _model(value: Any) -> str | None:
    # Only a non-empty string names a model: null, "" (langchain-community sends "model": null)
    # and other values are "not given", as serverless routes have always ignored the field.
    return value if isinstance(value, str) and value else None


def _include_usage(value: Any) -> bool:
    if value is None:
        return False
    flag = value.get("include_usage") if isinstance(value, dict) else None
    if not isinstance(value, dict) or not isinstance(flag, bool | None):
        message = "`stream_options` must be an object like {'include_usage': true}."
        raise Invalid(["stream_options"], value, message)
    return bool(flag)


def _stop(value: Any) -> tuple[str, ...]:
    # "String or a list of strings" (§3.1); the unified doc's example sends a bare string.
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    raise Invalid(["stop"], value, "`stop` must be a string or a list of strings.")
