"""The Memory Chatbot's window: which past exchanges a turn sends, in which form.

    turn = build_turn(history, "And in winter?", k=5, mode=Mode.NOTEBOOK)
    turn.messages        # exactly what goes to the endpoint
    turn.window.dropped  # the exchanges outside the window, for the page to mark

The notebook kept the last k exchanges with `ConversationBufferWindowMemory(k=5,
human_prefix="User", ai_prefix="Assistant")` and sent them through one prompt; that class is
deprecated, so the app trims the history itself (style.md, LangChain). Only the window is
sent, so a turn's request size depends on k, never on how long the conversation is.
No LangChain import here: the logic is plain data and can be tested without a network.

What memory holds follows the chat's rule (`core.conversation.is_context`, via `remember`):
an exchange whose reply finished; a stopped, interrupted or failed one only when the user
kept it (and it has text). A reply cut at max_tokens is remembered and marked `cut`; its text
is sent as the model wrote it (the mark is for the page and the export, not the model).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .conversation import LENGTH, is_context
from .errors import InvalidRequestError
from .transcript import HistoryImportError, json_type, read_export

DEFAULT_K = 5  # the notebook's `k=5`
MIN_K, MAX_K = 1, 20
HUMAN_PREFIX, AI_PREFIX = "User", "Assistant"  # the notebook's human_prefix / ai_prefix
# The notebook's INPUT_TEMPLATE, unchanged.
NOTEBOOK_TEMPLATE = "Current conversation:\n{chat_history}\n\nUser question:{input}"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
EXPORT_FORMAT = "azure-ai-playground/memory-chat"
EXPORT_VERSION = 2  # 2 adds the `cut` and `kept` marks; version 1 files still import
MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_EXCHANGES = 5_000
_MARKS = ("cut", "kept")


@dataclass(frozen=True)
class Turn:
    """One past exchange: what the user asked and what the assistant answered, and whether
    the answer was cut at max_tokens or kept by the user though it did not finish.

    It unpacks as `user, assistant` (the texts sent), as it did when it was a pair.
    """

    user: str
    assistant: str
    cut: bool = False  # the reply stopped at max_tokens (finish_reason "length")
    kept: bool = False  # stopped, interrupted or failed, and kept as context by the user

    def __iter__(self) -> Iterator[str]:
        return iter((self.user, self.assistant))


class Mode(StrEnum):
    """How a turn is sent: the notebook's single prompt, or native chat messages."""

    NOTEBOOK = "notebook"
    MESSAGES = "messages"


@dataclass(frozen=True)
class Window:
    """The exchanges a turn sends (`kept`) and the older ones left out (`dropped`)."""

    kept: tuple[Turn, ...]
    dropped: tuple[Turn, ...]

    @property
    def first_kept(self) -> int:
        """The index in the history of the first exchange sent."""
        return len(self.dropped)


@dataclass(frozen=True)
class TurnRequest:
    """One turn as sent: chat messages (role, content), the window and the new question."""

    messages: list[dict[str, str]]
    window: Window
    mode: Mode
    question: str


def check_k(k: int) -> int:
    """`k` itself, or InvalidRequestError when it is outside 1..20."""
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= MAX_K:
        raise InvalidRequestError(f"The window must hold {MIN_K} to {MAX_K} exchanges, got {k!r}.")
    return k


def remember(
    user: str, text: str, status: str, finish_reason: str | None = None, kept: bool = False
) -> Turn | None:
    """The exchange as memory holds it, or None when it stays out of memory (a live reply, no
    text, or one that did not finish and was not kept)."""
    if not is_context(status, text, kept):
        return None
    return Turn(user, text, cut=status == "done" and finish_reason == LENGTH, kept=kept)


def window(history: Sequence[Turn | Sequence[str]], k: int) -> Window:
    """The last min(len(history), k) exchanges in order, and the ones before them."""
    turns = tuple(map(_turn, history))
    cut = max(0, len(turns) - check_k(k))
    return Window(kept=turns[cut:], dropped=turns[:cut])


def render_history(turns: Sequence[Turn]) -> str:
    """`chat_history` as the notebook's memory rendered it: `User: ...` / `Assistant: ...` lines."""
    lines = []
    for turn in turns:
        lines += [f"{HUMAN_PREFIX}: {turn.user}", f"{AI_PREFIX}: {turn.assistant}"]
    return "\n".join(lines)


def notebook_prompt(turns: Sequence[Turn], question: str) -> str:
    """The notebook's single prompt for these exchanges and the new question."""
    return NOTEBOOK_TEMPLATE.format(chat_history=render_history(turns), input=question)


