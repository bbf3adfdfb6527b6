"""Server-Sent Events decoding: bytes in, events out, nothing else.

Follows the WHATWG event-stream rules (html.spec.whatwg.org, "Server-sent events", 9.2.6):
lines end at CRLF, LF or CR, and a CR at the end of one network chunk may pair with an LF at
the start of the next; a leading BOM is dropped; `:` lines are comments; `data:` lines of one
event join with LF; unknown fields are ignored; an event is dispatched at a blank line, and an
event the stream ends in the middle of is discarded.

Text is split on CR/LF only, never with `str.splitlines()`, which also splits on U+2028 and
friends (psf/requests #5540, httpx-sse #34); UTF-8 is decoded incrementally, so a character
split across two network chunks survives.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


class ServerSentEvent(NamedTuple):
    """One dispatched event (a named tuple: cheap to make, one per streamed token)."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


# One event per streamed token: `tuple.__new__` skips the named tuple's Python-level
# `__new__`, which takes about half the time of making one.
_new = tuple.__new__


class EventTooLarge(ValueError):
    """Raised by `SSEDecoder.feed` when one line or event passes the decoder's `max_chars`."""


class SSEDecoder:
    """Incremental decoder: `feed()` network chunks as they arrive, `close()` at the end.

    Work is linear in the input: an unterminated line is kept as a list of pieces and joined
    once, when it ends. A chunk that is one `data: ` line and its blank line, with nothing
    open before it (how endpoints send each token), takes a shorter path to the same event.
    With `max_chars`, a line or event that grows past it (counting the characters fed while
    it was open, so its field names too) raises EventTooLarge.
    """

    def __init__(self, max_chars: int | None = None) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []  # the pieces of an unterminated line
        self._skip_lf = False  # the previous chunk ended with CR
        self._at_start = True
        self._data: list[str] = []
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None
        self._max = max_chars if max_chars is not None else sys.maxsize
        self._open = 0  # characters fed since nothing was pending (no line, no event)
        self._whole = True  # the UTF-8 decoder holds no bytes of an unfinished character

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completes."""
        if self._whole and chunk[-1:] == b"\n":  # no UTF-8 sequence open on either side
            text = chunk.decode("utf-8", "replace")
            if self._idle and text[-2:] == "\n\n" and text.find("\n") == len(text) - 2:
                event = self._one_line_event(text)
                if event is not None:
                    return [event]
        else:
            text = self._utf8.decode(chunk)
            if chunk:  # an ASCII byte ends any sequence
                self._whole = chunk[-1] < 0x80
        return self._feed_text(text)

    @property
    def _idle(self) -> bool:
        """Nothing open: no line, no event, no CR waiting for its LF."""
        return not (self._pending or self._data or self._event or self._skip_lf or self._at_start)

    def _one_line_event(self, text: str) -> ServerSentEvent | None:
        """The fast path for a chunk that is exactly one `data: ` line and its blank line, as
        endpoints send each token; None for anything else, which the general path decides."""
        if text[:6] != "data: " or "\r" in text or len(text) > self._max:
            return None
        self._open = 0
        return _new(ServerSentEvent, (text[6:-2], "message", self._last_id, self._retry))

    def close(self) -> list[ServerSentEvent]:
        """End of stream: flush the UTF-8 decoder; an unfinished event is discarded (spec)."""
        events = self._feed_text(self._utf8.decode(b"", final=True))
        self._pending.clear()
        self._data.clear()
        return events

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if self._at_start and text:
            self._at_start = False
            if text[0] == _BOM:
                text = text[1:]
        if self._skip_lf and text:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        if not text:
            return []
        if "\r" in text:
            self._skip_lf = text[-1] == "\r"
            lines = _LINE_BREAK.split(text)
        else:
            lines = text.split("\n")
        pending = self._pending
        tail = lines.pop()
        if pending and lines:  # the held line ends here: join its pieces once
            pending.append(lines[0])
            lines[0] = "".join(pending)
            pending.clear()
        if tail:
            pending.append(tail)
        continuing = bool(self._data)  # an event open since an earlier chunk
        events = self._process(lines) if lines else []
        # What is open now (a line, an event) began in this chunk or, when nothing in it
        # ended, earlier: count what it may hold, never less.
        if not lines or (continuing and self._data and not events):
            self._open += len(text)
        else:
            self._open = len(text) if self._data else len(tail)
        if self._open > self._max:
            raise EventTooLarge(f"a line or event passed {self._max:,} characters")
        if len(text) > self._max:  # one chunk bigger than the limit: measure exactly
            self._check_sizes(lines, events)
        return events

    def _process(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if line[:6] == "data: ":  # the common case, decided without partition()
                self._data.append(line[6:])
            elif line:
                self._process_field(line)
            elif self._data:
                events.append(self._dispatch())
            else:
                self._event = ""
        return events

    def _check_sizes(self, lines: list[str], events: list[ServerSentEvent]) -> None:
        longest = max([len(line) for line in lines] + [len(e.data) for e in events] + [0])
        if longest > self._max:
            raise EventTooLarge(f"a line or event passed {self._max:,} characters")

    def _process_field(self, line: str) -> None:
        name, colon, value = line.partition(":")
        if not colon:
            value = ""
        elif value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        # "" (a comment) and unknown fields are ignored.

    def _dispatch(self) -> ServerSentEvent:
        data = self._data
        joined = data[0] if len(data) == 1 else "\n".join(data)
        kind = self._event or "message"
        event = _new(ServerSentEvent, (joined, kind, self._last_id, self._retry))
        data.clear()
        self._event = ""
        return event


def iter_events(chunks: Iterable[bytes], max_chars: int | None = None) -> Iterator[ServerSentEvent]:
    """Yield events from an iterable of byte chunks, each as soon as its chunk arrives."""
    decoder = SSEDecoder(max_chars)
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()
