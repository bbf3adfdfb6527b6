"""A response whose headers arrived: its body read as it streams in, recorded on an `Exchange`.

`Client.open` returns one; `text_stream()` reads it as a completion stream (`streams.py`).
Everything recorded passes through the client's `Redactor` first.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator
from typing import TYPE_CHECKING

from . import errors, failures, transport
from .body import body_chunks
from .limits import DEFAULT_LIMITS, LimitReached, Limits
from .records import Exchange, TimedEvent
from .redact import Redactor
from .sse import EventTooLarge, SSEDecoder
from .streams import TextStream

if TYPE_CHECKING:  # `requests` is imported by the first Client: it is most of import time
    import requests


class RawResponse:
    """A response whose headers arrived; `events()` reads the body as it streams in.

    `response` is None when nothing arrived (the exchange's `error` says why). `failure` is
    what broke the body, if anything (a `LimitReached` when a limit stopped it);
    `read_timeout` is how long a silence may last, `limits` what the whole reply may take.
    """

    def __init__(
        self,
        exchange: Exchange,
        response: requests.Response | None,
        *,
        started: float,
        redactor: Redactor,
        read_timeout: float,
        limits: Limits = DEFAULT_LIMITS,
        auth_note: str = "",
    ) -> None:
        self.exchange = exchange
        self.redactor = redactor
        self.read_timeout = read_timeout
        self.limits = limits
        self.auth_note = auth_note  # added to an authentication error: why no key was sent
        self.failure: BaseException | None = None
        self._response = response
        self._started = started
        self._consumed = response is None

    @property
    def ok(self) -> bool:
        """True while nothing has failed and the status is 2xx."""
        return self.exchange.ok

    def events(self) -> Generator[TimedEvent, None, None]:
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

        exchange, limits = self.exchange, self.limits
        decoder = SSEDecoder(limits.max_event_chars) if exchange.is_stream else None
        received = bytearray()  # grows in place: no list of chunks to join (and free) later
        redact = self.redactor.text
        clock, started, recorded = time.perf_counter, self._started, exchange.events
        record, room = recorded.append, limits.max_events
        new = tuple.__new__  # a TimedEvent without its Python-level `__new__` (see core/sse.py)
        try:
            for chunk in body_chunks(response, limits, started):
                received += chunk
                if decoder is None:
                    continue
                # Per token: keep this loop lean (issue 6).
                found = decoder.feed(chunk)
                over = len(recorded) + len(found) - room
                if over > 0:
                    del found[-over:]
                for sse in found:
                    event = new(TimedEvent, (clock() - started, redact(sse.data), sse.event))
                    record(event)
                    yield event
                if over > 0:
                    raise LimitReached("max_events", limits)
            if decoder is not None:
                for sse in decoder.close():
                    event = new(TimedEvent, (clock() - started, redact(sse.data), sse.event))
                    record(event)
                    yield event
        except EventTooLarge:
            self._stop(LimitReached("max_event_chars", limits))
        except LimitReached as hit:
            self._stop(hit)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.failure = exc
            exchange.error = self.redactor.error(
                transport.interrupted_error(exc, partial_text=None, read_timeout=self.read_timeout),
                exchange.request,
            )
        finally:
            self._settle(received)
            response.close()

    def _stop(self, hit: LimitReached) -> None:
        """A limit was reached: reading stops, and the exchange says which limit and why."""
        self.failure = hit
        self.exchange.error = self.redactor.error(hit.error(None), self.exchange.request)

    def _settle(self, received: bytearray) -> None:
        """Record the body and timing, and the error an error status means."""
        exchange = self.exchange
        # The body is held once as bytes and once as text, never more.
        exchange.body = self.redactor.text(received.decode("utf-8", "replace"))
        del received[:]
        exchange.elapsed = time.perf_counter() - self._started
        status = exchange.status or 0
        # An error status explains more than a limit its body reached (the body is kept).
        if not 200 <= status < 300 and (
            exchange.error is None or isinstance(self.failure, LimitReached)
        ):
            error = failures.error_from_response(
                status, exchange.headers, exchange.body, exchange.request
            )
            if self.auth_note and isinstance(error, errors.AuthenticationError):
                error.message += " " + self.auth_note
            exchange.error = self.redactor.error(error, exchange.request)

    def text_stream(self) -> TextStream:
        """Read this response as a completion stream: iterate for text deltas."""
        return TextStream(self)

    def read(self) -> Exchange:
        """Read the rest of the body and return the finished exchange."""
        for _ in self.events():
            pass
        return self.exchange

    def close(self) -> None:
        """Stop reading and release the connection, waking a read blocked in another thread.

        Closing alone does not wake a read blocked in another thread (a stream followed by a
        worker while the page presses Stop); urllib3's `HTTPResponse.shutdown()` shuts the
        socket first, which does.
        """
        if self._response is not None:
            with contextlib.suppress(Exception):  # already closed, or not a urllib3 body
                self._response.raw.shutdown()
            self._response.close()

    def __enter__(self) -> RawResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


__all__ = ["RawResponse"]
