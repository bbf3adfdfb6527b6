"""Starter requests for the Request Builder, as data: taken from the notebooks people come from.

The Llama 2 notebook: a text completion ("Math is a"), a chat ("Who wrote the book
Innovators dilemma?"), the same chat streamed with its string `"stream": "True"`, and the
prompt that trips the content filter. The Llama 3.1 and Mistral notebooks: the streamed
chat with a boolean `"stream": true`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


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
    Starter("Model info: GET /info", "info", None),
)
DEFAULT = STARTERS[0]

__all__ = ["DEFAULT", "STARTERS", "Starter"]
