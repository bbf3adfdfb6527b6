"""`core.event_summary`: each stream event in words, from the shapes the endpoints send."""

from __future__ import annotations

import json

import pytest

from core.event_summary import EventSummary, summarize
from core.records import TimedEvent


def chunk(**choice: object) -> str:
    return json.dumps({"id": "chatcmpl-1", "choices": [{"index": 0, **choice}]})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (chunk(delta={"content": "Hi"}), ("delta", "Hi", "")),
        (chunk(delta={"role": "assistant"}), ("delta", "", "")),
        (chunk(text=" is a"), ("delta", " is a", "")),  # a text completion
        (chunk(delta={}, finish_reason="length"), ("finish", "", "length")),
        (json.dumps({"choices": [], "usage": {"total_tokens": 3}}), ("usage", "", "")),
        (json.dumps({"error": {"message": "overloaded"}}), ("error", "overloaded", "")),
        ("[DONE]", ("[DONE]", "", "")),
        ("{not json", ("not JSON", "{not json", "")),
    ],
)
def test_each_shape_in_words(data: str, expected: tuple[str, str, str]) -> None:
    assert summarize(TimedEvent(0.25, data)) == EventSummary(0.25, *expected)


def test_a_named_event_keeps_its_name() -> None:
    assert summarize(TimedEvent(1.0, "", "ping")).kind == "ping"
