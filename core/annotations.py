"""Content-filter verdicts as Azure reports them, read from replies, streams and error bodies.

Azure OpenAI annotates each reply (`docs/azure-v1.md` §4): `prompt_filter_results` (older
versions: `prompt_annotations`), a list of `{prompt_index, content_filter_results}`, on the
body or on the stream's first event (whose `choices` is empty), and `content_filter_results`
on each choice. A refused prompt's error body carries the verdicts in
`innererror.content_filter_result` or `inner_error.content_filter_results` (§3). Harm
categories have a `severity`; detectors (`jailbreak`, `profanity`, `protected_material_*`)
say `detected`. Every spelling is read (`self-harm` too) and reported as `self_harm`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import FilterCategory

_SEVERITY = {"safe": 0, "low": 1, "medium": 2, "high": 3}
_PROMPT_KEYS = ("prompt_filter_results", "prompt_annotations")


@dataclass(frozen=True)
class FilterResults:
    """The content filter's verdicts on one reply: on the prompt, and on the reply's text.

    Empty when the endpoint sent none (serverless endpoints, the emulator's Foundry and
    serverless routes). For a panel (`prompt`, `completion`) or a one-line caption
    (`summary`).
    """

    prompt: tuple[FilterCategory, ...] = ()
    completion: tuple[FilterCategory, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.prompt or self.completion)

    @property
    def flagged(self) -> tuple[FilterCategory, ...]:
        """Every verdict that filtered or detected something, or rated a harm above safe."""
        return tuple(c for c in self.prompt + self.completion if _notable(c))

    def summary(self) -> str:
        """One line: "Content filter: prompt safe; reply violence medium (filtered)."."""
        if not self:
            return ""
        parts = [
            f"{where} {_verdicts(found)}"
            for where, found in (("prompt", self.prompt), ("reply", self.completion))
            if found
        ]
        return "Content filter: " + "; ".join(parts) + "."


def categories(results: Any) -> tuple[FilterCategory, ...]:
    """The verdicts in one `content_filter_result(s)` object (other shapes: none)."""
    if not isinstance(results, dict):
        return ()
    found = []
    for name, verdict in results.items():
        if not isinstance(verdict, dict):
            continue
        if "severity" in verdict:
            severity = str(verdict.get("severity"))
        elif "detected" in verdict:
            severity = ""
        else:
            continue  # `{"error": ...}` when filtering itself failed, or another shape
        detected = verdict.get("detected")
        found.append(
            FilterCategory(
                name=str(name).replace("-", "_"),
                filtered=bool(verdict.get("filtered")),
                severity=severity,
                detected=bool(detected) if detected is not None else None,
            )
        )
    return tuple(found)


def error_categories(payload: Any) -> tuple[FilterCategory, ...]:
    """The verdicts in a refused prompt's error body, in any of its spellings (§3)."""
    error = payload.get("error", payload) if isinstance(payload, dict) else {}
    if not isinstance(error, dict):
        return ()
    inner = error.get("innererror") or error.get("inner_error") or {}
    inner = inner if isinstance(inner, dict) else {}
    return categories(
        inner.get("content_filter_result")
        or inner.get("content_filter_results")
        or error.get("content_filter_results")
        or error.get("content_filter_result")
    )


def prompt_categories(payload: Any) -> tuple[FilterCategory, ...]:
    """The prompt's verdicts in a body or stream event (all prompts merged), or ()."""
    if not isinstance(payload, dict):
        return ()
    entries = next((payload[k] for k in _PROMPT_KEYS if k in payload), None)
    if not isinstance(entries, list):
        return ()
    return merge(
        categories(entry.get("content_filter_results")) if isinstance(entry, dict) else ()
        for entry in entries
    )


def has_prompt_results(chunk: dict[str, Any]) -> bool:
    """True when a body or stream event carries the prompt's verdicts."""
    return not chunk.keys().isdisjoint(_PROMPT_KEYS)


def completion_results(payload: Any) -> FilterResults:
    """The annotations of a whole (non-streamed) completion body."""
    choices = payload.get("choices") if isinstance(payload, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    reply = categories(first.get("content_filter_results")) if isinstance(first, dict) else ()
    return FilterResults(prompt_categories(payload), reply)


def merge(groups: Iterable[tuple[FilterCategory, ...]]) -> tuple[FilterCategory, ...]:
    """One verdict per category, the gravest seen (filtered, detected, higher severity), in
    the order categories first appear."""
    gravest: dict[str, FilterCategory] = {}
    for group in groups:
        for verdict in group:
            seen = gravest.get(verdict.name)
            if seen is None or _weight(verdict) > _weight(seen):
                gravest[verdict.name] = verdict
    return tuple(gravest.values())


def _weight(verdict: FilterCategory) -> tuple[bool, bool, int]:
    return verdict.filtered, bool(verdict.detected), _SEVERITY.get(verdict.severity, 0)


def _notable(verdict: FilterCategory) -> bool:
    return verdict.filtered or bool(verdict.detected) or _SEVERITY.get(verdict.severity, 0) > 0


def _verdicts(found: tuple[FilterCategory, ...]) -> str:
    notable = [c for c in found if _notable(c)]
    if not notable:
        return "safe"
    return ", ".join(f"{c.name} {c.level}{' (filtered)' if c.filtered else ''}" for c in notable)


__all__ = [
    "FilterResults",
    "categories",
    "completion_results",
    "error_categories",
    "has_prompt_results",
    "merge",
    "prompt_categories",
]
