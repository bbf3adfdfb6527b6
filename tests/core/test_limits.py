"""Safe to host, findings 5 and 9: every reply is read within `core.Limits`, and compressed
replies are decompressed as they arrive, within the same limits.

Each hostile reply comes from a real server on 127.0.0.1 (`raw_server`). Memory is measured
in a child interpreter (its peak resident size, VmHWM, before and after the reply), so
nothing else in the test process counts. A guard thread ends a test that would hang on a
reply that never ends (the behaviour before the limits); no assertion is about time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core import (
    Client,
    Endpoint,
    InvalidRequestError,
    LimitExceededError,
    Limits,
    ServerError,
)
from core.limits import MiB
from core.sse import EventTooLarge, SSEDecoder, iter_events
from emulator.process import ROOT
from tests.helpers.raw_server import DONE, RawServer, Request, chunk, completion, response, stream

MESSAGES = [{"role": "user", "content": "Hello"}]
BLOCK = 65536


def client(server: RawServer, **limits: Any) -> Client:
    return Client(Endpoint(server.url, key="test-key"), limits=Limits(**limits))


def finishes(call: Callable[[], Any], guard: float = 60.0) -> Any:
    """`call()`'s result or exception; fails (instead of hanging) if it never returns."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(guard)
    assert outcome, "the read never ended: no limit stopped it"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# Hostile replies ----------------------------------------------------------------------------


def endless_body(request: Request) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    while True:
        yield b"0" * BLOCK


