"""A response whose headers arrived: its body read as it streams in, recorded on an `Exchange`.

`Client.open` returns one; `text_stream()` reads it as a completion stream (`streams.py`).
Everything recorded passes through the client's `Redactor` first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import failures, transport
from .records import Exchange, TimedEvent
from .redact import Redactor
from .sse import SSEDecoder
from .streams import TextStream

if TYPE_CHECKING:  # `requests` is imported by the first Client: it is most of import time
    import requests

_READ_SIZE = 65536


class RawResponse:
    """A response whose headers arrived; `events()` reads the body as it streams in.

    `response` is None when nothing arrived (the exchange's `error` says why). `failure` is
    what broke the body, if anything; `read_timeout` is how long a silence may last.
    """

    def __init__(
        self,
        exchange: Exchange,
        response: requests.Response | None,
        *,
        started: float,
        redactor: Redactor,
        read_timeout: float,
    ) -> None:
        self.exchange = exchange
        self.redactor = redactor
        self.read_timeout = read_timeout
        self.failure: BaseException | None = None
        self._response = response
        self._started = started
        self._consumed = response is None

    @property
    def ok(self) -> bool:
        """True while nothing has failed and the status is 2xx."""
        return self.exchange.ok

    def events(self) -> Iterator[TimedEvent]:
        """Yield each SSE event as its bytes arrive; for other bodies just read them.

        When the body ends or breaks, the exchange gets its body, timing and any error.
        """
        if self._consumed:
            return
        self._consumed = True
        response = self._response
        assert response is not None
        import requests
        import urllib3

        exchange = self.exchange
        decoder = SSEDecoder() if exchange.is_stream else None
        chunks: list[bytes] = []
        redact = self.redactor.text
        clock, started, record = time.perf_counter, self._started, exchange.events.append
        try:
            for chunk in _body_chunks(response):
                chunks.append(chunk)
                if decoder is None:
                    continue
                # Per token: keep this loop lean (issue 6).
                for sse in decoder.feed(chunk):
                    event = TimedEvent(clock() - started, redact(sse.data), sse.event)
                    record(event)
                    yield event
            if decoder is not None:
                for sse in decoder.close():
                    event = TimedEvent(clock() - started, redact(sse.data), sse.event)
                    record(event)
                    yield event
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.failure = exc
            exchange.error = self.redactor.error(
                transport.interrupted_error(exc, partial_text=None, read_timeout=self.read_timeout),
                exchange.request,
            )
        finally:
            self._settle(chunks)
            response.close()

    def _settle(self, chunks: list[bytes]) -> None:
        """Record the body and timing, and the error an error status means."""
        exchange = self.exchange
        exchange.body = self.redactor.text(b"".join(chunks).decode("utf-8", "replace"))
        exchange.elapsed = time.perf_counter() - self._started
        status = exchange.status or 0
        if exchange.error is None and not 200 <= status < 300:
            exchange.error = self.redactor.error(
                failures.error_from_response(status, exchange.headers, exchange.body),
                exchange.request,
            )

    def text_stream(self) -> TextStream:
        """Read this response as a completion stream: iterate for text deltas."""
        return TextStream(self)

    def read(self) -> Exchange:
        """Read the rest of the body and return the finished exchange."""
        for _ in self.events():
            pass
        return self.exchange

    def close(self) -> None:
        """Stop reading and release the connection."""
        if self._response is not None:
            self._response.close()

    def __enter__(self) -> RawResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _body_chunks(response: requests.Response) -> Iterator[bytes]:
    """Body bytes as they arrive: per HTTP chunk, or whatever the socket has (`read1`)."""
    raw = response.raw
    if raw.chunked:
        return response.iter_content(chunk_size=None)
    return iter(lambda: raw.read1(_READ_SIZE), b"")


__all__ = ["RawResponse"]
