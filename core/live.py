"""Run one stream in a worker thread and fill a `Reply` while it arrives.

    reply = Reply()
    live = LiveStream(reply, TextStreamSource(lambda: client.stream_chat(messages)), RetryPolicy())
    live.wait()
    print(reply.status, reply.text)

A page draws the reply while the worker fills it (`ui/follow.py`), so a stalled stream never
holds up another one's text, and a click that reruns the page finds the stream still running.
The worker never touches the page. What a stream is comes from a `Source`: a `core` text
stream (`TextStreamSource`) or any iterator of text pieces, such as a LangChain chain's
`.stream()` (`PiecesSource`). Starting the request runs inside `RetryHooks.call`, so a 429 or
503 is retried per the policy with an interruptible wait: `cancel_retry()` ends it at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar

from .errors import EndpointError, RetryCancelled
from .reply import Reply, ReplyStatus, RequestRecord, RetryWait
from .retry import RetryNotice, RetryPolicy, call_with_retries
from .streams import TextStream

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryHooks:
    """What a source needs to retry a 429/503 visibly: the policy, and the stream's notice,
    wait and cancel. A LangChain model takes `on_retry` and `sleep` as its retry hooks."""

    policy: RetryPolicy | None
    on_retry: Callable[[RetryNotice], None]
    sleep: Callable[[float], None]
    cancelled: Callable[[], bool]

    def call(self, start: Callable[[], T]) -> T:
        """`start()` (the request up to its first byte), retried per the policy; once if None."""
        if self.policy is None:
            return start()
        return call_with_retries(
            start, self.policy, on_retry=self.on_retry, sleep=self.sleep, cancelled=self.cancelled
        )


class Source(Protocol):
    """One stream of text: how to start it, describe it, interrupt it, and name its failures."""

    def open(self, hooks: RetryHooks) -> Iterator[str]:
        """Send the request (retrying through `hooks`) and return its text deltas.

        A failure raised here means nothing streamed (the reply fails); one raised while
        iterating means the stream broke (the reply is interrupted, its text kept).
        """
        ...

    def describe(self, reply: Reply) -> None:
        """Copy what is known about the exchange into `reply`: the request as sent, the
        events, finish reason and usage. Called once the stream started and when it ends."""
        ...

    def close(self) -> None:
        """Interrupt a read blocked in the worker (called from another thread by `stop`)."""
        ...

    def error(self, exc: Exception, text: str) -> EndpointError:
        """`exc`, which is not a `core` error, as one; `text` is what had arrived."""
        ...


class Moment(NamedTuple):
    """What `LiveStream.held` says of the reply it holds."""

    version: int
    settling: bool  # final, and not yet ended: draw it once it has ended


class LiveStream:
    """One stream running in a daemon thread, filling `reply` as text arrives.

    `stop()` ends it keeping the text so far; `cancel_retry()` ends a wait before a retry.
    `sync()` brings `reply.text` up to date (joining the pieces only when asked: replies can be
    huge); the worker sets the final text itself. `version` changes whenever the reply does.
    """

    def __init__(self, reply: Reply, source: Source, policy: RetryPolicy | None = None) -> None:
        self.reply = reply
        self.source = source
        self._policy = policy
        self._lock = threading.RLock()  # re-entrant: a drawing under `held` may read more
        self._parts: list[str] = []
        self._joined = 0  # pieces already joined into reply.text
        self._version = 0
        self._notice: RetryNotice | None = None
        self._final = False  # the reply's status and text are final: no piece is added
        self._ended = False  # ... and described: see `ended`
        self._stopped = False
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._started = time.monotonic()
        reply.status = ReplyStatus.STREAMING
        self._thread = threading.Thread(target=self._run, name="live-stream", daemon=True)
        self._thread.start()

    # Control (any thread) -----------------------------------------------------------------

    def stop(self) -> None:
        """Stop the stream: the reply is `stopped` at once with the text so far."""
        with self._lock:
            if self._final:
                return
            self._stopped = self._final = True
            reply = self.reply
            reply.text, self._joined = "".join(self._parts), len(self._parts)
            reply.status, reply.error, reply.waiting = ReplyStatus.STOPPED, None, None
            self._stamp_elapsed()
        self._cancel.set()  # a wait before a retry ends too
        with contextlib.suppress(Exception):
            self.source.close()
        self._describe()
        self._mark_ended()

    def cancel_retry(self) -> None:
        """Give up waiting to retry: the reply fails with `RetryCancelled`."""
        self._cancel.set()

    @property
    def ended(self) -> bool:
        """True once the reply is final: its worker finished, or `stop()` returned (the worker
        may still be closing the connection; what it learns then only refines the numbers)."""
        return self._ended

    @property
    def done(self) -> bool:
        """True once the worker has finished."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker has finished (or `timeout` seconds); True if it has."""
        return self._done.wait(timeout)

    @property
    def version(self) -> int:
        """A counter that changes whenever the reply does."""
        return self._version

    @contextlib.contextmanager
    def held(self) -> Iterator[Moment]:
        """Hold the reply still (the worker waits) while it is drawn, its text joined from
        what has arrived. A reply whose status is final but that has not `ended` is still
        being described: a drawing of its finished form then would be drawn again, with the
        same widget keys, once it ends."""
        with self._lock:
            if not self._final and self._joined != len(self._parts):
                self.reply.text, self._joined = "".join(self._parts), len(self._parts)
            yield Moment(self._version, settling=self._final and not self._ended)

    # The worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        hooks = RetryHooks(self._policy, self._on_retry, self._sleep, self._cancel.is_set)
        failure: Exception | None = None
        opened = False
        pieces: Iterator[str] | None = None
        try:
            pieces = self.source.open(hooks)
            opened = True
            self._describe()  # the request as sent and the growing events, while it streams
            for piece in pieces:
                if piece and not self._add(piece):
                    break
        except Exception as exc:  # every failure ends on the reply, never in the thread
            failure = exc
        finally:
            with contextlib.suppress(Exception):
                getattr(pieces, "close", lambda: None)()  # releases the connection
        self._end(failure, opened=opened)

    def _add(self, piece: str) -> bool:
        with self._lock:
            if self._stopped:
                return False
            if not self._parts:
                self.reply.time_to_first_token = time.monotonic() - self._started
                self.reply.waiting = None
            self._parts.append(piece)
            self.reply.pieces += 1
            self._version += 1
            return True

    def _on_retry(self, notice: RetryNotice) -> None:
        with self._lock:
            self._notice = notice
            self.reply.retries.append(notice.message)
            if not self._final:
                self.reply.status, self.reply.error = ReplyStatus.RETRYING, notice.error
            self._version += 1

    def _sleep(self, seconds: float) -> None:
        with self._lock:
            if self._notice is not None and not self._final:
                self.reply.waiting = RetryWait(self._notice, time.monotonic() + seconds)
            self._version += 1
        if self._cancel.wait(seconds) and self._notice is not None:
            # Raised here too, for retry loops that take a sleep but no `cancelled` (LangChain's).
            raise RetryCancelled(self._notice.error)
        with self._lock:  # `waiting` stays until the retried request brings text, or ends
            if not self._final:
                self.reply.status, self.reply.error = ReplyStatus.STREAMING, None
            self._started = time.monotonic()  # first-token time counts from the retry
            self._version += 1

    def _end(self, failure: Exception | None, *, opened: bool) -> None:
        with self._lock:
            if not self._final:
                self._conclude(failure, opened=opened)
                self._final = True
        self._describe()
        self._mark_ended()
        self._done.set()

    def _mark_ended(self) -> None:
        with self._lock:
            self._version += 1
            self._ended = True

    def _conclude(self, failure: Exception | None, *, opened: bool) -> None:
        reply, text = self.reply, "".join(self._parts)
        reply.waiting, reply.error = None, None
        if failure is None:
            reply.text, reply.status = text, ReplyStatus.DONE
        else:
            error = failure
            if not isinstance(error, EndpointError):
                log.warning("A stream failed unexpectedly: %s", type(failure).__name__)
                error = self.source.error(failure, text)
            broke = opened and not isinstance(error, RetryCancelled)
            reply.error = error
            reply.text = (getattr(error, "partial_text", "") or text) if broke else text
            reply.status = ReplyStatus.INTERRUPTED if broke else ReplyStatus.FAILED
        if opened:
            self._stamp_elapsed()

    def _stamp_elapsed(self) -> None:
        if self._parts:
            self.reply.elapsed = time.monotonic() - self._started

    def _describe(self) -> None:
        try:
            self.source.describe(self.reply)
        except Exception as exc:  # a description is a nicety: it never fails the reply
            log.warning("Describing a stream failed: %s", type(exc).__name__)


