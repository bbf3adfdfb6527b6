"""A minimal SSE server for benchmarks: it costs next to nothing per chunk, so clients show.

It answers any POST with a pre-rendered Azure-style chat stream (role chunk, N content chunks,
finish chunk with usage, `[DONE]`) in HTTP/1.1 chunked encoding, 64 KiB per write, and `GET
/info` with a JSON object. With `delay`, it writes one event at a time and records when.
"""

from __future__ import annotations

import json
import socket
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

    def __init__(self, chunks: int, delay: float = 0.0) -> None:
        self.body = render_stream(chunks)
        self.delay = delay
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
            if self.delay:
                for event in self.events:
                    time.sleep(self.delay)
                    data = event + b"\n\n"
                    self.write_times.append(time.perf_counter())
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
