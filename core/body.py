"""Reading one response body off the socket, within the client's `Limits`.

Bytes come as they arrive (per HTTP chunk, or whatever the socket has), never more than
64 KiB at a time however large a chunk the server declares. A compressed body (gzip, deflate:
the encodings the client advertises) is decompressed as it arrives, at most 64 KiB of output
a read (urllib3's bounded decoding, `max_length`), so a small compressed bomb never inflates
past the size limit. Total time is enforced twice: after every read, and by one shared alarm
thread that shuts the socket when the time is up, which also ends a read that trickles (a
byte at a time, each within the read timeout) inside one declared chunk.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .limits import LimitReached, Limits

if TYPE_CHECKING:  # `requests` (and `socket` with it) load with the first Client
    import socket

    import requests

READ_SIZE = 65536


def body_chunks(response: requests.Response, limits: Limits, started: float) -> Iterator[bytes]:
    """The body's (decompressed) bytes as they arrive; raises LimitReached past a limit.

    The bytes up to the size limit are yielded before the limit is raised.
    """
    raw = response.raw
    decode = bool(response.headers.get("content-encoding"))
    reads: Iterator[bytes]
    if raw.chunked:
        reads = raw.read_chunked(READ_SIZE, decode_content=decode)
    else:
        reads = iter(lambda: raw.read1(READ_SIZE, decode_content=decode), b"")
    deadline = started + limits.max_seconds
    alarm = ALARMS.set(_socket_of(raw), deadline)
    room, clock = limits.max_body_bytes, time.perf_counter
    try:
        for chunk in reads:
            room -= len(chunk)
            if room < 0:
                yield chunk[: len(chunk) + room]
                raise LimitReached("max_body_bytes", limits)
            yield chunk
            if clock() > deadline:
                raise LimitReached("max_seconds", limits)
    except LimitReached:
        raise
    except Exception:
        if alarm.fired:  # the alarm shut the socket: that is the failure to report
            raise LimitReached("max_seconds", limits) from None
        raise
    finally:
        alarm.cancel()
    if alarm.fired:  # a body that ends at close looks complete once the socket is shut
        raise LimitReached("max_seconds", limits)


def _socket_of(raw: Any) -> socket.socket | None:
    """The socket a urllib3 response reads from: its connection's while the connection is
    kept alive, else the one http.client handed to the response (`SocketIO._sock`)."""
    import socket  # loaded already, with `requests`

    sock = getattr(raw.connection, "sock", None)
    if not isinstance(sock, socket.socket):
        reader = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class Alarm:
    """Shuts one socket at a moment (`time.perf_counter`), unless cancelled first."""

    def __init__(self, sock: socket.socket | None, at: float) -> None:
        self.at = at
        self.fired = False
        self._sock = sock
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """The body is done: never touch the socket (it may serve the next request)."""
        with self._lock:
            self._sock = None

    @property
    def cancelled(self) -> bool:
        """True once cancelled (or fired)."""
        return self._sock is None

    def fire(self) -> None:
        """Shut the socket, which ends any read blocked on it."""
        import socket  # loaded already, with `requests`

        with self._lock:
            sock, self._sock = self._sock, None
            if sock is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # already closed: its read has ended
                sock.shutdown(socket.SHUT_RDWR)


class Alarms:
    """One daemon thread for every reply in the process, started with the first alarm."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._queue: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def set(self, sock: socket.socket | None, at: float) -> Alarm:
        """An alarm that shuts `sock` at `at`; without a socket it never fires."""
        alarm = Alarm(sock, at)
        if alarm.cancelled:
            return alarm
        with self._wake:
            heapq.heappush(self._queue, (at, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="core-alarms", daemon=True)
                self._thread.start()
            self._wake.notify()
        return alarm

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.perf_counter()
                queue = self._queue
                while queue and (queue[0][2].cancelled or queue[0][0] <= now):
                    heapq.heappop(queue)[2].fire()
                self._wake.wait(queue[0][0] - now if queue else None)


ALARMS = Alarms()

__all__ = ["ALARMS", "READ_SIZE", "Alarm", "Alarms", "body_chunks"]
