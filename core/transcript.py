"""A conversation in and out of files: JSON (every answer, each part with its own request and
numbers) that imports back, and a Markdown transcript.

    text = export_json(chat)          # {"format", "version": 1, "turns": [...]}
    chat = import_json(upload_bytes)  # HistoryImportError says what is wrong; nothing changes

Every reply is written from its own record (`Reply.request`: the body as sent and the
parameters it was made with), never from the sidebar's current values. The key never appears:
request bodies and URLs come from the client's redacted record, and headers are not written.
A body is written as JSON, to be read; it comes back as the same JSON, pretty-printed.
An error comes back as its class when it can be rebuilt from its message (and status), else
as the nearest base class; raw events, filter verdicts and service headers are not written.
No Streamlit here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import errors
from .conversation import Alternative, ChatTurn, Conversation
from .errors import EndpointError, InvalidRequestError
from .profiles import PROFILES
from .records import SentRequest, parse_json
from .reply import Reply, ReplyStatus, RequestRecord

FORMAT = "azure-ai-playground/conversation"
VERSION = 1
MAX_IMPORT_BYTES = 20_000_000  # each reply keeps its whole request: files grow fast
MAX_TURNS = 1_000
MAX_ALTERNATIVES = 20  # answers to one message
MAX_PARTS = 20  # one reply and its continuations
FIRST_PARAMS = ("temperature", "max_tokens")  # always in a caption, sent or not

_TURN_KEYS = {"user", "kept", "selected", "alternatives"}
_PART_KEYS = {
    "text", "status", "finish_reason", "error", "request", "usage", "pieces",
    "time_to_first_token_s", "elapsed_s", "tokens_per_second", "retries",
}  # fmt: skip
_REQUEST_KEYS = {"profile", "method", "endpoint", "params", "body", "rebuilt"}
_ERROR_KEYS = {"type", "message", "status_code", "request_id"}


class HistoryImportError(InvalidRequestError):
    """Raised when an imported history is not valid JSON of the expected shape. Fix the file."""


# Export ---------------------------------------------------------------------------------


def export_json(conversation: Conversation) -> str:
    """The conversation as JSON text, readable by `import_json`."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "turns": [_turn_json(turn) for turn in conversation.turns],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _turn_json(turn: ChatTurn) -> dict[str, Any]:
    return {
        "user": turn.user,
        "kept": turn.kept,
        "selected": turn.selected,
        "alternatives": [[reply_json(part) for part in a.parts] for a in turn.alternatives],
    }


def reply_json(reply: Reply) -> dict[str, Any]:
    """One reply as exported: text, how it ended, its own request and its numbers."""
    return {
        "text": reply.text,
        "status": str(reply.status),
        "finish_reason": reply.finish_reason,
        "error": error_json(reply.error),
        "request": request_json(reply.request),
        "usage": dict(reply.usage),
        "pieces": reply.pieces,
        "time_to_first_token_s": reply.time_to_first_token,
        "elapsed_s": reply.elapsed,
        "tokens_per_second": reply.tokens_per_second,  # derived: not read back
        "retries": list(reply.retries),
    }


def request_json(record: RequestRecord | None) -> dict[str, Any] | None:
    """What a reply was asked with: profile, method and URL, parameters, and the body (as
    JSON when it parses)."""
    if record is None:
        return None
    body = parse_json(record.body)
    return {
        "profile": record.profile,
        "method": record.sent.method if record.sent else "",
        "endpoint": record.sent.url if record.sent else "",
        "params": dict(record.params),
        "body": body if isinstance(body, dict | list) else record.body,
        "rebuilt": record.rebuilt,
    }


def error_json(error: EndpointError | None) -> dict[str, Any] | None:
    """An error as its class name, message, status and request id (None for none)."""
    if error is None:
        return None
    return {
        "type": type(error).__name__,
        "message": str(error),
        "status_code": getattr(error, "status_code", None),
        "request_id": getattr(error, "request_id", None),
    }


# Markdown and captions ------------------------------------------------------------------


def params_caption(params: Mapping[str, Any]) -> str:
    """The parameters a reply was made with, on one line: temperature and max_tokens first
    (saying "endpoint default" when not sent), then the others by name."""
    shown = [f"{name} {params[name]}" if name in params else f"{name} endpoint default"
             for name in FIRST_PARAMS]  # fmt: skip
    shown += [f"{name} {params[name]}" for name in sorted(params) if name not in FIRST_PARAMS]
    return " · ".join(shown)


