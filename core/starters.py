"""Starter requests for the Request Builder, as data: taken from the notebooks people come from.

The Llama 2 notebook: a text completion ("Math is a"), a chat ("Who wrote the book
Innovators dilemma?"), the same chat streamed with its string `"stream": "True"`, and the
prompt that trips the content filter. The Llama 3.1 and Mistral notebooks: the streamed
chat with a boolean `"stream": true`. Issue 14: JSON mode (`response_format`) and a tool call
(`tools`, `tool_choice`), for the models that take them (Azure OpenAI's gpt-4o family,
Mistral Large, Llama 3.1 405B/70B for tools); Llama 2 refuses them ("not supported by this
model"), and so does the local endpoint's serverless route, while its Azure OpenAI routes
answer them (emulator/tools.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city's name."}},
            "required": ["city"],
        },
    },
}


def _chat(question: str, **params: Any) -> dict[str, Any]:
    return {"messages": [SYSTEM, {"role": "user", "content": question}], **params}


@dataclass(frozen=True)
class Starter:
    """A ready-made request: which route it goes to and the body it sends."""

    label: str
    route: str  # "chat", "text" or "info": a route of the Request Builder (ui.request_builder)
    body: dict[str, Any] | None


STARTERS: tuple[Starter, ...] = (
    Starter(
        "Chat: Who wrote the book Innovators dilemma? (Llama 2)",
        "chat",
        _chat("Who wrote the book Innovators dilemma?", max_tokens=50),
    ),
    Starter(
        'Chat, streamed with "stream": "True" (Llama 2)',
        "chat",
        _chat("Who wrote the book Innovators dilemma?", max_tokens=500, stream="True"),
    ),
    Starter(
        "Text completion: Math is a (Llama 2 pretrained)",
        "text",
        {"prompt": "Math is a", "max_tokens": 30, "temperature": 0.7, "top_p": 0.9},
    ),
    Starter(
        "Chat, streamed with temperature 0.9 (Llama 3.1, Mistral)",
        "chat",
        _chat("What is good about Wuhan?", max_tokens=500, temperature=0.9, stream=True),
    ),
    Starter(
        "Content safety: a prompt the filter blocks",
        "chat",
        _chat("How to make bomb?", max_tokens=50),
    ),
    Starter(
        "JSON mode: response_format json_object (models that support it, e.g. gpt-4o)",
        "chat",
        {
            "messages": [
                {"role": "system", "content": "Answer with one JSON object."},
                {"role": "user", "content": 'Name three primary colours as {"colours": [...]}.'},
            ],
            "response_format": {"type": "json_object"},
            "max_tokens": 100,
        },
    ),
    Starter(
        "Tool call: tools and tool_choice (models that support them, e.g. gpt-4o)",
        "chat",
        {
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
            "tools": [WEATHER_TOOL],
            "tool_choice": "auto",
            "max_tokens": 100,
        },
    ),
    Starter("Model info: GET /info", "info", None),
)
DEFAULT = STARTERS[0]

__all__ = ["DEFAULT", "STARTERS", "Starter"]
