"""A tiny HTTP/1.1 server on 127.0.0.1 that writes exactly the bytes a test gives it.

For what the emulator cannot send: exact byte sequences, and replies that change from one
request to the next (counting how often it was asked); `unanswered_port` gives a real connect
timeout. It is a real socket server, not a mock: the client under test does real HTTP
against it.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

INFO_404 = b'{"error": {"code": "NotFound", "message": "no /info here"}}'


@dataclass(frozen=True)
class Request:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = bytes | Iterable[bytes]
Handler = Callable[[Request], Reply]


class RawServer:
    """Answers each request with `handler(request)`: raw bytes, or chunks sent as produced.

    Every response closes the connection, so a body without Content-Length ends there.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)  # so that `close` is noticed
        self._stopped = threading.Event()
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def posts(self) -> list[Request]:
        """The POST requests (the app also asks GET /info on its home view)."""
        return [r for r in self.requests if r.method == "POST"]

    def close(self) -> None:
        """Stop accepting connections."""
        self._stopped.set()
        self._thread.join(timeout=10)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            connection.settimeout(30)
            with connection:
                try:
                    request = _read_request(connection)
                    self.requests.append(request)
                    reply = self.handler(request)
                    for chunk in [reply] if isinstance(reply, bytes) else reply:
                        connection.sendall(chunk)
                except OSError:
                    continue  # the client went away; the next test request gets a new socket


def _read_request(connection: socket.socket) -> Request:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = [*lines[0].split(" "), "", "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


def response(
    status: str, body: bytes, content_type: str = "application/json", **headers: str
) -> bytes:
    """A whole response: status line, headers, Content-Length and body."""
    extra = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    ).encode() + body


def stream(events: Iterable[bytes]) -> Iterator[bytes]:
    """A `text/event-stream` response whose body ends when the connection closes."""
    yield b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
    yield from events


def chunk(text: str | bytes, finish_reason: str | None = None) -> bytes:
    """One `data:` event carrying a chat delta; bytes go into the JSON string unchanged."""
    raw = text if isinstance(text, bytes) else json.dumps(text)[1:-1].encode()
    payload = {
        "id": "raw-1",
        "object": "chat.completion.chunk",
        "model": "raw-server",
        "choices": [{"index": 0, "delta": {"content": "@TEXT@"}, "finish_reason": finish_reason}],
    }
    return b"data: " + json.dumps(payload).encode().replace(b"@TEXT@", raw) + b"\n\n"


DONE = b"data: [DONE]\n\n"


def completion(text: bytes) -> bytes:
    """A non-streamed `chat.completion` body whose content is `text` exactly as given."""
    return (
        b'{"id": "raw-1", "object": "chat.completion", "model": "raw-server", "choices": '
        b'[{"index": 0, "message": {"role": "assistant", "content": "' + text + b'"}, '
        b'"finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1, '
        b'"total_tokens": 2}}'
    )


def routes(*posts: Handler | Reply) -> Handler:
    """GET /info answers 404; POSTs get the given replies in turn, the last one repeating."""
    calls = {"posts": 0}

    def handle(request: Request) -> Reply:
        if request.method != "POST":
            return response("404 Not Found", INFO_404)
        index = min(calls["posts"], len(posts) - 1)
        calls["posts"] += 1
        reply = posts[index]
        return reply(request) if callable(reply) else reply

    return handle


def streamed(request: Request) -> bool:
    """True when the request asks for a stream (`true`, or the notebooks' string "True")."""
    try:
        value = json.loads(request.body or b"{}").get("stream")
    except (ValueError, AttributeError):
        return False
    return value is True or str(value).lower() == "true"


def hostile_markdown(leak: str) -> Handler:
    """Replies whose every part a server controls carries a Markdown image (inline, full
    reference, shortcut reference) pointing at `leak`: the model's text, streamed or not, a
    response header, the model name in GET /info, and, for requests with an `x-test-fault`
    header, a 500 whose message holds an image and a link."""
    text = (
        f"Here ![inline]({leak}/inline?q=conversation) and ![ref][r] and ![r]\n\n"
        f"[r]: {leak}/reference"
    )
    escaped = json.dumps(text)[1:-1].encode()
    header = {"x_note": f"![header]({leak}/header)"}
    info = json.dumps({"model_name": f"![model]({leak}/model)", "model_type": "chat-completions"})
    error = json.dumps(
        {"error": {"code": "Boom", "message": f"![error]({leak}/error) [click me]({leak}/click)"}}
    )

    def handle(request: Request) -> Reply:
        if request.method != "POST":
            return response("200 OK", info.encode(), **header)
        if "x-test-fault" in request.headers:
            return response("500 Internal Server Error", error.encode(), **header)
        if streamed(request):
            return stream([chunk(text), chunk("", "stop"), DONE])
        return response("200 OK", completion(escaped), **header)

    return handle


@contextmanager
def unanswered_port() -> Iterator[str]:
    """A URL on 127.0.0.1 where connecting times out: a connect timeout, for real.

    The listener never accepts and its accept queue is kept full, so the kernel drops new
    connection attempts instead of refusing them; clients wait until their connect timeout.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers: list[socket.socket] = []
    try:
        while True:  # connect until one attempt hangs: the queue is full from then on
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(address)
            except TimeoutError:
                break
            if len(fillers) > 64:
                raise RuntimeError("the listener kept accepting; no connect timeout possible")
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
