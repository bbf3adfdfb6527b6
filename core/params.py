"""Request parameters as they go into a body: only the ones that are set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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


__all__ = ["clean_params", "split_stop"]
