"""A minimal SSE server for benchmarks: it costs next to nothing per chunk, so clients show.

It answers any POST with a pre-rendered Azure-style chat stream (role chunk, N content chunks,
finish chunk with usage, `[DONE]`) in HTTP/1.1 chunked encoding, and `GET /info` with a JSON
object. Writes are 64 KiB each ("bulk": the client's own cost shows), or one per event as a
live endpoint sends them ("per event", `per_event=True`; with `delay`, paced, and the time of
each write recorded). `in_process` runs it in its own interpreter, so it does not share the
GIL with the client being measured.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

WRITE_SIZE = 65536


def render_stream(chunks: int) -> bytes:
    """The SSE body: role chunk, `chunks` one-word deltas, finish chunk with usage, [DONE]."""
    head = {"id": "bench", "object": "chat.completion.chunk", "created": 0, "model": "bench"}

    def event(delta: dict, finish: str | None = None, usage: dict | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        body = {**head, "choices": [choice]}
        if usage:
            body["usage"] = usage
        return "data: " + json.dumps(body, separators=(",", ":")) + "\n\n"

    usage = {"prompt_tokens": 1, "completion_tokens": chunks, "total_tokens": chunks + 1}
    parts = [event({"role": "assistant", "content": ""})]
    parts += [event({"content": f" w{i % 1000}"}) for i in range(chunks)]
    parts += [event({"content": ""}, "stop", usage), "data: [DONE]\n\n"]
    return "".join(parts).encode()


class BenchServer:
    """A thread-per-connection server on 127.0.0.1; use `running()`."""

    def __init__(self, chunks: int, delay: float = 0.0, per_event: bool = False) -> None:
        self.body = render_stream(chunks)
        self.delay = delay
        self.per_event = per_event or delay > 0
        self.events = self.body.split(b"\n\n")[:-1]
        self.write_times: list[float] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = False

    def serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request = _read_request(conn)
            if request.startswith(b"GET"):
                body = b'{"model_name":"bench","model_type":"chat-completions"}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                return
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )
            if self.per_event:
                for event in self.events:
                    if self.delay:
                        time.sleep(self.delay)
                        self.write_times.append(time.perf_counter())
                    data = event + b"\n\n"
                    conn.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                for i in range(0, len(self.body), WRITE_SIZE):
                    part = self.body[i : i + WRITE_SIZE]
                    conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            conn.sendall(b"0\r\n\r\n")

    def close(self) -> None:
        self._stop = True
        self._listener.close()


@contextmanager
def running(chunks: int, delay: float = 0.0) -> Iterator[BenchServer]:
    """A BenchServer serving in a background thread for the duration of the block."""
    server = BenchServer(chunks, delay)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()


@contextmanager
def in_process(chunks: int, per_event: bool) -> Iterator[str]:
    """A BenchServer in a child interpreter; yields its URL."""
    code = f"from bench.server import serve_forever; serve_forever({chunks}, {per_event})"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


def serve_forever(chunks: int, per_event: bool) -> None:
    """Serve until killed, after printing the URL (for `in_process`)."""
    server = BenchServer(chunks, per_event=per_event)
    print(server.url, flush=True)
    server.serve()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        part = conn.recv(65536)
        if not part:
            return data
        data += part
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(rest) < length:
        part = conn.recv(65536)
        if not part:
            break
        rest += part
    return head
