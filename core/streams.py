"""Reading completions off the wire: whole JSON replies and streamed chunks.

Chat chunks carry text in `choices[0].delta.content`, text-completion chunks in
`choices[0].text` (`docs/wire-format.md` §6.2). Chunks with empty `choices` carry no text:
`usage` is taken from whichever chunk carries it (the last one, with Azure's
`include_usage`), and the prompt's content-filter verdicts from the first (`docs/azure-v1.md`
§4); each choice's verdicts are kept as they change. The stream ends at `[DONE]`, or at the
end of the body once a `finish_reason` arrived (tolerating a missing `[DONE]`).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from typing import Any, Protocol

from . import annotations as notes
from . import errors, failures, transport
from .annotations import FilterResults
from .records import Completion, Exchange, TimedEvent
from .redact import Redactor
from .split_secrets import SplitSecrets


class Body(Protocol):
    """What a stream reads from: a response whose headers arrived (`response.RawResponse`)."""

    exchange: Exchange
    redactor: Redactor
    failure: BaseException | None  # what broke the body, once it broke
    read_timeout: float

    def events(self) -> Generator[TimedEvent, None, None]:
        """Each SSE event as it arrives; the exchange is complete when they end."""
        ...

    def read(self) -> Exchange:
        """Read the rest of the body; the finished exchange."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def completion_from_json(payload: Any, exchange: Exchange) -> Completion:
    """A Completion from a non-streamed reply; raises on a malformed or filtered one."""
    choice = _first_choice(payload)
    if choice is None:
        what = "an empty body" if not exchange.body.strip() else "a body without choices"
        raise errors.InvalidResponseError(
            f"The endpoint answered {exchange.status} with {what}, not a completion. "
            "Check the route (chat vs text completions) and the response in the Request Builder."
        )
    message = choice.get("message")
    text = message.get("content") if isinstance(message, dict) else choice.get("text")
    text = text if isinstance(text, str) else ""
    finish = choice.get("finish_reason")
    if finish == "content_filter":
        raise _completion_filtered(text, notes.categories(choice.get("content_filter_results")))
    usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
    return Completion(
        text=text,
        finish_reason=finish,
        usage=usage,
        model=str(payload.get("model") or ""),
        id=str(payload.get("id") or ""),
        exchange=exchange,
        annotations=notes.completion_results(payload),
    )