def chat_messages(
    turns: Sequence[Turn], question: str, system_prompt: str = ""
) -> list[dict[str, str]]:
    """Native chat messages: the system prompt, the exchanges, then the new question."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    for turn in turns:
        messages.append({"role": "user", "content": turn.user})
        messages.append({"role": "assistant", "content": turn.assistant})
    messages.append({"role": "user", "content": question})
    return messages


def build_turn(
    history: Sequence[Turn | Sequence[str]],
    question: str,
    k: int = DEFAULT_K,
    mode: Mode | str = Mode.NOTEBOOK,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
) -> TurnRequest:
    """The messages one turn sends: the window of `history` plus `question`, in `mode`.

    The notebook mode sends one user message and no system prompt, as the notebook did.
    """
    mode = Mode(mode)
    shown = window(history, k)
    if mode is Mode.NOTEBOOK:
        messages = [{"role": "user", "content": notebook_prompt(shown.kept, question)}]
    else:
        messages = chat_messages(shown.kept, question, system_prompt)
    return TurnRequest(messages=messages, window=shown, mode=mode, question=question)


def export_history(history: Sequence[Turn | Sequence[str]]) -> str:
    """The history as JSON text, readable by `import_history` (marks written when set)."""
    exchanges = [_exchange_json(turn) for turn in map(_turn, history)]
    payload = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exchanges": exchanges}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def import_history(data: str | bytes) -> list[Turn]:
    """Parse exported JSON (or a bare list of [user, assistant] pairs, as Gradio keeps them).

    Raises HistoryImportError saying what is wrong and where.
    """
    payload = read_export(data, MAX_IMPORT_BYTES)
    items = _exchange_list(payload)
    if len(items) > MAX_IMPORT_EXCHANGES:
        raise HistoryImportError(
            f"The file holds {len(items):,} exchanges; the limit is {MAX_IMPORT_EXCHANGES:,}."
        )
    marks = _version(payload) >= 2  # version 1 knew no marks
    return [_parse_exchange(index, item, marks) for index, item in enumerate(items)]


def _turn(pair: Turn | Sequence[str]) -> Turn:
    if isinstance(pair, Turn):
        return pair
    user, assistant = pair
    return Turn(user, assistant)


def _exchange_json(turn: Turn) -> dict[str, Any]:
    marks = {"cut": turn.cut, "kept": turn.kept}
    return {"user": turn.user, "assistant": turn.assistant} | {k: v for k, v in marks.items() if v}


def _version(payload: Any) -> Any:
    return payload.get("version", EXPORT_VERSION) if isinstance(payload, dict) else 1


def _exchange_list(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, dict):
        raise HistoryImportError(
            f"Expected a JSON object with an 'exchanges' list, got {json_type(payload)}."
        )
    if payload.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
        raise HistoryImportError(
            f"Unknown format {payload['format']!r}; expected {EXPORT_FORMAT!r}."
        )
    if _version(payload) not in (1, EXPORT_VERSION):
        raise HistoryImportError(
            f"Unsupported version {payload['version']!r}; this app reads versions 1 and "
            f"{EXPORT_VERSION}."
        )
    exchanges = payload.get("exchanges")
    if not isinstance(exchanges, list):
        got = json_type(exchanges) if exchanges is not None else "nothing"
        raise HistoryImportError(f"'exchanges' must be a list, got {got}.")
    return exchanges


def _parse_exchange(index: int, item: Any, marks: bool) -> Turn:
    where = f"Exchange {index + 1}"
    known = ("user", "assistant", *(_MARKS if marks else ()))
    flags = {}
    if isinstance(item, dict):
        unknown = sorted(set(item) - set(known))
        if unknown:
            raise HistoryImportError(
                f"{where} has unknown keys {unknown}; expected {', '.join(known)}."
            )
        flags = _parse_marks(where, item)
        missing = [key for key in ("user", "assistant") if key not in item]
        if missing:
            raise HistoryImportError(f"{where} lacks {' and '.join(repr(m) for m in missing)}.")
        pair = [item["user"], item["assistant"]]
    elif isinstance(item, list) and len(item) == 2:
        pair = item
    else:
        raise HistoryImportError(
            f"{where} must be an object with 'user' and 'assistant', or a [user, assistant] "
            f"pair; got {json_type(item)}."
        )
    for role, value in zip(("user", "assistant"), pair, strict=True):
        if not isinstance(value, str):
            raise HistoryImportError(f"{where}: '{role}' must be text, got {json_type(value)}.")
    return Turn(pair[0], pair[1], cut=flags.get("cut", False), kept=flags.get("kept", False))


def _parse_marks(where: str, item: dict[str, Any]) -> dict[str, bool]:
    flags = {mark: item.get(mark, False) for mark in _MARKS}
    for mark, value in flags.items():
        if not isinstance(value, bool):
            raise HistoryImportError(
                f"{where}: '{mark}' must be true/false, got {json_type(value)}."
            )
    return flags


__all__ = [
    "AI_PREFIX",
    "DEFAULT_K",
    "DEFAULT_SYSTEM_PROMPT",
    "HUMAN_PREFIX",
    "MAX_K",
    "MIN_K",
    "NOTEBOOK_TEMPLATE",
    "HistoryImportError",
    "Mode",
    "Turn",
    "TurnRequest",
    "Window",
    "build_turn",
    "chat_messages",
    "check_k",
    "export_history",
    "import_history",
    "notebook_prompt",
    "remember",
    "render_history",
    "window",
]