# Sources ------------------------------------------------------------------------------------


def unexpected_error(exc: BaseException) -> EndpointError:
    """A failure that is not a `core` error, in words (its text is not shown: it may hold
    anything the library put there)."""
    return EndpointError(
        f"The reply failed unexpectedly ({type(exc).__name__}). Send it again; if it keeps "
        "happening, report it."
    )


class TextStreamSource:
    """A `core.TextStream`: `start` is `lambda: client.stream_chat(messages, **params)`, or
    `stream_complete`, or a raw response's `text_stream`."""

    def __init__(self, start: Callable[[], TextStream]) -> None:
        self._start = start
        self.stream: TextStream | None = None

    def open(self, hooks: RetryHooks) -> Iterator[str]:
        """Start the stream (retried per `hooks`) and iterate its deltas."""
        self.stream = hooks.call(self._start)
        return iter(self.stream)

    def describe(self, reply: Reply) -> None:
        """The request as sent, the events (the same list: it fills while streaming), the
        timings measured on the wire, finish reason, usage, Azure's content-filter verdicts
        and its rate-limit and routing headers."""
        stream = self.stream
        if stream is None:
            return
        exchange = stream.exchange
        sent = exchange.request
        record = reply.request or RequestRecord()
        reply.request = dataclasses.replace(record, body=sent.body, sent=sent)
        reply.events = stream.events
        if stream.time_to_first_token is not None:
            reply.time_to_first_token = stream.time_to_first_token
        if exchange.elapsed is not None or stream.events:
            reply.elapsed = exchange.elapsed or stream.events[-1].at
        reply.finish_reason, reply.usage = stream.finish_reason, stream.usage
        reply.annotations, reply.service = stream.annotations, exchange.service

    def close(self) -> None:
        """Stop the stream; `TextStream.close()` also wakes the worker's blocked read."""
        if self.stream is not None:
            self.stream.close()

    def error(self, exc: Exception, text: str) -> EndpointError:
        """Only `core` errors are expected here; anything else is named, not shown."""
        return unexpected_error(exc)


