"""The body the Request Builder sends for the one in its editor: on the chat and text routes,
a JSON object gets what the sidebar says the surface needs and the body leaves out.

- the sidebar's deployment as `model`, where the surface takes it in the body (Azure OpenAI
  v1, Foundry Models, and any profile once a model is set);
- for a stream, `stream_options: {"include_usage": true}` where the surface and api-version
  take it (`docs/azure-v1.md` §4), so that the last chunk carries the usage.

Each addition comes with a note for under the editor; what the body names itself is never
changed, and other routes and bodies go as typed.
"""

from __future__ import annotations

import json

from core import Client, EndpointError, parse_body_text
from core.records import parse_json

ROUTES = ("chat", "text")  # the Builder's routes that carry a completion request


def filled(active: Client, route: str, body: str) -> tuple[str, list[str]]:
    """The body to send and a note for each field added ([] and `body` itself when none)."""
    if route not in ROUTES or not body.strip():
        return body, []
    try:
        payload = parse_body_text(body)
    except EndpointError:
        return body, []  # the editor's message says what is wrong with it
    if not isinstance(payload, dict):
        return body, []
    sent = active.build_body(payload, {})
    notes = []
    if "model" in sent and "model" not in payload:
        notes.append(
            f'The sidebar\'s deployment goes in as "model": "{sent["model"]}" (the body '
            "names none)."
        )
    if payload.get("stream") is True:
        added = {k: v for k, v in active.routes.stream_extras().items() if k not in payload}
        if added:
            sent.update(added)
            notes.append(
                'The stream asks for its usage at the end ("stream_options": '
                '{"include_usage": true}), as this surface takes it.'
            )
    if not notes:
        return body, []
    return json.dumps(sent, ensure_ascii=False), notes


def summary(body: str, count: int = 6) -> tuple[str, str]:
    """What a body asks, for the history: the first `count` words of its last user message
    (or its `prompt`) and its `model` ("" for each it lacks)."""
    payload = parse_json(body)
    if not isinstance(payload, dict):
        return "", ""
    text = payload.get("prompt")
    messages = payload.get("messages")
    if isinstance(messages, list):
        users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        text = users[-1].get("content") if users else None
    words = text.split() if isinstance(text, str) else []
    shown = " ".join(words[:count]) + ("…" if len(words) > count else "")
    model = payload.get("model")
    return shown, model if isinstance(model, str) else ""