class TextStream:
    """Iterate for text deltas as they arrive; afterwards read `text`, `finish_reason`, `usage`.

    Iterating again yields nothing. Breaking out early (or `close()`) releases the connection.
    Failures raise `core.errors` exceptions that carry the text received so far.
    """

    def __init__(self, response: Body) -> None:
        self._response = response
        self._parts: list[str] = []
        self.finish_reason: str | None = None
        self.usage: dict[str, int] = {}
        self.model = ""
        self.id = ""
        self.time_to_first_token: float | None = None
        self.done = False
        self._scrub = SplitSecrets(response.exchange, response.redactor)
        self._prompt_verdicts: Any = None  # the chunk that carried the prompt's verdicts
        self._choice_verdicts: list[Any] = []  # each distinct `content_filter_results` seen

    @property
    def annotations(self) -> FilterResults:
        """The content filter's verdicts so far: the prompt's, and the reply's gravest."""
        return FilterResults(
            notes.prompt_categories(self._prompt_verdicts),
            notes.merge(notes.categories(v) for v in self._choice_verdicts),
        )

    @property
    def exchange(self) -> Exchange:
        """The record of the request and every event received."""
        return self._response.exchange

    @property
    def events(self) -> list[TimedEvent]:
        """Every SSE event so far, with arrival times."""
        return self._response.exchange.events

    @property
    def text(self) -> str:
        """All text received so far (an end held back as it may start the key included, or
        masked when long enough to tell part of it)."""
        return "".join(self._parts) + self._scrub.peek()

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self._deltas()
        except errors.EndpointError as exc:
            raise self._response.redactor.error(exc, self.exchange.request) from None
        finally:
            self._response.close()

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._response.close()

    def _deltas(self) -> Iterator[str]:
        if not self._response.exchange.is_stream:
            yield from self._whole_reply()
            return
        events = self._response.events()
        try:
            yield from self._stream_deltas(events)
            rest = self._scrub.flush()
            if rest:
                self._parts.append(rest)
                yield rest
        finally:
            events.close()  # the exchange is complete from here on
            self._scrub.fix_body()
        self._finish()

    def _stream_deltas(self, events: Iterable[TimedEvent]) -> Iterator[str]:
        parts, loads = self._parts, _loads
        scrub, may_start = self._scrub, self._scrub.may_start
        seen, has_prompt = self._choice_verdicts, notes.has_prompt_results
        prompt_due = True  # the prompt's verdicts come before the reply's text, or not at all
        for event in events:
            data = event.data
            if data == "[DONE]":
                self.done = True
                break
            if event.event == "error":
                raise failures.error_event(data, self.text)
            try:
                chunk = loads(data)
            except (ValueError, RecursionError):
                raise failures.stream_problem(
                    "malformed", "The endpoint sent a chunk that is not valid JSON.", self.text
                ) from None
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk and not chunk.get("choices"):
                raise failures.error_event(data, self.text)
            if chunk.get("usage"):
                self.usage = chunk["usage"]
            if prompt_due and has_prompt(chunk):
                self._prompt_verdicts, prompt_due = chunk, False
            choices = chunk.get("choices")
            if not choices:
                continue
            choice = choices[0]
            verdicts = choice.get("content_filter_results")
            if verdicts and (not seen or verdicts != seen[-1]):
                seen.append(verdicts)
            delta = choice.get("delta")
            piece = delta.get("content") if delta is not None else choice.get("text")
            if piece:
                if self.time_to_first_token is None:
                    prompt_due = False
                    self.time_to_first_token = event.at
                    self.model = chunk.get("model") or ""
                    self.id = chunk.get("id") or ""
                if scrub.holding or may_start(piece):  # the start of a key, maybe split
                    piece = scrub.piece(piece)
                if piece:
                    parts.append(piece)
                    yield piece
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]

    def _whole_reply(self) -> Iterator[str]:
        """A 2xx that is not an event stream: an empty body, or a server that ignored `stream`."""
        exchange = self._response.read()
        if exchange.error is not None:
            raise exchange.error
        if not exchange.body.strip():
            raise failures.stream_problem(
                "empty",
                f"The endpoint answered {exchange.status} with an empty body instead of a stream.",
                "",
            )
        payload = exchange.json
        self._prompt_verdicts = payload
        choice = _first_choice(payload)
        if choice is not None and choice.get("content_filter_results"):
            self._choice_verdicts.append(choice["content_filter_results"])
        completion = completion_from_json(payload, exchange)
        self.finish_reason, self.usage = completion.finish_reason, completion.usage
        self.model, self.id, self.done = completion.model, completion.id, True
        self.time_to_first_token = exchange.time_to_first_byte
        if completion.text:
            self._parts.append(completion.text)
            yield completion.text

    def _finish(self) -> None:
        response = self._response
        if response.failure is not None:
            raise transport.interrupted_error(
                response.failure, partial_text=self.text, read_timeout=response.read_timeout
            )
        if response.exchange.error is not None:
            raise response.exchange.error
        if self.finish_reason == "content_filter":
            raise _completion_filtered(self.text, self.annotations.completion)
        if not self.done and self.finish_reason is None:
            raise failures.stream_problem(
                "incomplete", "The stream ended before the model finished.", self.text
            )
        self.done = True


# Set on each instance by JSONDecoder.__init__ (json/decoder.py); typeshed does not list it.
_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(data: str) -> Any:
    """`json.loads` for one compact chunk, skipping its whitespace checks when it can.

    The C scanner parses the value at index 0; anything unusual (leading or trailing
    whitespace, trailing garbage) falls back to `json.loads`, which decides.
    """
    try:
        value, end = _scan_once(data, 0)
    except (StopIteration, ValueError):
        return json.loads(data)
    return value if end == len(data) else json.loads(data)


def _first_choice(payload: Any) -> dict[str, Any] | None:
    if not isinstance(payload, dict):
        return None
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    return choices[0]


def _completion_filtered(
    text: str, categories: tuple[errors.FilterCategory, ...]
) -> errors.ContentFilterError:
    kept = f" The {len(text)} characters before the cut are kept." if text else ""
    return errors.ContentFilterError(
        "Azure AI content safety stopped the reply part-way (finish_reason content_filter)."
        f"{kept} Rephrase the request to steer the model elsewhere.",
        categories=categories,
        where="completion",
        partial_text=text,
        status_code=200,
    )


__all__ = ["TextStream", "completion_from_json"]
