"""Request bodies: the parameters that are set, and a body typed by a person, parsed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import InvalidRequestError


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that are set: None, "" and [] are left out, and `stop` given as text
    becomes its non-empty lines (a text area holds one stop sequence per line)."""
    kept: dict[str, Any] = {}
    for name, value in params.items():
        if name == "stop" and isinstance(value, str):
            value = split_stop(value)
        if value is None or value == "" or value == []:
            continue
        kept[name] = value
    return kept


def split_stop(text: str) -> list[str]:
    """Stop sequences from text with one per line; blank lines are skipped."""
    return [line for line in text.splitlines() if line]


def parse_body_text(text: str) -> Any:
    """Parse a body typed by a person, raising InvalidRequestError with the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise InvalidRequestError(
            "The body is nested too deeply to read as JSON; flatten it."
        ) from None


__all__ = ["clean_params", "parse_body_text", "split_stop"]
