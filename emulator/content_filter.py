"""Prompt content filter: a small, deterministic rule table (wire-format §7.1).

Azure runs classifiers; the emulator matches whole words and phrases, case-insensitively.
A category's severity is the highest severity among its matching rules ("safe" if none),
and a prompt is blocked when any category reaches medium or high, the default Azure
threshold (wire-format §7.1, D-CF: "safe" and "low" are annotated but not filtered).
`jailbreak` is a detection, not a graded harm: its rules are "high" (detected and filtered)
and it is reported as `{filtered, detected}` (azure-v1 §3, §4).
The same table is printed in emulator/README.md; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CATEGORIES = ("hate", "self_harm", "sexual", "violence")
DETECTIONS = ("jailbreak",)
SEVERITIES = ("safe", "low", "medium", "high")
BLOCKING = frozenset({"medium", "high"})


@dataclass(frozen=True)
class Rule:
    """Any of `phrases` (whole words, any case) gives `category` at least `severity`."""

    category: str
    severity: str
    phrases: tuple[str, ...]


RULES: tuple[Rule, ...] = (
    Rule("violence", "high", ("bomb", "bombs", "explosive", "explosives", "murder")),
    Rule("violence", "medium", ("stab", "stabbing", "shoot someone", "kill someone")),
    Rule("violence", "low", ("weapon", "weapons", "fight", "attack")),
    Rule("self_harm", "high", ("kill myself", "suicide")),
    Rule("self_harm", "medium", ("hurt myself", "self-harm", "self harm")),
    Rule("hate", "high", ("ethnic cleansing", "inferior race")),
    Rule("hate", "medium", ("racist joke", "racist jokes")),
    Rule("hate", "low", ("hate speech",)),
    Rule("sexual", "high", ("porn", "pornography", "explicit sex")),
    Rule("sexual", "medium", ("nude", "nudes", "erotic")),
    Rule("sexual", "low", ("sexy",)),
    Rule(
        "jailbreak",
        "high",
        (
            "ignore all previous instructions",
            "ignore previous instructions",
            "ignore all prior instructions",
            "disregard all previous instructions",
        ),
    ),
)


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    words = (r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


_COMPILED = tuple((rule, _pattern(rule.phrases)) for rule in RULES)


def assess(texts: Iterable[str]) -> dict[str, str]:
    """Return the severity of each category over all `texts`."""
    severity = dict.fromkeys(CATEGORIES + DETECTIONS, "safe")
    for text in texts:
        for rule, pattern in _COMPILED:
            rank = SEVERITIES.index(rule.severity)
            if rank > SEVERITIES.index(severity[rule.category]) and pattern.search(text):
                severity[rule.category] = rule.severity
    return severity


def is_blocked(severity: dict[str, str]) -> bool:
    """True when any category is at or above the blocking threshold."""
    return any(level in BLOCKING for level in severity.values())


def filter_result(
    severity: dict[str, str], *, with_detections: bool = True
) -> dict[str, dict[str, object]]:
    """The AOAI `content_filter_result` object, categories in alphabetical order.

    Harm categories are `{filtered, severity}`; detections (jailbreak) are `{filtered,
    detected}`. Without `with_detections` a detection is listed only when it fired: the
    serverless body has kept its four categories since 2024.
    """
    result: dict[str, dict[str, object]] = {}
    for category, level in sorted(severity.items()):
        if category in DETECTIONS:
            if with_detections or level != "safe":
                result[category] = {"filtered": level in BLOCKING, "detected": level != "safe"}
        else:
            result[category] = {"filtered": level in BLOCKING, "severity": level}
    return result
