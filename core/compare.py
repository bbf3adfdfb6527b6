"""A side-by-side comparison as frozen data: its columns, their checks, sweeps and metrics.

    columns = (ColumnSetup("Llama", "llama31", url_a), ColumnSetup("Mistral", "mistral", url_b))
    setup = CompareSetup(CompareMode.MODELS, columns, "Name three rivers.", params={"seed": 1})
    problems = validate_setup(setup)   # [] when it can run; else messages to show
    metrics = column_metrics(replies)  # one `ColumnMetrics` per column, with the marks
    titles = setup.titles()            # a distinct name per column (for votes and the tally)

Three modes: `models` (one prompt and parameters, different endpoints), `parameters` (one
endpoint, each column its own parameters: `swept` fills them in one click) and `prompts` (one
endpoint, each column its own system prompt). With `same_params`, every column uses the
setup's `params`; otherwise each column's own. No Streamlit here, and never a key: a column
names its endpoint, the key stays with the page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .config import validate_url
from .errors import InvalidRequestError
from .profiles import PROFILES, Param
from .reply import Reply, ReplyStatus

MIN_COLUMNS, MAX_COLUMNS = 2, 4
#: One click fills the columns with these values (parameters mode).
SWEEPS: Mapping[str, tuple[float | int, ...]] = {
    "temperature": (0.0, 0.7, 1.4),
    "top_p": (0.1, 0.5, 1.0),
    "seed": (1, 2, 3),
}
#: Times closer than this to the best count as tied: below a millisecond is clock noise.
TIE_SECONDS = 0.001
DASH = "—"


class SetupError(ValueError):
    """A comparison setup that cannot be used: a sweep with too few values, a shared link that
    does not decode. The message says what to do; it never holds a key."""


class CompareMode(StrEnum):
    """What the columns differ in."""

    MODELS = "models"  # the endpoint
    PARAMETERS = "parameters"  # the sampling parameters
    PROMPTS = "prompts"  # the system prompt


@dataclass(frozen=True)
class ColumnSetup:
    """One column: a saved endpoint (label, profile id, URL, deployment), its parameters and
    its system prompt. No key: the page holds it."""

    label: str
    profile: str
    url: str
    deployment: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    system: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(self.params))  # a copy the caller cannot change

    @property
    def endpoint(self) -> tuple[str, str, str]:
        """What is asked: (profile id, URL, deployment); the label is only a name."""
        return (self.profile, self.url, self.deployment)

    @property
    def name(self) -> str:
        """The label, else the deployment, else the URL."""
        return self.label.strip() or self.deployment.strip() or self.url.strip() or "Endpoint"


@dataclass(frozen=True)
class CompareSetup:
    """The whole comparison: mode, 2–4 columns, the prompt, and the shared parameters used by
    every column when `same_params` is on."""

    mode: CompareMode
    columns: tuple[ColumnSetup, ...]
    prompt: str
    same_params: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", CompareMode(self.mode))
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "params", dict(self.params))

    def params_for(self, index: int) -> dict[str, Any]:
        """The parameters column `index` is asked with."""
        return dict(self.params if self.same_params else self.columns[index].params)

    def titles(self) -> tuple[str, ...]:
        """One distinct name per column, saying what it differs in: the endpoint's name
        (models), the parameters that differ (parameters), the system prompt (prompts)."""
        if self.mode == CompareMode.PARAMETERS:
            names = _differing_params([self.params_for(i) for i in range(len(self.columns))])
        elif self.mode == CompareMode.PROMPTS:
            names = [_shorten(c.system) or "No system prompt" for c in self.columns]
        else:
            names = [c.name for c in self.columns]
        return _distinct(names)


def validate_setup(setup: CompareSetup) -> list[str]:
    """Every reason `setup` cannot run, as messages to show ([] when it can)."""
    problems = []
    count = len(setup.columns)
    if not MIN_COLUMNS <= count <= MAX_COLUMNS:
        problems.append(f"Compare needs {MIN_COLUMNS} to {MAX_COLUMNS} columns, not {count}.")
    if not setup.prompt.strip():
        problems.append("The prompt is empty: type what every column should answer.")
    if setup.mode == CompareMode.PARAMETERS and setup.same_params:
        problems.append('Parameters mode compares parameters: turn off "Same parameters for all".')
    if setup.mode != CompareMode.MODELS and len({c.endpoint for c in setup.columns}) > 1:
        problems.append(
            f"{setup.mode.capitalize()} mode asks one endpoint: choose the same one in every "
            "column, or switch to models mode."
        )
    for index, column in enumerate(setup.columns):
        where = f"Column {index + 1}"
        problems.extend(f"{where}: {m}" for m in _column_problems(column))
        problems.extend(
            f"{where}: {m}" for m in check_params(column.profile, setup.params_for(index))
        )
    return problems


def _column_problems(column: ColumnSetup) -> list[str]:
    problems = []
    if column.profile not in PROFILES:
        problems.append("its endpoint kind is not one this playground knows: choose another.")
    try:
        validate_url(column.url)  # the one URL check the client applies too
    except InvalidRequestError as exc:
        problems.append(str(exc))
    return problems


def check_params(profile: str, params: Mapping[str, Any]) -> list[str]:
    """Messages for parameter values of the wrong type or out of the profile's range.
    Parameters the profile does not describe are not checked here."""
    known = PROFILES.get(profile)
    problems = []
    for name, value in params.items():
        param = known.param(name) if known else None
        if param is not None:
            message = value_problem(param, value)
            if message:
                problems.append(message)
    return problems


def value_problem(param: Param, value: Any) -> str | None:
    """Why `value` does not fit `param` (its type, then its range), or None when it fits."""
    return type_problem(param, value) or param.check(value)


def type_problem(param: Param, value: Any) -> str | None:
    """Why `value` is not of `param`'s kind (a finite number, a whole number, text or a list
    of texts), or None. The message shows a number, never text (it might be anything)."""
    if value is None:
        return None
    if param.kind is str:
        is_text = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        return None if is_text else f"{param.name} must be text or a list of texts."
    numeric = (int,) if param.kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, numeric):
        kind = "a whole number" if param.kind is int else "a number"
        return f"{param.name} must be {kind}, got {_shown(value)}."
    if not math.isfinite(value):
        return f"{param.name} must be a finite number, got {value!r}."
    return None


def _shown(value: Any) -> str:
    """A number as is; anything else as what it is, in words, without showing it."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list | tuple) else f"a {type(value).__name__}"


