"""Talking to the emulator in its own terms: request bodies, keyed POSTs, SSE framing checks,
raw sockets, and an emulator started without a key. Shared by tests/emulator/.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests

from emulator.process import ROOT, Emulator, free_port, stop_emulator

CHAT_ROUTES = [
    "/v1/chat/completions",
    "/chat/completions",
    "/models/chat/completions",
    "/chat/completions?api-version=2024-05-01-preview",
    "/models/chat/completions?api-version=2024-04-01-preview",
]
TEXT_ROUTES = [
    "/v1/completions",
    "/completions",
    "/models/completions",
    "/completions?api-version=2024-05-01-preview",
]
UNIFIED_ROUTES = ["/chat/completions", "/models/chat/completions", "/completions"]
SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
USER = {"role": "user", "content": "What is good about Wuhan?"}
CHAT = {"messages": [SYSTEM, USER], "max_tokens": 50}
TEXT = {"prompt": "Math is a", "max_tokens": 30, "temperature": 0.7}


def body_for(path: str) -> dict:
    return dict(CHAT) if "chat" in path else dict(TEXT)


def bearer(emu: Emulator, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.api_key}", **extra}


def post(emu: Emulator, path: str, body: dict, **headers: str) -> requests.Response:
    """POST JSON with the right key; headers given as keyword arguments (underscores ok)."""
    sent = bearer(emu, **{k.replace("_", "-"): v for k, v in headers.items()})
    return requests.post(emu.base_url + path, json=body, headers=sent, timeout=60)


def sse_payloads(raw: bytes) -> list[bytes]:
    """Split a stream into its data payloads, failing on anything but `data: ...\\n\\n`."""
    assert raw.endswith(b"\n\n"), raw[-80:]
    payloads = []
    for event in raw[:-2].split(b"\n\n"):
        assert event.startswith(b"data: "), event[:80]
        assert b"\n" not in event and b"\r" not in event, event[:80]
        payloads.append(event[len(b"data: ") :])
    return payloads


def stream_chunks(raw: bytes) -> list[dict]:
    """The JSON chunks of a complete stream, checking it ends with exactly one [DONE]."""
    payloads = sse_payloads(raw)
    assert payloads[-1] == b"[DONE]"
    assert b"[DONE]" not in payloads[:-1]
    return [json.loads(p) for p in payloads[:-1]]


def streamed(emu: Emulator, path: str, body: dict, **headers: str) -> requests.Response:
    response = post(emu, path, {**body, "stream": True}, **headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    return response


def chat_with(emulator: Emulator, headers: dict[str, str]) -> requests.Response:
    """POST the chat body with exactly these headers (no key added)."""
    url = emulator.base_url + "/chat/completions"
    return requests.post(url, json=CHAT, headers=headers, timeout=30)


def chat_text(chunks: list[dict]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def raw_http(emu: Emulator, path: str, body: dict, **headers: str) -> bytes:
    """Send one request on a bare socket and return every byte until the server closes."""
    parts = urlsplit(emu.base_url)
    payload = json.dumps(body).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        f"Authorization: Bearer {emu.api_key}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + payload)
        while block := sock.recv(65536):
            received += block
    return received


def launch(*args: str, env: dict[str, str]) -> Emulator:
    """Start an emulator without --api-key (conftest always passes one) and wait for it."""
    port = free_port()
    cmd = [sys.executable, "-m", "emulator", "--port", str(port), *args]
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    emu = Emulator(f"http://127.0.0.1:{port}", "", process)
    for _ in range(600):
        assert process.poll() is None, process.stderr.read().decode()
        try:
            if requests.get(emu.base_url + "/health", timeout=1).status_code == 200:
                return emu
        except requests.ConnectionError:
            time.sleep(0.05)
    stop_emulator(emu)
    raise RuntimeError("emulator did not start")
