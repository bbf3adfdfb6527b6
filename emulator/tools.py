"""JSON mode and tool calls on the Azure OpenAI routes, whose models (the gpt-4o family) take
`response_format: {"type": "json_object"}`, `tools` and `tool_choice` (issue 14: the Request
Builder's starters get an answer here). The serverless Llama routes still refuse them, as
documented (`wire._unsupported_chat_features`).

- JSON mode: the reply is the engine's text as one JSON object, `{"reply": "<text>"}`.
- Tools: unless `tool_choice` is "none", the answer is one call of the chosen function (the
  first one for "auto" or "required"), `finish_reason: tool_calls`, its required arguments
  filled from the last user message (a string gets its last word: "the weather in Paris?"
  gives `{"city": "Paris"}`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any


class ToolError(ValueError):
    """A field these features cannot take: `loc`, the value, and a message (a 400/422)."""

    def __init__(self, loc: list[str | int], value: Any, message: str) -> None:
        super().__init__(message)
        self.loc, self.value, self.message = loc, value, message


def features(body: dict[str, Any], users: Sequence[str]) -> dict[str, Any]:
    """`wire.Call` fields for JSON mode and a tool call (`users`: the user messages' texts);
    raises ToolError for bad shapes."""
    found: dict[str, Any] = {}
    fmt = body.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, dict) else fmt
    if kind == "json_object":
        found["json_mode"] = True
    elif kind not in (None, "text"):
        raise ToolError(["response_format"], fmt, "response_format must be text or json_object.")
    functions = _functions(body.get("tools"))
    name = _chosen(body.get("tool_choice"), functions)
    if name:
        said = users[-1] if users else ""
        found["tool"] = name
        found["tool_arguments"] = json.dumps(_arguments(functions[name], said))
    return found


def _functions(tools: Any) -> dict[str, dict[str, Any]]:
    """The declared functions by name, with their JSON Schema parameters."""
    if tools is None:
        return {}
    if not isinstance(tools, list):
        raise ToolError(["tools"], tools, "tools must be a list of functions.")
    found = {}
    for index, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str) or not name:
            message = "Each tool must be {'type': 'function', 'function': {'name': ...}}."
            raise ToolError(["tools", index], tool, message)
        parameters = function.get("parameters") if isinstance(function, dict) else None
        found[name] = parameters if isinstance(parameters, dict) else {}
    return found


def _chosen(choice: Any, functions: dict[str, dict[str, Any]]) -> str:
    """The function the answer calls ("" for none)."""
    if not functions or choice == "none":
        return ""
    if choice in (None, "auto", "required"):
        return next(iter(functions))
    named = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    if named not in functions:
        raise ToolError(["tool_choice"], choice, "tool_choice must name one of the tools.")
    return str(named)


def _arguments(parameters: dict[str, Any], said: str) -> dict[str, Any]:
    """The required arguments, filled: strings from the last word said, numbers 1, flags true."""
    words = re.findall(r"\w+", said)
    properties = parameters.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    by_type: dict[Any, Any] = {"number": 1, "integer": 1, "boolean": True}
    filled: dict[str, Any] = {}
    for name in parameters.get("required") or []:
        kind = (properties.get(name) or {}).get("type")
        filled[name] = by_type.get(kind, words[-1] if words else "example")
    return filled


def tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """One entry of `tool_calls`, as the chat completion and its stream carry it."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