def sweep(
    param: str, values: Sequence[Any], base: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], ...]:
    """One parameter set per value: `base` with `param` set to it. 2–4 distinct values."""
    if not MIN_COLUMNS <= len(values) <= MAX_COLUMNS:
        raise SetupError(
            f"A sweep needs {MIN_COLUMNS} to {MAX_COLUMNS} values of {param}, not {len(values)}."
        )
    if len(set(map(repr, values))) != len(values):
        raise SetupError(f"Each column needs a different {param}: {format_value(values)}.")
    return tuple({**(base or {}), param: value} for value in values)


def swept(setup: CompareSetup, param: str, values: Sequence[Any]) -> CompareSetup:
    """`setup` in parameters mode with one column per value, each a copy of the first column
    (its endpoint and system prompt) with the first column's parameters and `param` = value."""
    first = setup.columns[0]
    columns = tuple(
        replace(first, params=params) for params in sweep(param, values, setup.params_for(0))
    )
    return replace(setup, mode=CompareMode.PARAMETERS, columns=columns, same_params=False)


@dataclass(frozen=True)
class ColumnMetrics:
    """A column's numbers from its reply, and whether it was the fastest of the columns."""

    status: ReplyStatus
    time_to_first_token: float | None
    tokens_per_second: float | None
    elapsed: float | None
    tokens: int
    usage: Mapping[str, Any]
    finish_reason: str | None
    fastest_first_token: bool = False
    fastest_total: bool = False

    @classmethod
    def of(cls, reply: Reply) -> ColumnMetrics:
        """The numbers of one reply, unmarked."""
        return cls(
            status=reply.status,
            time_to_first_token=reply.time_to_first_token,
            tokens_per_second=reply.tokens_per_second,
            elapsed=reply.elapsed,
            tokens=reply.tokens,
            usage=dict(reply.usage),
            finish_reason=reply.finish_reason,
        )

    def rows(self) -> list[tuple[str, str]]:
        """(name, value) pairs to show, marks included, in one order for page and report."""
        first = format_seconds(self.time_to_first_token)
        total = format_seconds(self.elapsed)
        return [
            ("First token", first + (" (fastest)" if self.fastest_first_token else "")),
            ("Tokens/s", format_rate(self.tokens_per_second)),
            ("Total time", total + (" (fastest)" if self.fastest_total else "")),
            ("Tokens", format_usage(self.tokens, self.usage)),
            ("Finish reason", self.finish_reason or DASH),
            ("Status", str(self.status)),
        ]