class PiecesSource:
    """Text pieces from any iterable, such as a LangChain chain's `.stream()`.

    `start(hooks)` builds and starts the iteration (a LangChain model takes `hooks.on_retry`
    and `hooks.sleep` for its retries); `translate(exc, text)` turns its exceptions into
    `core` errors; `describe(reply)` records the request; `close()`, when given, interrupts a
    blocked read (without it, a stopped reply is final at once and the worker ends with the
    next piece).
    """

    def __init__(
        self,
        start: Callable[[RetryHooks], Iterable[str]],
        *,
        translate: Callable[[Exception, str], EndpointError],
        describe: Callable[[Reply], None] | None = None,
        close: Callable[[], None] | None = None,
    ) -> None:
        self._start = start
        self._translate = translate
        self._describe = describe
        self._close = close

    def open(self, hooks: RetryHooks) -> Iterator[str]:
        """Start and wait for the first piece: a failure before it means nothing streamed."""
        pieces = iter(self._start(hooks))
        for piece in pieces:
            if piece:
                return _rest(piece, pieces)
        return iter(())

    def describe(self, reply: Reply) -> None:
        """What the `describe` given records."""
        if self._describe is not None:
            self._describe(reply)

    def close(self) -> None:
        """What the `close` given does, if any."""
        if self._close is not None:
            self._close()

    def error(self, exc: Exception, text: str) -> EndpointError:
        """`exc` as `translate` maps it."""
        return self._translate(exc, text)


def _rest(first: str, pieces: Iterator[str]) -> Iterator[str]:
    """`first`, then the rest of `pieces`; closing this closes `pieces` (and its connection)."""
    try:
        yield from itertools.chain((first,), pieces)
    finally:
        getattr(pieces, "close", lambda: None)()


__all__ = [
    "LiveStream",
    "Moment",
    "PiecesSource",
    "RetryHooks",
    "Source",
    "TextStreamSource",
    "unexpected_error",
]