def sent_messages(reply: Reply) -> list[dict[str, Any]]:
    """What the model saw: the messages of the reply's request body, as sent ([] if unknown)."""
    body = parse_json(reply.request.body) if reply.request else None
    messages = body.get("messages") if isinstance(body, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def to_markdown(conversation: Conversation) -> str:
    """The conversation as a Markdown transcript: each message and its selected answer, with
    how it ended and the parameters it was made with."""
    replies = [a.reply for t in conversation.turns if (a := t.answer) is not None]
    profile = PROFILES.get(replies[-1].request.profile) if replies and replies[-1].request else None
    lines = [f"# Conversation with {profile.label if profile else 'a chat model'}", ""]
    for turn in conversation.turns:
        lines += ["## You", "", turn.user, ""]
        if (answer := turn.answer) is not None:
            count = len(turn.alternatives)
            which = f" (answer {turn.selected + 1} of {count})" if count > 1 else ""
            lines += [f"## Assistant{which}", "", answer.text, ""]
            lines += [f"_{line}_" for line in _answer_notes(turn, answer)] + [""]
    return "\n".join(lines)


def _answer_notes(turn: ChatTurn, answer: Alternative) -> list[str]:
    notes = []
    if answer.status != ReplyStatus.DONE:
        error = f": {answer.error}" if answer.error else ""
        notes.append(f"({answer.status}{error}{'; kept as context' if turn.kept else ''})")
    elif answer.cut:
        notes.append("(cut at max_tokens)")
    if answer.continuations:
        notes.append(f"(continued {len(answer.continuations)} times)")
    first = answer.reply
    said = f"{first.tokens} tokens" + (f" in {first.elapsed:.1f} s" if first.elapsed else "")
    asked = params_caption(first.request.params) if first.request else "not sent"
    notes.append(f"{asked} · {said}")
    return notes


# Import ---------------------------------------------------------------------------------


def read_export(data: str | bytes, limit: int) -> Any:
    """An exported file's JSON; HistoryImportError when it is over `limit` bytes or not JSON
    (nested past the recursion limit included)."""
    if len(data) > limit:
        raise HistoryImportError(
            f"The file is {len(data):,} bytes; the limit is {limit:,}. "
            "Export a shorter conversation."
        )
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise HistoryImportError(f"The file is not valid JSON: {exc}.") from None


def import_json(data: str | bytes) -> Conversation:
    """Read a conversation written by `export_json`. A reply that was still live when it was
    written comes back settled (`Reply.orphaned`). Raises HistoryImportError saying what is
    wrong and where; nothing is returned half-read."""
    payload = read_export(data, MAX_IMPORT_BYTES)
    document = Fields("The file", payload, {"format", "version", "turns"})
    if document.get("format", str) != FORMAT:
        raise HistoryImportError(f"The file is not a conversation export ({FORMAT!r}).")
    if (version := document.get("version", int)) != VERSION:
        raise HistoryImportError(
            f"Unsupported version {version!r}; this app reads version {VERSION}."
        )
    turns = document.items("turns", MAX_TURNS)
    return Conversation([_read_turn(f"Turn {n}", item) for n, item in enumerate(turns, 1)])


def _read_turn(where: str, item: Any) -> ChatTurn:
    fields = Fields(where, item, _TURN_KEYS)
    answers = fields.items("alternatives", MAX_ALTERNATIVES, [])
    alternatives = []
    for number, parts in enumerate(answers, 1):
        found = Fields(f"{where}, answer {number}", {"parts": parts}, {"parts"})
        replies = [
            read_reply(f"{where}, answer {number}, part {n}", part)
            for n, part in enumerate(found.items("parts", MAX_PARTS), 1)
        ]
        if not replies:
            raise HistoryImportError(f"{where}, answer {number} holds no reply.")
        alternatives.append(Alternative(replies[0], replies[1:]))
    selected = fields.get("selected", int, 0)
    if not 0 <= selected < max(1, len(alternatives)):
        raise HistoryImportError(f"{where}: 'selected' is {selected}, past its answers.")
    kept = fields.get("kept", bool, False)
    return ChatTurn(fields.get("user", str), alternatives, selected, kept)


def read_reply(where: str, item: Any) -> Reply:
    """One reply as `reply_json` wrote it (HistoryImportError names `where` a problem is)."""
    fields = Fields(where, item, _PART_KEYS)
    status = fields.get("status", str)
    if status not in set(ReplyStatus):
        raise HistoryImportError(f"{where}: unknown status {status!r}.")
    reply = Reply(
        text=fields.get("text", str, ""),
        status=ReplyStatus(status),
        error=read_error(where, fields.get("error", dict, None)),
        request=_read_request(where, fields.get("request", dict, None)),
        pieces=fields.get("pieces", int, 0),
        time_to_first_token=fields.get("time_to_first_token_s", float, None),
        elapsed=fields.get("elapsed_s", float, None),
        finish_reason=fields.get("finish_reason", str, None),
        usage=fields.get("usage", dict, {}),
        retries=fields.texts("retries"),
    )
    fields.get("tokens_per_second", float, None)  # checked, then derived again
    reply.orphaned()  # a reply exported mid-stream is no longer streaming
    return reply


def _read_request(where: str, item: dict[str, Any] | None) -> RequestRecord | None:
    if item is None:
        return None
    fields = Fields(f"{where}, request", item, _REQUEST_KEYS)
    body = fields.get("body", (str, dict, list), "")
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, indent=2)
    endpoint = fields.get("endpoint", str, "")
    sent = SentRequest(fields.get("method", str, "") or "POST", endpoint, {}, text)
    return RequestRecord(
        body=text,
        params=fields.get("params", dict, {}),
        profile=fields.get("profile", str, ""),
        sent=sent if endpoint else None,
        rebuilt=fields.get("rebuilt", bool, False),
    )