def column_metrics(replies: Sequence[Reply]) -> tuple[ColumnMetrics, ...]:
    """Each reply's metrics, with "fastest first token" and "fastest total" marked.

    Marks wait until no reply is live, go only to replies that ended normally (`done`: a
    failed, stopped or interrupted column is never marked), need two such replies to compare,
    and go to every reply within `TIE_SECONDS` of the best (ties are all marked).
    """
    metrics = [ColumnMetrics.of(reply) for reply in replies]
    if any(reply.live for reply in replies):
        return tuple(metrics)
    first = _fastest([m.time_to_first_token for m in metrics], metrics)
    total = _fastest([m.elapsed for m in metrics], metrics)
    return tuple(
        replace(m, fastest_first_token=i in first, fastest_total=i in total)
        for i, m in enumerate(metrics)
    )


def _fastest(times: list[float | None], metrics: list[ColumnMetrics]) -> set[int]:
    known = {
        i: t for i, t in enumerate(times) if t is not None and metrics[i].status == ReplyStatus.DONE
    }
    if len(known) < 2:
        return set()
    best = min(known.values())
    return {i for i, t in known.items() if t - best <= TIE_SECONDS}


def format_seconds(seconds: float | None) -> str:
    """Seconds as shown: "0.42 s", "12.3 s", or a dash when unknown."""
    if seconds is None:
        return DASH
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def format_rate(tokens_per_second: float | None) -> str:
    """Tokens per second as shown: "31.2", or a dash when unknown."""
    return DASH if tokens_per_second is None else f"{tokens_per_second:.1f}"


def format_usage(tokens: int, usage: Mapping[str, Any]) -> str:
    """Completion tokens as shown: "64", or "64 (prompt 12, total 76)" with reported usage."""
    extra = [
        f"{name} {usage[key]}"
        for name, key in (("prompt", "prompt_tokens"), ("total", "total_tokens"))
        if isinstance(usage.get(key), int)
    ]
    return f"{tokens} ({', '.join(extra)})" if extra else str(tokens)


def format_value(value: Any) -> str:
    """A parameter value as shown: numbers as typed (0.7, 256), text and lists as JSON."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


def format_params(params: Mapping[str, Any]) -> str:
    """Parameters as shown: "temperature 0.7, max_tokens 256" (unset ones left out), or a dash."""
    shown = [f"{name} {format_value(v)}" for name, v in params.items() if v not in (None, "", [])]
    return ", ".join(shown) or DASH


def _differing_params(sets: list[dict[str, Any]]) -> list[str]:
    names = sorted({name for params in sets for name in params})
    differ = [n for n in names if len({format_value(p.get(n)) for p in sets}) > 1]
    if not differ:
        return [f"Column {i + 1}" for i in range(len(sets))]
    return [format_params({n: p.get(n) for n in differ}) for p in sets]


def _shorten(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _distinct(names: Sequence[str]) -> tuple[str, ...]:
    """`names` with repeats numbered: "Llama", "Llama (2)"."""
    out: list[str] = []
    for name in names:
        candidate, number = name, 1
        while candidate in out:
            number += 1
            candidate = f"{name} ({number})"
        out.append(candidate)
    return tuple(out)


__all__ = [
    "MAX_COLUMNS",
    "MIN_COLUMNS",
    "SWEEPS",
    "TIE_SECONDS",
    "ColumnMetrics",
    "ColumnSetup",
    "CompareMode",
    "CompareSetup",
    "SetupError",
    "check_params",
    "column_metrics",
    "format_params",
    "format_rate",
    "format_seconds",
    "format_usage",
    "format_value",
    "sweep",
    "swept",
    "type_problem",
    "validate_setup",
    "value_problem",
]