def endless_stream(request: Request) -> Iterator[bytes]:
    block = chunk("x") * (BLOCK // len(chunk("x")))
    yield from stream(iter(lambda: block, None))


def endless_line(request: Request) -> Iterator[bytes]:
    yield from stream(iter(lambda: b"x" * BLOCK, None))  # one line, never a line break


def trickle(chunked: bool) -> Callable[[Request], Iterator[bytes]]:
    """A stream that sends one event, then a byte every 20 ms: each read well within the
    read timeout. Chunked, the bytes trickle inside one declared chunk of 1 GB, so no read
    returns at all."""

    def handle(request: Request) -> Iterator[bytes]:
        framing = "Transfer-Encoding: chunked\r\n" if chunked else ""
        yield (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            f"{framing}Connection: close\r\n\r\n"
        ).encode()
        first = chunk("first")
        yield (
            f"{len(first):x}\r\n".encode() + first + f"\r\n{1 << 30:x}\r\n".encode()
            if chunked
            else first
        )
        while True:
            time.sleep(0.02)
            yield b":"

    return handle


def gzipped(data: bytes) -> bytes:
    packer = zlib.compressobj(6, wbits=31)
    return packer.compress(data) + packer.flush()


def chunked(status: str, headers: str, parts: list[bytes]) -> Iterator[bytes]:
    yield f"HTTP/1.1 {status}\r\n{headers}Transfer-Encoding: chunked\r\n\r\n".encode()
    for part in parts:
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
    yield b"0\r\n\r\n"


def gzip_events(events: list[bytes]) -> list[bytes]:
    """Each event compressed and flushed on its own, as a compressing proxy sends a stream."""
    packer = zlib.compressobj(6, wbits=31)
    parts = [packer.compress(e) + packer.flush(zlib.Z_SYNC_FLUSH) for e in events]
    return [*parts, packer.flush()]


BOMB_BYTES = 256 * MiB  # four times the default size limit


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """256 MiB of zeros, gzipped to about 260 KB."""
    packer = zlib.compressobj(9, wbits=31)
    zeros = bytes(MiB)
    return b"".join([*(packer.compress(zeros) for _ in range(BOMB_BYTES // MiB)), packer.flush()])


@pytest.fixture
def serve() -> Iterator[Callable[[Any], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Any) -> RawServer:
        """A server answering every request with `handler(request)`, or with `handler`'s
        bytes."""
        reply = handler if callable(handler) else lambda request: handler
        servers.append(RawServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


# The limits, one by one -------------------------------------------------------------------


def test_the_defaults_are_the_documented_ones() -> None:
    assert Limits() == Limits(
        max_body_bytes=64 * MiB, max_event_chars=4 * MiB, max_seconds=600, max_events=200_000
    )
    with pytest.raises(InvalidRequestError, match="max_seconds must be positive"):
        Limits(max_seconds=0)


def test_a_body_that_never_ends_stops_at_the_size_limit_keeping_what_arrived(serve) -> None:
    server = serve(endless_body)
    exchange = finishes(lambda: client(server, max_body_bytes=MiB).send("POST", "/x", body={}))
    error = exchange.error
    assert isinstance(error, LimitExceededError) and error.limit == "max_body_bytes"
    assert len(exchange.body) == MiB and set(exchange.body) == {"0"}
    assert str(error) == (
        "The reply passed the limit of 1 MiB for one reply (Limits.max_body_bytes), so "
        "reading stopped there. What arrived is kept in the response body. Ask for a shorter "
        "reply (max_tokens); whoever hosts the playground can raise the limit."
    )
    with pytest.raises(LimitExceededError, match=r"Limits\.max_body_bytes"):
        finishes(lambda: client(server, max_body_bytes=MiB).chat(MESSAGES))


def test_an_error_status_explains_more_than_the_limit_its_body_reached(serve) -> None:
    def failing(request: Request) -> Iterator[bytes]:
        yield b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n"
        while True:
            yield b"boom " * 1000

    with pytest.raises(ServerError, match=r"The endpoint failed \(500: boom boom"):
        finishes(lambda: client(serve(failing), max_body_bytes=MiB).chat(MESSAGES))


def test_an_event_flood_stops_at_the_event_limit_keeping_the_text(serve) -> None:
    stream_ = client(serve(endless_stream), max_events=1000).stream_chat(MESSAGES)
    pieces: list[str] = []
    with pytest.raises(LimitExceededError) as info:
        finishes(lambda: pieces.extend(stream_))
    assert info.value.limit == "max_events" and info.value.reason == "limit"
    assert len(stream_.events) == 1000 and len(pieces) == 1000
    assert info.value.partial_text == "x" * 1000
    assert "The 1000 characters received so far are kept." in str(info.value)


def test_a_line_that_never_ends_stops_at_the_event_limit(serve) -> None:
    stream_ = client(serve(endless_line), max_event_chars=MiB).stream_chat(MESSAGES)
    with pytest.raises(LimitExceededError, match=r"1,048,576 characters \(Limits\.max_event"):
        finishes(lambda: list(stream_))
    assert MiB <= len(stream_.exchange.body) <= MiB + BLOCK  # stopped within one read


@pytest.mark.parametrize("chunked_", [False, True], ids=["read-by-read", "inside-one-chunk"])
def test_a_trickle_stops_at_the_total_time_limit(serve, chunked_: bool) -> None:
    """Every byte arrives well within the read timeout; only the total limit can stop it."""
    stream_ = client(serve(trickle(chunked_)), max_seconds=1).stream_chat(MESSAGES)
    with pytest.raises(LimitExceededError) as info:
        finishes(lambda: list(stream_))
    assert info.value.limit == "max_seconds" and info.value.partial_text == "first"
    assert "took longer than the limit of 1 s for one reply (Limits.max_seconds)" in str(info.value)


# Compressed replies --------------------------------------------------------------------------


def test_a_gzipped_reply_with_a_content_length_is_decompressed(serve) -> None:
    body = gzipped(completion(b"Hello from gzip"))
    server = serve(response("200 OK", body, content_encoding="gzip"))
    done = client(server).chat(MESSAGES)
    assert done.text == "Hello from gzip"
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_a_gzipped_chunked_reply_is_decompressed(serve) -> None:
    body = gzipped(completion(b"Hello in chunks"))
    parts = [body[i : i + 7] for i in range(0, len(body), 7)]
    server = serve(lambda r: chunked("200 OK", "Content-Encoding: gzip\r\n", parts))
    assert client(server).chat(MESSAGES).text == "Hello in chunks"


@pytest.mark.parametrize("framing", ["chunked", "until-close"])
def test_a_gzipped_stream_is_decompressed_event_by_event(serve, framing: str) -> None:
    words = [f"word{i} " for i in range(50)]
    parts = gzip_events([chunk(w) for w in words] + [chunk("", "stop"), DONE])
    head = "Content-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"

    def until_close(request: Request) -> Iterator[bytes]:
        yield f"HTTP/1.1 200 OK\r\n{head}Connection: close\r\n\r\n".encode()
        yield from parts

    handler = until_close if framing == "until-close" else lambda r: chunked("200 OK", head, parts)
    stream_ = client(serve(handler)).stream_chat(MESSAGES)
    assert list(stream_) == words and stream_.finish_reason == "stop"
    assert len(stream_.events) == 52


def test_a_gzip_bomb_inflates_only_up_to_the_size_limit(serve, bomb: bytes) -> None:
    server = serve(response("200 OK", bomb, content_encoding="gzip"))
    exchange = finishes(lambda: client(server).send("POST", "/x", body={}))
    assert isinstance(exchange.error, LimitExceededError)
    assert exchange.error.limit == "max_body_bytes" and len(exchange.body) == 64 * MiB


def test_a_broken_gzip_body_says_so(serve) -> None:
    server = serve(response("200 OK", b"\x1f\x8bnot really gzip", content_encoding="gzip"))
    exchange = client(server).send("POST", "/x", body={})
    assert "compressed body (Content-Encoding) does not decompress" in str(exchange.error)


# Memory stays bounded: measured in a child interpreter ---------------------------------------

PEAK_SCRIPT = """
import sys
from core import Client, Endpoint

def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) * 1024

client = Client(Endpoint(sys.argv[1], key="test-key"))
client.send("GET", "/warm-up")  # everything imported and allocated once
before = peak()
if sys.argv[2] == "stream":
    try:
        for _ in client.stream_chat([{"role": "user", "content": "hi"}]):
            pass
    except Exception as exc:
        print(type(exc).__name__, getattr(exc, "limit", ""), file=sys.stderr)
else:
    exchange = client.send("POST", "/x", body={})
    print(type(exchange.error).__name__, getattr(exchange.error, "limit", ""), file=sys.stderr)
print(peak() - before)
"""


def peak_growth(url: str, mode: str) -> tuple[int, str]:
    """How much the peak resident size of a fresh client process grew while it read a reply
    with the default limits, and the error it got."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, url, mode],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1]), done.stderr.strip()


def first_get_then(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    return lambda r: response("404 Not Found", b"{}") if r.method == "GET" else handler(r)


@pytest.mark.parametrize(
    ("name", "mode", "limit"),
    [
        ("endless body", "send", "max_body_bytes"),
        ("event flood", "stream", "max_events"),
        ("endless line", "stream", "max_event_chars"),
        ("gzip bomb", "send", "max_body_bytes"),
    ],
)
def test_the_peak_memory_of_a_flood_is_bounded_by_the_limits(
    serve, bomb: bytes, name: str, mode: str, limit: str
) -> None:
    """Before the limits these grew without end (12 GiB in 25 s for an endless body)."""
    handlers: dict[str, Any] = {
        "endless body": endless_body,
        "event flood": endless_stream,
        "endless line": endless_line,
        "gzip bomb": lambda r: response("200 OK", bomb, content_encoding="gzip"),
    }
    growth, error = peak_growth(serve(first_get_then(handlers[name])).url, mode)
    assert error == f"LimitExceededError {limit}"
    # The body once as bytes and once as text (2 x 64 MiB at most), plus the records.
    bound = 2 * Limits().max_body_bytes + 32 * MiB
    assert growth < bound, f"{name}: the peak grew by {growth / MiB:.0f} MiB"


# The SSE decoder's work is linear in its input ----------------------------------------------


def test_a_long_line_is_never_copied_while_it_grows() -> None:
    """Each chunk of an unterminated line costs memory for that chunk only (the old decoder
    copied the whole line so far on every chunk: quadratic time, 35 s for 50 MB); the line
    is joined once, when it ends. Measured as the memory each `feed` allocates on the way."""
    decoder = SSEDecoder()
    decoder.feed(b"data: ")
    piece, worst = b"x" * BLOCK, 0
    tracemalloc.start()
    try:
        for _ in range(160):  # a 10 MiB line
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            assert decoder.feed(piece) == []
            worst = max(worst, tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    assert worst < 4 * BLOCK, f"one feed allocated {worst:,} bytes for a {BLOCK:,}-byte chunk"
    (event,) = decoder.feed(b"\n\n")
    assert len(event.data) == 160 * BLOCK


def test_the_decoder_limits_lines_and_events() -> None:
    lines = [b"data: " + b"y" * 90 + b"\n" for _ in range(20)]  # one event of 20 lines
    assert len(next(iter_events([*lines, b"\n"], max_chars=4000)).data) == 20 * 91 - 1
    with pytest.raises(EventTooLarge):
        list(iter_events([*lines, b"\n"], max_chars=1000))
    with pytest.raises(EventTooLarge):
        list(iter_events([b"data: " + b"z" * 5000 + b"\n\n"], max_chars=1000))
    small = b"".join(b"data: %d\n\n" % i for i in range(2000))  # one big chunk, small events
    assert len(list(iter_events([small], max_chars=1000))) == 2000


def test_every_limit_message_names_the_limit_and_what_to_do() -> None:
    from core.limits import limit_error

    for limit in ("max_body_bytes", "max_event_chars", "max_seconds", "max_events"):
        for partial in (None, "", "abc"):
            message = str(limit_error(limit, Limits(), partial))
            assert f"(Limits.{limit})" in message and message.endswith("raise the limit.")
    assert json.dumps(str(limit_error("max_seconds", Limits(), "ab")))  # plain text