def read_error(where: str, item: dict[str, Any] | None) -> EndpointError | None:
    """An error as `error_json` wrote it, rebuilt (`rebuild_error`), or None."""
    if item is None:
        return None
    fields = Fields(f"{where}, error", item, _ERROR_KEYS)
    kind, message = fields.get("type", str, "EndpointError"), fields.get("message", str)
    status, request_id = fields.get("status_code", int, None), fields.get("request_id", str, None)
    return rebuild_error(kind, message, status, request_id)


def rebuild_error(
    kind: str, message: str, status: int | None = None, request_id: str | None = None
) -> EndpointError:
    """The `core.errors` class named `kind` with this message (and status), or the nearest
    base class that can be built from them (RetryCancelled wraps an error it cannot rebuild)."""
    found = getattr(errors, kind, None)
    start = found if isinstance(found, type) and issubclass(found, EndpointError) else None
    for cls in (start or EndpointError).__mro__:
        if not issubclass(cls, EndpointError) or cls is errors.RetryCancelled:
            continue
        try:
            if issubclass(cls, errors.APIStatusError):
                if status is not None:
                    return cls(message, status_code=status, request_id=request_id)
            else:
                return cls(message)
        except TypeError:  # a class that needs more than the message (LimitExceededError)
            continue
    return EndpointError(message)


class Fields:
    """One JSON object of an import, read with checks that name where a problem is."""

    def __init__(self, where: str, value: Any, allowed: set[str]) -> None:
        if not isinstance(value, dict):
            raise HistoryImportError(f"{where} must be a JSON object, got {json_type(value)}.")
        if unknown := sorted(set(value) - allowed):
            raise HistoryImportError(f"{where} has unknown keys {unknown}.")
        self.where, self.value = where, value

    def get(self, key: str, kind: type | tuple[type, ...], *default: Any) -> Any:
        """The value at `key`, of type `kind` (or null, when the default is None), or the
        default when absent; a missing key without a default is an error."""
        if key not in self.value:
            if default:
                return default[0]
            raise HistoryImportError(f"{self.where} lacks '{key}'.")
        value = self.value[key]
        if value is None and default and default[0] is None:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise HistoryImportError(
                f"{self.where}: '{key}' must be {_kind_names(kinds)}, got {json_type(value)}."
            )
        return value

    def items(self, key: str, limit: int, *default: Any) -> list[Any]:
        """The list at `key`, at most `limit` long."""
        found: list[Any] = self.get(key, list, *default)
        if len(found) > limit:
            raise HistoryImportError(
                f"{self.where}: '{key}' holds {len(found):,} items; the limit is {limit:,}."
            )
        return found

    def texts(self, key: str) -> list[str]:
        """The list of strings at `key` (empty when absent)."""
        found = self.items(key, MAX_TURNS, [])
        if not all(isinstance(item, str) for item in found):
            raise HistoryImportError(f"{self.where}: '{key}' must be a list of texts.")
        return found


def json_type(value: Any) -> str:
    """What a JSON value is, in words: "an object", "a list of 3 items", "text", ..."""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return names.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _kind_names(kinds: tuple[type, ...]) -> str:
    words = {str: "text", bool: "true/false", int: "a whole number", float: "a number"}
    words |= {dict: "an object", list: "a list"}
    return " or ".join(words.get(kind, kind.__name__) for kind in kinds)


__all__ = [
    "FIRST_PARAMS",
    "FORMAT",
    "MAX_ALTERNATIVES",
    "MAX_IMPORT_BYTES",
    "MAX_PARTS",
    "MAX_TURNS",
    "VERSION",
    "Fields",
    "HistoryImportError",
    "error_json",
    "export_json",
    "import_json",
    "json_type",
    "params_caption",
    "read_error",
    "read_export",
    "read_reply",
    "rebuild_error",
    "reply_json",
    "request_json",
    "sent_messages",
    "to_markdown",
]
