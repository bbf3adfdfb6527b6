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


class SSEDecoder:
    """Incremental decoder: `feed()` network chunks as they arrive, `close()` at the end."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._tail = ""  # an unterminated line carried to the next chunk
        self._skip_lf = False  # the previous chunk ended with CR
        self._at_start = True
        self._data: list[str] = []
        self._event = ""
        self._last_id = ""
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completes."""
        return self._feed_text(self._utf8.decode(chunk))

    def close(self) -> list[ServerSentEvent]:
        """End of stream: flush the UTF-8 decoder; an unfinished event is discarded (spec)."""
        events = self._feed_text(self._utf8.decode(b"", final=True))
        self._tail = ""
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
            lines = _LINE_BREAK.split(self._tail + text)
        else:
            lines = (self._tail + text).split("\n")
        self._tail = lines.pop()
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
        event = ServerSentEvent(
            data[0] if len(data) == 1 else "\n".join(data),
            self._event or "message",
            self._last_id,
            self._retry,
        )
        data.clear()
        self._event = ""
        return event


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Yield events from an iterable of byte chunks, each as soon as its chunk arrives."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()
